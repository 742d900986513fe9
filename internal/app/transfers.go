package app

import (
	"context"
	"database/sql"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/payout"
	"shebao/internal/transfer"
)

// transferPayouts pays a transfer's funds to the new agency through the
// payouts: one line of benefit transfer_out per transfer, approved by the
// fund section.
type transferPayouts struct{ p *payout.Service }

func (x transferPayouts) PrepareTransfer(ctx context.Context, tx *sql.Tx, a *access.Actor, t *transfer.Transfer) (string, error) {
	r := payout.Request{PayeeKind: payout.PayeeAgency, PayeeName: t.PayName, AccountKind: payout.AccountCorporate,
		AccountName: t.PayName, AccountNo: t.PayAccount, BankName: t.PayBank, Amount: t.Total(), Benefit: "transfer_out",
		SourceKind: "transfer", SourceID: t.No, Memo: "养老保险关系转移基金划转 " + t.No}
	if _, _, err := x.p.PrepareTx(ctx, tx, a, r); err != nil {
		return "", err
	}
	return r.Key(), nil
}

func (x transferPayouts) Paid(ctx context.Context, q db.Querier, key string) (bool, error) {
	l, err := x.p.ByKey(ctx, q, key)
	if errs.KindOf(err) == errs.NotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return l.Status == payout.Paid, nil
}

// TransferPayouts is the transfers' way to the payouts, for a transfer
// service built outside the app (the demo's tests).
func TransferPayouts(p *payout.Service) transfer.Payouts { return transferPayouts{p} }

// openTransfers builds the transfer service with its payouts and notices.
func (a *App) openTransfers() {
	a.Transfers = transfer.NewService(a.DB, a.Clock, a.Audit, a.Policy, a.Cases, transferPayouts{a.Payouts}, a.Notify)
}

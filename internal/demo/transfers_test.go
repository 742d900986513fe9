package demo_test

import (
	"context"
	"testing"

	"shebao/internal/app"
	"shebao/internal/casework"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/demo"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/payment"
	"shebao/internal/payout"
	"shebao/internal/personalaccount"
	"shebao/internal/transfer"
)

// TestDemoTransfers: the demo has a transfer in under way (联系函 issued,
// 信息表 awaited) for a person with a login, and a transfer out paid to the
// new agency through the payouts and closed: the line paid, the person
// transferred, their account here empty and the ledger balanced.
func TestDemoTransfers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		dp := deps(t, d)
		cases := casework.NewService(d, dp.Clock, dp.Audit, dp.Policy, nil)
		for _, ty := range casework.Catalog() {
			cases.Register(ty)
		}
		dp.Contribution = contribution.NewService(d, dp.Clock, dp.Audit, dp.Policy, "demo", nil, contribution.Tuning{})
		dp.Payouts = payout.NewService(d, dp.Clock, dp.Audit, nil)
		dp.Payments = payment.NewService(d, dp.Clock, dp.Audit, dp.Policy, dp.Payouts, "")
		dp.Transfers = transfer.NewService(d, dp.Clock, dp.Audit, dp.Policy, cases, app.TransferPayouts(dp.Payouts), nil)
		opts := small
		opts.Retirees = -1
		res, err := demo.Generate(ctx, dp, opts)
		if e, ok := err.(*errs.Error); ok {
			t.Fatalf("%v %+v", e, e.Fields)
		}
		if err != nil {
			t.Fatal(err)
		}
		if res.Transfers == nil || res.Transfers.In == "" || res.Transfers.Out == "" {
			t.Fatalf("demo transfers %+v", res.Transfers)
		}
		var inStatus, inLetter string
		var inLogin int
		if err := d.R.QueryRow(`SELECT t.status, t.letter_code, (SELECT COUNT(*) FROM users u WHERE u.person_id = t.person_id)
			FROM transfers t WHERE t.transfer_no = $1 AND t.direction = 'in'`, res.Transfers.In).Scan(&inStatus, &inLetter, &inLogin); err != nil {
			t.Fatal(err)
		}
		if inStatus != transfer.LetterIssued || inLetter == "" || inLogin != 1 {
			t.Fatalf("transfer in: status %s, letter %q, logins %d", inStatus, inLetter, inLogin)
		}
		var outStatus, key, personStatus string
		var pid, pooled int64
		if err := d.R.QueryRow(`SELECT t.status, t.payout_key, t.person_id, t.pooled_fen, p.status FROM transfers t
			JOIN persons p ON p.id = t.person_id WHERE t.transfer_no = $1 AND t.direction = 'out'`, res.Transfers.Out).Scan(
			&outStatus, &key, &pid, &pooled, &personStatus); err != nil {
			t.Fatal(err)
		}
		if outStatus != transfer.Closed || personStatus != "transferred" || pooled <= 0 {
			t.Fatalf("transfer out: status %s, person %s, pooled %d", outStatus, personStatus, pooled)
		}
		l, err := dp.Payouts.ByKey(ctx, nil, key)
		if err != nil {
			t.Fatal(err)
		}
		if l.Status != payout.Paid || l.Benefit != "transfer_out" || l.ApprovedBy == "" || l.PreparedBy == l.ApprovedBy {
			t.Fatalf("payout line %+v", l)
		}
		if bal, err := personalaccount.BalanceAt(ctx, d.Read(), pid, dp.Clock.Now()); err != nil || bal != 0 {
			t.Fatalf("balance after the transfer out %s %v", bal, err)
		}
		var dr, cr int64
		if err := d.R.QueryRow(`SELECT COALESCE(SUM(debit_fen), 0), COALESCE(SUM(credit_fen), 0) FROM ledger_entries`).Scan(&dr, &cr); err != nil {
			t.Fatal(err)
		}
		if dr != cr || dr == 0 {
			t.Fatalf("ledger debits %s, credits %s", money.Fen(dr), money.Fen(cr))
		}
	})
}

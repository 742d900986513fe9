package payment

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ledger"
	"shebao/internal/money"
)

// BySerial returns the payment of a bank statement line by its serial
// number (交易流水号), for a service that matches money it expects (a
// transfer's funds) inside its own transaction. It checks no permission:
// the caller's service does. Errors: NotFound.
func BySerial(ctx context.Context, q db.Querier, serial string) (*Payment, error) {
	list, err := queryPayments(ctx, q, `WHERE p.serial = $1 ORDER BY p.id LIMIT 1`, strings.TrimSpace(serial))
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errs.NotFoundf("没有找到该交易流水号的到账")
	}
	return &list[0], nil
}

// TransferFunds takes a bank statement line held in suspense as the funds
// of a transfer in (its account balance and pooled amount), inside the
// transfer's transaction: the whole line must still be unallocated and
// equal amount; it leaves suspense for the pension fund's transfer income
// (ledger.TransferIncome) and the line is settled with ref in its note.
// The transfer's step records the audit entry. Errors: NotFound, Invalid
// (field bank_serial: already allocated, or another amount).
func TransferFunds(ctx context.Context, tx *sql.Tx, dialect db.Dialect, by string, now time.Time, serial string, amount money.Fen, ref string) (*Payment, error) {
	p, err := BySerial(ctx, tx, serial)
	if err != nil {
		return nil, err
	}
	var f errs.Fields
	switch {
	case p.Status != Unmatched || p.Applied != 0 || p.Open != p.Amount:
		f.Add("bank_serial", "该笔到账已入账或已处理（"+p.StatusName()+"），不能再作为转移基金匹配")
	case p.Amount != amount:
		f.Add("bank_serial", fmt.Sprintf("到账金额 %s 元与应转入 %s 元不符，未匹配", p.Amount, amount))
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	step, err := nextStep(ctx, tx, p.ID)
	if err != nil {
		return nil, err
	}
	post := ledger.Posting{PaymentID: p.ID, Step: step, PostedOn: now.In(clock.Shanghai).Format(time.DateOnly)}
	post.Move(ledger.Suspense, ledger.Bank, "", 0, amount) // reclassify the unallocated receipt
	post.Move(ledger.Bank, ledger.TransferIncome, "pension", 0, amount)
	if err := ledger.Write(ctx, tx, dialect, now, []ledger.Posting{post}); err != nil {
		return nil, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE payments SET status = $1, open_fen = 0, note = $2, settled_by = $3, settled_at = $4,
		version = version + 1 WHERE id = $5 AND version = $6`, Settled, ref, by, now, p.ID, p.Version)
	if err := oneRow(res, err); err != nil {
		return nil, err
	}
	p.Status, p.Open, p.Note = Settled, 0, ref
	return p, nil
}

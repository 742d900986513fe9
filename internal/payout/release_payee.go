package payout

import (
	"context"
	"database/sql"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// ReleasePayee gives the lines of one payee held for reason (e.g. a
// hospital whose receiving account was not yet registered) the account now
// registered and makes them prepared, inside the caller's transaction: the
// fund section approves them with the next batch. acct needs AccountKind,
// AccountName, AccountNo and BankName (checked like a prepared line's). It
// returns how many lines and their total. Errors: Invalid (account fields).
func (s *Service) ReleasePayee(ctx context.Context, tx *sql.Tx, a *access.Actor, payeeKind string, payeeID int64, reason string,
	acct Request) (int, money.Fen, error) {
	return s.release(ctx, tx, a, heldWhere{"payee_kind", payeeKind, "payee_id", payeeID}, reason, acct,
		payeeKind+":"+idStr(payeeID), false)
}

// ReleaseSourceTx is ReleasePayee for the lines of one source (e.g. a
// refunded payment whose payer's account was missing): its lines held for
// reason get the account and become prepared, inside tx. The clerk who
// gives the account becomes the lines' preparer, so another clerk must
// approve them (the two-person rule covers the account entered).
func (s *Service) ReleaseSourceTx(ctx context.Context, tx *sql.Tx, a *access.Actor, sourceKind, sourceID, reason string,
	acct Request) (int, money.Fen, error) {
	return s.release(ctx, tx, a, heldWhere{"source_kind", sourceKind, "source_id", sourceID}, reason, acct,
		sourceKind+":"+sourceID, true)
}

// heldWhere names the held lines to release: two columns and their values.
type heldWhere struct {
	col1 string
	val1 any
	col2 string
	val2 any
}

// release makes the held lines of w prepared with acct; takeOver makes a
// their preparer.
func (s *Service) release(ctx context.Context, tx *sql.Tx, a *access.Actor, w heldWhere, reason string, acct Request,
	entity string, takeOver bool) (int, money.Fen, error) {
	acct.normalize()
	var f errs.Fields
	CheckAccount(&f, "account_no", acct.AccountKind, acct.AccountNo)
	if acct.AccountName == "" {
		f.Add("account_name", "请填写账户名称")
	}
	if acct.BankName == "" {
		f.Add("bank_name", "请填写开户银行")
	}
	if err := f.Err(); err != nil {
		return 0, 0, err
	}
	bank, err := resolveBank(ctx, tx, acct.BankCode, acct.BankName)
	if err != nil {
		return 0, 0, err
	}
	held := `status = 'held' AND ` + w.col1 + ` = $1 AND ` + w.col2 + ` = $2 AND hold_reason = $3`
	var n int
	var sum int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM payout_lines WHERE `+held,
		w.val1, w.val2, reason).Scan(&n, &sum); err != nil {
		return 0, 0, errs.Wrap(err, "held payouts")
	}
	if n == 0 {
		return 0, 0, nil
	}
	by := ""
	if takeOver {
		by = "prepared_by = $11, prepared_by_id = $12, "
	}
	if _, err := tx.ExecContext(ctx, `UPDATE payout_lines SET status = 'prepared', account_kind = $4, account_name = $5,
		account_no = $6, bank_name = $7, bank_code = $8, name_confirmed = $9, hold_reason = '', `+by+`updated_at = $10,
		version = version + 1 WHERE `+held, releaseArgs(w, reason, &acct, bank, s.clock.Now(), a, takeOver)...); err != nil {
		return 0, 0, errs.Wrap(err, "release held payouts")
	}
	return n, money.Fen(sum), s.audit.Record(ctx, tx, a, audit.Entry{Action: "payout.release", Entity: "payout_line",
		EntityID: entity, After: map[string]any{"lines": n, "amount_fen": sum, "account": MaskAccount(acct.AccountNo)}, Note: reason})
}

func releaseArgs(w heldWhere, reason string, acct *Request, bank string, now time.Time, a *access.Actor, takeOver bool) []any {
	args := []any{w.val1, w.val2, reason, acct.AccountKind, acct.AccountName, acct.AccountNo, acct.BankName, bank,
		acct.NameConfirmed, now}
	if takeOver {
		args = append(args, a.Name(), a.UserID)
	}
	return args
}

// HeldOf counts a payee's lines held for reason and their total.
func (s *Service) HeldOf(ctx context.Context, payeeKind string, payeeID int64, reason string) (int, money.Fen, error) {
	var n int
	var sum int64
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM payout_lines
		WHERE status = 'held' AND payee_kind = $1 AND payee_id = $2 AND hold_reason = $3`, payeeKind, payeeID, reason).Scan(&n, &sum)
	return n, money.Fen(sum), errs.Wrap(err, "held payouts")
}

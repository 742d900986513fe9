package payout

import (
	"context"
	"database/sql"

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
	var n int
	var sum int64
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM payout_lines
		WHERE status = 'held' AND payee_kind = $1 AND payee_id = $2 AND hold_reason = $3`, payeeKind, payeeID, reason).
		Scan(&n, &sum); err != nil {
		return 0, 0, errs.Wrap(err, "held payouts")
	}
	if n == 0 {
		return 0, 0, nil
	}
	if _, err := tx.ExecContext(ctx, `UPDATE payout_lines SET status = 'prepared', account_kind = $1, account_name = $2,
		account_no = $3, bank_name = $4, bank_code = $5, name_confirmed = $6, hold_reason = '', updated_at = $7, version = version + 1
		WHERE status = 'held' AND payee_kind = $8 AND payee_id = $9 AND hold_reason = $10`,
		acct.AccountKind, acct.AccountName, acct.AccountNo, acct.BankName, bank, acct.NameConfirmed, s.clock.Now(),
		payeeKind, payeeID, reason); err != nil {
		return 0, 0, errs.Wrap(err, "release held payouts")
	}
	return n, money.Fen(sum), s.audit.Record(ctx, tx, a, audit.Entry{Action: "payout.release", Entity: "payout_line",
		EntityID: payeeKind + ":" + idStr(payeeID), After: map[string]any{"lines": n, "amount_fen": sum,
			"account": MaskAccount(acct.AccountNo)}, Note: reason})
}

// HeldOf counts a payee's lines held for reason and their total.
func (s *Service) HeldOf(ctx context.Context, payeeKind string, payeeID int64, reason string) (int, money.Fen, error) {
	var n int
	var sum int64
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM payout_lines
		WHERE status = 'held' AND payee_kind = $1 AND payee_id = $2 AND hold_reason = $3`, payeeKind, payeeID, reason).Scan(&n, &sum)
	return n, money.Fen(sum), errs.Wrap(err, "held payouts")
}

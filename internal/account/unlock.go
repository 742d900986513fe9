package account

import (
	"context"
	"database/sql"
	"strconv"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// ListLocked returns the staff and administrator accounts that failed
// logins locked until an administrator unlocks them, oldest lock first.
// Administrators only. Errors: Forbidden, Internal.
func (s *Service) ListLocked(ctx context.Context, a *access.Actor) ([]*User, error) {
	if err := a.RequireAdmin(); err != nil {
		return nil, err
	}
	var out []*User
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		u, err := scanUser(r)
		if err != nil {
			return errs.Wrap(err, "scan user")
		}
		out = append(out, u)
		return nil
	}, `SELECT `+userColumns+` FROM users
		WHERE unlock_required_at IS NOT NULL ORDER BY unlock_required_at, id`)
	if err != nil {
		return nil, errs.Wrap(err, "list locked users")
	}
	return out, nil
}

// Unlock lifts the lock that failed logins put on a staff or administrator
// account and forgets its failures. Each lock is unlocked and audited once:
// of two administrators unlocking at the same time, the second is told it
// is already unlocked. Administrators only.
// Errors: Forbidden, NotFound, Conflict (not locked), Internal.
func (s *Service) Unlock(ctx context.Context, a *access.Actor, userID int64) error {
	if err := a.RequireAdmin(); err != nil {
		return err
	}
	return s.unlock(ctx, a, userID, "系统管理员解除登录失败锁定")
}

// UnlockFromConsole is Unlock for the server's operator (shebao unlock), so
// that an agency whose every administrator is locked can get back in. It
// is audited without an actor. Errors: NotFound, Conflict (not locked), Internal.
func (s *Service) UnlockFromConsole(ctx context.Context, username string) error {
	var id int64
	err := s.db.Read().QueryRowContext(ctx, `SELECT id FROM users WHERE username = $1`, NormalizeUsername(username)).Scan(&id)
	if db.IsNoRows(err) {
		return errs.NotFoundf("没有用户名为 %s 的账户", maskUsername(NormalizeUsername(username)))
	}
	if err != nil {
		return errs.Wrap(err, "find user")
	}
	return s.unlock(ctx, nil, id, "在服务器上用命令解除登录失败锁定")
}

func (s *Service) unlock(ctx context.Context, a *access.Actor, userID int64, note string) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		u, err := s.getUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET unlock_required_at = NULL, failed_count = 0, last_failed_at = NULL,
			version = version + 1 WHERE id = $1 AND unlock_required_at IS NOT NULL`, userID)
		if err != nil {
			return errs.Wrap(err, "unlock account")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.New(errs.Conflict, "not_locked", "该账户未被锁定或已由他人解锁，请刷新页面")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "account.unlock", Entity: "user",
			EntityID: strconv.FormatInt(userID, 10), Before: map[string]any{"username": u.MaskedUsername(),
				"unlock_required_at": u.UnlockRequiredAt}, Note: note})
	})
}

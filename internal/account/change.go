package account

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/errs"
)

// ChangePassword sets the actor's own password after checking the old one.
// The new one must have at least 8 characters with letters and digits and
// differ from the username and the old password. It clears the forced
// change and ends every session of the account (the caller logs in again
// to get a fresh one). A wrong old password counts as a failed login of the
// account from the change form (its own growing delay, and the staff
// counter). Errors: Unauthenticated, Forbidden (API clients; a staff account
// that needs an administrator's unlock), Invalid (fields old_password,
// new_password), TooMany (growing delay, with RetryAfter), Internal.
func (s *Service) ChangePassword(ctx context.Context, a *access.Actor, oldPassword, newPassword string) error {
	if a == nil || a.UserID == 0 {
		return errs.LoginRequired()
	}
	if a.Role == access.RoleAPI {
		return errs.Forbid()
	}
	var f errs.Fields
	if oldPassword == "" {
		f.Add("old_password", "请输入原密码")
	}
	checkPolicy(&f, "new_password", a.Username, oldPassword, newPassword)
	if err := f.Err(); err != nil {
		return err
	}
	u, err := s.loginUser(ctx, a.Username)
	if err != nil {
		return err
	}
	if u == nil || u.id != a.UserID {
		return errs.LoginRequired()
	}
	now := s.clock.Now()
	res, err := s.reserve(ctx, u.username, "", u, now)
	if err != nil {
		return err
	}
	ok, err := s.verify(ctx, u.hash, oldPassword)
	if err != nil {
		return err
	}
	if !ok {
		if err := s.failed(ctx, res, now); err != nil {
			return err
		}
		f.Add("old_password", "原密码不正确")
		return f.Err()
	}
	hash, err := s.HashPassword(ctx, newPassword)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := succeeded(ctx, tx, res, u.id); err != nil {
			return err
		}
		if err := setPassword(ctx, tx, u.id, hash, false, now); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "account.password.change", Entity: "user",
			EntityID: strconv.FormatInt(u.id, 10), Note: "本人修改密码，已退出全部登录"})
	})
}

// setPassword stores a new hash, clears failures and an unlock-required
// lock, and ends every session of the account.
func setPassword(ctx context.Context, tx *sql.Tx, userID int64, hash string, mustChange bool, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $2, must_change_password = $3, password_changed_at = $4,
		failed_count = 0, last_failed_at = NULL, unlock_required_at = NULL, version = version + 1 WHERE id = $1`,
		userID, hash, mustChange, now)
	if err != nil {
		return errs.Wrap(err, "set password")
	}
	return endSessions(ctx, tx, userID)
}

package account

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// PageSize is the number of users on one page of ListUsers.
const PageSize = 30

// UserFilter narrows ListUsers.
type UserFilter struct {
	Query string      // part of the username or display name
	Role  access.Role // empty for every role
}

// UserPage is one page of users.
type UserPage struct {
	Users   []*User
	Page    int // 1-based
	HasNext bool
}

const userColumns = `id, username, role, employer_id, person_id, display_name, must_change_password,
	unlock_required_at, disabled, created_at, password_changed_at, version`

func scanUser(sc interface{ Scan(...any) error }) (*User, error) {
	var u User
	var role string
	var emp, per sql.NullInt64
	var locked, changed sql.NullTime
	err := sc.Scan(&u.ID, &u.Username, &role, &emp, &per, &u.DisplayName, &u.MustChangePassword,
		&locked, &u.Disabled, &u.CreatedAt, &changed, &u.Version)
	if err != nil {
		return nil, err
	}
	u.Role, u.EmployerID, u.PersonID = access.Role(role), emp.Int64, per.Int64
	u.UnlockRequiredAt, u.PasswordChangedAt = locked.Time, changed.Time
	return &u, nil
}

// GetUser returns one account. Administrators only.
// Errors: Forbidden, NotFound, Internal.
func (s *Service) GetUser(ctx context.Context, a *access.Actor, id int64) (*User, error) {
	if err := a.RequireAdmin(); err != nil {
		return nil, err
	}
	return s.getUser(ctx, s.db.Read(), id)
}

func (s *Service) getUser(ctx context.Context, q db.Querier, id int64) (*User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("没有编号为 %d 的账户", id)
	}
	if err != nil {
		return nil, errs.Wrap(err, "load user")
	}
	if u.Sections, err = loadSections(ctx, querierFor{q}, id); err != nil {
		return nil, err
	}
	return u, nil
}

// ListUsers returns a page (1-based) of accounts matching f, ordered by
// role and username. Administrators only. Errors: Forbidden, Internal.
func (s *Service) ListUsers(ctx context.Context, a *access.Actor, f UserFilter, page int) (*UserPage, error) {
	if err := a.RequireAdmin(); err != nil {
		return nil, err
	}
	page = max(page, 1)
	where, args := []string{"role <> 'api'"}, []any{}
	if q := strings.TrimSpace(f.Query); q != "" {
		args = append(args, db.Like(strings.ToLower(q)), db.Like(q))
		where = append(where, fmt.Sprintf(`(LOWER(username) LIKE $%d ESCAPE '\' OR display_name LIKE $%d ESCAPE '\')`, len(args)-1, len(args)))
	}
	if f.Role != "" {
		args = append(args, string(f.Role))
		where = append(where, fmt.Sprintf("role = $%d", len(args)))
	}
	args = append(args, PageSize+1, (page-1)*PageSize)
	out := &UserPage{Page: page}
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		u, err := scanUser(r)
		if err != nil {
			return errs.Wrap(err, "scan user")
		}
		out.Users = append(out.Users, u)
		return nil
	}, `SELECT `+userColumns+` FROM users WHERE `+strings.Join(where, " AND ")+
		fmt.Sprintf(` ORDER BY role, username LIMIT $%d OFFSET $%d`, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, errs.Wrap(err, "list users")
	}
	if len(out.Users) > PageSize {
		out.Users, out.HasNext = out.Users[:PageSize], true
	}
	for _, u := range out.Users {
		if u.Role == access.RoleStaff || u.Role == access.RoleAdmin {
			if u.Sections, err = loadSections(ctx, querierFor{s.db.Read()}, u.ID); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// SetSections replaces the sections of a staff account; version is the
// account version the administrator saw. Administrators only.
// Errors: Forbidden, NotFound, Invalid (field sections), Conflict (stale version), Internal.
func (s *Service) SetSections(ctx context.Context, a *access.Actor, userID, version int64, sections []access.Section) error {
	if err := a.RequireAdmin(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		u, err := s.getUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.Role != access.RoleStaff && u.Role != access.RoleAdmin {
			return errs.New(errs.Invalid, "not_staff", "只有经办人员账户可以分配科室")
		}
		var f errs.Fields
		sections = checkSections(&f, sections, u.Role == access.RoleStaff)
		if err := f.Err(); err != nil {
			return err
		}
		if err := bumpVersion(ctx, tx, userID, version); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM user_sections WHERE user_id = $1`, userID); err != nil {
			return errs.Wrap(err, "clear sections")
		}
		if err := insertSections(ctx, tx, userID, sections); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "account.sections", Entity: "user", EntityID: strconv.FormatInt(userID, 10),
			Before: map[string]any{"sections": u.Sections}, After: map[string]any{"sections": sections}})
	})
}

// Disable stops an account from logging in and ends its sessions.
// Administrators only, not on their own account.
// Errors: Forbidden, NotFound, Invalid, Conflict (stale version), Internal.
func (s *Service) Disable(ctx context.Context, a *access.Actor, userID, version int64) error {
	return s.setDisabled(ctx, a, userID, version, true)
}

// Enable lets a disabled account log in again and lifts an unlock-required lock.
// Errors: Forbidden, NotFound, Conflict (stale version), Internal.
func (s *Service) Enable(ctx context.Context, a *access.Actor, userID, version int64) error {
	return s.setDisabled(ctx, a, userID, version, false)
}

func (s *Service) setDisabled(ctx context.Context, a *access.Actor, userID, version int64, disabled bool) error {
	if err := a.RequireAdmin(); err != nil {
		return err
	}
	if disabled && userID == a.UserID {
		return errs.New(errs.Invalid, "disable_self", "不能停用自己的账户")
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		u, err := s.getUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE users SET disabled = $3, failed_count = 0, last_failed_at = NULL,
			unlock_required_at = NULL, version = version + 1 WHERE id = $1 AND version = $2`, userID, version, disabled)
		if err != nil {
			return errs.Wrap(err, "set disabled")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.StaleVersion()
		}
		if disabled {
			if err := endSessions(ctx, tx, userID); err != nil {
				return err
			}
		}
		action := "account.enable"
		if disabled {
			action = "account.disable"
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: action, Entity: "user", EntityID: strconv.FormatInt(userID, 10),
			Before: map[string]any{"username": u.MaskedUsername(), "disabled": u.Disabled}, After: map[string]any{"disabled": disabled}})
	})
}

// ResetPassword gives an account a new random initial password, which it
// returns to be shown once; the user must change it at next login, every
// session of the account ends and any lockout is lifted. Administrators
// only, not for their own account (they use ChangePassword).
// Errors: Forbidden, NotFound, Invalid, Internal.
func (s *Service) ResetPassword(ctx context.Context, a *access.Actor, userID int64) (newPassword string, err error) {
	if err := a.RequireAdmin(); err != nil {
		return "", err
	}
	if userID == a.UserID {
		return "", errs.New(errs.Invalid, "reset_self", "请通过“修改密码”更改自己的密码")
	}
	pw := NewInitialPassword()
	hash, err := s.HashPassword(ctx, pw)
	if err != nil {
		return "", err
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		u, err := s.getUser(ctx, tx, userID)
		if err != nil {
			return err
		}
		if u.Role == access.RoleAPI {
			return errs.New(errs.Invalid, "api_no_password", "接口客户端没有密码，请吊销后重新创建密钥")
		}
		if err := setPassword(ctx, tx, userID, hash, true, s.clock.Now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "account.password.reset", Entity: "user",
			EntityID: strconv.FormatInt(userID, 10), After: map[string]any{"username": u.MaskedUsername(), "must_change_password": true}})
	})
	if err != nil {
		return "", err
	}
	return pw, nil
}

// bumpVersion increments an account's version if it is still version.
func bumpVersion(ctx context.Context, tx *sql.Tx, userID, version int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE users SET version = version + 1 WHERE id = $1 AND version = $2`, userID, version)
	if err != nil {
		return errs.Wrap(err, "update user")
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errs.StaleVersion()
	}
	return nil
}

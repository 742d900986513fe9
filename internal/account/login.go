package account

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// loginRow is what a login attempt reads of an account.
type loginRow struct {
	id          int64
	username    string
	hash        string
	role        access.Role
	employerID  int64
	personID    int64
	mustChange  bool
	lockedUntil time.Time
	disabled    bool
}

// ErrBadCredentials is the one answer to an unknown username and a wrong
// password alike, so that logins cannot be used to find accounts.
func errBadCredentials() error {
	return errs.New(errs.Unauthenticated, "bad_credentials", "用户名或密码错误")
}

func errLocked(until time.Time) error {
	return errs.New(errs.TooMany, "account_locked",
		"登录失败次数过多，账户已临时锁定，请于 "+until.In(clock.Shanghai).Format("15:04")+" 后重试")
}

func errIPThrottled() error {
	return errs.New(errs.TooMany, "ip_throttled", "登录尝试过于频繁，请 10 分钟后再试")
}

// Login checks a username and password and starts a session. See
// LoginWithAgent.
func (s *Service) Login(ctx context.Context, username, password, ip string) (*Session, error) {
	return s.LoginWithAgent(ctx, username, password, ip, "")
}

// LoginWithAgent checks a username and password and starts a session
// recording the client's IP and user agent. The username is normalised
// (NormalizeUsername), so an ID number may be typed with a lower-case x.
//
// Errors: Invalid (empty fields); Unauthenticated "用户名或密码错误" for an
// unknown user and a wrong password alike; TooMany when the IP made
// IPMaxFailures failed attempts within IPWindow, or the account is locked
// (MaxFailures failures in a row lock it for LockFor); Forbidden for a
// disabled account (only said after a correct password); Internal.
func (s *Service) LoginWithAgent(ctx context.Context, username, password, ip, userAgent string) (*Session, error) {
	var f errs.Fields
	if NormalizeUsername(username) == "" {
		f.Add("username", "请输入用户名")
	}
	if password == "" {
		f.Add("password", "请输入密码")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	ip = truncate(ip, 64)
	now := s.clock.Now()
	if n, err := s.ipFailures(ctx, ip, now); err != nil {
		return nil, err
	} else if n >= IPMaxFailures {
		return nil, errIPThrottled()
	}
	u, err := s.loginUser(ctx, NormalizeUsername(username))
	if err != nil {
		return nil, err
	}
	if u == nil || u.role == access.RoleAPI || len(password) > 4*maxPassword {
		s.verifyDummy(ctx, password)
		if _, err := s.recordFailure(ctx, nil, ip, now); err != nil {
			return nil, err
		}
		return nil, errBadCredentials()
	}
	if now.Before(u.lockedUntil) {
		return nil, errLocked(u.lockedUntil)
	}
	ok, err := s.verify(ctx, u.hash, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		until, err := s.recordFailure(ctx, u, ip, now)
		if err != nil {
			return nil, err
		}
		if !until.IsZero() {
			return nil, errLocked(until)
		}
		return nil, errBadCredentials()
	}
	if u.disabled {
		return nil, errs.New(errs.Forbidden, "account_disabled", "该账户已停用，请联系经办机构")
	}
	return s.loginOK(ctx, u, ip, userAgent, now)
}

// loginOK resets the failure counter and starts the session.
func (s *Service) loginOK(ctx context.Context, u *loginRow, ip, userAgent string, now time.Time) (*Session, error) {
	var sess *Session
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET failed_count = 0, last_failed_at = NULL, locked_until = NULL
			WHERE id = $1 AND (failed_count <> 0 OR locked_until IS NOT NULL)`, u.id); err != nil {
			return errs.Wrap(err, "reset failures")
		}
		// Sweep this user's dead sessions so the table does not grow without a job.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND (expires_at <= $2 OR last_seen_at <= $3)`,
			u.id, now, now.Add(-IdleTimeout)); err != nil {
			return errs.Wrap(err, "sweep sessions")
		}
		var err error
		sess, err = s.startSession(ctx, tx, u.id, ip, userAgent, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	sess.MustChangePassword = u.mustChange
	sess.Actor, err = s.actorOf(ctx, s.db.W, u.id, u.username, u.role, u.employerID, u.personID)
	if err != nil {
		return nil, err
	}
	return sess, nil
}

// loginUser returns the account with that username, or nil.
func (s *Service) loginUser(ctx context.Context, username string) (*loginRow, error) {
	var u loginRow
	var emp, per sql.NullInt64
	var locked sql.NullTime
	var role string
	err := s.db.Read().QueryRowContext(ctx, `SELECT id, username, password_hash, role, employer_id, person_id,
		must_change_password, locked_until, disabled FROM users WHERE username = $1`, username).
		Scan(&u.id, &u.username, &u.hash, &role, &emp, &per, &u.mustChange, &locked, &u.disabled)
	if db.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, errs.Wrap(err, "load login")
	}
	u.role, u.employerID, u.personID = access.Role(role), emp.Int64, per.Int64
	if locked.Valid {
		u.lockedUntil = locked.Time
	}
	return &u, nil
}

// ipFailures counts the failed logins from ip within IPWindow.
func (s *Service) ipFailures(ctx context.Context, ip string, now time.Time) (int, error) {
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures WHERE ip = $1 AND at > $2`,
		ip, now.Add(-IPWindow)).Scan(&n)
	if err != nil {
		return 0, errs.Wrap(err, "count login failures")
	}
	return n, nil
}

// recordFailure notes a failed login from ip and, for a known account,
// counts it; the MaxFailures-th failure within LockFor locks the account
// and returns the end of the lock.
func (s *Service) recordFailure(ctx context.Context, u *loginRow, ip string, now time.Time) (lockedUntil time.Time, err error) {
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := recordIPFailure(ctx, tx, ip, now); err != nil {
			return err
		}
		if u == nil {
			return nil
		}
		var n int
		err := tx.QueryRowContext(ctx, `UPDATE users SET
			failed_count = CASE WHEN last_failed_at IS NULL OR last_failed_at <= $2 THEN 1 ELSE failed_count + 1 END,
			last_failed_at = $3 WHERE id = $1 RETURNING failed_count`, u.id, now.Add(-LockFor), now).Scan(&n)
		if err != nil {
			return errs.Wrap(err, "count failure")
		}
		if n < MaxFailures {
			return nil
		}
		lockedUntil = now.Add(LockFor)
		if _, err := tx.ExecContext(ctx, `UPDATE users SET locked_until = $2, failed_count = 0, last_failed_at = NULL WHERE id = $1`,
			u.id, lockedUntil); err != nil {
			return errs.Wrap(err, "lock account")
		}
		return s.audit.Record(ctx, tx, nil, audit.Entry{Action: "account.lock", Entity: "user",
			EntityID: strconv.FormatInt(u.id, 10), After: map[string]any{"locked_until": lockedUntil},
			Note: "连续登录失败 " + strconv.Itoa(MaxFailures) + " 次，账户临时锁定"})
	})
	return lockedUntil, err
}

// recordIPFailure notes a failure from ip (none for "", e.g. a wrong old
// password on the change form) and trims the IP's expired rows.
func recordIPFailure(ctx context.Context, tx *sql.Tx, ip string, now time.Time) error {
	if ip == "" {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (ip, at) VALUES ($1, $2)`, ip, now); err != nil {
		return errs.Wrap(err, "record login failure")
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE ip = $1 AND at <= $2`, ip, now.Add(-IPWindow)); err != nil {
		return errs.Wrap(err, "trim login failures")
	}
	return nil
}

// truncate cuts s to at most n bytes of valid UTF-8 (PostgreSQL refuses
// invalid text; user agents and IPs come from the client).
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

package account

import (
	"context"
	"database/sql"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// loginRow is what a login attempt reads of an account.
type loginRow struct {
	id         int64
	username   string
	hash       string
	role       access.Role
	employerID int64
	personID   int64
	mustChange bool
	disabled   bool
}

// errBadCredentials is the one answer to an unknown username and a wrong
// password alike, so that logins cannot be used to find accounts.
func errBadCredentials() error {
	return errs.New(errs.Unauthenticated, "bad_credentials", "用户名或密码错误")
}

// Login checks a username and password and starts a session. See
// LoginWithAgent.
func (s *Service) Login(ctx context.Context, username, password, ip string) (*Session, error) {
	return s.LoginWithAgent(ctx, username, password, ip, "")
}

// LoginWithAgent checks a username and password and starts a session
// recording the client's IP and user agent. The username is normalised
// (NormalizeUsername), so an ID number may be typed with a lower-case x.
// The attempt is counted before the password is hashed (see throttle.go),
// the same way for known and unknown usernames.
//
// Errors: Invalid (empty fields); Unauthenticated "用户名或密码错误" for an
// unknown user and a wrong password alike; TooMany, with RetryAfter, when
// the IP used up IPMaxFailures within IPWindow or the username must wait
// its growing delay from this IP; Forbidden when a staff account needs an
// administrator's unlock, and for a disabled account (only said after a
// correct password); Internal.
func (s *Service) LoginWithAgent(ctx context.Context, username, password, ip, userAgent string) (*Session, error) {
	var f errs.Fields
	name := NormalizeUsername(username)
	if name == "" {
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
	u, err := s.loginUser(ctx, name)
	if err != nil {
		return nil, err
	}
	res, err := s.reserve(ctx, name, ip, u, now)
	if err != nil {
		return nil, err
	}
	if u == nil || u.role == access.RoleAPI || len(password) > 4*maxPassword {
		s.verifyDummy(ctx, password)
		return nil, errBadCredentials()
	}
	ok, err := s.verify(ctx, u.hash, password)
	if err != nil {
		return nil, err
	}
	if !ok {
		if err := s.failed(ctx, res, now); err != nil {
			return nil, err
		}
		return nil, errBadCredentials()
	}
	if u.disabled {
		if err := s.db.WithTx(ctx, func(tx *sql.Tx) error { return succeeded(ctx, tx, res, u.id) }); err != nil {
			return nil, err
		}
		return nil, errs.New(errs.Forbidden, "account_disabled", "该账户已停用，请联系经办机构")
	}
	return s.loginOK(ctx, u, res, userAgent, now)
}

// loginOK settles the attempt as a success and starts the session.
func (s *Service) loginOK(ctx context.Context, u *loginRow, res *reservation, userAgent string, now time.Time) (*Session, error) {
	var sess *Session
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := succeeded(ctx, tx, res, u.id); err != nil {
			return err
		}
		// Sweep this user's dead sessions so the table does not grow without a job.
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND (expires_at <= $2 OR last_seen_at <= $3)`,
			u.id, now, now.Add(-IdleTimeout)); err != nil {
			return errs.Wrap(err, "sweep sessions")
		}
		var err error
		sess, err = s.startSession(ctx, tx, u.id, res.source, userAgent, now)
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
	var role string
	err := s.db.Read().QueryRowContext(ctx, `SELECT id, username, password_hash, role, employer_id, person_id,
		must_change_password, disabled FROM users WHERE username = $1`, username).
		Scan(&u.id, &u.username, &u.hash, &role, &emp, &per, &u.mustChange, &u.disabled)
	if db.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, errs.Wrap(err, "load login")
	}
	u.role, u.employerID, u.personID = access.Role(role), emp.Int64, per.Int64
	return &u, nil
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

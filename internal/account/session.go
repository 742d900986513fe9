package account

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"time"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// Session is a logged-in browser or API caller. Only the SHA-256 of the
// token is stored, so a copy of the database does not give away sessions.
type Session struct {
	ID                 string // hex SHA-256 of Token
	Token              string // the cookie value; set only by Login
	UserID             int64
	CSRF               string // the token forms and X-CSRF-Token carry
	CreatedAt          time.Time
	LastSeenAt         time.Time
	ExpiresAt          time.Time // absolute end (login + AbsoluteTimeout)
	MustChangePassword bool
	Actor              *access.Actor
}

func errSessionEnded() error {
	return errs.New(errs.Unauthenticated, "session_expired", "登录已过期，请重新登录")
}

// randomToken returns n random bytes, base64url without padding.
func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewCSRFToken returns a random token for the anonymous double-submit cookie.
func NewCSRFToken() string { return randomToken(32) }

func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// startSession inserts a new session for userID inside tx.
func (s *Service) startSession(ctx context.Context, tx *sql.Tx, userID int64, ip, userAgent string, now time.Time) (*Session, error) {
	sess := &Session{Token: randomToken(32), UserID: userID, CSRF: randomToken(32),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(AbsoluteTimeout)}
	sess.ID = hashToken(sess.Token)
	_, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, csrf_secret, created_at, last_seen_at, expires_at, ip, user_agent)
		VALUES ($1, $2, $3, $4, $4, $5, $6, $7)`, sess.ID, userID, sess.CSRF, now, sess.ExpiresAt,
		truncate(ip, 64), truncate(userAgent, 256))
	if err != nil {
		return nil, errs.Wrap(err, "insert session")
	}
	return sess, nil
}

const authQuery = `SELECT s.user_id, s.csrf_secret, s.created_at, s.last_seen_at, s.expires_at,
	u.username, u.role, u.employer_id, u.person_id, u.must_change_password, u.disabled, u.hospital_id, u.display_name
	FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = $1`

// stmt returns the read pool's prepared statement for query, preparing it
// once: on SQLite, parsing the SQL is most of the cost of a small query,
// and Authenticate runs on every request.
func (s *Service) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	s.mu.RLock()
	st := s.stmts[query]
	s.mu.RUnlock()
	if st != nil {
		return st, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st = s.stmts[query]; st != nil {
		return st, nil
	}
	st, err := s.db.R.PrepareContext(ctx, query)
	if err != nil {
		return nil, errs.Wrap(err, "prepare")
	}
	if s.stmts == nil {
		s.stmts = map[string]*sql.Stmt{}
	}
	s.stmts[query] = st
	return st, nil
}

// Authenticate returns the actor and session of a session token. A session
// ends IdleTimeout after its last use, AbsoluteTimeout after login, when
// its user is disabled, and at logout or a password change. Use is written
// back at most once per TouchEvery, so most requests only read.
// Errors: Unauthenticated ("登录已过期，请重新登录"), Internal.
func (s *Service) Authenticate(ctx context.Context, token string) (*access.Actor, *Session, error) {
	if token == "" || len(token) > 100 {
		return nil, nil, errSessionEnded()
	}
	sess := &Session{ID: hashToken(token)}
	var username, role, display string
	var emp, per, hosp sql.NullInt64
	var disabled bool
	stmt, err := s.stmt(ctx, authQuery)
	if err != nil {
		return nil, nil, err
	}
	err = stmt.QueryRowContext(ctx, sess.ID).
		Scan(&sess.UserID, &sess.CSRF, &sess.CreatedAt, &sess.LastSeenAt, &sess.ExpiresAt,
			&username, &role, &emp, &per, &sess.MustChangePassword, &disabled, &hosp, &display)
	if db.IsNoRows(err) {
		return nil, nil, errSessionEnded()
	}
	if err != nil {
		return nil, nil, errs.Wrap(err, "load session")
	}
	now := s.clock.Now()
	if disabled || !now.Before(sess.ExpiresAt) || !now.Before(sess.LastSeenAt.Add(IdleTimeout)) {
		if _, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, sess.ID); err != nil {
			return nil, nil, errs.Wrap(err, "end session")
		}
		return nil, nil, errSessionEnded()
	}
	if now.Sub(sess.LastSeenAt) >= TouchEvery {
		if _, err := s.db.W.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $2 WHERE id = $1`, sess.ID, now); err != nil {
			return nil, nil, errs.Wrap(err, "touch session")
		}
		sess.LastSeenAt = now
	}
	a := &access.Actor{UserID: sess.UserID, Username: username, DisplayName: display, Role: access.Role(role), EmployerID: emp.Int64,
		PersonID: per.Int64, HospitalID: hosp.Int64}
	switch a.Role {
	case access.RoleAdmin:
		a.Sections = access.Sections
	case access.RoleStaff:
		st, err := s.stmt(ctx, sectionsQuery)
		if err != nil {
			return nil, nil, err
		}
		if a.Sections, err = loadSections(ctx, st, sess.UserID); err != nil {
			return nil, nil, err
		}
	}
	sess.Actor = a
	return a, sess, nil
}

// actorOf builds the actor of an account, loading sections for staff.
func (s *Service) actorOf(ctx context.Context, q db.Querier, id int64, username string, role access.Role, emp, per int64) (*access.Actor, error) {
	a := &access.Actor{UserID: id, Username: username, Role: role, EmployerID: emp, PersonID: per}
	if role == access.RoleHospital {
		var hosp sql.NullInt64
		err := q.QueryRowContext(ctx, `SELECT hospital_id FROM users WHERE id = $1`, id).Scan(&hosp)
		a.HospitalID = hosp.Int64
		return a, errs.Wrap(err, "load hospital")
	}
	if role != access.RoleStaff && role != access.RoleAdmin {
		return a, nil
	}
	secs, err := loadSections(ctx, querierFor{q}, id)
	if err != nil {
		return nil, err
	}
	a.Sections = secs
	if role == access.RoleAdmin {
		a.Sections = access.Sections
	}
	return a, nil
}

const sectionsQuery = `SELECT section FROM user_sections WHERE user_id = $1`

// sectionQuerier is a db.Querier or a prepared sectionsQuery.
type sectionQuerier interface {
	QueryContext(ctx context.Context, args ...any) (*sql.Rows, error)
}

// querierFor adapts q to run sectionsQuery.
type querierFor struct{ q db.Querier }

func (x querierFor) QueryContext(ctx context.Context, args ...any) (*sql.Rows, error) {
	return x.q.QueryContext(ctx, sectionsQuery, args...)
}

func loadSections(ctx context.Context, q sectionQuerier, userID int64) ([]access.Section, error) {
	rows, err := q.QueryContext(ctx, userID)
	if err != nil {
		return nil, errs.Wrap(err, "load sections")
	}
	defer rows.Close()
	var out []access.Section
	for rows.Next() {
		var x string
		if err := rows.Scan(&x); err != nil {
			return nil, errs.Wrap(err, "scan section")
		}
		out = append(out, access.Section(x))
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "load sections")
	}
	return sortSections(out), nil
}

// Logout ends the session of token. Ending an unknown session is not an error.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	if _, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE id = $1`, hashToken(token)); err != nil {
		return errs.Wrap(err, "logout")
	}
	return nil
}

// LogoutAll ends every session of the actor's own account (e.g. "log out
// everywhere"). Errors: Unauthenticated, Internal.
func (s *Service) LogoutAll(ctx context.Context, a *access.Actor) error {
	if a == nil || a.UserID == 0 {
		return errs.LoginRequired()
	}
	return endSessions(ctx, s.db.W, a.UserID)
}

func endSessions(ctx context.Context, q db.Querier, userID int64) error {
	if _, err := q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID); err != nil {
		return errs.Wrap(err, "end sessions")
	}
	return nil
}

// Purge deletes ended sessions and login throttle counters that no longer
// hold anything back; a
// scheduled job may call it (logins also sweep the user's own sessions).
// It returns the number of sessions deleted.
func (s *Service) Purge(ctx context.Context) (int64, error) {
	now := s.clock.Now()
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2`, now, now.Add(-IdleTimeout))
	if err != nil {
		return 0, errs.Wrap(err, "purge sessions")
	}
	n, _ := res.RowsAffected()
	return n, purgeThrottle(ctx, s.db.W, now)
}

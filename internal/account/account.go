// Package account holds every actor's login: employers, insured persons,
// agency staff, administrators and API clients; passwords, sessions, login
// throttling and API keys.
//
// Everything a login needs (failure counters, lockouts, per-IP throttling,
// sessions) is stored in the database, so several servers sharing one
// PostgreSQL behave as one. Permission checks are made here, in the
// service, with the *access.Actor every method takes.
package account

import (
	"database/sql"
	"strings"
	"sync"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/ident"
)

// Login and session limits.
const (
	MaxFailures     = 5                // failed logins in a row before a lockout
	LockFor         = 15 * time.Minute // lockout length; also how long a failure is remembered
	IPWindow        = 10 * time.Minute // sliding window of the per-IP throttle
	IPMaxFailures   = 20               // failed logins per IP within IPWindow
	IdleTimeout     = 30 * time.Minute // a session unused this long ends
	AbsoluteTimeout = 12 * time.Hour   // a session ends this long after login
	TouchEvery      = time.Minute      // last_seen_at is written at most this often
	maxConcurrent   = 4                // password hashes computed at once (memory bound)
)

// Service manages accounts and sessions.
type Service struct {
	db    *db.DB
	clock clock.Clock
	audit *audit.Service

	mu     sync.RWMutex
	params HashParams
	dummy  string               // a hash to verify against for unknown users (equal timing)
	slots  chan struct{}        // bounds concurrent argon2 computations
	stmts  map[string]*sql.Stmt // prepared hot queries (guarded by mu)
}

// NewService returns the account service with production hash parameters
// (DefaultHashParams).
func NewService(d *db.DB, c clock.Clock, a *audit.Service) *Service {
	return &Service{db: d, clock: c, audit: a, params: DefaultHashParams, slots: make(chan struct{}, maxConcurrent)}
}

// SetHashParams changes the cost of new password hashes. Tests use
// TestHashParams; existing hashes keep verifying with their own parameters.
func (s *Service) SetHashParams(p HashParams) {
	s.mu.Lock()
	s.params, s.dummy = p, ""
	s.mu.Unlock()
}

// User is an account as administrators see it.
type User struct {
	ID                 int64
	Username           string
	Role               access.Role
	EmployerID         int64
	PersonID           int64
	DisplayName        string
	Sections           []access.Section
	MustChangePassword bool
	LockedUntil        time.Time // zero when not locked
	Disabled           bool
	CreatedAt          time.Time
	PasswordChangedAt  time.Time
	Version            int64
}

// MaskedUsername is the username safe for lists and logs: a person's
// login is an ID number and is masked.
func (u *User) MaskedUsername() string { return maskUsername(u.Username) }

// LockedAt reports whether the account is locked at t.
func (u *User) LockedAt(t time.Time) bool { return !u.LockedUntil.IsZero() && t.Before(u.LockedUntil) }

// HasSection reports whether the user works in section x.
func (u *User) HasSection(x access.Section) bool {
	for _, s := range u.Sections {
		if s == x {
			return true
		}
	}
	return false
}

// RoleName is the Chinese name of the role.
func (u *User) RoleName() string { return RoleName(u.Role) }

// RoleName returns the Chinese name of a role.
func RoleName(r access.Role) string {
	switch r {
	case access.RoleEmployer:
		return "参保单位"
	case access.RolePerson:
		return "参保人"
	case access.RoleStaff:
		return "经办人员"
	case access.RoleAdmin:
		return "系统管理员"
	case access.RoleAPI:
		return "接口客户端"
	}
	return string(r)
}

// NormalizeUsername is how a typed login is looked up: an ID number in any
// accepted form (15 digits, lower-case x, full-width digits) becomes its
// 18-character form; anything else is trimmed and lower-cased.
func NormalizeUsername(s string) string {
	s = strings.TrimSpace(s)
	if id, err := ident.ParseID(s); err == nil {
		return id.Number
	}
	return strings.ToLower(s)
}

// maskUsername masks a username that is an ID number.
func maskUsername(u string) string {
	if _, err := ident.ParseID(u); err == nil {
		return ident.MaskID(u)
	}
	return u
}

// sortSections orders sections as access.Sections does, dropping unknowns.
func sortSections(in []access.Section) []access.Section {
	out := make([]access.Section, 0, len(in))
	for _, s := range access.Sections {
		for _, x := range in {
			if x == s {
				out = append(out, s)
				break
			}
		}
	}
	return out
}

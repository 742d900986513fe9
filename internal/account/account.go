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
	"sync/atomic"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/ident"
)

// Login and session limits. Throttling is described in throttle.go.
const (
	FreeAttempts       = 5                // attempts per username and source before the growing delay
	MaxDelay           = 15 * time.Minute // longest delay between two attempts at one username from one source
	DelayForget        = 24 * time.Hour   // a username and source quiet this long start again with free attempts
	IPWindow           = 10 * time.Minute // window of the per-source limit
	IPMaxFailures      = 20               // failed (or unfinished) attempts per source within IPWindow
	StaffLockAfter     = 50               // default: failures of a staff or admin account before an admin must unlock it
	StaffFailureWindow = 24 * time.Hour   // staff failures older than this (since the last one) are forgotten
	IdleTimeout        = 30 * time.Minute // a session unused this long ends
	AbsoluteTimeout    = 12 * time.Hour   // a session ends this long after login
	TouchEvery         = time.Minute      // last_seen_at is written at most this often
	maxConcurrent      = 4                // password hashes computed at once (memory bound)
)

// Service manages accounts and sessions.
type Service struct {
	db    *db.DB
	clock clock.Clock
	audit *audit.Service

	mu        sync.RWMutex
	params    HashParams           // cost of new hashes (set once by New)
	dummy     string               // a hash to verify against for unknown users (equal timing)
	slots     chan struct{}        // bounds concurrent argon2 computations
	stmts     map[string]*sql.Stmt // prepared hot queries (guarded by mu)
	secret    []byte               // key of the login_delays hashes (guarded by mu)
	staffLock int                  // failures that lock a staff account; 0 never locks
	checks    atomic.Int64         // password verifications so far (tests read it)
}

// Options are the account service's settings; the zero value is the
// default.
type Options struct {
	// StaffLockAfter is after how many failed logins across all sources a
	// staff or administrator account needs an administrator's unlock:
	// 0 means the package's StaffLockAfter, a negative number never locks.
	StaffLockAfter int
	// HashParams are the cost of new password hashes (zero:
	// DefaultHashParams; tests use TestHashParams). Existing hashes keep
	// verifying with their own parameters.
	HashParams HashParams
}

// NewService returns the account service with the default options and
// production hash parameters (DefaultHashParams).
func NewService(d *db.DB, c clock.Clock, a *audit.Service) *Service { return New(d, c, a, Options{}) }

// New returns the account service with the options o.
func New(d *db.DB, c clock.Clock, a *audit.Service, o Options) *Service {
	lock := o.StaffLockAfter
	if lock == 0 {
		lock = StaffLockAfter
	}
	params := o.HashParams
	if params == (HashParams{}) {
		params = DefaultHashParams
	}
	return &Service{db: d, clock: c, audit: a, params: params, slots: make(chan struct{}, maxConcurrent),
		staffLock: max(lock, 0)}
}

func (s *Service) staffLockAfter() int { return s.staffLock }

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
	UnlockRequiredAt   time.Time // when failed logins locked the account until an admin unlocks it; zero if not
	Disabled           bool
	CreatedAt          time.Time
	PasswordChangedAt  time.Time
	Version            int64
}

// MaskedUsername is the username safe for lists and logs: a person's
// login is an ID number and is masked.
func (u *User) MaskedUsername() string { return maskUsername(u.Username) }

// NeedsUnlock reports whether failed logins locked the account until an
// administrator unlocks it.
func (u *User) NeedsUnlock() bool { return !u.UnlockRequiredAt.IsZero() }

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
	case access.RoleHospital:
		return "医院经办人员"
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

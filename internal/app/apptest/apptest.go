// Package apptest builds a whole Shebao for tests: the real app on a fresh
// SQLite or PostgreSQL database, a fixed clock at 2024-02-10 09:00
// Shanghai, users of every role and HTTP clients that log in and carry
// their cookies and CSRF token.
//
//	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
//		c := env.LoginAs(t, apptest.Staff(access.Coordination))
//		r := c.PostForm(t, "/staff/registrations/1/approve", url.Values{"version": {"1"}})
//		r.WantStatus(t, http.StatusSeeOther)
//	})
//
// Passwords are hashed with account.TestHashParams, so logins are cheap.
package apptest

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"net/http/httptest"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/pdfdoc"
)

// Start is the instant every Env's clock starts at.
var Start = time.Date(2024, 2, 10, 9, 0, 0, 0, clock.Shanghai)

// Password is the password of every user New creates.
const Password = "Test1234pass"

// User keys of Env.Users. Staff(section) names the staff of one section.
const (
	Admin        = "admin"          // administrator (all sections)
	EmployerA    = "employer-a"     // employer with a real employers row
	EmployerB    = "employer-b"     // another employer, for "other actor's id" checks
	PersonA      = "person-a"       // insured person with a real persons row
	PersonB      = "person-b"       // another person
	APIHospital  = "api-hospital"   // API client of kind hospital (Bearer key)
	APIBank      = "api-bank"       // API client of kind bank
	APIBureau    = "api-bureau"     // API client of kind bureau (the district HR bureau)
	APIHospital2 = "api-hospital-2" // another hospital, for "another hospital's record" checks
	HospitalWeb  = "hospital-web"   // a web user of APIHospital's hospital (医院经办人员)
)

// Staff returns the Users key of the staff member working in section x only.
func Staff(x access.Section) string { return "staff-" + string(x) }

// User is a login New created.
type User struct {
	Key        string
	Username   string
	Password   string // "" for API clients
	APIKey     string // for API clients
	ID         int64
	Role       access.Role
	EmployerID int64
	PersonID   int64
	HospitalID int64 // for HospitalWeb: the hospital's API client user
	Sections   []access.Section
}

// Actor returns the actor the services see for this user.
func (u *User) Actor() *access.Actor {
	a := &access.Actor{UserID: u.ID, Username: u.Username, Role: u.Role, EmployerID: u.EmployerID,
		PersonID: u.PersonID, Sections: u.Sections, HospitalID: u.HospitalID}
	switch u.Role {
	case access.RoleAdmin:
		a.Sections = access.Sections
	case access.RoleAPI:
		a.ClientKind = map[string]string{APIHospital: account.KindHospital, APIBank: account.KindBank,
			APIBureau: account.KindBureau, APIHospital2: account.KindHospital}[u.Key]
	}
	return a
}

// Env is a running Shebao.
type Env struct {
	App     *app.App
	Clock   *clock.Fixed
	Server  *httptest.Server // serving App.Web
	Dialect db.Dialect
	Logs    *Logs            // everything the app logged
	Users   map[string]*User // by key: Admin, Staff(x), EmployerA …
}

// Each runs fn on a fresh Env per engine: SQLite always, PostgreSQL when
// SHEBAO_TEST_POSTGRES is set.
func Each(t *testing.T, fn func(t *testing.T, env *Env)) {
	t.Helper()
	for _, d := range dbtest.Engines() {
		t.Run(string(d), func(t *testing.T) { fn(t, New(t, d)) })
	}
}

// EachWith is Each with the configuration changed by configure before the
// app opens (e.g. StaffLockAfter).
func EachWith(t *testing.T, configure func(*app.Config), fn func(t *testing.T, env *Env)) {
	t.Helper()
	for _, d := range dbtest.Engines() {
		t.Run(string(d), func(t *testing.T) { fn(t, NewWith(t, d, configure)) })
	}
}

// New starts a Shebao on a fresh database of dialect d with every user of
// the package's keys. Everything is closed when the test ends.
func New(t testing.TB, d db.Dialect) *Env {
	t.Helper()
	return NewWith(t, d, nil)
}

// NewWith is New with the configuration changed by configure (nil: none)
// before the app opens, as cmd/shebao's flags would change it.
func NewWith(t testing.TB, d db.Dialect, configure func(*app.Config)) *Env {
	t.Helper()
	ctx := context.Background()
	env := &Env{Clock: clock.NewFixed(Start), Dialect: d, Logs: &Logs{}, Users: map[string]*User{}}
	cfg := app.Config{Clock: env.Clock, HashParams: account.TestHashParams, LogOut: env.Logs, LogFormat: "json", Name: "apptest", DataDir: t.TempDir(),
		// As cmd/shebao reads them, so a test can set them with t.Setenv.
		PortalURL: os.Getenv("SHEBAO_PUBLIC_URL"), CertIssuer: os.Getenv("SHEBAO_CERT_ISSUER"),
		CertSeal: os.Getenv("SHEBAO_CERT_SEAL") == "1", FontPath: os.Getenv(pdfdoc.FontEnv)}
	if v := os.Getenv("SHEBAO_RETIREMENT_SWITCH"); v != "" {
		sw, err := time.ParseInLocation(time.DateOnly, v, clock.Shanghai)
		if err != nil {
			t.Fatalf("apptest: SHEBAO_RETIREMENT_SWITCH %q: %v", v, err)
		}
		cfg.RetirementSwitch = sw
	}
	if d == db.Postgres { // which database to open, not SQL: SQLite is the data folder
		cfg.DBURL = postgresSchema(t)
	}
	if configure != nil {
		configure(&cfg)
	}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		t.Fatalf("apptest: open app: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	env.App = a
	env.Server = httptest.NewServer(a.Web)
	t.Cleanup(env.Server.Close)
	if err := env.seed(ctx); err != nil {
		t.Fatalf("apptest: seed users: %v", err)
	}
	return env
}

// Actor returns the actor of the user with that key (fails the test if none).
func (e *Env) Actor(t testing.TB, key string) *access.Actor { return e.User(t, key).Actor() }

// User returns the user with that key (fails the test if none).
func (e *Env) User(t testing.TB, key string) *User {
	t.Helper()
	u, ok := e.Users[key]
	if !ok {
		t.Fatalf("apptest: no user %q", key)
	}
	return u
}

// AddLogin creates a login with Password for an existing record inside a
// transaction of its own, e.g. for an employer a test registered itself;
// mustChange sets the forced password change.
func (e *Env) AddLogin(t testing.TB, n account.NewAccount, mustChange bool) *User {
	t.Helper()
	ctx := context.Background()
	hash, err := e.App.Accounts.HashPassword(ctx, Password)
	if err != nil {
		t.Fatal(err)
	}
	n.PasswordHash, n.MustChangePassword = hash, mustChange
	var id int64
	err = e.App.DB.WithTx(ctx, func(tx *sql.Tx) (err error) {
		id, err = e.App.Accounts.ImportAccount(ctx, tx, n)
		return err
	})
	if err != nil {
		t.Fatalf("apptest: add login: %v", err)
	}
	return &User{Username: account.NormalizeUsername(n.Username), Password: Password, ID: id, Role: n.Role,
		EmployerID: n.EmployerID, PersonID: n.PersonID, Sections: n.Sections}
}

func postgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(dbtest.EnvPostgres)
	if base == "" {
		t.Skip(dbtest.EnvPostgres + " not set")
	}
	b := make([]byte, 8)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("apptest: create schema: %v", err)
	}
	t.Cleanup(func() {
		if a, err := sql.Open("pgx", base); err == nil {
			a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			a.Close()
		}
	})
	return dbtest.WithSchema(base, schema)
}

// Logs collects the app's log output; safe for concurrent use.
type Logs struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write implements io.Writer.
func (l *Logs) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// String returns everything logged so far.
func (l *Logs) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Peer starts a second Shebao process on the same database and clock, as
// when several servers share one PostgreSQL; it shares Users with e.
func (e *Env) Peer(t testing.TB) *Env {
	t.Helper()
	cfg := e.App.Cfg
	cfg.Name = "apptest-peer"
	a, err := app.Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("apptest: open peer: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	p := &Env{App: a, Clock: e.Clock, Dialect: e.Dialect, Logs: e.Logs, Users: e.Users}
	p.Server = httptest.NewServer(a.Web)
	t.Cleanup(p.Server.Close)
	return p
}

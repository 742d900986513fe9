package account_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// start is 2024-02-10 09:00 in Shanghai, the demo's day.
var start = time.Date(2024, 2, 10, 9, 0, 0, 0, clock.Shanghai)

const pw = "Secret123"

type fixture struct {
	d   *db.DB
	c   *clock.Fixed
	svc *account.Service
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	return newFixtureWith(t, d, account.TestHashParams)
}

// newFixtureWith is newFixture whose service hashes new passwords with p.
func newFixtureWith(t *testing.T, d *db.DB, p account.HashParams) *fixture {
	t.Helper()
	c := clock.NewFixed(start)
	svc := account.New(d, c, audit.NewService(d, c), account.Options{HashParams: p})
	return &fixture{d: d, c: c, svc: svc}
}

// add creates an account with password pw and no forced change.
func (f *fixture) add(t *testing.T, role access.Role, username string, sections ...access.Section) *access.Actor {
	t.Helper()
	ctx := context.Background()
	hash, err := f.svc.HashPassword(ctx, pw)
	if err != nil {
		t.Fatal(err)
	}
	n := account.NewAccount{Role: role, Username: username, PasswordHash: hash, DisplayName: "测试" + username, Sections: sections}
	if role == access.RoleEmployer {
		n.EmployerID = 77
	}
	var id int64
	err = f.d.WithTx(ctx, func(tx *sql.Tx) error {
		id, err = f.svc.ImportAccount(ctx, tx, n)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	a := &access.Actor{UserID: id, Username: account.NormalizeUsername(username), Role: role, Sections: sections, EmployerID: n.EmployerID}
	if role == access.RoleAdmin {
		a.Sections = access.Sections
	}
	return a
}

func (f *fixture) admin(t *testing.T) *access.Actor { return f.add(t, access.RoleAdmin, "admin") }

// wantKind fails unless err is of kind k (and, if code is set, has that code).
func wantKind(t *testing.T, err error, k errs.Kind, code string) *errs.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s error, got nil", k)
	}
	e := errs.As(err)
	if e == nil || e.Kind != k || (code != "" && e.Code != code) {
		t.Fatalf("want %s/%s, got %v", k, code, err)
	}
	return e
}

func wantField(t *testing.T, err error, field, msg string) {
	t.Helper()
	e := wantKind(t, err, errs.Invalid, "")
	for _, fe := range e.Fields {
		if fe.Field == field && (msg == "" || fe.Message == msg) {
			return
		}
	}
	t.Fatalf("want field %s %q, got %+v", field, msg, e.Fields)
}

func (f *fixture) scalar(t *testing.T, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := f.d.R.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

type sqlTx = sql.Tx

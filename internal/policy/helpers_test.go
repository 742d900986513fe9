package policy_test

import (
	"context"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

var (
	admin = &access.Actor{UserID: 1, Username: "admin", Role: access.RoleAdmin, Sections: access.Sections}
	clerk = &access.Actor{UserID: 2, Username: "clerk", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
	boss  = &access.Actor{UserID: 3, Username: "91350200776049653A", Role: access.RoleEmployer, EmployerID: 7}
)

// newService returns a policy service on d with the clock stopped at day
// 09:00 Shanghai and the shipped rules loaded.
func newService(t *testing.T, d *db.DB, day string) (*policy.Service, *clock.Fixed) {
	t.Helper()
	c := clock.NewFixed(date(t, day).Add(9 * time.Hour))
	s := policy.NewService(d, c, audit.NewService(d, c))
	if err := s.SeedDefaults(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, c
}

// date parses 'YYYY-MM-DD' as a Shanghai date.
func date(t testing.TB, s string) time.Time {
	t.Helper()
	d, err := clock.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func dayOf(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02") }

func count(t *testing.T, d *db.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Read().QueryRowContext(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// wantKind fails unless err is of kind k.
func wantKind(t *testing.T, err error, k errs.Kind) *errs.Error {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s error, got nil", k)
	}
	if got := errs.KindOf(err); got != k {
		t.Fatalf("want %s error, got %s: %v", k, got, err)
	}
	return errs.As(err)
}

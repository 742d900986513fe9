package casework_test

import (
	"context"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/casework"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

var (
	admin  = &access.Actor{UserID: 1, Username: "admin", Role: access.RoleAdmin, Sections: access.Sections}
	clerkA = &access.Actor{UserID: 2, Username: "clerk-a", Role: access.RoleStaff, Sections: []access.Section{access.Welfare}}
	clerkB = &access.Actor{UserID: 3, Username: "clerk-b", Role: access.RoleStaff, Sections: []access.Section{access.Welfare}}
	other  = &access.Actor{UserID: 4, Username: "clerk-c", Role: access.RoleStaff, Sections: []access.Section{access.Injury}}
	audi   = &access.Actor{UserID: 5, Username: "auditor", Role: access.RoleStaff, Sections: []access.Section{access.Audit}}
)

// pensionType is a test type: 20 working days (the dated rule), the
// standard machine, reminders on.
func pensionType() *casework.Type {
	return &casework.Type{Code: "test_pension", Name: "退休申报（测试）", Section: access.Welfare, Prefix: "TX",
		Transitions: casework.StandardTransitions(),
		Checklist: []casework.ChecklistItem{{Key: "身份证", Name: "身份证正反面", Required: true},
			{Key: "退休申请书", Name: "退休申请书", Required: true}},
		Deadline:       casework.DeadlineRule{Kind: casework.WorkingDays, Key: policy.KeyPensionProcessingDays, From: "受理时间"},
		RemindDeadline: true}
}

type env struct {
	svc    *casework.Service
	policy *policy.Service
	clock  *clock.Fixed
	db     *db.DB
}

// newEnv returns a case service on d with the clock at when (Shanghai)
// and the shipped rules and calendar loaded.
func newEnv(t testing.TB, d *db.DB, when string) *env {
	t.Helper()
	c := clock.NewFixed(at(t, when))
	au := audit.NewService(d, c)
	p := policy.NewService(d, c, au)
	if err := p.SeedDefaults(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := casework.NewService(d, c, au, p, nil)
	s.Register(pensionType())
	return &env{svc: s, policy: p, clock: c, db: d}
}

// notifying replaces e's service by one telling n.
func (e *env) notifying(n casework.Notifier) {
	e.svc = casework.NewService(e.db, e.clock, audit.NewService(e.db, e.clock), e.policy, n)
	e.svc.Register(pensionType())
}

// at parses "2006-01-02 15:04" in Shanghai.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func shanghai(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02 15:04:05") }

// open registers a pension case on behalf of an anonymous applicant.
func (e *env) open(t *testing.T, name, idNumber string) *casework.Case {
	t.Helper()
	c, err := e.svc.Open(context.Background(), clerkA, casework.OpenInput{Type: "test_pension", Channel: "phone",
		Applicant: casework.Applicant{Kind: casework.ApplicantAnonymous, Name: name}, SubjectIDNumber: idNumber,
		Title: "退休申报 " + name})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	return c
}

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

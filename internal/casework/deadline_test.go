package casework_test

import (
	"context"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/policy"
)

func TestLateBy(t *testing.T) {
	dl := time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		after time.Duration
		want  string
	}{
		{0, ""},
		{-time.Hour, ""},
		{time.Hour, "迟报 1 小时"},
		{time.Hour + 20*time.Minute, "迟报 1 小时 20 分钟"},
		{30 * time.Second, "迟报 1 分钟"},
		{25 * time.Minute, "迟报 25 分钟"},
		{51 * time.Hour, "迟报 2 天 3 小时"},
		{48 * time.Hour, "迟报 2 天"},
		{48*time.Hour + 5*time.Minute, "迟报 2 天"},
	} {
		if got := casework.LateBy(dl, dl.Add(tc.after)); got != tc.want {
			t.Errorf("LateBy(+%v) = %q, want %q", tc.after, got, tc.want)
		}
	}
}

// TestComputeDeadline: hours from the accident, calendar days and working
// days across the 2024 Spring Festival (off 02-10..02-17, 02-04 and 02-18
// are worked Sundays), from the shipped calendar and rules.
func TestComputeDeadline(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-02-10 09:00")
		ctx := context.Background()
		for _, tc := range []struct {
			name  string
			rule  casework.DeadlineRule
			start string
			want  string
		}{
			{"24 hours from the accident (rule)", casework.DeadlineRule{Kind: casework.Hours, Key: policy.KeyAccidentReportHours},
				"2024-02-09 08:00", "2024-02-10 08:00:00"},
			{"hours across midnight", casework.DeadlineRule{Kind: casework.Hours, Default: 24}, "2024-02-10 23:30", "2024-02-11 23:30:00"},
			{"30 calendar days", casework.DeadlineRule{Kind: casework.CalendarDays, Default: 30}, "2024-02-10 09:00", "2024-03-11 23:59:59"},
			{"1 working day from 除夕 is the worked Sunday 02-18", casework.DeadlineRule{Kind: casework.WorkingDays, Default: 1},
				"2024-02-09 10:00", "2024-02-18 23:59:59"},
			{"1 working day from a holiday", casework.DeadlineRule{Kind: casework.WorkingDays, Default: 1},
				"2024-02-12 10:00", "2024-02-18 23:59:59"},
			{"20 working days (pension rule) across the holiday", casework.DeadlineRule{Kind: casework.WorkingDays,
				Key: policy.KeyPensionProcessingDays}, "2024-02-08 10:00", "2024-03-13 23:59:59"},
			{"worked Sunday 02-04 counts", casework.DeadlineRule{Kind: casework.WorkingDays, Default: 1},
				"2024-02-03 10:00", "2024-02-04 23:59:59"},
			{"plain weekend skipped", casework.DeadlineRule{Kind: casework.WorkingDays, Default: 1},
				"2024-03-01 10:00", "2024-03-04 23:59:59"},
		} {
			dl, err := e.svc.ComputeDeadline(ctx, tc.rule, at(t, tc.start))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			if dl.At == nil || shanghai(*dl.At) != tc.want {
				t.Errorf("%s: got %v, want %s (%s)", tc.name, dl.At, tc.want, dl.Rule)
			}
			if dl.Rule == "" {
				t.Errorf("%s: no explanation", tc.name)
			}
		}
	})
}

// TestOwedOriginalsFollowEmergencyEnd: originals owed under an open
// emergency have no date ("疫情结束后30日内"); declaring the end sets it in
// the same transaction, changing the end moves it, reopening clears it.
func TestOwedOriginalsFollowEmergencyEnd(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-02-10 09:00")
		ctx := context.Background()
		em, err := e.policy.Declare(ctx, admin, policy.Epidemic2024())
		if err != nil {
			t.Fatal(err)
		}
		c := e.open(t, "王某", "")
		if _, err := e.svc.AcceptDeferred(ctx, clerkA, c.No, c.Version, []string{"退休申请书"}, ""); err != nil {
			t.Fatal(err)
		}
		due := func() string {
			t.Helper()
			v, err := e.svc.Detail(ctx, clerkA, c.No)
			if err != nil {
				t.Fatal(err)
			}
			if len(v.Owed) != 1 || !v.Case.Deferred || v.Case.Owing != 1 {
				t.Fatalf("owed = %+v, case = %+v", v.Owed, v.Case)
			}
			return v.Owed[0].Due()
		}
		if got := due(); got != "疫情结束后30日内" {
			t.Fatalf("while open: due %q", got)
		}
		for _, step := range []struct{ end, want string }{
			{"2024-03-31", "2024-04-30"},
			{"2024-04-10", "2024-05-10"},
			{"", "疫情结束后30日内"},
		} {
			em, err = e.policy.SetEnd(ctx, admin, em.ID, em.Version, step.end)
			if err != nil {
				t.Fatal(err)
			}
			if got := due(); got != step.want {
				t.Errorf("end %q: due %q, want %q", step.end, got, step.want)
			}
		}
	})
}

// TestCaseDeadlineAfterEmergencyEnd: a case type whose deadline runs from
// the emergency's end has no date while the emergency is open; declaring
// the end sets it in the same transaction (and the queue sorts by it),
// moving the end moves it, and without an emergency it counts from the
// submission.
func TestCaseDeadlineAfterEmergencyEnd(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-02-10 09:00")
		ctx := context.Background()
		e.svc.Register(&casework.Type{Code: "test_makeup", Name: "补办参保（测试）", Section: access.Welfare, Prefix: "TM",
			Transitions: casework.StandardTransitions(),
			Deadline:    casework.DeadlineRule{Kind: casework.AfterEmergencyEnd, Measure: policy.MeasureMakeUpAllowed, Default: 90}})
		open := func() *casework.Case {
			t.Helper()
			c, err := e.svc.Open(ctx, clerkA, casework.OpenInput{Type: "test_makeup", Channel: "counter",
				Applicant: casework.Applicant{Kind: casework.ApplicantAnonymous, Name: "某"}, Title: "补办"})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		plain := open()
		if plain.DeadlineAt == nil || shanghai(*plain.DeadlineAt) != "2024-05-10 23:59:59" {
			t.Fatalf("without emergency: %v %s", plain.DeadlineAt, plain.DeadlineRule)
		}
		em, err := e.policy.Declare(ctx, admin, policy.Epidemic2024())
		if err != nil {
			t.Fatal(err)
		}
		c := open()
		if c.DeadlineAt != nil || c.DeadlineRule == "" {
			t.Fatalf("while open: %v %q", c.DeadlineAt, c.DeadlineRule)
		}
		for _, step := range []struct{ end, want string }{
			{"2024-03-31", "2024-06-29 23:59:59"},
			{"2024-04-10", "2024-07-09 23:59:59"},
		} {
			if em, err = e.policy.SetEnd(ctx, admin, em.ID, em.Version, step.end); err != nil {
				t.Fatal(err)
			}
			got, err := e.svc.Get(ctx, clerkA, c.No)
			if err != nil {
				t.Fatal(err)
			}
			if got.DeadlineAt == nil || shanghai(*got.DeadlineAt) != step.want {
				t.Errorf("end %s: deadline %v (%s)", step.end, got.DeadlineAt, got.DeadlineRule)
			}
		}
		// The queue now sorts the dated case after the plain one and counts it overdue once past.
		e.clock.Set(at(t, "2024-07-10 09:00"))
		q, err := e.svc.Queue(ctx, clerkA, casework.QueueFilter{Section: access.Welfare, View: casework.ViewOverdue})
		if err != nil {
			t.Fatal(err)
		}
		if q.Total != 2 || q.Items[0].No != plain.No || q.Items[1].No != c.No {
			t.Errorf("overdue queue: %d %+v", q.Total, q.Items)
		}
	})
}

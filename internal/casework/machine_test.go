package casework_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

// TestStandardMachine lists, per state and party, exactly which moves the
// standard machine allows.
func TestStandardMachine(t *testing.T) {
	typ := pensionType()
	S, A := casework.ByStaff, casework.ByApplicant
	for _, tc := range []struct {
		from casework.State
		by   casework.Party
		want []casework.State
	}{
		{casework.Submitted, S, []casework.State{casework.Accepted, casework.Returned}},
		{casework.Submitted, A, []casework.State{casework.Withdrawn}},
		{casework.Resubmitted, S, []casework.State{casework.Accepted, casework.Returned}},
		{casework.Accepted, S, []casework.State{casework.Returned, casework.InReview}},
		{casework.Accepted, A, nil},
		{casework.InReview, S, []casework.State{casework.Returned, casework.Decided}},
		{casework.Returned, S, nil},
		{casework.Returned, A, []casework.State{casework.Resubmitted, casework.Withdrawn}},
		{casework.Decided, S, []casework.State{casework.Closed}},
		{casework.Decided, A, nil},
		{casework.Closed, S, nil},
		{casework.Withdrawn, A, nil},
	} {
		var got []casework.State
		for _, tr := range typ.Allowed(tc.from, tc.by) {
			got = append(got, tr.To)
		}
		if strings.Join(states(got), ",") != strings.Join(states(tc.want), ",") {
			t.Errorf("%s by %s: %v, want %v", tc.from, tc.by, got, tc.want)
		}
	}
}

func states(s []casework.State) []string {
	var out []string
	for _, x := range s {
		out = append(out, string(x))
	}
	return out
}

// TestTransitions walks a case through the machine in the store and
// checks the refusals: wrong state, wrong section, stale version.
func TestTransitions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-02-10 09:00")
		ctx := context.Background()
		c := e.open(t, "李某", "")
		if c.State != casework.Submitted || c.DeadlineAt == nil {
			t.Fatalf("opened: %+v", c)
		}
		// Another section's clerk cannot even see it.
		_, err := e.svc.Transition(ctx, other, c.No, c.Version, casework.Accepted, "")
		wantKind(t, err, errs.NotFound)
		// Deciding before review is refused with a Chinese message.
		_, err = e.svc.Transition(ctx, clerkA, c.No, c.Version, casework.Decided, "")
		if ee := wantKind(t, err, errs.Conflict); !strings.Contains(ee.Message, "不能办结") {
			t.Errorf("message %q", ee.Message)
		}
		// Returning needs a reason.
		_, err = e.svc.Transition(ctx, clerkA, c.No, c.Version, casework.Returned, " ")
		wantKind(t, err, errs.Invalid)
		for _, to := range []casework.State{casework.Returned, casework.Accepted} {
			if to == casework.Accepted {
				// Applicant resubmission is tested through the web; here staff
				// may not resubmit on the applicant's behalf.
				_, err := e.svc.Transition(ctx, clerkA, c.No, c.Version, casework.Resubmitted, "")
				wantKind(t, err, errs.Conflict)
				continue
			}
			if c, err = e.svc.Transition(ctx, clerkA, c.No, c.Version, to, "请补充退休申请书"); err != nil {
				t.Fatal(err)
			}
		}
		if c.State != casework.Returned || c.AssigneeID != clerkA.UserID {
			t.Fatalf("after return: state %s assignee %d", c.State, c.AssigneeID)
		}
		// A stale version loses.
		_, err = e.svc.Transition(ctx, clerkA, c.No, c.Version-1, casework.Accepted, "")
		wantKind(t, err, errs.Conflict)
		v, err := e.svc.Detail(ctx, clerkA, c.No)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(v.Events); n < 3 || v.Events[n-1].Kind != "transition" || v.Events[n-1].To != casework.Returned {
			t.Errorf("history %+v", v.Events)
		}
	})
}

// TestTwoClerksDecide: two clerks act on the same version at once; one
// wins, the other is told the case was handled by someone else.
func TestTwoClerksDecide(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-02-10 09:00")
		ctx := context.Background()
		c := e.open(t, "赵某", "")
		for _, to := range []casework.State{casework.Accepted, casework.InReview} {
			var err error
			if c, err = e.svc.Transition(ctx, clerkA, c.No, c.Version, to, ""); err != nil {
				t.Fatal(err)
			}
		}
		var wg sync.WaitGroup
		errsOut := make([]error, 2)
		for i, a := range []*access.Actor{clerkA, clerkB} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errsOut[i] = e.svc.Transition(ctx, a, c.No, c.Version, casework.Decided, "同意")
			}()
		}
		wg.Wait()
		wins, losses := 0, 0
		for _, err := range errsOut {
			switch {
			case err == nil:
				wins++
			case errs.KindOf(err) == errs.Conflict && errs.As(err).Message == "该业务已由其他经办人员办结，请刷新":
				losses++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if wins != 1 || losses != 1 {
			t.Fatalf("wins %d, losses %d", wins, losses)
		}
		got, _ := e.svc.Get(ctx, clerkA, c.No)
		if got.State != casework.Decided || got.DecidedAt == nil || got.Version != c.Version+1 {
			t.Errorf("after race: %+v", got)
		}
	})
}

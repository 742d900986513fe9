package sampling_test

import (
	"context"
	"slices"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/casework"
	"shebao/internal/errs"
	"shebao/internal/sampling"
)

// TestPickIsReproducible: the same seed and section give the same sample;
// another seed another; the size is the rate rounded up, at least one.
func TestPickIsReproducible(t *testing.T) {
	ids := make([]int64, 41)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	a, b := sampling.Pick(ids, 7, access.Coordination, 3), sampling.Pick(ids, 7, access.Coordination, 3)
	if !slices.Equal(a, b) || len(a) != 3 || slices.Equal(a, sampling.Pick(ids, 8, access.Coordination, 3)) {
		t.Fatalf("picks %v %v", a, b)
	}
	for _, c := range []struct {
		n    int
		rate int64
		want int
	}{{41, 50_000, 3}, {1, 50_000, 1}, {0, 50_000, 0}, {20, 50_000, 1}, {21, 50_000, 2}, {10, 1_000_000, 10}} {
		if got := sampling.SampleSize(c.n, c.rate); got != c.want {
			t.Errorf("SampleSize(%d, %d) = %d, want %d", c.n, c.rate, got, c.want)
		}
	}
}

// TestDrawCheckRectify: 审计科 draws January's closed cases (at least one
// per section), a second draw of the month is refused, a check with an
// unconfirmed item needs a finding, a false commitment starts the fraud
// follow-up, and the finding is followed until rectified.
func TestDrawCheckRectify(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		a := env.App
		boss := env.Actor(t, apptest.EmployerA)
		var ids []int64
		for range 3 {
			c, err := a.Cases.Open(ctx, boss, casework.OpenInput{Type: "contribution_check", Channel: "web",
				Applicant: casework.Applicant{Kind: "employer", EmployerID: boss.EmployerID, Name: "北京甲测试科技有限公司"}, Title: "核对"})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		if _, err := a.DB.W.ExecContext(ctx, `UPDATE cases SET is_open = FALSE, state = 'closed', closed_at = '2024-01-20 02:00:00+00:00'`); err != nil {
			t.Fatal(err)
		}
		auditor := env.Actor(t, apptest.Staff(access.Audit))
		if _, err := a.Sampling.Draw(ctx, env.Actor(t, apptest.Staff(access.Coordination)), "2024-01", 0, 0); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("coordination draws: %v", err)
		}
		if _, err := a.Sampling.Draw(ctx, auditor, "2024-02", 0, 0); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("the current month: %v", err)
		}
		got, err := a.Sampling.Draw(ctx, auditor, "2024-01", 0, 42)
		if err != nil || len(got) != 1 || got[0].Section != access.Coordination || len(got[0].Items) != 1 || got[0].Population != 3 || got[0].Seed != 42 {
			t.Fatalf("draw %+v %v", got, err)
		}
		if want := sampling.Pick(ids, 42, access.Coordination, 1); got[0].Items[0].CaseID != want[0] {
			t.Fatalf("not reproducible: %d, want %d", got[0].Items[0].CaseID, want[0])
		}
		if _, err := a.Sampling.Draw(ctx, auditor, "2024-01", 0, 0); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("second draw: %v", err)
		}
		it := got[0].Items[0]
		if _, err := a.Sampling.Check(ctx, auditor, it.ID, it.Version, sampling.CheckInput{Confirmed: []string{"complete"}}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("unconfirmed without a finding: %v", err)
		}
		checked, err := a.Sampling.Check(ctx, auditor, it.ID, it.Version, sampling.CheckInput{Confirmed: []string{"complete"},
			Finding: "承诺的劳动合同不存在", Rectification: "追回并重新核定", FalseCommitment: true})
		if err != nil || checked.Status != sampling.Finding {
			t.Fatalf("check %+v %v", checked, err)
		}
		// The false commitment became a fraud report for 审计科, linked to
		// the sampled case, in the check's transaction.
		var reports int
		if err := a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM complaints c JOIN complaint_links l ON l.complaint_id = c.id
			WHERE c.category = 'fraud' AND l.kind = 'case' AND l.ref = $1`, it.CaseNo).Scan(&reports); err != nil || reports != 1 {
			t.Fatalf("fraud follow-up of %s: %d reports %v", it.CaseNo, reports, err)
		}
		if _, err := a.Sampling.Rectify(ctx, auditor, it.ID, checked.Version, ""); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("empty rectification: %v", err)
		}
		done, err := a.Sampling.Rectify(ctx, auditor, it.ID, checked.Version, "已追回并重新核定")
		if err != nil || done.Status != sampling.Rectified {
			t.Fatalf("rectify %+v %v", done, err)
		}
		month, err := a.Sampling.Month(ctx, auditor, "2024-01")
		if err != nil || len(month) != 1 || month[0].Items[0].Status != sampling.Rectified || !month[0].Items[0].FalseCommitment {
			t.Fatalf("month %+v %v", month, err)
		}
	})
}

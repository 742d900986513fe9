package injury_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/injury"
	"shebao/internal/money"
	"shebao/internal/payout"
)

// failAfter hands the first n claims' lines to the payouts and fails on
// the next, as a server killed in the middle of the monthly run.
type failAfter struct {
	injury.Payouts
	n *int
}

func (f failAfter) Ready(ctx context.Context, tx *sql.Tx, a *access.Actor, lines []injury.PayLine) error {
	if *f.n == 0 {
		return errors.New("killed")
	}
	*f.n--
	return f.Payouts.Ready(ctx, tx, a, lines)
}

// approvedGrade3 files and approves a grade 3 disability claim (monthly
// allowance and nursing from 2024-01) and returns its case number.
func approvedGrade3(t *testing.T, env *apptest.Env, recID int64) string {
	t.Helper()
	ctx := context.Background()
	clerk := env.Actor(t, apptest.Staff(access.Injury))
	c, err := env.App.Injury.FileClaim(ctx, clerk, injury.ClaimInput{RecognitionID: recID, Benefit: injury.BenefitDisability,
		Payee: injury.PayeeWorker, BankName: "建设银行", BankAccount: "6222020200112233446", Channel: "counter"})
	if err != nil {
		t.Fatal(err)
	}
	var ds []injury.ItemDecision
	for _, it := range c.Items {
		ds = append(ds, injury.ItemDecision{Line: it.Line, Decision: injury.DecisionApproved})
	}
	if err := env.App.Injury.ReviewItems(ctx, clerk, c.ID, 1, ds); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Injury.CompleteReview(ctx, clerk, c.ID, 2, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Injury.SecondCheck(ctx, env.Actor(t, apptest.Admin), c.ID, 3, true, ""); err != nil {
		t.Fatal(err)
	}
	return c.CaseNo
}

// TestMonthlyAllowancesKilledAndRerun: the monthly run makes the later
// months' allowance lines through the payouts module; a run killed
// half-way and run again makes exactly the missing lines, once per person,
// item and month; a line the fund section rejected is not made again.
func TestMonthlyAllowancesKilledAndRerun(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		workerID := employ(t, env)
		clerk := env.Actor(t, apptest.Staff(access.Injury))
		rec, err := env.App.Injury.RecordDecision(ctx, clerk, injury.RecognitionRecordInput{DecisionNo: "京朝人社工伤认字〔2023〕205号",
			DecidedOn: "2023-10-20", WorkerIDNumber: workerID, EmployerID: env.User(t, apptest.EmployerA).EmployerID,
			AccidentOn: "2023-09-01", AppliedOn: "2023-09-10", Applicant: "employer", Result: "recognised",
			Category: "ordinary", DocumentID: 1})
		if err != nil {
			t.Fatal(err)
		}
		wages := make([]money.Fen, 12)
		for i := range wages {
			wages[i] = money.Yuan(9000)
		}
		if _, err := env.App.Injury.SetOwnWage(ctx, clerk, rec.ID, injury.OwnWageInput{Wages: wages, EvidenceID: 1}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Injury.RecordAppraisal(ctx, clerk, rec.ID, injury.AppraisalInput{ConclusionNo: "京劳鉴〔2024〕131号",
			AppraisedOn: "2023-12-15", Grade: "3", Nursing: "partial"}); err != nil {
			t.Fatal(err)
		}
		cases := []string{approvedGrade3(t, env, rec.ID), approvedGrade3(t, env, rec.ID)}
		avg, _, _ := env.App.Policy.Amount(ctx, "avg_wage", "", mustDay("2023-12-15"))
		want, _ := injury.DisabilityOf(3, money.Yuan(9000), avg, injury.NursingPartial)

		// Approval made 2024-01 and 2024-02; the run for 2024-02 makes nothing.
		if n, err := env.App.Injury.PayMonth(ctx, clerk, mustMonth("2024-02")); err != nil || n != 0 {
			t.Fatalf("months already made: %d %v", n, err)
		}
		// The fund section rejects claim 1's nursing line of 2024-02.
		lines, _ := env.App.Payouts.OfSource(ctx, nil, "injury_claim", cases[0])
		var rejected int64
		for _, l := range lines {
			if l.Period == "2024-02" && l.Benefit == "injury_nursing" {
				rejected = l.ID
			}
		}
		if _, err := env.App.Payouts.Reject(ctx, env.Actor(t, apptest.Staff(access.Fund)), []int64{rejected}, "测试退回"); err != nil {
			t.Fatal(err)
		}

		// Killed after the first claim of the 2024-04 run (2024-03 and 2024-04 due).
		one := 1
		real := env.App.Injury.SwapPayouts(failAfter{Payouts: injury.PayoutModule(env.App.Payouts, env.Clock), n: &one})
		n, err := env.App.Injury.PayMonth(ctx, access.System, mustMonth("2024-04"))
		if err == nil || n != 4 {
			t.Fatalf("killed run: %d %v", n, err)
		}
		env.App.Injury.SwapPayouts(real)
		if n, err := env.App.Injury.PayMonth(ctx, access.System, mustMonth("2024-04")); err != nil || n != 4 {
			t.Fatalf("rerun: %d %v", n, err)
		}
		if n, err := env.App.Injury.PayMonth(ctx, access.System, mustMonth("2024-04")); err != nil || n != 0 {
			t.Fatalf("third run: %d %v", n, err)
		}
		for i, no := range cases {
			lines, err := env.App.Payouts.OfSource(ctx, nil, "injury_claim", no)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			var live money.Fen
			for _, l := range lines {
				seen[l.Benefit+"/"+l.Period]++
				if l.Status != payout.Rejected {
					live += money.Fen(l.Amount)
				}
			}
			for _, m := range []string{"2024-01", "2024-02", "2024-03", "2024-04"} {
				if seen["injury_disability_allowance/"+m] != 1 || seen["injury_nursing/"+m] != 1 {
					t.Fatalf("claim %d month %s: %v", i, m, seen)
				}
			}
			wantLive := want.LumpSum + 4*want.Allowance + 4*want.NursingFee
			if i == 0 {
				wantLive -= want.NursingFee // the rejected line stays rejected
			}
			if len(lines) != 9 || live != wantLive {
				t.Fatalf("claim %d: %d lines, %s live, want 9 and %s", i, len(lines), live, wantLive)
			}
		}
	})
}

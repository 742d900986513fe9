package retirement

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"shebao/internal/access"
	"shebao/internal/calc"
	"shebao/internal/casework"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// TestQualificationToDetermination: the employer's form, the approver's
// confirmation pushed to 保险福利科 (after the switch date), the
// determination computed from 35 years of records, reviewed, checked by a
// second clerk, with arrears; the amount agrees with the public pension
// calculator given the same inputs; a correction adds a version with the
// difference.
func TestQualificationToDetermination(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		pid, idn := e.person(t, "1966-03-10", "M", e.emp, "1991-06", "2026-05", 600_000)
		if err := ImportBalance(ctxBg, d.W, pid, 15_000_000, clock.Month{Year: 2026, Mon: 5}, testNow); err != nil {
			t.Fatal(err)
		}
		q, err := e.s.SubmitQualification(ctxBg, employerActor(e.emp), QualInput{IDNumber: idn, Category: "male", DeemedMonths: "0",
			Contact: "李四", Phone: "13900139000"})
		if err != nil {
			t.Fatal(err)
		}
		if q.RetireMonth.String() != "2026-07" {
			t.Fatalf("retire month %s", q.RetireMonth)
		}
		// A clerk who is not an approver may not confirm.
		if _, err := e.s.Decide(ctxBg, e.clerk1, Decision{No: q.No, Version: 1, Approve: true}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("clerk decide: %v", err)
		}
		q, err = e.s.Decide(ctxBg, e.approver, Decision{No: q.No, Version: 1, Approve: true})
		if err != nil {
			t.Fatal(err)
		}
		if !q.Pushed || q.CaseNo == "" || q.Months != 420 || len(q.Gaps) != 0 {
			t.Fatalf("approved: pushed %v case %q months %d gaps %v", q.Pushed, q.CaseNo, q.Months, q.Gaps)
		}
		// A second form for the same person is refused.
		if _, err := e.s.SubmitQualification(ctxBg, employerActor(e.emp), QualInput{IDNumber: idn, Contact: "李四", Phone: "13900139000"}); err == nil {
			t.Fatal("second form accepted")
		}
		det, err := e.s.Compute(ctxBg, e.clerk1, ComputeInput{CaseNo: q.CaseNo})
		if err != nil {
			t.Fatal(err)
		}
		// 1991-06..2022-06 at 6000/5000 = 1.2 (373 months), then 6000/6853, 6000/7206, 6000/7428 (47 months).
		if det.Months != 420 || det.FirstMonth.String() != "2026-08" || det.TransitionalMonths != 69 {
			t.Fatalf("det months %d first %s trans %d", det.Months, det.FirstMonth, det.TransitionalMonths)
		}
		agreeWithCalculator(t, e, det)
		c, _ := e.cases.Get(ctxBg, e.clerk1, q.CaseNo)
		if c.State != casework.InReview || c.DeadlineAt == nil {
			t.Fatalf("case state %s deadline %v", c.State, c.DeadlineAt)
		}
		// The clerk who computed may review, not check; the same clerk may not check twice.
		if _, err := e.s.Check(ctxBg, e.clerk2, q.CaseNo, det.Version); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("check before review: %v", err)
		}
		if _, err := e.s.Review(ctxBg, e.clerk1, q.CaseNo, det.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.Check(ctxBg, e.clerk1, q.CaseNo, det.Version); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("same clerk check: %v", err)
		}
		// Decided in 2026-09: 2026-08 and 2026-09 are arrears.
		e.clk.Set(testNow.AddDate(0, 3, 0))
		det, err = e.s.Check(ctxBg, e.clerk2, q.CaseNo, det.Version)
		if err != nil {
			t.Fatal(err)
		}
		if det.Status != DetDecided || det.VerifyCode == "" || det.ArrearsMonths != 2 || det.Arrears != 2*det.Total {
			t.Fatalf("decided: %+v", det)
		}
		var kind string
		_ = d.W.QueryRowContext(ctxBg, `SELECT kind FROM persons WHERE id = $1`, pid).Scan(&kind)
		if kind != "retiree" {
			t.Fatalf("kind %s", kind)
		}
		// A correction: a further imported year raises the amount.
		e.records(t, pid, "1990-06", "1991-05", 600_000)
		if _, err := e.s.Compute(ctxBg, e.clerk1, ComputeInput{CaseNo: q.CaseNo}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("correction without reason: %v", err)
		}
		v2, err := e.s.Compute(ctxBg, e.clerk1, ComputeInput{CaseNo: q.CaseNo, Reason: "补录 1990年6月至1991年5月缴费记录"})
		if err != nil {
			t.Fatal(err)
		}
		if v2.Version != 2 || v2.Months != 432 || v2.Difference != v2.Total-det.Total || v2.Difference <= 0 {
			t.Fatalf("v2: version %d months %d diff %d (%d - %d)", v2.Version, v2.Months, v2.Difference, v2.Total, det.Total)
		}
		agreeWithCalculator(t, e, v2)
	})
}

// agreeWithCalculator runs the public pension calculator with the
// determination's inputs and compares every amount.
func agreeWithCalculator(t *testing.T, e *env, d *Determination) {
	t.Helper()
	cs := calc.NewService(e.pol, e.clk, 100, 100)
	c, err := cs.Get("pension")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"avg_index": d.AvgIndex.Text(4), "contribution_months": d.Months,
		"account_balance_fen": int64(d.Balance), "category": "male", "birth_month": "1966-03",
		"deemed_months": d.DeemedMonths, "transitional_months": d.TransitionalMonths, "calc_base_fen": int64(d.CalcBase)})
	vals, err := c.ParseJSON(body)
	if err != nil {
		t.Fatal(err)
	}
	res, err := cs.Run(ctxBg, c, vals)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]money.Fen{"basic_fen": d.Basic, "account_fen": d.Account, "transitional_fen": d.Transitional, "total_fen": d.Total}
	seen := 0
	for _, o := range res.Outputs {
		if w, ok := want[o.Key]; ok {
			seen++
			if fmt.Sprint(o.Value) != fmt.Sprint(int64(w)) {
				t.Errorf("%s: calculator %v, determination %d", o.Key, o.Value, w)
			}
		}
	}
	if seen != len(want) {
		t.Fatalf("calculator gave %d of %d amounts", seen, len(want))
	}
}

// TestQualificationBadInput: below age, short of the minimum years,
// another employer's staff, deceased, and a refusal without reason.
func TestQualificationBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		form := func(idn string) QualInput {
			return QualInput{IDNumber: idn, Contact: "李四", Phone: "13900139000"}
		}
		_, young := e.person(t, "1970-03-10", "M", e.emp, "2000-01", "2026-05", 500_000)
		if _, err := e.s.SubmitQualification(ctxBg, employerActor(e.emp), form(young)); !hasField(err, "id_number") {
			t.Fatalf("below age: %v", err)
		}
		_, short := e.person(t, "1966-04-10", "M", e.emp, "2016-01", "2026-05", 500_000)
		q, err := e.s.SubmitQualification(ctxBg, employerActor(e.emp), form(short))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.Decide(ctxBg, e.approver, Decision{No: q.No, Version: 1, Approve: true}); errs.As(err) == nil || errs.As(err).Code != "below_min_years" {
			t.Fatalf("short: %v", err)
		}
		if _, err := e.s.Decide(ctxBg, e.approver, Decision{No: q.No, Version: 1}); !hasField(err, "reason") {
			t.Fatalf("reject without reason: %v", err)
		}
		other := e.employer(t)
		_, theirs := e.person(t, "1966-03-12", "M", other, "1990-01", "2026-05", 500_000)
		if _, err := e.s.SubmitQualification(ctxBg, employerActor(e.emp), form(theirs)); !hasField(err, "id_number") {
			t.Fatalf("other employer's staff: %v", err)
		}
		if _, err := e.s.Qualification(ctxBg, employerActor(other), q.No); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("other employer sees form: %v", err)
		}
		dead, deadID := e.person(t, "1966-02-12", "M", e.emp, "1990-01", "2026-05", 500_000)
		_, _ = d.W.ExecContext(ctxBg, `UPDATE persons SET status = 'deceased' WHERE id = $1`, dead)
		if _, err := e.s.SubmitQualification(ctxBg, employerActor(e.emp), form(deadID)); !hasField(err, "id_number") {
			t.Fatalf("deceased: %v", err)
		}
	})
}

// TestBeforeSwitchDateClerkOpensCase: a confirmation before the switch
// date is not pushed; the clerk opens the case from the mailed form.
func TestBeforeSwitchDateClerkOpensCase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.s.switchAt = clock.DateOf(testNow.AddDate(0, 1, 0))
		_, idn := e.person(t, "1966-03-10", "M", e.emp, "1990-01", "2026-05", 500_000)
		q, err := e.s.SubmitQualification(ctxBg, employerActor(e.emp), QualInput{IDNumber: idn, Contact: "李四", Phone: "13900139000"})
		if err != nil {
			t.Fatal(err)
		}
		q, err = e.s.Decide(ctxBg, e.approver, Decision{No: q.No, Version: 1, Approve: true})
		if err != nil || q.Pushed || q.CaseNo != "" {
			t.Fatalf("before switch: %v pushed %v case %q", err, q.Pushed, q.CaseNo)
		}
		q, err = e.s.OpenDetermination(ctxBg, e.clerk1, q.No, "phone", 0)
		if err != nil || q.CaseNo == "" {
			t.Fatalf("open: %v", err)
		}
		if _, err := e.s.OpenDetermination(ctxBg, e.clerk1, q.No, "phone", 0); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("second open: %v", err)
		}
	})
}

func hasField(err error, field string) bool {
	var e *errs.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

var _ = access.Welfare

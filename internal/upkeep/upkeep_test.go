package upkeep_test

import (
	"bytes"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/casework"
	"shebao/internal/errs"
	"shebao/internal/retirement"
	"shebao/internal/upkeep"
)

// fieldOf is the message of a field of an Invalid error ("" none).
func fieldOf(err error, field string) string {
	if e := errs.As(err); e != nil {
		for _, f := range e.Fields {
			if f.Field == field {
				return f.Message
			}
		}
	}
	return ""
}

// TestRaiseValidation: who may raise, the retiree, the months (theirs,
// not future, not assessed), the base within the month's limits, a real
// change, a reason and a scan checked by its bytes; a good one lands in
// the queue, and an overlapping second one is refused.
func TestRaiseValidation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		f := retiree(t, env)
		s := env.App.Upkeep
		good := upkeep.RaiseInput{CaseNo: f.caseNo, From: "2010-01", To: "2010-12", Base: "9000", Reason: "原单位工资表核实",
			Evidence: []upkeep.Upload{pdf()}}
		with := func(change func(*upkeep.RaiseInput)) upkeep.RaiseInput {
			in := good
			in.Evidence = []upkeep.Upload{pdf()}
			change(&in)
			return in
		}
		cases := []struct {
			name, field, want string
			in                upkeep.RaiseInput
		}{
			{"future", "to", "不能晚于本月", with(func(in *upkeep.RaiseInput) { in.From, in.To = "2026-11", "2027-01" })},
			{"reversed", "to", "不能早于起始月份", with(func(in *upkeep.RaiseInput) { in.From, in.To = "2011-01", "2010-01" })},
			{"outside history", "from", "不在该人员的缴费记录期间内", with(func(in *upkeep.RaiseInput) { in.From, in.To = "1990-01", "1991-07" })},
			{"bad month", "from", "起始月份", with(func(in *upkeep.RaiseInput) { in.From = "2010/01" })},
			{"base above ceiling", "base", "之间", with(func(in *upkeep.RaiseInput) { in.Base = "20000" })},
			{"base below floor", "base", "之间", with(func(in *upkeep.RaiseInput) { in.Base = "1000" })},
			{"no change", "base", "请填写更正后的缴费基数", with(func(in *upkeep.RaiseInput) { in.Base = "" })},
			{"same as records", "base", "无需更正", with(func(in *upkeep.RaiseInput) { in.Base = "6000" })},
			{"no reason", "reason", "更正原因", with(func(in *upkeep.RaiseInput) { in.Reason = " " })},
			{"no evidence", "evidence", "证明材料", with(func(in *upkeep.RaiseInput) { in.Evidence = nil })},
			{"text as evidence", "evidence", "证明材料", with(func(in *upkeep.RaiseInput) {
				in.Evidence = []upkeep.Upload{{Name: "x.pdf", R: bytes.NewReader([]byte("just some text pretending"))}}
			})},
		}
		for _, c := range cases {
			_, err := s.Raise(bg, f.welfare, c.in)
			if msg := fieldOf(err, c.field); !strings.Contains(msg, c.want) {
				t.Errorf("%s: field %s = %q (want %q), err %v", c.name, c.field, msg, c.want, err)
			}
		}
		// Only 保险福利科 raises from a case, only 个人账户科 directly.
		if _, err := s.Raise(bg, f.acct1, good); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("account clerk from a case: %v", err)
		}
		if _, err := s.Raise(bg, f.welfare, upkeep.RaiseInput{IDNumber: f.idn, From: "2010-01", Base: "9000"}); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("welfare clerk directly: %v", err)
		}
		// An insured person who is neither retired nor in a retirement case.
		other := env.User(t, apptest.PersonA)
		var otherID string
		_ = env.App.DB.W.QueryRow(`SELECT id_number FROM persons WHERE id = $1`, other.PersonID).Scan(&otherID)
		_, err := s.Raise(bg, f.acct1, upkeep.RaiseInput{IDNumber: otherID, From: "2010-01", Base: "9000", Reason: "核实", Evidence: []upkeep.Upload{pdf()}})
		if msg := fieldOf(err, "id_number"); !strings.Contains(msg, "不是退休人员") {
			t.Errorf("not a retiree: %q %v", msg, err)
		}
		c, err := s.Raise(bg, f.welfare, good)
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != upkeep.Pending || c.Channel != upkeep.ChannelRetirement || len(c.Evidence) != 1 || c.MonthCount() != 12 || !strings.HasPrefix(c.No, "WH") {
			t.Fatalf("raised %+v", c)
		}
		in := with(func(in *upkeep.RaiseInput) { in.CaseNo, in.IDNumber, in.From, in.To = "", f.idn, "2010-06", "2010-06" })
		if _, err := s.Raise(bg, f.acct1, in); errs.KindOf(err) != errs.Conflict {
			t.Errorf("overlap: %v", err)
		}
		// 个人账户科 raises one directly for the retiree (kind retiree now).
		in.From, in.To, in.Base, in.Paid, in.Evidence = "2012-03", "", "", "unpaid", []upkeep.Upload{pdf()}
		d, err := s.Raise(bg, f.acct1, in)
		if err != nil {
			t.Fatal(err)
		}
		list, total, err := s.List(bg, f.acct1, upkeep.Filter{Status: upkeep.Pending, Query: f.idn})
		if err != nil || total != 2 || len(list) != 2 || list[0].ID != d.ID || list[0].Masked() == f.idn {
			t.Fatalf("queue %d %d %v", total, len(list), err)
		}
		if _, _, err := s.List(bg, env.Actor(t, apptest.Staff(access.Fund)), upkeep.Filter{}); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("fund section sees the queue: %v", err)
		}
	})
}

// TestBatchTwoPersonsAllOrNothingIdempotent: the preparer cannot check;
// a batch with one correction that no longer fits is applied not at all;
// applied again, a batch changes nothing.
func TestBatchTwoPersonsAllOrNothingIdempotent(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		f := retiree(t, env)
		s := env.App.Upkeep
		a := f.raise(t, "2010-01", "2010-12", "9000", "")
		b := f.raise(t, "2015-03", "", "", "unpaid")
		batch, err := s.CreateBatch(bg, f.acct1, []int64{a.ID, b.ID}, "十二月第一批")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateBatch(bg, f.acct2, []int64{a.ID}, ""); errs.KindOf(err) != errs.Conflict {
			t.Errorf("a batched correction batched again: %v", err)
		}
		_, err = s.Check(bg, f.acct1, batch.ID, batch.Version)
		if e := errs.As(err); e == nil || e.Kind != errs.Forbidden || !strings.Contains(e.Message, "第二名经办人员") {
			t.Fatalf("preparer checks: %v", err)
		}
		if _, err := s.Apply(bg, f.acct1, batch.ID); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("apply before check: %v", err)
		}
		if batch, err = s.Check(bg, f.acct2, batch.ID, batch.Version); err != nil {
			t.Fatal(err)
		}
		// One correction's month disappears meanwhile: nothing is applied.
		if _, err := env.App.DB.W.Exec(`DELETE FROM contribution_records WHERE person_id = $1 AND fee_month = '2015-03'`, f.pid); err != nil {
			t.Fatal(err)
		}
		_, err = s.Apply(bg, f.acct1, batch.ID)
		if e := errs.As(err); e == nil || e.Kind != errs.Conflict || !strings.Contains(e.Message, b.No) {
			t.Fatalf("apply with a gone record: %v", err)
		}
		if base, _, _, _ := f.record(t, "2010-05"); base != 600_000 {
			t.Fatalf("partly applied: 2010-05 base %d", base)
		}
		if got, _ := s.Batch(bg, f.acct1, batch.ID); got.Status != upkeep.BatchChecked {
			t.Fatalf("batch %s after a failed apply", got.Status)
		}
		if len(f.versions(t)) != 1 {
			t.Fatal("a determination version was written by a failed apply")
		}
		// Undone, the corrections are back in the queue; a new batch of the good one.
		if err := s.Dissolve(bg, f.acct1, batch.ID, batch.Version); err != nil {
			t.Fatal(err)
		}
		done := f.batch(t, a.ID)
		if done.Status != upkeep.BatchApplied || len(done.Items) != 1 || len(done.Items[0].Months) != 12 {
			t.Fatalf("applied %+v", done)
		}
		base, emp, ind, _ := f.record(t, "2010-05")
		if base != 900_000 || emp != 144_000 || ind != 72_000 {
			t.Fatalf("2010-05 corrected to %d/%d/%d", base, emp, ind)
		}
		vs := f.versions(t)
		again, err := s.Apply(bg, f.acct1, done.ID)
		if err != nil || again.Status != upkeep.BatchApplied || again.Version != done.Version {
			t.Fatalf("apply again: %v %+v", err, again)
		}
		if len(f.versions(t)) != len(vs) {
			t.Fatal("applying again made another determination version")
		}
		var months int
		_ = env.App.DB.W.QueryRow(`SELECT COUNT(*) FROM record_correction_months WHERE correction_id = $1`, a.ID).Scan(&months)
		if months != 12 {
			t.Fatalf("months kept %d", months)
		}
		var audits int
		_ = env.App.DB.W.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action LIKE 'upkeep.%'`).Scan(&audits)
		if audits < 7 {
			t.Fatalf("audit entries %d", audits)
		}
	})
}

// TestRecomputationOnlyWhenTheAmountChanges: a base raised for a year
// changes the pension (a new determination version with the difference,
// waiting for 保险福利科, decided through the usual correction path); a
// base changed by one 元 for a month leaves the amount and writes nothing.
func TestRecomputationOnlyWhenTheAmountChanges(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		f := retiree(t, env)
		s := env.App.Upkeep
		small := f.raise(t, "2012-04", "", "6001", "")
		done := f.batch(t, small.ID)
		got := done.Items[0]
		if got.Recompute != upkeep.RecomputeUnchanged || got.Before != f.det.Total || got.After != f.det.Total {
			t.Fatalf("small correction: %s %d → %d", got.Recompute, got.Before, got.After)
		}
		if vs := f.versions(t); len(vs) != 1 {
			t.Fatalf("versions %d after an unchanged recomputation", len(vs))
		}
		if c := welfareQueued(t, env, f); c == nil || c.State != casework.Decided || c.Reopened {
			t.Fatalf("case after an unchanged recomputation: %+v", c)
		}
		big := f.raise(t, "2010-01", "2010-12", "9000", "")
		done = f.batch(t, big.ID)
		got = done.Items[0]
		vs := f.versions(t)
		if got.Recompute != upkeep.RecomputeChanged || got.DetVersion != 2 || len(vs) != 2 {
			t.Fatalf("big correction: %s version %d, %d versions", got.Recompute, got.DetVersion, len(vs))
		}
		v2 := vs[0]
		if v2.Status != retirement.DetComputed || v2.Total <= f.det.Total || v2.Difference != v2.Total-f.det.Total ||
			got.After != v2.Total || !strings.Contains(v2.Reason, done.No) {
			t.Fatalf("v2 %s total %d diff %d (was %d), reason %q", v2.Status, v2.Total, v2.Difference, f.det.Total, v2.Reason)
		}
		// The new version waits in 保险福利科's queue: the decided case is
		// back in review, marked, and counted among the clerk's own.
		if c := welfareQueued(t, env, f); c == nil || c.State != casework.InReview || !c.Reopened || c.Overdue {
			t.Fatalf("case in the queue after the recomputation: %+v", c)
		}
		// The usual correction path decides it: review and second check in 保险福利科.
		if _, err := env.App.Retirement.Review(bg, f.welfare, f.caseNo, 2); err != nil {
			t.Fatal(err)
		}
		d, err := env.App.Retirement.Check(bg, f.fuli2, f.caseNo, 2)
		if err != nil || d.Status != retirement.DetDecided {
			t.Fatalf("decide v2: %v", err)
		}
		if c := welfareQueued(t, env, f); c == nil || c.State != casework.Decided || c.Reopened {
			t.Fatalf("case after the new version was decided: %+v", c)
		}
		// The retiree sees both corrections and their effect.
		me := &access.Actor{UserID: 9999, Role: access.RolePerson, PersonID: f.pid}
		mine, err := s.Mine(bg, me)
		if err != nil || len(mine) != 2 || mine[0].ID != big.ID || !mine[0].Changed() || len(mine[0].Months) != 12 {
			t.Fatalf("mine %d %v", len(mine), err)
		}
		if _, err := s.Mine(bg, f.acct1); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("clerk's own: %v", err)
		}
	})
}

// welfareQueued is the case of the fixture as 保险福利科's queue (the
// clerk's own view, state filter 审核中 when reopened) shows it; nil when
// it is not among the clerk's open cases.
func welfareQueued(t *testing.T, env *apptest.Env, f *fixture) *casework.Case {
	t.Helper()
	res, err := env.App.Cases.Queue(bg, f.welfare, casework.QueueFilter{Section: access.Welfare, View: casework.ViewMine, Q: f.caseNo})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Items) != res.Counts[casework.ViewMine] {
		t.Fatalf("count %d, %d items", res.Counts[casework.ViewMine], len(res.Items))
	}
	for _, c := range res.Items {
		if c.No == f.caseNo {
			return c
		}
	}
	return nil
}

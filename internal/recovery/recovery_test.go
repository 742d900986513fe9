package recovery_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/policy"
	"shebao/internal/recovery"
	"shebao/internal/sheet"
)

func at(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 9, 0, 0, 0, clock.Shanghai).UTC()
}

// registerFixture declares the 2024 epidemic and gives employer A an
// unpaid bill due inside it, a staff change accepted late and a held
// pension payout for person A.
func registerFixture(t *testing.T, env *apptest.Env) policy.Emergency {
	t.Helper()
	ctx := context.Background()
	a := env.App
	e, err := a.Policy.Declare(ctx, env.Actor(t, apptest.Admin), policy.Epidemic2024())
	if err != nil {
		t.Fatal(err)
	}
	env.SeedBill(t, apptest.EmployerA, 2)
	emp := env.Actor(t, apptest.EmployerA).EmployerID
	var person, employment int64
	if err := a.DB.R.QueryRowContext(ctx, `SELECT person_id, id FROM employments WHERE employer_id = $1 ORDER BY id LIMIT 1`, emp).
		Scan(&person, &employment); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB.W.ExecContext(ctx, `INSERT INTO staff_changes (employer_id, person_id, employment_id, kind, month, flags, created_at)
		VALUES ($1, $2, $3, 'add', '2024-01', 'late_accepted', $4)`, emp, person, employment, at(2024, 2, 12)); err != nil {
		t.Fatal(err)
	}
	if _, err := a.DB.W.ExecContext(ctx, `INSERT INTO payout_lines (business_key, payee_kind, payee_id, payee_name, amount_fen, scheme,
		benefit, source_kind, source_id, period, status, hold_reason, prepared_by, prepared_at, updated_at)
		VALUES ('pension/pensioner:1/person:1/2024-02', 'person', $1, '张伟', 350000, 'pension', 'pension', 'pensioner', '1', '2024-02',
		'held', 'card', 'fuli', $2, $2)`, env.Actor(t, apptest.PersonA).PersonID, at(2024, 2, 20)); err != nil {
		t.Fatal(err)
	}
	return e
}

func itemsByKind(t *testing.T, env *apptest.Env, who string, f recovery.Filter) map[recovery.Kind]recovery.Item {
	t.Helper()
	res, err := env.App.Recovery.List(context.Background(), env.Actor(t, who), f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[recovery.Kind]recovery.Item{}
	for _, it := range res.Items {
		out[it.Kind] = it
	}
	return out
}

// TestRegisterFollowsTheEmergency: the register gathers late staff
// changes, unpaid bills due in the emergency and held payouts; the
// deadline appears when the end is set (end + 3 months) and moves when it
// changes; reminders go out 30 days before, once; a paid bill is made up;
// what is open after the deadline is handed to its section, which records
// what it did; the day's progress is kept.
func TestRegisterFollowsTheEmergency(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		a, admin, auditor := env.App, env.Actor(t, apptest.Admin), env.Actor(t, apptest.Staff(access.Audit))
		e := registerFixture(t, env)
		env.Clock.Set(at(2024, 4, 10)) // 2024-01 was due 2024-03-31 (extended) and is still unpaid
		if _, err := a.Recovery.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		got := itemsByKind(t, env, apptest.Staff(access.Audit), recovery.Filter{})
		for _, k := range []recovery.Kind{recovery.KindEmployerBill, recovery.KindStaffChange, recovery.KindHeldPayout} {
			if it, ok := got[k]; !ok || it.Status != recovery.Open || it.DeadlineOn != "" {
				t.Fatalf("%s: %+v (all %+v)", k, it, got)
			}
		}
		if p := got[recovery.KindHeldPayout]; p.Section != access.Welfare || p.Subject != "张*" {
			t.Fatalf("held payout %+v", p)
		}
		// A second harvest adds nothing.
		if r, err := a.Recovery.Sync(ctx); err != nil || r.Added != 0 {
			t.Fatalf("second sync %+v %v", r, err)
		}
		// Each section sees only its items; 审计科 sees all.
		if mine := itemsByKind(t, env, apptest.Staff(access.Welfare), recovery.Filter{}); len(mine) != 1 {
			t.Fatalf("welfare sees %+v", mine)
		}
		// The end is set: every deadline is end + 3 months; changed, recomputed.
		e, err := a.Policy.SetEnd(ctx, admin, e.ID, e.Version, "2024-04-30")
		if err != nil {
			t.Fatal(err)
		}
		if it := itemsByKind(t, env, apptest.Admin, recovery.Filter{})[recovery.KindEmployerBill]; it.DeadlineOn != "2024-07-30" {
			t.Fatalf("deadline after the end %q", it.DeadlineOn)
		}
		if _, err = a.Policy.SetEnd(ctx, admin, e.ID, e.Version, "2024-05-31"); err != nil {
			t.Fatal(err)
		}
		if it := itemsByKind(t, env, apptest.Admin, recovery.Filter{})[recovery.KindStaffChange]; it.DeadlineOn != "2024-08-31" {
			t.Fatalf("deadline after the change %q", it.DeadlineOn)
		}
		// 31 days before: no reminder; 30 days before: one per item with a party, once.
		env.Clock.Set(at(2024, 7, 31))
		if r, err := a.Recovery.Daily(ctx); err != nil || r.Reminded != 0 {
			t.Fatalf("31 days before: %+v %v", r, err)
		}
		env.Clock.Set(at(2024, 8, 1))
		r, err := a.Recovery.Daily(ctx)
		if err != nil || r.Reminded != 3 {
			t.Fatalf("30 days before: %+v %v", r, err)
		}
		if r, err := a.Recovery.Daily(ctx); err != nil || r.Reminded != 0 {
			t.Fatalf("again the same day: %+v %v", r, err)
		}
		var queued int
		if err := a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_messages WHERE subject LIKE '%补办延期业务%'`).Scan(&queued); err != nil || queued < 3 {
			t.Fatalf("portal reminders %d %v", queued, err)
		}
		// Seven days before, the 7-day step; a skipped day still sends the nearer step only.
		env.Clock.Set(at(2024, 8, 25))
		if r, err := a.Recovery.Daily(ctx); err != nil || r.Reminded != 3 {
			t.Fatalf("7 days before: %+v %v", r, err)
		}
		// The bill is paid: both the bill and the staff change of its month are made up.
		if _, err := a.DB.W.ExecContext(ctx, `UPDATE bills SET status = 'paid', paid_fen = total_fen WHERE employer_id = $1`,
			env.Actor(t, apptest.EmployerA).EmployerID); err != nil {
			t.Fatal(err)
		}
		if r, err := a.Recovery.Daily(ctx); err != nil || r.MadeUp != 2 {
			t.Fatalf("made up: %+v %v", r, err)
		}
		// After the deadline the held payout is handed to 保险福利科.
		env.Clock.Set(at(2024, 9, 1))
		if r, err := a.Recovery.Daily(ctx); err != nil || r.HandedOver != 1 || r.Snapshots != 1 {
			t.Fatalf("hand-over: %+v %v", r, err)
		}
		all := itemsByKind(t, env, apptest.Admin, recovery.Filter{})
		held := all[recovery.KindHeldPayout]
		if held.Status != recovery.HandedOver || all[recovery.KindEmployerBill].Status != recovery.MadeUp {
			t.Fatalf("after the deadline %+v", all)
		}
		if over := itemsByKind(t, env, apptest.Admin, recovery.Filter{Status: recovery.Overdue}); len(over) != 1 {
			t.Fatalf("overdue filter %+v", over)
		}
		if _, err := a.Recovery.Resolve(ctx, env.Actor(t, apptest.Staff(access.Injury)), held.ID, held.Version, "已处理"); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("another section resolves: %v", err)
		}
		if _, err := a.Recovery.Resolve(ctx, auditor, held.ID, held.Version, "已处理"); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("audit resolves: %v", err)
		}
		welfare := env.Actor(t, apptest.Staff(access.Welfare))
		if _, err := a.Recovery.Resolve(ctx, welfare, held.ID, held.Version, "  "); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("empty note: %v", err)
		}
		if _, err := a.Recovery.Resolve(ctx, welfare, held.ID, held.Version, "已电话联系，社保卡补办后发放"); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Recovery.Resolve(ctx, welfare, held.ID, held.Version, "再次"); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("stale resolve: %v", err)
		}
		prog, err := a.Recovery.Progress(ctx, auditor, e.ID)
		if err != nil || len(prog) != 4 || prog[3].Day != "2024-07-31" || prog[3].Open != 3 || prog[0].Day != "2024-09-01" || prog[0].MadeUp != 2 || prog[0].HandedOver != 1 {
			t.Fatalf("progress %+v %v", prog, err)
		}
		var notified int
		if err := a.DB.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_messages WHERE subject LIKE '%移交本科室%'`).Scan(&notified); err != nil || notified == 0 {
			t.Fatalf("section notice %d %v", notified, err)
		}
		// The export holds every item, read back through sheet.
		var buf bytes.Buffer
		if err := a.Recovery.Export(ctx, auditor, recovery.Filter{}, &buf); err != nil {
			t.Fatal(err)
		}
		book, err := sheet.Open(buf.Bytes(), sheet.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer book.Close()
		rows, err := book.Rows("延期业务登记")
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
			if n == 1 && rows.Cells()[0] != "类别" {
				t.Fatalf("header %v", rows.Cells())
			}
		}
		if n != 4 {
			t.Fatalf("export rows %d, want header + 3", n)
		}
	})
}

// TestRegisterRefusesBadInput: filters outside their lists, a search too
// long, and readers who are not staff.
func TestRegisterRefusesBadInput(t *testing.T) {
	env := apptest.New(t, "sqlite")
	ctx := context.Background()
	for _, f := range []recovery.Filter{{Kind: "x"}, {Status: "x"}, {Section: "x"}, {Q: string(bytes.Repeat([]byte("很"), 61))}} {
		if _, err := env.App.Recovery.List(ctx, env.Actor(t, apptest.Admin), f); errs.KindOf(err) != errs.Invalid {
			t.Errorf("filter %+v: %v", f, err)
		}
	}
	if _, err := env.App.Recovery.List(ctx, env.Actor(t, apptest.EmployerA), recovery.Filter{}); errs.KindOf(err) != errs.Forbidden {
		t.Errorf("employer reads the register: %v", err)
	}
	if _, err := env.App.Recovery.Refresh(ctx, env.Actor(t, apptest.Staff(access.Fund))); errs.KindOf(err) != errs.Forbidden {
		t.Errorf("fund refreshes: %v", err)
	}
	if recovery.StepFor(31) != 0 || recovery.StepFor(30) != 30 || recovery.StepFor(8) != 30 || recovery.StepFor(7) != 7 ||
		recovery.StepFor(1) != 1 || recovery.StepFor(0) != 1 || recovery.StepFor(-1) != 0 {
		t.Error("reminder steps")
	}
}

package payroll

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/money"
)

func TestDueWithAdjustments(t *testing.T) {
	st := pensionState{First: month("2022-06"), Versions: []Version{{No: 1, From: month("2022-06"), Monthly: 300000}, {No: 2, From: month("2023-03"), Monthly: 310000}}}
	adjs := []Adjustment{{Effective: month("2024-01"), RetiredBefore: month("2024-01"), Rate: money.MustPercent("3"), Fixed: 5000}}
	for _, c := range []struct {
		m    string
		want money.Fen
	}{{"2022-05", 0}, {"2022-06", 300000}, {"2023-02", 300000}, {"2023-03", 310000}, {"2024-01", 310000 + 9300 + 5000}} {
		if got := Due(st, adjs, month(c.m)); got.Amount != c.want {
			t.Errorf("%s: %d, want %d (%s)", c.m, got.Amount, c.want, got.Note)
		}
	}
	st.First = month("2024-01")
	if got := Due(st, adjs, month("2024-02")); got.Amount != 310000 {
		t.Errorf("retired in the adjustment's month got it: %d", got.Amount)
	}
	st.Last = month("2023-12")
	if got := Due(st, adjs, month("2024-01")); got.Amount != 0 {
		t.Errorf("paid after the last month: %d", got.Amount)
	}
}

func TestPayrollArrearsIdempotentAndHeld(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		e.enrol(t, 1, 300000, "2023-12", false) // arrears for Dec and Jan
		e.enrol(t, 2, 250000, "2024-02", true)  // no card: held
		e.enrol(t, 3, 200000, "2024-01", false)
		r, err := e.s.RunMonth(ctx, fund1, month("2024-02"))
		if err != nil || r.Status != RunDone || r.Created != 6 || r.Held != 1 || r.Done != 3 {
			t.Fatalf("run: %+v %v", r, err)
		}
		if got := strings.Join(lines(t, d, 1), " "); got != "2023-12:300000:pension:prepared 2024-01:300000:pension:prepared 2024-02:300000:pension:prepared" {
			t.Fatalf("arrears: %s", got)
		}
		if got := strings.Join(lines(t, d, 2), " "); got != "2024-02:250000:pension:held" {
			t.Fatalf("held: %s", got)
		}
		r2, err := e.s.RunMonth(ctx, fund1, month("2024-02"))
		if err != nil || r2.Created != 0 || count(t, d, `SELECT COUNT(*) FROM payout_lines`) != 6 {
			t.Fatalf("rerun added lines: %+v %v", r2, err)
		}
		if _, err := e.s.RunMonth(ctx, fund1, month("2024-03")); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("future month: %v", err)
		}
		if _, err := e.s.RunMonth(ctx, welfare, month("2024-02")); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("welfare ran the payroll: %v", err)
		}
		balanced(t, d)
	})
}

func TestChangeAdjustmentStopAndDeduction(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		e.clk.Set(month("2024-01").First().AddDate(0, 0, 9))
		e.enrol(t, 1, 300000, "2023-06", false)
		e.enrol(t, 2, 200000, "2023-06", false)
		e.enrol(t, 3, 100000, "2023-06", false)
		if _, err := e.s.RunMonth(ctx, fund1, month("2024-01")); err != nil {
			t.Fatal(err)
		}
		ids := lineIDs(t, d)
		if _, err := e.p.Approve(ctx, fund2, ids, ""); err != nil {
			t.Fatal(err)
		}
		balanced(t, d)
		e.clk.Set(month("2024-02").First().AddDate(0, 0, 9))
		// Person 1's amount rises from January: back pay for January.
		err := d.WithTx(ctx, func(tx *sql.Tx) error {
			_, err := e.s.ChangeAmountTx(ctx, tx, welfare, 1, Change{Monthly: 320000, From: month("2024-01"), Basis: "重新核定"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		// A general adjustment of 2% + 50 元 from January for those retired before 2024.
		if _, err := e.s.AddAdjustment(ctx, fund1, Adjustment{Effective: month("2024-01"), RetiredBefore: month("2024-01"),
			Rate: money.MustPercent("2"), Fixed: 5000, Basis: "人社部发〔2024〕1号"}); err != nil {
			t.Fatal(err)
		}
		// Person 2 died in January: no line from February.
		var stop *StopResult
		err = d.WithTx(ctx, func(tx *sql.Tx) error {
			var err error
			stop, err = e.s.StopTx(ctx, tx, welfare, 2, Stop{Last: month("2024-01"), Kind: StopDeath, Reason: "死亡"})
			return err
		})
		if err != nil || stop.Cancelled != 0 {
			t.Fatalf("stop: %+v %v", stop, err)
		}
		if _, err := e.s.AddDeduction(ctx, fund1, Deduction{PersonID: 3, Total: 70000, Monthly: 60000, Start: month("2024-02"), Reason: "多发追回"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.RunMonth(ctx, fund1, month("2024-02")); err != nil {
			t.Fatal(err)
		}
		// 1: January owed 320000 + 6400 + 5000 = 331400, 300000 paid: 31400 back pay; February 331400.
		if got := strings.Join(lines(t, d, 1), " "); !strings.HasSuffix(got, "2023-12:300000:pension:approved 2024-01:300000:pension:approved 2024-01:31400:pension_backpay:prepared 2024-02:331400:pension:prepared") {
			t.Fatalf("person 1: %s", got)
		}
		// 2: January back pay for the adjustment only (200000 × 2% + 5000 = 9000), nothing for February.
		if got := strings.Join(lines(t, d, 2), " "); !strings.HasSuffix(got, "2023-12:200000:pension:approved 2024-01:200000:pension:approved 2024-01:9000:pension_backpay:prepared") {
			t.Fatalf("person 2: %s", got)
		}
		// 3: February 100000 + 2000 + 5000 = 107000 less at most half: 53500 deducted.
		if got := strings.Join(lines(t, d, 3), " "); !strings.Contains(got, "2024-02:53500:pension:prepared") {
			t.Fatalf("person 3: %s", got)
		}
		if n := count(t, d, `SELECT recovered_fen FROM pension_deductions`); n != 53500 {
			t.Fatalf("recovered %d", n)
		}
		// A rerun deducts nothing more and adds nothing.
		before := count(t, d, `SELECT COUNT(*) FROM payout_lines`)
		if _, err := e.s.RunMonth(ctx, fund1, month("2024-02")); err != nil {
			t.Fatal(err)
		}
		if count(t, d, `SELECT COUNT(*) FROM payout_lines`) != before || count(t, d, `SELECT recovered_fen FROM pension_deductions`) != 53500 {
			t.Fatal("rerun changed the payroll")
		}
		// January is closed once February is done.
		if _, err := e.s.RunMonth(ctx, fund1, month("2024-01")); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("closed month rerun: %v", err)
		}
		balanced(t, d)
	})
}

func TestStopCancelsLinesNotSent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		e.enrol(t, 1, 300000, "2023-12", false)
		if _, err := e.s.RunMonth(ctx, fund1, month("2024-02")); err != nil {
			t.Fatal(err)
		}
		if _, err := e.p.Approve(ctx, fund2, lineIDs(t, d), ""); err != nil {
			t.Fatal(err)
		}
		var res *StopResult
		err := d.WithTx(ctx, func(tx *sql.Tx) error {
			var err error
			res, err = e.s.StopTx(ctx, tx, welfare, 1, Stop{Last: month("2023-12"), Kind: StopDeath, Reason: "死亡"})
			return err
		})
		if err != nil || res.Cancelled != 2 {
			t.Fatalf("stop: %+v %v", res, err)
		}
		if got := strings.Join(lines(t, d, 1), " "); got != "2023-12:300000:pension:approved" {
			t.Fatalf("after stop: %s", got)
		}
		balanced(t, d)
		if _, err := e.s.RunMonth(ctx, fund1, month("2024-02")); err != nil || len(lines(t, d, 1)) != 1 {
			t.Fatalf("run after stop paid again: %v %v", err, lines(t, d, 1))
		}
	})
}

func TestRunKilledHalfWayIsCompletedByARerun(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		for n := int64(1); n <= 25; n++ {
			e.enrol(t, n, money.Fen(100000+n), "2024-01", n%5 == 0)
		}
		e.s.Chunk = 4
		r, err := e.s.Start(ctx, fund1, month("2024-02"))
		if err != nil {
			t.Fatal(err)
		}
		// Two chunks, then the process "dies" (the run stays running).
		adjs, _ := e.s.adjustments(ctx, d.R)
		after := int64(0)
		for i := 0; i < 2; i++ {
			err := d.WithTx(ctx, func(tx *sql.Tx) error {
				var err error
				_, after, err = e.s.chunk(ctx, tx, fund1, r, month("2024-02"), adjs, after)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.s.Start(ctx, fund1, month("2024-02")); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("second start while the first is fresh: %v", err)
		}
		e.clk.Advance(StaleAfter + 1)
		if _, err := e.s.RunMonth(ctx, fund1, month("2024-02")); err != nil {
			t.Fatal(err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM payout_lines`); n != 50 {
			t.Fatalf("%d lines, want 2 per pensioner", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM (SELECT payee_id, period FROM payout_lines GROUP BY payee_id, period HAVING COUNT(*) > 1) x`); n != 0 {
			t.Fatalf("%d doubled months", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM payroll_runs WHERE status = 'failed'`); n != 1 {
			t.Fatalf("the interrupted run is not closed: %d", n)
		}
	})
}

func lineIDs(t *testing.T, d *db.DB) []int64 {
	rows, err := d.W.Query(`SELECT id FROM payout_lines WHERE status = 'prepared' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	return ids
}

var _ = fmt.Sprint

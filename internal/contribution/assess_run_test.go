package contribution

import (
	"context"
	"errors"
	"testing"

	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/money"
)

// TestRunStoppedBetweenBatches: a run stopped after its first batch (the
// next batches already read and computed ahead) writes that batch whole
// and nothing of the others; a rerun then assesses every employer once,
// with the same totals as a run that was never stopped.
func TestRunStoppedBetweenBatches(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, true)
		var emps []int64
		for i := 0; i < 6; i++ {
			emp := e.employer(t, 1+i%3, 1_000_000)
			e.staff(t, emp, "2023-01", "", money.Fen(500000+i*123457), 600000)
			e.staff(t, emp, "2023-06", "", 0, money.Fen(900000+i*1001))
			emps = append(emps, emp)
		}
		c := clock.NewFixed(testNow)
		au := audit.NewService(d, c)
		s := NewService(d, c, au, e.pol, "", nil, Tuning{Batch: 2, Workers: 1})
		ctx, cancel := context.WithCancel(ctxBg)
		defer cancel()
		_, err := s.AssessMonth(ctx, clerk, "2024-01", func(done, total int) {
			if done > 0 {
				cancel()
			}
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("stopped run: %v", err)
		}
		var bills, lines int
		d.W.QueryRow(`SELECT COUNT(*) FROM bills WHERE fee_month = '2024-01'`).Scan(&bills)
		d.W.QueryRow(`SELECT COUNT(*) FROM bill_lines WHERE fee_month = '2024-01'`).Scan(&lines)
		if bills != 2 || lines != 2*2*3 {
			t.Fatalf("after the stop: %d bills, %d lines; want the first batch whole (2 bills, 12 lines)", bills, lines)
		}
		r, err := s.AssessMonth(ctxBg, clerk, "2024-01", nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.Created != 4 || r.Redone != 2 {
			t.Errorf("rerun: %+v, want 4 created and 2 recomputed", r)
		}
		got := map[int64]string{}
		for _, emp := range emps {
			b := e.billOf(t, emp, "2024-01")
			if len(b.Lines) != 6 {
				t.Errorf("employer %d: %d lines", emp, len(b.Lines))
			}
			got[emp] = b.Total.String()
		}
		// The same district assessed in one run, never stopped.
		if _, err := d.W.ExecContext(ctxBg, `DELETE FROM bill_lines`); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.ExecContext(ctxBg, `DELETE FROM bills`); err != nil {
			t.Fatal(err)
		}
		e.assess(t, "2024-01")
		for _, emp := range emps {
			if want := e.billOf(t, emp, "2024-01").Total.String(); got[emp] != want {
				t.Errorf("employer %d: %s after the stop and rerun, %s in one run", emp, got[emp], want)
			}
		}
	})
}

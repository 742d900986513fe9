package payroll

import (
	"context"
	"fmt"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/money"
)

// TestPayrollKilledHalfWay runs the payroll in a child process and kills
// it (SIGKILL) once half of the pensioners are done, then a second run
// once three quarters are done, then runs it to the end: every pensioner has
// exactly one line per month owed (arrears included), every deduction
// took one instalment, and the ledger balances once the lines are
// approved and sent. Both engines.
func TestPayrollKilledHalfWay(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes")
	}
	for engine, dsn := range childEngines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			d := openMigrated(t, dsn)
			e := newEnv(t, d)
			const n = 4000
			rs := make([]DemoRetiree, n)
			for i := range rs {
				id := int64(i + 1)
				rs[i] = DemoRetiree{PersonID: id, Name: fmt.Sprintf("退休人员%d", id), IDNumber: idNumber(id),
					Monthly: money.Fen(250000 + id), First: month("2020-01")}
				if id%10 != 0 {
					rs[i].BankCode, rs[i].BankName, rs[i].CardAccount = "ICBC", "中国工商银行", cardNo(id)
				}
			}
			if err := e.s.SeedDemo(ctx, rs); err != nil {
				t.Fatal(err)
			}
			// New retirees with arrears (three months each) and deductions.
			for id := int64(n + 1); id <= n+40; id++ {
				e.enrol(t, id, 300000, "2023-12", false)
			}
			for id := int64(1); id <= 30; id++ {
				if _, err := e.s.AddDeduction(ctx, welfare, Deduction{PersonID: id * 7, Total: 90000, Monthly: 30000,
					Start: month("2024-01"), Reason: "多发扣回"}); err != nil {
					t.Fatal(err)
				}
			}
			total := int64(n + 40)
			now := e.clk.Now()
			last := int64(0)
			for i, at := range []int64{total / 2, total * 3 / 4} {
				before := count(t, d, `SELECT COALESCE(MAX(id), 0) FROM payroll_runs`)
				c := startChild(t, dsn, "2024-02", now.Add(time.Duration(i)*(StaleAfter+time.Minute)), 200)
				waitDone(t, d, c, before, at)
				c.kill()
				lines := count(t, d, `SELECT COUNT(*) FROM payout_lines`)
				t.Logf("killed at %d of %d pensioners: %d lines", at, total, lines)
				if lines <= last || lines >= total+80 {
					t.Fatalf("kill %d was not half-way: %d lines (before %d)", i+1, lines, last)
				}
				last = lines
			}
			res := startChild(t, dsn, "2024-02", now.Add(2*(StaleAfter+time.Minute)), 200).wait(t)
			if res.Done != total {
				t.Fatalf("final run: %+v", res)
			}
			checkOnePerMonth(t, d, n, 40)
			if got := count(t, d, `SELECT COUNT(*) FROM pension_deduction_entries WHERE month = '2024-02'`); got != 30 {
				t.Fatalf("%d instalments, want 30", got)
			}
			if got := count(t, d, `SELECT COALESCE(SUM(recovered_fen), 0) FROM pension_deductions`); got != 30*30000 {
				t.Fatalf("recovered %d", got)
			}
			if got := count(t, d, `SELECT COUNT(*) FROM payroll_runs WHERE status = 'failed'`); got != 2 {
				t.Fatalf("%d interrupted runs closed, want 2", got)
			}
			approveAll(t, e)
			if _, _, err := e.p.CreateBatch(ctx, fund2, "ICBC"); err != nil {
				t.Fatal(err)
			}
			balanced(t, d)
		})
	}
}

// waitDone waits until the child's run (the first after run id before)
// has done at least k pensioners (the child must still be running).
func waitDone(t *testing.T, d *db.DB, c *child, before, k int64) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		var done int64
		_ = d.W.QueryRow(`SELECT COALESCE(MAX(done), 0) FROM payroll_runs WHERE id > $1 AND status = 'running'`, before).Scan(&done)
		if done >= k {
			return
		}
		if c.cmd.ProcessState != nil {
			t.Fatal("the child finished before it could be killed")
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatal("the child made no progress")
}

// checkOnePerMonth checks one base line per pensioner and month: one for
// 2024-02 for the long-time retirees, three (Dec–Feb) for the new ones.
func checkOnePerMonth(t *testing.T, d *db.DB, old, fresh int64) {
	t.Helper()
	if got := count(t, d, `SELECT COUNT(*) FROM (SELECT payee_id, period FROM payout_lines WHERE benefit = 'pension'
		AND status NOT IN ('cancelled', 'rejected') GROUP BY payee_id, period HAVING COUNT(*) > 1) x`); got != 0 {
		t.Fatalf("%d months paid twice", got)
	}
	if got := count(t, d, `SELECT COUNT(*) FROM payout_lines WHERE benefit = 'pension' AND period = '2024-02'`); got != old+fresh {
		t.Fatalf("%d lines for 2024-02, want %d", got, old+fresh)
	}
	if got := count(t, d, `SELECT COUNT(*) FROM payout_lines WHERE benefit = 'pension' AND period < '2024-02'`); got != 2*fresh {
		t.Fatalf("%d arrears lines, want %d", got, 2*fresh)
	}
	if got := count(t, d, `SELECT COUNT(*) FROM payout_lines WHERE benefit <> 'pension'`); got != 0 {
		t.Fatalf("%d other lines", got)
	}
}

package contribution

import (
	"strings"
	"sync"
	"testing"
	"time"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

// TestStartRunReportsProgressAndResult: a run started from the page ends
// done with every employer counted and its bills written.
func TestStartRunReportsProgressAndResult(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, false)
		e.s.batch = 1
		for i := 0; i < 3; i++ {
			e.staff(t, e.employer(t, 1, 1_000_000), "2023-06", "", 800000, 800000)
		}
		r, err := e.s.StartRun(ctxBg, clerk, "2024-01")
		if err != nil {
			t.Fatal(err)
		}
		if r.ID == 0 || r.Status != RunRunning || r.ActorName != clerk.Username {
			t.Fatalf("started: %+v", r)
		}
		e.s.Wait()
		got, err := e.s.GetRun(ctxBg, clerk, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != RunDone || got.Total != 3 || got.Done != 3 || got.Created != 3 || got.Lines != 9 ||
			got.Percent() != 100 || got.FinishedAt.IsZero() {
			t.Fatalf("finished run: %+v", got)
		}
		var bills int
		d.W.QueryRow(`SELECT COUNT(*) FROM bills WHERE fee_month = '2024-01'`).Scan(&bills)
		if bills != 3 {
			t.Fatalf("%d bills, want 3", bills)
		}
		if _, err := e.s.GetRun(ctxBg, fund, r.ID); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("fund section reads a run: %v", err)
		}
		list, err := e.s.Runs(ctxBg, clerk)
		if err != nil || len(list) != 1 || list[0].ID != r.ID {
			t.Fatalf("runs: %+v %v", list, err)
		}
	})
}

// TestRunNotStartedTwice: while a month is running (here on another
// server, or by a concurrent click) a second start is a Conflict naming
// the running run; a run whose server died is closed and a new one starts.
func TestRunNotStartedTwice(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, false)
		e.staff(t, e.employer(t, 1, 1_000_000), "2023-06", "", 800000, 800000)
		// Another server's run, with recent progress.
		_, err := d.W.Exec(`INSERT INTO assess_runs (fee_month, origin, status, server, started_at, heartbeat_at)
			VALUES ('2024-01', 'manual', 'running', 'other', $1, $1)`, testNow.Add(-time.Minute).UTC())
		if err != nil {
			t.Fatal(err)
		}
		_, err = e.s.StartRun(ctxBg, clerk, "2024-01")
		if e := errs.As(err); e == nil || e.Kind != errs.Conflict || !strings.Contains(e.Message, "正在核定中") {
			t.Fatalf("second start: %v", err)
		}
		// Its server stopped: no progress for longer than StaleAfter.
		d.W.Exec(`UPDATE assess_runs SET heartbeat_at = $1`, testNow.Add(-StaleAfter-time.Minute).UTC())
		r, err := e.s.RunMonth(ctxBg, clerk, "2024-01", OriginManual)
		if err != nil || r.Status != RunDone {
			t.Fatalf("after a stale run: %+v %v", r, err)
		}
		var failed int
		d.W.QueryRow(`SELECT COUNT(*) FROM assess_runs WHERE status = 'failed' AND error LIKE '%服务器停止%'`).Scan(&failed)
		if failed != 1 {
			t.Fatalf("stale run not closed: %d", failed)
		}
		// Two clicks at once on a month: exactly one run starts.
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, conflicts := 0, 0
		for i := 0; i < 2; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.s.StartRun(ctxBg, clerk, "2023-12")
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errs.KindOf(err) == errs.Conflict:
					conflicts++
				default:
					t.Errorf("start: %v", err)
				}
			}()
		}
		wg.Wait()
		e.s.Wait()
		var runs int
		d.W.QueryRow(`SELECT COUNT(*) FROM assess_runs WHERE fee_month = '2023-12'`).Scan(&runs)
		if ok < 1 || ok+conflicts != 2 || runs != ok {
			t.Fatalf("two clicks: %d started, %d conflicts, %d runs", ok, conflicts, runs)
		}
	})
}

// TestStartRunRefusesBadMonths: format, the future and months without
// rules are field errors on "month"; other sections are refused.
func TestStartRunRefusesBadMonths(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, false)
		for month, want := range map[string]string{"2024-1": "格式", "2024-03": "未来", "2010-01": "规则"} {
			_, err := e.s.StartRun(ctxBg, clerk, month)
			ee := errs.As(err)
			if ee == nil || ee.Kind != errs.Invalid || len(ee.Fields) != 1 || ee.Fields[0].Field != "month" ||
				!strings.Contains(ee.Fields[0].Message, want) {
				t.Errorf("%s: %v", month, err)
			}
		}
		if _, err := e.s.StartRun(ctxBg, fund, "2024-01"); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("fund section starts a run: %v", err)
		}
	})
}

// TestAssessDue: the scheduled step assesses this month from its
// assessment day (the rule: the 5th) on, once.
func TestAssessDue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, false)
		a := e.employer(t, 1, 1_000_000)
		e.staff(t, a, "2023-06", "", 800000, 800000)
		c := e.s.clock.(*clock.Fixed)
		c.Set(time.Date(2024, 2, 4, 23, 0, 0, 0, clock.Shanghai))
		if r, err := e.s.AssessDue(ctxBg); err != nil || r != nil {
			t.Fatalf("before the day: %+v %v", r, err)
		}
		c.Set(time.Date(2024, 2, 5, 1, 0, 0, 0, clock.Shanghai))
		r, err := e.s.AssessDue(ctxBg)
		if err != nil || r == nil || r.Month != "2024-02" || r.Origin != OriginScheduled || r.Status != RunDone || r.Created != 1 {
			t.Fatalf("on the day: %+v %v", r, err)
		}
		e.billOf(t, a, "2024-02")
		c.Set(time.Date(2024, 2, 6, 1, 0, 0, 0, clock.Shanghai))
		if r, err := e.s.AssessDue(ctxBg); err != nil || r != nil {
			t.Fatalf("the day after: %+v %v", r, err)
		}
	})
}

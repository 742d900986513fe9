package jobs_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/jobs"
)

func shanghai(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, clock.Shanghai)
	if err != nil {
		panic(err)
	}
	return t
}

func TestSchedules(t *testing.T) {
	cases := []struct {
		name     string
		s        jobs.Schedule
		at       string
		wantSlot string
		wantDue  bool
	}{
		{"hourly before minute", jobs.Hourly(15), "2024-02-10 09:14", "2024-02-10T09", false},
		{"hourly at minute", jobs.Hourly(15), "2024-02-10 09:15", "2024-02-10T09", true},
		{"daily before time", jobs.Daily(2, 30), "2024-02-10 02:29", "2024-02-10", false},
		{"daily at time", jobs.Daily(2, 30), "2024-02-10 02:30", "2024-02-10", true},
		{"daily catch-up later that day", jobs.Daily(2, 30), "2024-02-10 23:59", "2024-02-10", true},
		// 2024-02-10 00:30 in Shanghai is still 2024-02-09 in UTC: slots are Shanghai days.
		{"daily Shanghai date", jobs.Daily(0, 0), "2024-02-10 00:30", "2024-02-10", true},
		{"every 10 minutes", jobs.Every(10 * time.Minute), "2024-02-10 09:27", "2024-02-10T01:20:00Z", true},
	}
	for _, c := range cases {
		slot, due := c.s.Slot(shanghai(c.at))
		if slot != c.wantSlot || due != c.wantDue {
			t.Errorf("%s: Slot(%s) = %q, %v; want %q, %v", c.name, c.at, slot, due, c.wantSlot, c.wantDue)
		}
	}
}

func counter(name string, s jobs.Schedule, n *atomic.Int64) jobs.Job {
	return jobs.Job{Name: name, Schedule: s, Run: func(ctx context.Context) (string, error) {
		n.Add(1)
		return "counted", nil
	}}
}

func TestTickRunsOncePerSlot(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := clock.NewFixed(shanghai("2024-02-10 09:00"))
		r := jobs.NewRunner(d, c, nil, "server-1")
		var hourlyRuns, dailyRuns atomic.Int64
		r.Add(counter("test.hourly", jobs.Hourly(5), &hourlyRuns))
		r.Add(counter("test.daily", jobs.Daily(2, 0), &dailyRuns))
		steps := []struct {
			at            string
			hourly, daily int64
		}{
			{"2024-02-10 09:00", 0, 1}, // hourly not due before :05; daily catches up
			{"2024-02-10 09:05", 1, 1},
			{"2024-02-10 09:59", 1, 1}, // same slots: nothing runs
			{"2024-02-10 10:05", 2, 1},
			{"2024-02-11 01:04", 2, 1}, // next day: hourly not yet due in the 01 slot, daily not before 02:00
			{"2024-02-11 02:06", 3, 2},
		}
		for _, s := range steps {
			c.Set(shanghai(s.at))
			if _, err := r.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			if hourlyRuns.Load() != s.hourly || dailyRuns.Load() != s.daily {
				t.Fatalf("at %s: hourly %d daily %d, want %d %d", s.at, hourlyRuns.Load(), dailyRuns.Load(), s.hourly, s.daily)
			}
		}
		var result, server string
		var finished sql.NullTime
		err := d.R.QueryRow(`SELECT result, server, finished_at FROM job_runs WHERE name = 'test.daily' AND slot = '2024-02-11'`).
			Scan(&result, &server, &finished)
		if err != nil || result != "counted" || server != "server-1" || !finished.Valid {
			t.Fatalf("job_runs row: %q %q %v %v", result, server, finished, err)
		}
	})
}

func TestFailureAndTakeover(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := clock.NewFixed(shanghai("2024-02-10 12:00"))
		r := jobs.NewRunner(d, c, nil, "server-2")
		var calls atomic.Int64
		r.Add(jobs.Job{Name: "test.fail", Schedule: jobs.Hourly(0), Run: func(ctx context.Context) (string, error) {
			calls.Add(1)
			return "", errors.New("boom")
		}})
		r.Add(jobs.Job{Name: "test.panic", Schedule: jobs.Hourly(0), Run: func(ctx context.Context) (string, error) {
			panic("kaboom")
		}})
		var stuck, fresh atomic.Int64
		r.Add(counter("test.stuck", jobs.Hourly(0), &stuck))
		r.Add(counter("test.fresh", jobs.Hourly(0), &fresh))
		// A dead server claimed test.stuck 2 hours' lease ago and never finished;
		// a live one claimed test.fresh a minute ago and is still running it.
		ins := `INSERT INTO job_runs (name, slot, started_at, server) VALUES ($1, '2024-02-10T12', $2, 'other')`
		if _, err := d.W.Exec(ins, "test.stuck", c.Now().Add(-2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.Exec(ins, "test.fresh", c.Now().Add(-time.Minute)); err != nil {
			t.Fatal(err)
		}
		ran, err := r.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(ran) != 3 || calls.Load() != 1 || stuck.Load() != 1 || fresh.Load() != 0 {
			t.Fatalf("ran %v: fail %d stuck %d fresh %d", ran, calls.Load(), stuck.Load(), fresh.Load())
		}
		var res string
		d.R.QueryRow(`SELECT result FROM job_runs WHERE name = 'test.fail'`).Scan(&res)
		if res != "error: boom" {
			t.Errorf("failed job result %q", res)
		}
		d.R.QueryRow(`SELECT result FROM job_runs WHERE name = 'test.panic'`).Scan(&res)
		if len(res) < 20 || res[:20] != "error: panic: kaboom" {
			t.Errorf("panicking job result %q", res)
		}
		// A failed slot is not retried within the slot.
		if _, err := r.Tick(ctx); err != nil || calls.Load() != 1 {
			t.Fatalf("retried within slot: %d, %v", calls.Load(), err)
		}
	})
}

func TestPrune(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		c := clock.NewFixed(shanghai("2024-02-10 12:00"))
		ins := `INSERT INTO job_runs (name, slot, started_at, finished_at, server) VALUES ($1, 's', $2, $3, 'x')`
		old := c.Now().Add(-100 * 24 * time.Hour)
		d.W.Exec(ins, "old.done", old, old)
		d.W.Exec(ins, "old.unfinished", old, nil)
		d.W.Exec(ins, "recent", c.Now(), c.Now())
		res, err := jobs.PruneJob(d, c, 90*24*time.Hour).Run(context.Background())
		if err != nil || res != "deleted 1 old job runs" {
			t.Fatalf("prune: %q %v", res, err)
		}
	})
}

// twoHandles opens the same database twice, as two servers would.
func twoHandles(t *testing.T, engine db.Dialect) (*db.DB, *db.DB) {
	t.Helper()
	ctx := context.Background()
	var dsn string
	if engine == db.SQLite {
		dsn = filepath.Join(t.TempDir(), "shebao.db")
	} else {
		base := os.Getenv(dbtest.EnvPostgres)
		b := make([]byte, 6)
		rand.Read(b)
		schema := "t_jobs_" + hex.EncodeToString(b)
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if a, err := sql.Open("pgx", base); err == nil {
				a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
				a.Close()
			}
		})
		dsn = dbtest.WithSchema(base, schema)
	}
	var out [2]*db.DB
	for i := range out {
		d, err := db.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		if _, err := d.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		out[i] = d
	}
	return out[0], out[1]
}

// TestTwoServersRunOnce has two runners on two database handles (two
// servers) tick the same slots concurrently, many times: every slot's job
// body runs exactly once.
func TestTwoServersRunOnce(t *testing.T) {
	for _, engine := range dbtest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			d1, d2 := twoHandles(t, engine)
			c := clock.NewFixed(shanghai("2024-02-10 08:00"))
			const slots = 20
			var mu sync.Mutex
			perSlot := map[string]int{}
			job := jobs.Job{Name: "test.once", Schedule: jobs.Every(time.Minute), Run: func(ctx context.Context) (string, error) {
				slot, _ := jobs.Every(time.Minute).Slot(c.Now())
				mu.Lock()
				perSlot[slot]++
				mu.Unlock()
				time.Sleep(time.Millisecond) // widen the race window
				return "ok", nil
			}}
			runners := []*jobs.Runner{jobs.NewRunner(d1, c, nil, "s1"), jobs.NewRunner(d2, c, nil, "s2")}
			for _, r := range runners {
				r.Add(job)
			}
			for i := 0; i < slots; i++ {
				var wg sync.WaitGroup
				for g := 0; g < 6; g++ { // three goroutines per server
					wg.Add(1)
					go func(r *jobs.Runner) {
						defer wg.Done()
						if _, err := r.Tick(context.Background()); err != nil {
							t.Error(err)
						}
					}(runners[g%2])
				}
				wg.Wait()
				c.Advance(time.Minute)
			}
			if len(perSlot) != slots {
				t.Fatalf("%d slots ran, want %d", len(perSlot), slots)
			}
			for slot, n := range perSlot {
				if n != 1 {
					t.Errorf("slot %s ran %d times", slot, n)
				}
			}
			var rows int
			d1.R.QueryRow(`SELECT COUNT(*) FROM job_runs WHERE name = 'test.once' AND finished_at IS NOT NULL`).Scan(&rows)
			if rows != slots {
				t.Errorf("%d finished job_runs rows, want %d", rows, slots)
			}
		})
	}
}

// TestPerKey: each key has its own slots, so a new key (a new program
// version) is due at once in a slot another key has run.
func TestPerKey(t *testing.T) {
	at := time.Date(2024, 2, 10, 9, 0, 0, 0, clock.Shanghai)
	a, dueA := jobs.PerKey("a1", jobs.Daily(0, 0)).Slot(at)
	b, dueB := jobs.PerKey("b2", jobs.Daily(0, 0)).Slot(at)
	if a != "a1/2024-02-10" || b != "b2/2024-02-10" || !dueA || !dueB {
		t.Fatalf("slots %q %v, %q %v", a, dueA, b, dueB)
	}
	if _, due := jobs.PerKey("a1", jobs.Daily(3, 0)).Slot(at.Add(-7 * time.Hour)); due {
		t.Fatal("due before the inner schedule's time")
	}
}

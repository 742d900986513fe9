package statement_test

import (
	"database/sql"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/ident"
	"shebao/internal/person"
	"shebao/internal/personalaccount"
	"shebao/internal/statement"
)

// EnvBench names the batch sizes of TestBenchBatch, e.g. "2000,10000".
const EnvBench = "SHEBAO_BENCH_STATEMENTS"

// TestBenchBatch times a batch of statements for one employer of each
// size in SHEBAO_BENCH_STATEMENTS (each person: 12 paid months of a year
// and the account's credits), with the peak Go heap sampled every 50 ms
// and the machine's load: the heap must not grow with the batch. Nothing
// of it runs without the variable.
func TestBenchBatch(t *testing.T) {
	sizes := os.Getenv(EnvBench)
	if sizes == "" {
		t.Skip("set " + EnvBench + "=2000,10000 to measure")
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		for k, f := range strings.Split(sizes, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, d, start)
			e.seq = 200_000 * k // distinct employers and ID numbers per size
			emp := e.addEmployer(t, fmt.Sprintf("基准测试单位%d", n))
			benchStaff(t, e, emp, n)
			b, err := e.svc.CreateBatch(ctx, clerk, statement.BatchInput{Scope: statement.ScopeEmployer, EmployerNo: no(t, d, emp), Year: 2023})
			if err != nil {
				t.Fatal(err)
			}
			load0 := loadAvg()
			runtime.GC()
			peak, stop := heapPeak()
			cpu0 := cpuTime()
			t0 := time.Now()
			if err := e.svc.RunBatch(ctx, b.ID); err != nil {
				t.Fatal(err)
			}
			took := time.Since(t0)
			cpu := cpuTime() - cpu0
			heap := stop()
			got, _ := e.svc.Batch(ctx, clerk, b.ID)
			if got.Done != int64(n) {
				t.Fatalf("%d of %d statements", got.Done, n)
			}
			t.Logf("%s: %d statements in %s (%.0f/s), CPU %s (%.1f ms per statement), peak heap %.1f MB (at start %.1f MB), max RSS %s, load %s → %s",
				d.Dialect, n, took.Round(time.Millisecond), float64(n)/took.Seconds(), cpu.Round(time.Millisecond),
				float64(cpu.Microseconds())/1000/float64(n), mb(heap), mb(peak), maxRSS(), load0, loadAvg())
		}
	})
}

// benchStaff adds n employees of emp with a paid bill per month of 2023.
func benchStaff(t *testing.T, e *env, emp int64, n int) {
	t.Helper()
	list := make([]*person.Person, n)
	for i := range list {
		e.seq++
		list[i] = &person.Person{IDNumber: ident.MakeID("110108", time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, e.seq/400),
			100+2*(e.seq%400), true), Name: fmt.Sprintf("职工%05d", i), Gender: "M", BirthDate: "1960-01-01", Kind: person.Employee, Status: person.Active}
		list[i].BirthDate = list[i].IDNumber[6:10] + "-" + list[i].IDNumber[10:12] + "-" + list[i].IDNumber[12:14]
	}
	now := e.c.Now()
	var pids []int64
	err := e.d.WithTx(ctx, func(tx *sql.Tx) error {
		ids, err := person.InsertMany(ctx, tx, e.d.Dialect, list, now)
		if err != nil {
			return err
		}
		var emps []person.NewEmployment
		for _, p := range list {
			pids = append(pids, ids[p.IDNumber])
			emps = append(emps, person.NewEmployment{PersonID: ids[p.IDNumber], EmployerID: emp, StartMonth: "2023-01", Base: 600000, Declared: 600000})
		}
		_, err = person.InsertEmployments(ctx, tx, e.d.Dialect, emps, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for m := 1; m <= 12; m++ {
		month := fmt.Sprintf("2023-%02d", m)
		var bill int64
		if err := e.d.W.QueryRowContext(ctx, `INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status, total_fen,
			paid_fen, flags, assessed_at) VALUES ($1, 'employer', $2, $3, 'paid', 0, 0, '', $4) RETURNING id`,
			fmt.Sprintf("BB%s-%d", month, emp), emp, month, now).Scan(&bill); err != nil {
			t.Fatal(err)
		}
		err := e.d.WithTx(ctx, func(tx *sql.Tx) error {
			return db.BulkInsert(ctx, tx, e.d.Dialect, db.Insert{Table: "bill_lines",
				Columns: []db.Column{{Name: "bill_id", Type: db.BigInt}, {Name: "person_id", Type: db.BigInt}, {Name: "fee_month", Type: db.Text},
					{Name: "scheme", Type: db.Text}, {Name: "base_fen", Type: db.BigInt}, {Name: "declared_base_fen", Type: db.BigInt},
					{Name: "employer_rate_ppm", Type: db.BigInt}, {Name: "individual_rate_ppm", Type: db.BigInt},
					{Name: "employer_fen", Type: db.BigInt}, {Name: "individual_fen", Type: db.BigInt}},
				Rows: len(pids),
				Row: func(i int) []any {
					return []any{bill, pids[i], month, "pension", 600000, 600000, 160000, 80000, 96000, 48000}
				}})
		})
		if err != nil {
			t.Fatal(err)
		}
		on := time.Date(2023, time.Month(m), 20, 2, 0, 0, 0, time.UTC)
		if err := e.d.WithTx(ctx, func(tx *sql.Tx) error { return creditPaid(tx, e.d.Dialect, bill, on) }); err != nil {
			t.Fatal(err)
		}
	}
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

// heapPeak samples the Go heap until stop is called, which returns the
// highest value seen; peak is the heap at the start.
func heapPeak() (uint64, func() uint64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	start := ms.HeapAlloc
	var mu sync.Mutex
	high := start
	done := make(chan struct{})
	go func() {
		tk := time.NewTicker(50 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-done:
				return
			case <-tk.C:
				var m runtime.MemStats
				runtime.ReadMemStats(&m)
				mu.Lock()
				high = max(high, m.HeapAlloc)
				mu.Unlock()
			}
		}
	}()
	return start, func() uint64 {
		close(done)
		mu.Lock()
		defer mu.Unlock()
		return high
	}
}

func maxRSS() string {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return "?"
	}
	return fmt.Sprintf("%.0f MB", float64(ru.Maxrss)/1024)
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

func creditPaid(tx *sql.Tx, dialect db.Dialect, bill int64, on time.Time) error {
	return personalaccount.CreditPaidBills(ctx, tx, dialect, []int64{bill}, on)
}

// cpuTime is the user and system CPU time of this process so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

package payroll

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/payout"
)

// The child process of the kill test and the benchmark: it opens the
// database named by SHEBAO_PAYROLL_DSN and runs the payroll of
// SHEBAO_PAYROLL_MONTH, printing "started" first and, when it finishes,
// one JSON line with its time and peak memory.
func TestMain(m *testing.M) {
	if dsn := os.Getenv("SHEBAO_PAYROLL_DSN"); dsn != "" {
		os.Exit(payrollChild(dsn))
	}
	os.Exit(m.Run())
}

// childResult is what the child reports.
type childResult struct {
	Millis   int64 `json:"ms"`
	MaxRSSKB int64 `json:"maxrss_kb"`
	Created  int64 `json:"created"`
	Done     int64 `json:"done"`
	// PeakHeapKB is the largest Go heap in use seen (sampled every 50 ms).
	PeakHeapKB int64 `json:"peak_heap_kb"`
}

func payrollChild(dsn string) int {
	ctx := context.Background()
	d, err := db.Open(ctx, dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer d.Close()
	at, _ := time.Parse(time.RFC3339, os.Getenv("SHEBAO_PAYROLL_NOW"))
	clk := clock.NewFixed(at)
	au := audit.NewService(d, clk)
	s := NewService(d, clk, au, payout.NewService(d, clk, au, nil), nil)
	if c, err := strconv.Atoi(os.Getenv("SHEBAO_PAYROLL_CHUNK")); err == nil && c > 0 {
		s.Chunk = c
	}
	if path := os.Getenv("SHEBAO_PAYROLL_CPUPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			_ = pprof.StartCPUProfile(f)
			defer pprof.StopCPUProfile()
		}
	}
	fmt.Println("started")
	var peakHeap uint64
	stop := make(chan struct{})
	go func() {
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(50 * time.Millisecond):
				runtime.ReadMemStats(&ms)
				peakHeap = max(peakHeap, ms.HeapInuse)
			}
		}
	}()
	start := time.Now()
	r, err := s.RunMonth(ctx, fund1, month(os.Getenv("SHEBAO_PAYROLL_MONTH")))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if path := os.Getenv("SHEBAO_PAYROLL_MEMPROFILE"); path != "" {
		if f, err := os.Create(path); err == nil {
			_ = pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	close(stop)
	out, _ := json.Marshal(childResult{Millis: time.Since(start).Milliseconds(), MaxRSSKB: peakRSS(), Created: r.Created, Done: r.Done,
		PeakHeapKB: int64(peakHeap / 1024)})
	fmt.Println(string(out))
	return 0
}

// peakRSS is the process's peak resident memory in KB (VmHWM). Not
// getrusage's maxrss: that survives exec and so includes the parent's
// memory shared at the fork.
func peakRSS() int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return n
		}
	}
	return -1
}

// childEngines returns a DSN per engine for a database a child process
// can open too (migrated by the caller).
func childEngines(t testing.TB) map[string]string {
	out := map[string]string{"sqlite": filepath.Join(t.TempDir(), "payroll.db")}
	if base := os.Getenv(dbtest.EnvPostgres); base != "" {
		schema := fmt.Sprintf("payroll_%d", time.Now().UnixNano())
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); admin.Close() })
		out["postgres"] = dbtest.WithSchema(base, schema)
	}
	return out
}

// openMigrated opens dsn and migrates it, closed when the test ends.
func openMigrated(t testing.TB, dsn string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// child is one payroll process.
type child struct {
	cmd *exec.Cmd
	out *os.File
}

// startChild starts the payroll of month in a child process at now and
// returns once it printed "started".
func startChild(t testing.TB, dsn, month string, now time.Time, chunk int) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), "SHEBAO_PAYROLL_DSN="+dsn, "SHEBAO_PAYROLL_MONTH="+month,
		"SHEBAO_PAYROLL_NOW="+now.Format(time.RFC3339), "SHEBAO_PAYROLL_CHUNK="+strconv.Itoa(chunk))
	cmd.Stderr = os.Stderr
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	buf := make([]byte, 8)
	if _, err := r.Read(buf); err != nil {
		t.Fatalf("child: %v", err)
	}
	return &child{cmd: cmd, out: r}
}

// wait waits for the child and returns what it reported.
func (c *child) wait(t testing.TB) childResult {
	t.Helper()
	var res childResult
	dec := json.NewDecoder(c.out)
	if err := dec.Decode(&res); err != nil {
		t.Fatalf("child report: %v", err)
	}
	if err := c.cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	return res
}

// kill sends SIGKILL and waits for the child to die.
func (c *child) kill() {
	_ = c.cmd.Process.Signal(syscall.SIGKILL)
	_ = c.cmd.Wait()
	c.out.Close()
}

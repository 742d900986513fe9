package payout

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/money"
)

// The child process of TestKilledMidway: it opens the database named by
// SHEBAO_KILL_DSN and makes the batch or imports the return file, and is
// killed with SIGKILL somewhere in the middle.
func TestMain(m *testing.M) {
	if step := os.Getenv("SHEBAO_KILL_STEP"); step != "" {
		os.Exit(killChild(step))
	}
	os.Exit(m.Run())
}

func killChild(step string) int {
	ctx := context.Background()
	d, err := db.Open(ctx, os.Getenv("SHEBAO_KILL_DSN"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	clk := clock.NewFixed(time.Date(2024, 2, 20, 2, 0, 0, 0, time.UTC))
	s := NewService(d, clk, audit.NewService(d, clk), nil)
	fmt.Println("started")
	switch step {
	case "batch":
		_, _, err = s.CreateBatch(ctx, fund2, "ICBC")
	case "return":
		var data []byte
		if data, err = os.ReadFile(os.Getenv("SHEBAO_KILL_FILE")); err == nil {
			id, _ := strconv.ParseInt(os.Getenv("SHEBAO_KILL_BATCH"), 10, 64)
			_, err = s.ImportReturn(ctx, fund2, id, "return.csv", data)
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// killedEngines returns a DSN per engine for a database migrated here,
// which a child process can open too.
func killedEngines(t *testing.T) map[string]string {
	out := map[string]string{"sqlite": filepath.Join(t.TempDir(), "kill.db")}
	if base := os.Getenv(dbtest.EnvPostgres); base != "" {
		schema := fmt.Sprintf("kill_%d", time.Now().UnixNano())
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

// TestKilledMidway kills (SIGKILL) a process making the bank batch and
// one importing its return file at several moments, then runs the step
// again: every line ends in exactly one batch, answered exactly once, paid
// once, and the ledger balances.
func TestKilledMidway(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes")
	}
	for engine, dsn := range killedEngines(t) {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			d, err := db.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if _, err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, d)
			const n = 6000
			reqs := make([]Request, n)
			for i := range reqs {
				reqs[i] = pensionReq(int64(i+1), "2024-02", money.Fen(100000+i))
			}
			err = d.WithTx(ctx, func(tx *sql.Tx) error { _, err := e.s.PrepareBulk(ctx, tx, welfare, reqs); return err })
			if err != nil {
				t.Fatal(err)
			}
			ids, _ := e.s.PreparedIDs(ctx, fund1, Filter{})
			if _, err := e.s.Approve(ctx, fund1, ids, ""); err != nil {
				t.Fatal(err)
			}
			for _, delay := range []time.Duration{5 * time.Millisecond, 60 * time.Millisecond} {
				killAfter(t, dsn, "batch", "", delay)
			}
			if count(t, d, `SELECT COUNT(*) FROM payout_batches`) == 0 {
				if _, _, err := e.s.CreateBatch(ctx, fund2, "ICBC"); err != nil {
					t.Fatal(err)
				}
			}
			if n := count(t, d, `SELECT COUNT(*) FROM payout_batches`); n != 1 {
				t.Fatalf("%d batches", n)
			}
			batch := count(t, d, `SELECT id FROM payout_batches`)
			if c := count(t, d, `SELECT COUNT(*) FROM `+shownLines+` WHERE m.batch_id = $1 AND `+shownStatus+` = 'in_file'`, batch); c != n {
				t.Fatalf("%d lines in the batch", c)
			}
			checkLedger(t, d)
			os.Setenv("SHEBAO_KILL_BATCH", strconv.FormatInt(batch, 10))
			ret, err := e.s.SimulatedReturn(ctx, fund2, batch, map[int64]string{ids[0]: "账户冻结"})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "return.csv")
			os.WriteFile(path, ret.Data, 0o600)
			for _, delay := range []time.Duration{5 * time.Millisecond, 80 * time.Millisecond} {
				killAfter(t, dsn, "return", path, delay)
			}
			res, err := e.s.ImportReturn(ctx, fund2, batch, "return.csv", ret.Data)
			if err != nil {
				t.Fatal(err)
			}
			if res.Paid+res.Failed != n {
				t.Fatalf("return %+v", res)
			}
			if c := count(t, d, `SELECT COUNT(*) FROM payout_lines WHERE status = 'paid'`); c != n-1 {
				t.Fatalf("%d paid", c)
			}
			if c := count(t, d, `SELECT COUNT(*) FROM payout_returns`); c != 1 {
				t.Fatalf("%d returns recorded", c)
			}
			if c := count(t, d, `SELECT COUNT(*) FROM payout_postings WHERE kind = 'paid'`); c != 1 {
				t.Fatalf("%d paid postings", c)
			}
			checkLedger(t, d)
		})
	}
}

// killAfter starts the child for step and kills it with SIGKILL delay
// after it started (or lets it finish if it is quicker).
func killAfter(t *testing.T, dsn, step, file string, delay time.Duration) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "SHEBAO_KILL_STEP="+step, "SHEBAO_KILL_DSN="+dsn, "SHEBAO_KILL_FILE="+file)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	out.Read(buf) // "started"
	time.Sleep(delay)
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	t.Logf("%s killed after %s (%s)", step, delay, strconv.Quote(cmd.ProcessState.String()))
}

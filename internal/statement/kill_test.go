package statement_test

import (
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
	"shebao/internal/notify"
	"shebao/internal/person"
	"shebao/internal/statement"
)

// The child process of TestBatchKilledAndResumed: it opens the database
// named by SHEBAO_KILL_DSN and runs the batch SHEBAO_KILL_BATCH, until the
// parent kills it with SIGKILL.
func TestMain(m *testing.M) {
	if id := os.Getenv("SHEBAO_KILL_BATCH"); id != "" {
		os.Exit(killChild(id))
	}
	os.Exit(m.Run())
}

func killChild(idText string) int {
	d, err := db.Open(ctx, os.Getenv("SHEBAO_KILL_DSN"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	c := clock.NewFixed(start)
	s := statement.NewService(d, c, audit.NewService(d, c), notify.NewService(d, c), statement.Options{BaseURL: "https://sb.example", Workers: 1})
	id, _ := strconv.ParseInt(idText, 10, 64)
	fmt.Println("started")
	if err := s.RunBatch(ctx, id); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// killedEngines returns a DSN per engine for a database that a child
// process can open too.
func killedEngines(t *testing.T) map[string]string {
	out := map[string]string{"sqlite": filepath.Join(t.TempDir(), "kill.db")}
	if base := os.Getenv(dbtest.EnvPostgres); base != "" {
		schema := fmt.Sprintf("stmt_kill_%d", time.Now().UnixNano())
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

func count(t *testing.T, d *db.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := d.Read().QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A batch whose process is killed (SIGKILL) part-way is resumed by
// another: the statements written before the kill are kept as they were
// (same verification codes), the others are written once, and each person
// with an address gets exactly one mail.
func TestBatchKilledAndResumed(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a child process")
	}
	for engine, dsn := range killedEngines(t) {
		t.Run(engine, func(t *testing.T) {
			d, err := db.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			if _, err := d.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			e := newEnv(t, d, start)
			emp := e.addEmployer(t, "北京示例科技有限公司")
			const n = 120
			var staff []*person.Person
			for i := range n {
				p := e.addPerson(t, fmt.Sprintf("职工%03d", i), person.Employee, emp)
				e.addMail(t, p, fmt.Sprintf("p%03d@example.com", i))
				staff = append(staff, p)
			}
			e.payBill(t, emp, "2023-05", "", staff...)
			b, err := e.svc.CreateBatch(ctx, clerk, statement.BatchInput{Scope: statement.ScopeEmployer, EmployerNo: no(t, d, emp), Year: 2023, Mail: true})
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(os.Args[0], "-test.run=^$")
			cmd.Env = append(os.Environ(), "SHEBAO_KILL_BATCH="+strconv.FormatInt(b.ID, 10), "SHEBAO_KILL_DSN="+dsn)
			out, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 8)
			out.Read(buf) // "started"
			deadline := time.Now().Add(2 * time.Minute)
			for count(t, d, `SELECT COUNT(*) FROM statements`) < 10 && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
			before := map[int64]string{}
			rows, err := d.Read().QueryContext(ctx, `SELECT seq, code FROM statements WHERE batch_id = $1`, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var seq int64
				var code string
				rows.Scan(&seq, &code)
				before[seq] = code
			}
			rows.Close()
			if len(before) == 0 || len(before) >= n {
				t.Fatalf("killed after %d of %d statements: not part-way", len(before), n)
			}
			t.Logf("killed after %d of %d statements", len(before), n)
			if mailed := count(t, d, `SELECT COUNT(*) FROM outbox WHERE channel = 'email'`); mailed != int64(len(before)) {
				t.Fatalf("%d mails queued for %d statements", mailed, len(before))
			}
			if got, _ := e.svc.Batch(ctx, clerk, b.ID); got.Status != statement.Running {
				t.Fatalf("killed batch is %s", got.Status)
			}
			if err := e.svc.RunBatch(ctx, b.ID); err == nil {
				t.Fatal("a batch running elsewhere was taken over before it went stale")
			}
			e.c.Set(start.Add(statement.StaleAfter + time.Second))
			if res, err := e.svc.ResumeDue(ctx); err != nil {
				t.Fatal(res, err)
			}
			got, err := e.svc.Batch(ctx, clerk, b.ID)
			if err != nil || got.Status != statement.Done || got.Done != n || got.Mailed != n {
				t.Fatalf("resumed batch %+v %v", got, err)
			}
			if c := count(t, d, `SELECT COUNT(DISTINCT seq) FROM statements WHERE batch_id = $1`, b.ID); c != n {
				t.Fatalf("%d statements", c)
			}
			for seq, code := range before {
				var now string
				d.Read().QueryRowContext(ctx, `SELECT code FROM statements WHERE batch_id = $1 AND seq = $2`, b.ID, seq).Scan(&now)
				if now != code {
					t.Fatalf("statement %d was made again", seq)
				}
			}
			if c := count(t, d, `SELECT COUNT(*) FROM outbox WHERE channel = 'email'`); c != n {
				t.Fatalf("%d mails for %d persons", c, n)
			}
			if c := count(t, d, `SELECT COUNT(DISTINCT recipient) FROM outbox WHERE channel = 'email'`); c != n {
				t.Fatalf("%d addresses mailed", c)
			}
		})
	}
}

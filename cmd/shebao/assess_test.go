package main

import (
	"context"
	"database/sql"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/app"
	"shebao/internal/db/dbtest"
)

// TestAssessKillAndRerun builds the binary, starts `shebao assess` on a
// demo district, kills it (SIGKILL) once some bills exist, runs it again
// and checks: exactly one bill per employer with staff in the month, and
// every bill's totals equal a fresh computation of its lines.
func TestAssessKillAndRerun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "shebao")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	engines := map[string][]string{"sqlite": {"--data", filepath.Join(t.TempDir(), "data")}}
	if base := os.Getenv(dbtest.EnvPostgres); base != "" {
		// --data too: the command keeps its files (audit key, documents)
		// there, and the default is the working directory's data/.
		engines["postgres"] = []string{"--db", freshSchema(t, base), "--data", t.TempDir()}
	}
	for name, where := range engines {
		t.Run(name, func(t *testing.T) { killAndRerun(t, bin, where) })
	}
}

// freshSchema creates an empty schema and returns its URL.
func freshSchema(t *testing.T, base string) string {
	adm, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer adm.Close()
	schema := "t_assess_" + strings.ReplaceAll(time.Now().Format("150405.000000"), ".", "")
	if _, err := adm.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if a, err := sql.Open("pgx", base); err == nil {
			a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			a.Close()
		}
	})
	return dbtest.WithSchema(base, schema)
}

func killAndRerun(t *testing.T, bin string, where []string) {
	ctx := context.Background()
	common := append([]string{"--now", "2024-02-10"}, where...)
	if err := runDemo(ctx, append([]string{"--employers", "300", "--persons", "6000", "--months", "0"}, common...)); err != nil {
		t.Fatal(err)
	}
	cfg := app.Config{DataDir: flagValue(where, "--data"), DBURL: flagValue(where, "--db"), LogOut: io.Discard}
	a, err := app.Open(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var withStaff int
	a.DB.R.QueryRow(`SELECT COUNT(DISTINCT employer_id) FROM employments
		WHERE start_month <= '2024-01' AND (end_month IS NULL OR end_month >= '2024-01')`).Scan(&withStaff)
	count := func() (n int) {
		a.DB.R.QueryRow(`SELECT COUNT(*) FROM bills WHERE fee_month = '2024-01'`).Scan(&n)
		return n
	}
	args := append([]string{"assess", "--month", "2024-01", "--batch", "3"}, common...)
	killed := false
	for attempt := 0; attempt < 3 && !killed; attempt++ {
		cmd := exec.Command(bin, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
	poll:
		for {
			select {
			case <-done:
				break poll
			case <-time.After(2 * time.Millisecond):
				if n := count(); n >= 30 && n < withStaff {
					cmd.Process.Kill()
					<-done
					killed = true
					break poll
				}
			}
		}
	}
	if !killed {
		t.Fatal("the run finished before it could be killed three times")
	}
	half := count()
	t.Logf("killed with %d of %d bills", half, withStaff)
	if half >= withStaff {
		t.Fatalf("kill came too late: %d bills", half)
	}
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("rerun: %v\n%s", err, out)
	}
	if n := count(); n != withStaff {
		t.Fatalf("%d bills after the rerun, want %d", n, withStaff)
	}
	var dup int
	a.DB.R.QueryRow(`SELECT COUNT(*) FROM (SELECT employer_id FROM bills WHERE fee_month = '2024-01'
		GROUP BY employer_id HAVING COUNT(*) > 1) x`).Scan(&dup)
	if dup != 0 {
		t.Fatalf("%d employers with more than one bill", dup)
	}
	// Totals equal a fresh computation: a third run in process recomputes
	// every draft; nothing may move.
	before := totals(t, a.DB.R)
	if _, err := a.Contribution.AssessMonth(ctx, access.System, "2024-01", nil); err != nil {
		t.Fatal(err)
	}
	after := totals(t, a.DB.R)
	if len(before) != withStaff || len(after) != len(before) {
		t.Fatalf("%d / %d bills", len(before), len(after))
	}
	for id, tot := range before {
		if after[id] != tot {
			t.Errorf("bill %d: %v after the kill and rerun, %v fresh", id, tot, after[id])
		}
	}
	var bad int
	a.DB.R.QueryRow(`SELECT COUNT(*) FROM bills b WHERE b.fee_month = '2024-01' AND b.total_fen <>
		(SELECT COALESCE(SUM(employer_fen + individual_fen), 0) FROM bill_lines l WHERE l.bill_id = b.id)`).Scan(&bad)
	if bad != 0 {
		t.Errorf("%d bills whose total is not the sum of their lines", bad)
	}
}

type billTotals struct{ employer, individual, lines int64 }

func totals(t *testing.T, q interface {
	Query(string, ...any) (*sql.Rows, error)
}) map[int64]billTotals {
	rows, err := q.Query(`SELECT b.id, b.employer_fen, b.individual_fen,
		(SELECT COUNT(*) FROM bill_lines l WHERE l.bill_id = b.id) FROM bills b WHERE b.fee_month = '2024-01'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]billTotals{}
	for rows.Next() {
		var id int64
		var x billTotals
		if err := rows.Scan(&id, &x.employer, &x.individual, &x.lines); err != nil {
			t.Fatal(err)
		}
		out[id] = x
	}
	return out
}

func flagValue(args []string, name string) string {
	for i := 0; i+1 < len(args); i++ {
		if args[i] == name {
			return args[i+1]
		}
	}
	return ""
}

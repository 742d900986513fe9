package death

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/payout"
	"shebao/internal/payroll"
	"shebao/internal/policy"
)

// benchPersons sizes BenchmarkCivilMatch (a tenth of them die, half of
// those retirees in pay): `go test -bench CivilMatch -args -persons 20000`
// develops at a small scale.
var benchPersons = flag.Int("persons", 1_000_000, "insured persons of BenchmarkCivilMatch")

// benchPayroll stops pensions through the payroll as the application does.
type benchPayroll struct{ p *payroll.Service }

func (b benchPayroll) StopDeathTx(ctx context.Context, tx *sql.Tx, personID int64, last clock.Month, reason string) (Stop, error) {
	res, err := b.p.StopTx(ctx, tx, access.System, personID, payroll.Stop{Last: last, Kind: payroll.StopDeath, Reason: reason})
	if errs.KindOf(err) == errs.NotFound {
		return Stop{}, nil
	}
	if err != nil {
		return Stop{}, err
	}
	return Stop{Overpaid: res.Overpaid, Months: len(res.Months)}, nil
}

func (b benchPayroll) StopDeathsTx(ctx context.Context, tx *sql.Tx, lasts map[int64]clock.Month, reason string) (map[int64]Stop, error) {
	items := make([]payroll.StopItem, 0, len(lasts))
	for id, m := range lasts {
		items = append(items, payroll.StopItem{PersonID: id, Last: m})
	}
	res, err := b.p.StopManyTx(ctx, tx, access.System, payroll.StopDeath, reason, items)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]Stop, len(res))
	for id, r := range res {
		out[id] = Stop{Overpaid: r.Overpaid, Months: len(r.Months)}
	}
	return out, nil
}

// BenchmarkCivilMatch imports a civil-affairs register against persons
// insured persons on PostgreSQL: persons/10 deaths (half of them retirees
// in pay, whose pensions were paid for two months after the death, so the
// stops compute overpayments), plus persons/2000 name mismatches and
// persons/2000 unknown ID numbers for the review queue. The target is
// under 10 s for 100,000 deaths against 1,000,000 persons.
//
// The data live in a persistent schema bench_death_<persons> of the
// database SHEBAO_TEST_POSTGRES names: seeded once (run with -seed-only
// outside the quiet-machine lock), reused afterwards, and the tables the
// import changes are put back before each timed run.
func BenchmarkCivilMatch(b *testing.B) {
	if !hasPostgres() {
		b.Skip("PostgreSQL not configured")
	}
	n := *benchPersons
	d := benchDeathDB(b, n)
	e := newEnv(b, d)
	e.pol.SetCacheTTL(policy.DefaultCacheTTL) // as in production
	e.s.payroll = benchPayroll{payroll.NewService(d, e.clk, audit.NewService(d, e.clk), e.po, nil)}
	file := seedCivil(b, e, n)
	if *benchSeedOnly {
		b.Skip("seeded")
	}
	var split phaseSplit
	e.s.lap = split.lap
	for range b.N {
		b.StopTimer()
		resetCivil(b, d)
		b.StartTimer()
		var walBefore string
		if err := d.W.QueryRowContext(ctxBg, `SELECT pg_current_wal_lsn()::text`).Scan(&walBefore); err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		split.start(start)
		res, err := e.s.ImportCivil(ctxBg, e.c1, "民政死亡名单.csv", file)
		el := time.Since(start)
		split.lap("finish and commit")
		b.StopTimer()
		if err != nil {
			b.Fatalf("%v %+v", err, res)
		}
		if res.Applied != n/10 || res.Review != 2*(n/2000) {
			b.Fatalf("applied %d of %d, review %d of %d", res.Applied, n/10, res.Review, 2*(n/2000))
		}
		var stopped, overpaid, months int64
		if err := d.W.QueryRowContext(ctxBg, `SELECT COUNT(*) FROM pensioners WHERE status = 'stopped'`).Scan(&stopped); err != nil || stopped != int64(n/20) {
			b.Fatalf("stopped %d of %d: %v", stopped, n/20, err)
		}
		if err := d.W.QueryRowContext(ctxBg, `SELECT COALESCE(SUM(overpaid_fen), 0), COALESCE(SUM(overpaid_months), 0) FROM deaths
			WHERE recovery = 'open'`).Scan(&overpaid, &months); err != nil || months != int64(2*(n/20)) || overpaid != months*benchMonthly {
			b.Fatalf("overpaid %d fen over %d months (want %d months): %v", overpaid, months, 2*(n/20), err)
		}
		var wal int64
		if err := d.W.QueryRowContext(ctxBg, `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::bigint`, walBefore).Scan(&wal); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(el.Seconds(), "s/import")
		b.ReportMetric(float64(wal)/1e6, "MB-WAL/import")
		b.Logf("%d deaths against %d persons: %d pensions stopped, %d months overpaid (%s 元), %d to review: %v; %s",
			n/10, n, stopped, months, money.Fen(overpaid).String(), res.Review, el, &split)
	}
}

// phaseSplit times the phases of one import.
type phaseSplit struct {
	last  time.Time
	parts []string
}

func (p *phaseSplit) start(t time.Time) { p.last, p.parts = t, nil }

func (p *phaseSplit) lap(phase string) {
	now := time.Now()
	p.parts = append(p.parts, fmt.Sprintf("%s %.2f s", phase, now.Sub(p.last).Seconds()))
	p.last = now
}

func (p *phaseSplit) String() string { return strings.Join(p.parts, ", ") }

var benchSeedOnly = flag.Bool("seed-only", false, "BenchmarkCivilMatch: seed the persistent schema and stop")

// benchMonthly is every bench pensioner's monthly pension.
const benchMonthly = 350_000

// benchDeathDB opens (creating it when missing) the persistent schema
// bench_death_<n> and migrates it.
func benchDeathDB(b *testing.B, n int) *db.DB {
	b.Helper()
	base := os.Getenv(dbtest.EnvPostgres)
	schema := fmt.Sprintf("bench_death_%d", n)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA IF NOT EXISTS ` + schema); err != nil {
		b.Fatal(err)
	}
	d, err := db.Open(ctxBg, dbtest.WithSchema(base, schema))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(ctxBg); err != nil {
		b.Fatal(err)
	}
	return d
}

// resetCivil puts back what an import changed: no imports or deaths, the
// persons living, the pensions in pay, no stop events. The audit log is
// append-only and keeps growing.
func resetCivil(b *testing.B, d *db.DB) {
	b.Helper()
	for _, q := range []string{
		`DELETE FROM civil_records`, `DELETE FROM civil_imports`, `DELETE FROM deaths`,
		`UPDATE persons SET status = 'active' WHERE status = 'deceased'`,
		`UPDATE pensioners SET status = 'active', last_month = '', stop_kind = '', stop_reason = '' WHERE status <> 'active'`,
		`DELETE FROM pensioner_events WHERE kind = 'stop'`,
		`VACUUM ANALYZE civil_records`, `VACUUM ANALYZE civil_imports`, `VACUUM ANALYZE deaths`, `VACUUM ANALYZE persons`,
		`VACUUM ANALYZE pensioners`, `VACUUM ANALYZE pensioner_events`,
	} {
		if _, err := d.W.ExecContext(ctxBg, q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
}

func hasPostgres() bool {
	for _, e := range dbtest.Engines() {
		if e == db.Postgres {
			return true
		}
	}
	return false
}

// seedCivil loads n persons (every tenth a retiree in pay, paid from
// January to May; one in twenty retirees and one in twenty others listed
// as dead in March) unless the schema has them already, and returns the
// register file: the deaths, plus a wrong name for every 2000th person
// (from 15) and n/2000 ID numbers nobody has.
func seedCivil(b *testing.B, e *env, n int) []byte {
	b.Helper()
	birth := time.Date(1940, 1, 1, 0, 0, 0, 0, time.UTC)
	idn := func(i int) string {
		return ident.MakeID("110105", birth.AddDate(0, 0, i%18000), 2*(i/18000)+1, i%2 == 0)
	}
	name := func(i int) string { return fmt.Sprintf("民%07d", i) }
	dead := func(i int) bool { return i%20 == 0 || i%20 == 5 }
	var have int
	if err := e.d.W.QueryRowContext(ctxBg, `SELECT COUNT(*) FROM persons`).Scan(&have); err != nil {
		b.Fatal(err)
	}
	if have != n {
		if have != 0 {
			b.Fatalf("schema holds %d persons, want 0 or %d: drop it", have, n)
		}
		seedPersons(b, e, n, idn, name, birth)
	}
	var csv bytes.Buffer
	csv.WriteString("公民身份号码,姓名,死亡日期,死亡证明或火化证明编号\n")
	for i := range n {
		switch {
		case dead(i):
			fmt.Fprintf(&csv, "%s,%s,2026-03-%02d,HH%08d\n", idn(i), name(i), i%28+1, i)
		case i%2000 == 15:
			fmt.Fprintf(&csv, "%s,%s,2026-03-01,HM%08d\n", idn(i), "某"+name(i), i)
		}
	}
	for k := range n / 2000 {
		fmt.Fprintf(&csv, "%s,无名,2026-03-02,HU%08d\n", ident.MakeID("110106", birth.AddDate(0, 0, k%18000), 2*(k/18000)+1, true), k)
	}
	if csv.Len() == 0 {
		b.Fatal(errors.New("empty file"))
	}
	return csv.Bytes()
}

// seedPersons loads the persons, the retirees' pensions and their paid
// pension lines of January to May.
func seedPersons(b *testing.B, e *env, n int, idn, name func(int) string, birth time.Time) {
	kind := func(i int) string {
		if i%10 == 0 {
			return "retiree"
		}
		return "employee"
	}
	cols := []db.Column{{Name: "id_number", Type: db.Text}, {Name: "name", Type: db.Text}, {Name: "gender", Type: db.Text},
		{Name: "birth_date", Type: db.Text}, {Name: "kind", Type: db.Text}, {Name: "created_at", Type: db.Timestamp}, {Name: "updated_at", Type: db.Timestamp}}
	err := e.d.Load(ctxBg, db.Insert{Table: "persons", Columns: cols, Rows: n, Row: func(i int) []any {
		g := "F"
		if i%2 == 0 {
			g = "M"
		}
		return []any{idn(i), name(i), g, birth.AddDate(0, 0, i%18000).Format("2006-01-02"), kind(i), testNow, testNow}
	}})
	if err != nil {
		b.Fatal(err)
	}
	var rs []payroll.DemoRetiree
	rows, err := e.d.W.QueryContext(ctxBg, `SELECT id, id_number, name FROM persons WHERE kind = 'retiree' ORDER BY id`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var r payroll.DemoRetiree
		if err := rows.Scan(&r.PersonID, &r.IDNumber, &r.Name); err != nil {
			b.Fatal(err)
		}
		r.Monthly, r.First = money.Fen(benchMonthly), clock.Month{Year: 2020, Mon: 1}
		rs = append(rs, r)
	}
	rows.Close()
	au := audit.NewService(e.d, e.clk)
	if err := payroll.NewService(e.d, e.clk, au, e.po, nil).SeedDemo(ctxBg, rs); err != nil {
		b.Fatal(err)
	}
	const months = 5 // 2026-01 … 2026-05, paid
	loadPensionLines(b, e.d, len(rs)*months, func(i int) (int64, string, money.Fen, string, string) {
		r := rs[i/months]
		return r.PersonID, r.Name, r.Monthly, clock.Month{Year: 2026, Mon: time.Month(1 + i%months)}.String(), payout.Paid
	})
	if _, err := e.d.W.ExecContext(ctxBg, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

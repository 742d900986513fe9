package payroll

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/money"
	"shebao/internal/payout"
)

// BenchmarkPayroll runs a month's payroll for many retirees (300,000 on
// PostgreSQL, 30,000 on SQLite; SHEBAO_BENCH_RETIREES overrides) in a
// child process that reports its time and peak memory (maxrss), compares
// it with one set-based INSERT … SELECT making the same lines in the same
// table (rolled back; both line sets must be identical), then approves
// the lines, writes the bank file (CSV/GBK) and imports its return file.
// Every figure is printed with the machine's load average.
//
//	SHEBAO_TEST_POSTGRES=postgres://… go test -run '^$' -bench BenchmarkPayroll -benchtime 1x ./internal/payroll/
func BenchmarkPayroll(b *testing.B) {
	for engine, dsn := range childEngines(b) {
		b.Run(engine, func(b *testing.B) {
			n := 30_000
			if engine == "postgres" {
				n = 300_000
			}
			if v, err := strconv.Atoi(os.Getenv("SHEBAO_BENCH_RETIREES")); err == nil && v > 0 {
				n = v
			}
			for i := 0; i < b.N; i++ {
				benchPayroll(b, dsn+benchSuffix(engine, i), engine, n)
			}
		})
	}
}

// benchSuffix gives each iteration on SQLite its own file.
func benchSuffix(engine string, i int) string {
	if engine == "sqlite" && i > 0 {
		return "." + strconv.Itoa(i)
	}
	return ""
}

func benchPayroll(b *testing.B, dsn, engine string, n int) {
	ctx := context.Background()
	d := openMigrated(b, dsn)
	e := newEnv(b, d)
	if engine == "postgres" && benchHasLines(b, d) {
		b.Skip("one iteration per schema on PostgreSQL: run with -benchtime 1x")
	}
	if _, err := e.s.AddAdjustment(ctx, fund1, Adjustment{Effective: month("2023-07"), RetiredBefore: month("2023-07"),
		Rate: money.MustPercent("3.8"), Fixed: 1500, Basis: "人社部发〔2023〕1号"}); err != nil {
		b.Fatal(err)
	}
	seedBench(b, e, n)
	pay := "2024-02"

	stmt, stmtSum := benchStatement(b, d, pay)
	report(b, engine, "set-based INSERT … SELECT (rolled back)", stmt, fmt.Sprintf("%d lines", stmtSum.lines))

	c := startChild(b, dsn, pay, e.clk.Now(), 0)
	res := c.wait(b)
	run := time.Duration(res.Millis) * time.Millisecond
	report(b, engine, "payroll run (child process)", run, fmt.Sprintf("%d retirees, %d lines, peak RSS %d MB (Go heap in use at most %d MB), run/statement %.2f×",
		res.Done, res.Created, res.MaxRSSKB/1024, res.PeakHeapKB/1024, float64(run)/float64(stmt)))
	runSum := lineDigest(b, d, d.R, pay)
	if runSum != stmtSum {
		b.Fatalf("the run and the statement made different lines: %+v vs %+v", runSum, stmtSum)
	}
	fmt.Printf("lines identical: %d lines, %s, digest %x\n", runSum.lines, money.Fen(runSum.total), runSum.sum[:6])
	b.ReportMetric(run.Seconds(), "run-s")
	b.ReportMetric(stmt.Seconds(), "stmt-s")
	b.ReportMetric(float64(run)/float64(stmt), "run/stmt")
	b.ReportMetric(float64(res.MaxRSSKB)/1024, "peak-MB")

	start := time.Now()
	ap := approveAll(b, e)
	approved := time.Since(start)
	report(b, engine, "approval of every prepared line (one action)", approved, fmt.Sprintf("%d lines, %s", ap.Lines, ap.Total))
	b.ReportMetric(approved.Seconds(), "approve-s")

	start = time.Now()
	batch, _, err := e.p.CreateBatch(ctx, fund2, "ICBC")
	if err != nil {
		b.Fatal(err)
	}
	made := time.Since(start)
	start = time.Now()
	f, err := e.p.BatchFile(ctx, fund2, batch.ID)
	if err != nil {
		b.Fatal(err)
	}
	written := time.Since(start)
	report(b, engine, "bank file (batch + CSV/GBK file)", made+written, fmt.Sprintf("%d lines, %d KB; batch %s, file %s",
		batch.Lines, len(f.Data)/1024, made.Round(time.Millisecond), written.Round(time.Millisecond)))
	b.ReportMetric((made + written).Seconds(), "file-s")

	ids := batchIDs(b, d, batch.ID, 2)
	ret, err := e.p.SimulatedReturn(ctx, fund2, batch.ID, map[int64]string{ids[0]: "账户已冻结", ids[1]: "户名不符"})
	if err != nil {
		b.Fatal(err)
	}
	start = time.Now()
	rr, err := e.p.ImportReturn(ctx, fund2, batch.ID, "return.csv", ret.Data)
	if err != nil {
		b.Fatal(err)
	}
	imported := time.Since(start)
	report(b, engine, "return file import", imported, fmt.Sprintf("%d paid, %d failed", rr.Paid, rr.Failed))
	b.ReportMetric(imported.Seconds(), "return-s")
	if rr.Failed != 2 || rr.Paid != batch.Lines-2 {
		b.Fatalf("return: %+v", rr)
	}
	balanced(b, d)
}

// report prints one figure with the load average at that moment.
func report(b *testing.B, engine, what string, took time.Duration, more string) {
	load, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(load) + " ? ? ?")
	fmt.Printf("[%s] %s: %s %s (load %s %s %s)\n", engine, what, took.Round(time.Millisecond), more, f[0], f[1], f[2])
}

func benchHasLines(b *testing.B, d *db.DB) bool {
	return count(b, d, `SELECT COUNT(*) FROM payout_lines`) > 0
}

// seedBench enrols n retirees: first months spread over 2010–2023 (some
// after the adjustment's cut-off), one in 25 without a card (held), one
// in 100 with an overpayment being recovered.
func seedBench(b *testing.B, e *env, n int) {
	ctx := context.Background()
	rs := make([]DemoRetiree, n)
	for i := range rs {
		id := int64(i + 1)
		rs[i] = DemoRetiree{PersonID: id, Name: fmt.Sprintf("退休人员%d", id), IDNumber: idNumber(id),
			Monthly: money.Fen(200000 + (id*7919)%400000), First: month("2010-01").Add(int(id % 166))}
		if id%25 != 0 {
			rs[i].BankCode, rs[i].BankName, rs[i].CardAccount = "ICBC", "中国工商银行", cardNo(id)
		}
	}
	if err := e.s.SeedDemo(ctx, rs); err != nil {
		b.Fatal(err)
	}
	var ids []int64
	rows, err := e.d.R.QueryContext(ctx, `SELECT id FROM pensioners WHERE person_id % 100 = 7 ORDER BY id`)
	if err != nil {
		b.Fatal(err)
	}
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	now := e.clk.Now()
	err = e.d.Load(ctx, db.Insert{Table: "pension_deductions", Columns: []db.Column{{Name: "pensioner_id", Type: db.BigInt},
		{Name: "reason", Type: db.Text}, {Name: "total_fen", Type: db.BigInt}, {Name: "monthly_fen", Type: db.BigInt},
		{Name: "start_month", Type: db.Text}, {Name: "recovered_fen", Type: db.BigInt}, {Name: "created_by", Type: db.Text},
		{Name: "created_at", Type: db.Timestamp}}, Rows: len(ids), Row: func(i int) []any {
		return []any{ids[i], "多发养老金扣回", int64(300000), int64(50000 + 100000*(i%3)), "2024-01", int64(100000 * (i % 4)), "bench", now}
	}})
	if err != nil {
		b.Fatal(err)
	}
}

// benchStatementSQL makes the month's lines of the pensioners in pay in
// one statement: the amount in force plus the adjustment for those who
// qualify (half-up), less the deduction instalment (at most half), held
// without an active card. Only for the benchmark's data: one amount
// version, one adjustment and at most one deduction per pensioner, no
// arrears or back pay.
func benchStatementSQL(d db.Dialect) string {
	return `INSERT INTO payout_lines (business_key, payee_kind, payee_id, payee_name, payee_id_number, account_kind, account_name,
		account_no, bank_name, bank_code, name_confirmed, amount_fen, scheme, benefit, source_kind, source_id, period, memo, status,
		hold_reason, prepared_by, prepared_by_id, prepared_at, updated_at)
	SELECT 'pension/pensioner:' || CAST(x.id AS TEXT) || '/person:' || CAST(x.person_id AS TEXT) || '/' || $1,
		'person', x.person_id, x.name, x.id_number, x.kind, x.acct_name, x.account_no, x.bank_name, x.bank_code, FALSE,
		x.due - CASE WHEN x.d_monthly IS NULL THEN 0 ELSE ` + d.Least("x.d_monthly", "x.d_left", "x.due / 2") + ` END, 'pension', 'pension', 'pensioner',
		CAST(x.id AS TEXT), $1, 'bench', x.status, x.hold, 'bench', 0, ` + d.TimeParam(2) + `, ` + d.TimeParam(2) + `
	FROM (SELECT p.id, p.person_id, p.name, p.id_number,
			a.monthly_fen + CASE WHEN p.first_month < j.retired_before AND j.effective_month <= $1
				THEN (a.monthly_fen * j.rate_ppm + 500000) / 1000000 + j.fixed_fen ELSE 0 END AS due,
			dd.monthly_fen AS d_monthly, dd.total_fen - dd.recovered_fen AS d_left,
			CASE WHEN c.status = 'active' AND c.account_no <> '' THEN 'card' ELSE '' END AS kind,
			CASE WHEN c.status = 'active' AND c.account_no <> '' THEN p.name ELSE '' END AS acct_name,
			CASE WHEN c.status = 'active' AND c.account_no <> '' THEN c.account_no ELSE '' END AS account_no,
			CASE WHEN c.status = 'active' AND c.account_no <> '' THEN c.bank_name ELSE '' END AS bank_name,
			CASE WHEN c.status = 'active' AND c.account_no <> '' THEN c.bank_code
				ELSE (SELECT code FROM payout_banks WHERE active ORDER BY id LIMIT 1) END AS bank_code,
			CASE WHEN c.status = 'active' AND c.account_no <> '' THEN 'prepared' ELSE 'held' END AS status,
			CASE WHEN c.status = 'active' AND c.account_no <> '' THEN '' ELSE 'card' END AS hold
		FROM pensioners p
		JOIN pension_amounts a ON a.pensioner_id = p.id
		CROSS JOIN pension_adjustments j
		LEFT JOIN ss_cards c ON c.person_id = p.person_id
		LEFT JOIN pension_deductions dd ON dd.pensioner_id = p.id AND dd.recovered_fen < dd.total_fen AND dd.start_month <= $1
		WHERE p.status = 'active' AND p.first_month <= $1) x`
}

var errBenchRollback = errors.New("rollback")

// benchStatement times the statement in a transaction it rolls back,
// after reading the digest of what it made.
func benchStatement(b *testing.B, d *db.DB, pay string) (time.Duration, digest) {
	ctx := context.Background()
	var took time.Duration
	var sum digest
	err := d.WithTx(ctx, func(tx *sql.Tx) error {
		start := time.Now()
		if _, err := tx.ExecContext(ctx, benchStatementSQL(d.Dialect), pay, time.Now()); err != nil {
			return err
		}
		took = time.Since(start)
		sum = lineDigest(b, d, tx, pay)
		return errBenchRollback
	})
	if !errors.Is(err, errBenchRollback) {
		b.Fatal(err)
	}
	return took, sum
}

// digest sums up a set of lines: every field a payment depends on.
type digest struct {
	lines, total int64
	sum          [32]byte
}

func lineDigest(b *testing.B, d *db.DB, q db.Querier, pay string) digest {
	rows, err := q.QueryContext(context.Background(), `SELECT business_key, payee_id, payee_name, payee_id_number, account_kind,
		account_name, account_no, bank_name, bank_code, amount_fen, scheme, benefit, source_id, period, status, hold_reason
		FROM payout_lines WHERE period = $1 ORDER BY business_key`, pay)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	h := sha256.New()
	var out digest
	for rows.Next() {
		var v [16]any
		var s [14]string
		var pid, amt int64
		v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7] = &s[0], &pid, &s[1], &s[2], &s[3], &s[4], &s[5], &s[6]
		v[8], v[9], v[10], v[11], v[12], v[13], v[14], v[15] = &s[7], &amt, &s[8], &s[9], &s[10], &s[11], &s[12], &s[13]
		if err := rows.Scan(v[:]...); err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(h, "%s|%d|%d|%s\n", s[0], pid, amt, strings.Join(s[1:], "|"))
		out.lines++
		out.total += amt
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	copy(out.sum[:], h.Sum(nil))
	return out
}

// approveAll approves every prepared line in one action (one statement)
// by a clerk who did not prepare them.
func approveAll(b testing.TB, e *env) *payout.Approval {
	res, err := e.p.ApproveWhere(context.Background(), fund2, payout.Filter{}, 0, "")
	if err != nil {
		b.Fatal(err)
	}
	return res
}

// batchIDs returns the first k line ids of a batch.
func batchIDs(b *testing.B, d *db.DB, batch int64, k int) []int64 {
	rows, err := d.R.Query(`SELECT line_id FROM payout_batch_lines WHERE batch_id = $1 ORDER BY line_id LIMIT `+strconv.Itoa(k), batch)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		out = append(out, id)
	}
	return out
}

var _ = access.System

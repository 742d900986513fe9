package death

import (
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/money"
	"shebao/internal/payout"
	"shebao/internal/payroll"
)

// pensionLines writes person pid's pension lines of months from..to with
// status, as the payroll and the bank would have left them.
func pensionLines(t testing.TB, d *db.DB, pid int64, name string, monthly money.Fen, from, to, status string) {
	t.Helper()
	f, _ := clock.ParseMonth(from)
	l, _ := clock.ParseMonth(to)
	var ms []string
	for m := f; !l.Before(m); m = m.Add(1) {
		ms = append(ms, m.String())
	}
	loadPensionLines(t, d, len(ms), func(i int) (int64, string, money.Fen, string, string) { return pid, name, monthly, ms[i], status })
}

// loadPensionLines bulk-loads n pension lines, line i given by row.
func loadPensionLines(t testing.TB, d *db.DB, n int, row func(i int) (pid int64, name string, amount money.Fen, period, status string)) {
	t.Helper()
	b, _ := payout.BenefitOf("pension")
	cols := []db.Column{{Name: "business_key", Type: db.Text}, {Name: "payee_kind", Type: db.Text}, {Name: "payee_id", Type: db.BigInt},
		{Name: "payee_name", Type: db.Text}, {Name: "amount_fen", Type: db.BigInt}, {Name: "scheme", Type: db.Text},
		{Name: "benefit", Type: db.Text}, {Name: "source_kind", Type: db.Text}, {Name: "source_id", Type: db.Text},
		{Name: "period", Type: db.Text}, {Name: "status", Type: db.Text}, {Name: "prepared_by", Type: db.Text},
		{Name: "prepared_at", Type: db.Timestamp}, {Name: "updated_at", Type: db.Timestamp}}
	err := d.Load(ctxBg, db.Insert{Table: "payout_lines", Columns: cols, Rows: n, Row: func(i int) []any {
		pid, name, amount, period, status := row(i)
		key := payout.Key("pension", "pensioner", fmt.Sprint(pid), payout.PayeePerson, pid, period, "")
		return []any{key, payout.PayeePerson, pid, name, amount, b.Scheme, "pension", "pensioner", fmt.Sprint(pid), period, status,
			"system", testNow, testNow}
	}})
	if err != nil {
		t.Fatal(err)
	}
}

// civilScene has three retirees: 王大 in pay, dead in March with April and
// May paid and June prepared; 钱二 in pay, dead in May, June prepared; 孙三
// not in pay; and an employee, 周四, dead in April. It returns the
// register file.
func civilScene(t *testing.T, e *env) []byte {
	t.Helper()
	e.s.payroll = benchPayroll{payroll.NewService(e.d, e.clk, audit.NewService(e.d, e.clk), e.po, nil)}
	var rs []payroll.DemoRetiree
	var rows []string
	for i, p := range []struct {
		name, date string
		inPay      bool
	}{{"王大", "2026-03-10", true}, {"钱二", "2026-05-20", true}, {"孙三", "2026-04-02", false}} {
		pid, idn := e.person(t, p.name, "retiree", "1990-01", "2020-12")
		if p.inPay {
			monthly := money.Fen(300_000 + 1000*i)
			rs = append(rs, payroll.DemoRetiree{PersonID: pid, Name: p.name, IDNumber: idn, Monthly: monthly, First: clock.Month{Year: 2021, Mon: 1}})
			pensionLines(t, e.d, pid, p.name, monthly, "2026-01", "2026-05", payout.Paid)
			pensionLines(t, e.d, pid, p.name, monthly, "2026-06", "2026-06", payout.Prepared)
		}
		rows = append(rows, fmt.Sprintf("%s,%s,%s,HZ%d", idn, p.name, p.date, i))
	}
	_, idn := e.person(t, "周四", "employee", "2000-01", "2026-03")
	rows = append(rows, idn+",周四,2026-04-15,HZ9")
	if err := payroll.NewService(e.d, e.clk, audit.NewService(e.d, e.clk), e.po, nil).SeedDemo(ctxBg, rs); err != nil {
		t.Fatal(err)
	}
	return csvOf(rows...)
}

// The set-based import records the retirees' deaths exactly as recording
// them one by one (recordTx, the payroll's StopTx per person) does: same
// deaths with their overpayments, same pensioners, events and lines, same
// audit records; both chains verify. Both engines.
func TestCivilImportEqualsOneByOne(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, one *db.DB) {
		many := dbtest.Open(t, one.Dialect)
		e1, e2 := newEnv(t, one), newEnv(t, many)
		file := civilScene(t, e1)
		civilScene(t, e2)
		seq1, seq2 := auditSeq(t, one), auditSeq(t, many)
		err := one.WithTx(ctxBg, func(tx *sql.Tx) error {
			for _, line := range strings.Split(strings.TrimSpace(string(file)), "\n")[1:] {
				f := strings.Split(line, ",")
				var pid int64
				if err := tx.QueryRowContext(ctxBg, `SELECT id FROM persons WHERE id_number = $1`, f[0]).Scan(&pid); err != nil {
					return err
				}
				date, _ := clock.ParseDate(f[2])
				if _, err := e1.s.recordTx(ctxBg, tx, e1.c1, pid, date, true, SourceCivil, f[3]); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := e2.s.ImportCivil(ctxBg, e2.c1, "mz.csv", file)
		if err != nil || res.Applied != 4 || res.Review != 0 {
			t.Fatalf("import %+v %v", res, err)
		}
		for _, q := range []string{
			`SELECT d.person_id, death_date, date_confirmed, source, certificate_no, kind_at_death, report_due, reported_late,
				overpaid_fen, overpaid_months, recovery, reported_by FROM deaths d ORDER BY person_id`,
			`SELECT id, status, version FROM persons ORDER BY id`,
			`SELECT id, person_id, status, last_month, stop_kind, stop_reason, version FROM pensioners ORDER BY id`,
			`SELECT pensioner_id, kind, month, note FROM pensioner_events ORDER BY pensioner_id, id`,
			`SELECT id, status, reject_reason, version FROM payout_lines ORDER BY id`,
		} {
			if a, b := rowsOf(t, one, q), rowsOf(t, many, q); !slices.Equal(a, b) {
				t.Fatalf("%s\none by one %v\nimport     %v", q, a, b)
			}
		}
		q := `SELECT action, entity_id, actor_username, before_json, after_json, note FROM audit_log
			WHERE seq > $1 AND action <> 'death.civil.import'`
		a, b := rowsOf(t, one, q, seq1), rowsOf(t, many, q, seq2)
		slices.Sort(a)
		slices.Sort(b)
		if len(a) != 8 || !slices.Equal(a, b) { // 4 deaths, 2 stops, 2 cancelled June lines
			t.Fatalf("audit:\none by one %v\nimport     %v", a, b)
		}
		ds, _ := e2.s.Deaths(ctxBg, e2.c1, "open")
		if len(ds) != 1 || ds[0].PersonName != "王大" || ds[0].Overpaid != 600_000 || ds[0].OverpaidMonths != 2 {
			t.Fatalf("overpayments %+v", ds)
		}
		for _, d := range []*db.DB{one, many} {
			if res, err := audit.NewService(d, clock.NewFixed(testNow)).Verify(ctxBg); err != nil || !res.OK() {
				t.Fatalf("chain: %+v %v", res, err)
			}
		}
		// The same deaths in another file are duplicates: nothing applied twice.
		res, err = e2.s.ImportCivil(ctxBg, e2.c1, "mz2.csv", append(file, []byte("\n")...))
		if err != nil || res.Applied != 0 || res.Duplicates != 4 {
			t.Fatalf("second file %+v %v", res, err)
		}
		if n := count(t, many, `SELECT COUNT(*) FROM deaths`); n != 4 {
			t.Fatalf("%d deaths", n)
		}
		// What the dropped foreign keys checked (PostgreSQL): every death
		// has its person, every pension event its pensioner.
		for _, q := range []string{
			`SELECT COUNT(*) FROM deaths d WHERE NOT EXISTS (SELECT 1 FROM persons p WHERE p.id = d.person_id)`,
			`SELECT COUNT(*) FROM pensioner_events v WHERE NOT EXISTS (SELECT 1 FROM pensioners p WHERE p.id = v.pensioner_id)`,
			`SELECT COUNT(*) FROM civil_stage`,
		} {
			if n := count(t, many, q); n != 0 {
				t.Fatalf("%s: %d", q, n)
			}
		}
	})
}

func auditSeq(t *testing.T, d *db.DB) int64 {
	t.Helper()
	var n int64
	if err := d.W.QueryRow(`SELECT seq FROM audit_head`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// rowsOf returns every row of q as text.
func rowsOf(t *testing.T, d *db.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := d.W.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, v := range vals {
			if s, ok := v.([]byte); ok {
				v = string(s)
			}
			if tm, ok := v.(time.Time); ok {
				v = tm.UTC()
			}
			fmt.Fprintf(&b, "%v|", v)
		}
		out = append(out, b.String())
	}
	return out
}

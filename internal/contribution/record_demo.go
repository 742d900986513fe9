package contribution

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
)

// oldEmployers are the employers of the demo's careers before Shebao: state
// factories and firms of the 1980s–2000s, most of them gone.
var oldEmployers = []string{"北京第二机床厂", "北京市朝阳区纺织厂", "北京化工三厂", "北京市百货公司朝阳分店",
	"北京东风电视机厂", "北京市第三建筑工程公司", "北京燕山石化运输公司", "北京朝阳食品厂"}

// demoMonthRates are the historical pension rates the demo records use:
// employer 20% until 2019-04, then 16%; individual 4% before 1998, 6%
// until 2005, then 8%.
func demoMonthRates(m string) (per, pir int64) {
	switch {
	case m < "1998-01":
		return 200_000, 40_000
	case m < "2006-01":
		return 200_000, 60_000
	case m < "2019-05":
		return 200_000, 80_000
	}
	return 160_000, 80_000
}

// demoMonths is a VALUES list of the months from FirstRecordMonth to the
// month before first: month, index, wage factor (millionths: wages grew
// about 8% a year, so a base of today is scaled back) and the pension rates.
func demoMonths(first string) string {
	start, _ := time.Parse("2006-01", FirstRecordMonth)
	end, _ := time.Parse("2006-01", first)
	var b strings.Builder
	for t, i := start, 0; t.Before(end); t, i = t.AddDate(0, 1, 0), i+1 {
		m := t.Format("2006-01")
		years := end.Sub(t).Hours() / (24 * 365.25)
		f := int64(1_000_000 / math.Pow(1.08, years))
		per, pir := demoMonthRates(m)
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "('%s', %d, %d, %d, %d)", m, i, f, per, pir)
	}
	return b.String()
}

// DemoRecords writes the demo's historical records in set-based
// statements, for the months before first (the first month assessed in
// Shebao), pension only, for one person in four from person id from on
// (the persons of one demo run) and the persons in also:
// every month of their employments, a career at a former employer for
// most of them born before 1980, from about 20 years of age up to their
// first employment here (so some have 30 years and more), and the
// flexible workers' months. A few months are unpaid. It returns the
// records written. (One person in four keeps the default demo quick.)
func DemoRecords(ctx context.Context, d *db.DB, first string, now time.Time, from int64, also []int64) (int64, error) {
	if first <= FirstRecordMonth {
		return 0, nil
	}
	var total int64
	err := d.WithTx(ctx, func(tx *sql.Tx) error {
		// The months as a temporary table keyed by index, so that each
		// employment reads only its own months (a range on the key).
		if _, err := tx.ExecContext(ctx, `CREATE TEMPORARY TABLE demo_months (i INTEGER PRIMARY KEY, m TEXT NOT NULL,
			f BIGINT NOT NULL, per BIGINT NOT NULL, pir BIGINT NOT NULL)`); err != nil {
			return errs.Wrap(err, "demo months")
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO demo_months (m, i, f, per, pir) VALUES `+demoMonths(first)); err != nil {
			return errs.Wrap(err, "demo months")
		}
		for _, q := range demoRecordStatements(d.Dialect, from, also) {
			r, err := tx.ExecContext(ctx, q, idxOf(first), now)
			if err != nil {
				return errs.Wrap(err, "demo records")
			}
			n, _ := r.RowsAffected()
			total += n
		}
		_, err := tx.ExecContext(ctx, `DROP TABLE demo_months`)
		return errs.Wrap(err, "demo months")
	})
	return total, err
}

// idxOf is the index of month m in demo_months (FirstRecordMonth is 0).
func idxOf(m string) int64 {
	t, _ := time.Parse("2006-01", m)
	f, _ := time.Parse("2006-01", FirstRecordMonth)
	return int64((t.Year()-f.Year())*12 + int(t.Month()) - int(f.Month()))
}

// monthIdx is the SQL of idxOf for a 'YYYY-MM' column.
func monthIdx(col string) string {
	return `((CAST(substr(` + col + `, 1, 4) AS INTEGER) - ` + FirstRecordMonth[:4] + `) * 12 + CAST(substr(` + col + `, 6, 2) AS INTEGER) - 1)`
}

// demoRecordStatements are the statements of DemoRecords ($1 the index
// of the first assessed month, $2 now).
func demoRecordStatements(dialect db.Dialect, from int64, also []int64) []string {
	ids := "0"
	for _, id := range also {
		ids += ", " + strconv.FormatInt(id, 10)
	}
	after := "p.id >= " + strconv.FormatInt(from, 10)
	who := after + " AND (p.id % 4 = 0 OR p.id IN (" + ids + "))"
	career := after + " AND (p.id % 12 IN (0, 4) OR p.id IN (" + ids + "))"
	base := `(((%s) * mo.f / 1000000 + 50) / 100) * 100`
	amounts := func(b string) string {
		bb := fmt.Sprintf(base, b)
		return bb + `, (` + bb + ` * mo.per + 500000) / 1000000, (` + bb + ` * mo.pir + 500000) / 1000000`
	}
	paid := `CASE WHEN (p.id * 7 + mo.i) % 97 = 0 THEN FALSE ELSE TRUE END`
	tail := paid + `, 'demo', ` + dialect.TimeParam(2)
	cols := `INSERT INTO contribution_records (person_id, fee_month, scheme, payer_kind, employer_id, payer_name,
		base_fen, employer_fen, individual_fen, paid, source, created_at) `
	var old strings.Builder
	old.WriteString("CASE p.id % " + fmt.Sprint(len(oldEmployers)))
	for i, n := range oldEmployers {
		fmt.Fprintf(&old, " WHEN %d THEN '%s'", i, n)
	}
	old.WriteString(" END")
	return []string{
		// Employments in Shebao, before its first assessed month.
		cols + `SELECT m.person_id, mo.m, 'pension', 'employer', m.employer_id, e.name, ` + amounts("m.base_fen") + `, ` + tail + `
		FROM employments m JOIN persons p ON p.id = m.person_id JOIN employers e ON e.id = m.employer_id
		JOIN demo_months mo ON mo.i >= ` + monthIdx("m.start_month") + ` AND mo.i < $1
			AND (m.end_month IS NULL OR mo.i <= ` + monthIdx("m.end_month") + `)
		WHERE ` + who,
		// A former employer from about age 20 to the first employment here.
		cols + `SELECT p.id, mo.m, 'pension', 'employer', NULL, ` + old.String() + `, ` + amounts("j.base") + `, ` + tail + `
		FROM persons p JOIN (SELECT person_id, MIN(start_month) AS first_month, MIN(base_fen) AS base FROM employments
			GROUP BY person_id) j ON j.person_id = p.id
		JOIN demo_months mo ON mo.i >= (CAST(substr(p.birth_date, 1, 4) AS INTEGER) + 20 - ` + FirstRecordMonth[:4] + `) * 12 + p.id % 12
			AND mo.i < ` + monthIdx("j.first_month") + ` AND mo.i < $1
		WHERE p.kind = 'employee' AND p.birth_date < '1980-01-01' AND ` + career,
		// Flexible workers, from the month they registered.
		cols + `SELECT p.id, mo.m, 'pension', 'flexible', NULL, '', ` + fmt.Sprintf(base, "p.flex_base_fen") + `, 0,
			(` + fmt.Sprintf(base, "p.flex_base_fen") + ` * 200000 + 500000) / 1000000, ` + tail + `
		FROM persons p JOIN demo_months mo ON mo.i >= ` + monthIdx("p.flex_since") + ` AND mo.i < $1
		WHERE p.kind = 'flexible' AND p.flex_base_fen > 0 AND ` + who,
	}
}

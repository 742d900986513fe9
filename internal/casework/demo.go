package casework

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
)

// demoChunk is how many demo cases one statement inserts.
const demoChunk = 20_000

// DemoCases writes n cases of the everyday types (Catalog) as the demo
// district's history: submitted evenly over the two years before now by
// the employers (ids firstEmployer … firstEmployer+employers-1, spread),
// all but the newest 2% closed ten days after they came in, the newest
// still open and unassigned (states cycling through submitted, accepted,
// in review and returned), each with a deadline twenty days after it came
// in. Case numbers carry a seven-digit sequence so they never
// meet the four-digit ones real cases get. Set-based, demoChunk cases per
// transaction, on both engines; it returns how many it wrote.
func DemoCases(ctx context.Context, d *db.DB, n int, firstEmployer, employers int64, now time.Time) (int, error) {
	if n <= 0 || employers <= 0 {
		return 0, nil
	}
	types := Catalog()
	var vals []string
	for i, t := range types {
		vals = append(vals, fmt.Sprintf("(%d, '%s', '%s', '%s', '%s')", i, t.Code, t.Section, t.Prefix, t.Name))
	}
	open := max(n/50, 1) // 2% still open
	step := int64(2*365*24*time.Hour/time.Second) / int64(n)
	start := now.Add(-2 * 365 * 24 * time.Hour).UTC().Format("2006-01-02 15:04:05+00:00")
	for from := 1; from <= n; from += demoChunk {
		to := min(from+demoChunk-1, n)
		q := demoCasesSQL(d.Dialect, strings.Join(vals, ", "), len(types))
		err := d.WithTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, q, from, to, n-open, start, step, firstEmployer, employers)
			return err
		})
		if err != nil {
			return from - 1, errs.Wrap(err, "demo cases")
		}
	}
	return n, nil
}

// demoCasesSQL is the INSERT … SELECT of cases $1..$2 ($3: the last closed
// one, $4: the first submission, $5: seconds between submissions, $6/$7:
// the employers).
func demoCasesSQL(d db.Dialect, types string, ntypes int) string {
	at := func(sec string) string { // $4 + sec seconds, as the engine stores instants
		if d == db.Postgres {
			return fmt.Sprintf("(CAST($4 AS TIMESTAMPTZ) + (%s) * INTERVAL '1 second')", sec)
		}
		return fmt.Sprintf("strftime('%%Y-%%m-%%d %%H:%%M:%%S', $4, '+' || (%s) || ' seconds') || '+00:00'", sec)
	}
	day := "to_char(" + at("i * $5") + " AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD')"
	seq := "lpad(CAST(i AS TEXT), 7, '0')"
	far := "TIMESTAMPTZ '2999-12-31 00:00:00+00'"
	if d != db.Postgres {
		day = "strftime('%Y%m%d', $4, '+' || (i * $5 + 8 * 3600) || ' seconds')"
		seq = "substr('0000000' || i, -7, 7)"
		far = "'2999-12-31 00:00:00+00:00'"
	}
	sub, deadline, closed := at("i * $5"), at("i * $5 + 20 * 86400"), at("i * $5 + 10 * 86400")
	return `WITH RECURSIVE n(i) AS (SELECT CAST($1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < $2),
		t(k, code, section, prefix, name) AS (VALUES ` + types + `)
		INSERT INTO cases (case_no, type, section, state, is_open, applicant_kind, employer_id, applicant_name, channel,
			assignee_id, title, data, deadline_at, sort_at, overdue_at, submitted_at, decided_at, closed_at,
			created_at, updated_at)
		SELECT t.prefix || ` + day + ` || '-' || ` + seq + `, t.code, t.section,
			CASE WHEN i <= $3 THEN 'closed' ELSE CASE i % 4 WHEN 0 THEN 'submitted' WHEN 1 THEN 'accepted'
				WHEN 2 THEN 'in_review' ELSE 'returned' END END,
			i > $3, 'employer', e.id, e.name, CASE i % 3 WHEN 0 THEN 'web' WHEN 1 THEN 'counter' ELSE 'email' END,
			0, t.name || '（' || e.name || '）', '{}', ` + deadline + `,
			CASE WHEN i <= $3 THEN ` + far + ` ELSE ` + deadline + ` END,
			CASE WHEN i <= $3 OR i % 4 = 3 THEN ` + far + ` ELSE ` + deadline + ` END,
			` + sub + `, CASE WHEN i <= $3 THEN ` + closed + ` END, CASE WHEN i <= $3 THEN ` + closed + ` END,
			` + sub + `, CASE WHEN i <= $3 THEN ` + closed + ` ELSE ` + sub + ` END
		FROM n JOIN t ON t.k = i % ` + fmt.Sprint(ntypes) + `
		JOIN employers e ON e.id = $6 + (i * 7919) % $7`
}

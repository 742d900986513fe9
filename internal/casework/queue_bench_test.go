package casework_test

import (
	"context"
	"testing"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// benchCases is the size of the benchmark queue.
const benchCases = 100_000

// fillQueue inserts n open cases into the injury section with one
// set-based INSERT … SELECT: every 10th unassigned, the rest spread over
// ten clerks; states cycle through submitted, accepted and returned; every
// 50th owes an original; deadlines one minute apart from 2024-01-01.
func fillQueue(b *testing.B, d *db.DB, n int) {
	b.Helper()
	ts := `strftime('%Y-%m-%d %H:%M:%S', '2024-01-01', '+' || i || ' minutes') || '+00:00'`
	far := `'2999-12-31 00:00:00+00:00'`
	if d.Dialect == db.Postgres {
		ts = `TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL '1 minute'`
		far = `TIMESTAMPTZ '2999-12-31 00:00:00+00'`
	}
	q := `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
		INSERT INTO cases (case_no, type, section, state, is_open, applicant_kind, applicant_name, subject_id_hash,
			channel, assignee_id, title, data, deadline_at, sort_at, overdue_at, owing, submitted_at, created_at, updated_at)
		SELECT 'BM' || i, 'injury_report', 'injury',
			CASE i % 3 WHEN 0 THEN 'submitted' WHEN 1 THEN 'accepted' ELSE 'returned' END, TRUE, 'anonymous',
			'申请人' || i, CASE WHEN i % 1000 = 7 THEN 'h' || i ELSE '' END, 'web', i % 10, '事故报告 ' || i, '{}',
			` + ts + `, ` + ts + `, CASE WHEN i % 3 = 2 THEN ` + far + ` ELSE ` + ts + ` END,
			CASE WHEN i % 50 = 0 THEN 1 ELSE 0 END, ` + ts + `, ` + ts + `, ` + ts + ` FROM n`
	if _, err := d.W.ExecContext(context.Background(), q, n); err != nil {
		b.Fatal(err)
	}
	if _, err := d.W.ExecContext(context.Background(), `ANALYZE`); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkQueueFirstPage measures one queue page over 100,000 open cases
// of one section: the page itself plus the (capped) counts of all six
// views, per view and filter. Target: < 50 ms per call on both engines.
func BenchmarkQueueFirstPage(b *testing.B) {
	for _, dialect := range dbtest.Engines() {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.Open(b, dialect)
			e := newEnv(b, d, "2024-03-01 09:00")
			fillQueue(b, d, benchCases)
			var open int
			if err := d.R.QueryRow(`SELECT COUNT(*) FROM cases WHERE section = 'injury' AND is_open = TRUE`).Scan(&open); err != nil || open != benchCases {
				b.Fatalf("open cases %d: %v", open, err)
			}
			clerk := &access.Actor{UserID: 3, Username: "clerk", Role: access.RoleStaff, Sections: []access.Section{access.Injury}}
			for _, f := range []struct {
				name   string
				filter casework.QueueFilter
				want   int // items on the page
			}{
				{"all", casework.QueueFilter{View: casework.ViewAll}, casework.PageSize},
				{"unassigned", casework.QueueFilter{View: casework.ViewUnassigned}, casework.PageSize},
				{"mine", casework.QueueFilter{View: casework.ViewMine}, casework.PageSize},
				{"overdue", casework.QueueFilter{View: casework.ViewOverdue}, casework.PageSize},
				{"waiting", casework.QueueFilter{View: casework.ViewWaiting}, casework.PageSize},
				{"owing", casework.QueueFilter{View: casework.ViewOwing}, casework.PageSize},
				{"mine_state_type", casework.QueueFilter{View: casework.ViewMine, State: casework.Accepted, Type: "injury_report"}, casework.PageSize},
				{"search_case_no", casework.QueueFilter{View: casework.ViewAll, Q: "BM4242"}, 1},
				{"search_name", casework.QueueFilter{View: casework.ViewAll, Q: "申请人99999"}, 1},
				{"page_20", casework.QueueFilter{View: casework.ViewAll, Page: 20}, casework.PageSize},
			} {
				b.Run(f.name, func(b *testing.B) {
					f.filter.Section = access.Injury
					for b.Loop() {
						res, err := e.svc.Queue(context.Background(), clerk, f.filter)
						if err != nil {
							b.Fatal(err)
						}
						if len(res.Items) != f.want {
							b.Fatalf("%d items, want %d", len(res.Items), f.want)
						}
					}
				})
			}
		})
	}
}

package casework

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// demoChunk is how many demo cases one transaction writes.
const demoChunk = 50_000

// demoColumns are the columns DemoCases writes, in demoRow's order.
var demoColumns = []db.Column{{Name: "case_no", Type: db.Text}, {Name: "type", Type: db.Text},
	{Name: "section", Type: db.Text}, {Name: "state", Type: db.Text}, {Name: "is_open", Type: db.Boolean},
	{Name: "applicant_kind", Type: db.Text}, {Name: "employer_id", Type: db.BigInt},
	{Name: "applicant_name", Type: db.Text}, {Name: "channel", Type: db.Text}, {Name: "title", Type: db.Text},
	{Name: "data", Type: db.Text}, {Name: "deadline_at", Type: db.Timestamp}, {Name: "sort_at", Type: db.Timestamp},
	{Name: "overdue_at", Type: db.Timestamp}, {Name: "submitted_at", Type: db.Timestamp},
	{Name: "decided_at", Type: db.Timestamp}, {Name: "closed_at", Type: db.Timestamp},
	{Name: "created_at", Type: db.Timestamp}, {Name: "updated_at", Type: db.Timestamp}}

// demoStates are the states the open demo cases cycle through.
var demoStates = []State{Submitted, Accepted, InReview, Returned}

// DemoCases writes n cases of the everyday types (Catalog) as the demo
// district's history: submitted evenly over the two years before now by
// the employers (ids firstEmployer … firstEmployer+employers-1, spread),
// all but the newest 2% closed ten days after they came in, the newest
// still open and unassigned (states cycling through submitted, accepted,
// in review and returned), each with a deadline twenty days after it came
// in. Case numbers carry a seven-digit sequence so they never meet the
// four-digit ones real cases get. demoChunk cases per transaction; it
// returns how many it wrote.
func DemoCases(ctx context.Context, d *db.DB, n int, firstEmployer, employers int64, now time.Time) (int, error) {
	if n <= 0 || employers <= 0 {
		return 0, nil
	}
	names, err := employerNames(ctx, d, firstEmployer, employers)
	if err != nil {
		return 0, err
	}
	g := demoGen{types: Catalog(), names: names, first: firstEmployer, employers: employers,
		closed: n - max(n/50, 1), start: now.Add(-2 * 365 * 24 * time.Hour), step: 2 * 365 * 24 * time.Hour / time.Duration(n)}
	for from := 1; from <= n; from += demoChunk {
		k := min(demoChunk, n-from+1)
		err := d.WithTx(ctx, func(tx *sql.Tx) error {
			return db.BulkInsert(ctx, tx, d.Dialect, db.Insert{Table: "cases", Columns: demoColumns, Rows: k,
				Row: func(j int) []any { return g.row(from + j) }})
		})
		if err != nil {
			return from - 1, errs.Wrap(err, "demo cases")
		}
	}
	return n, nil
}

// demoGen makes the demo cases.
type demoGen struct {
	types            []*Type
	names            map[int64]string
	first, employers int64
	closed           int
	start            time.Time
	step             time.Duration
}

// row is case i (from 1) in demoColumns order.
func (g *demoGen) row(i int) []any {
	t := g.types[i%len(g.types)]
	emp := g.first + int64(i)*7919%g.employers
	name := g.names[emp]
	sub := g.start.Add(time.Duration(i) * g.step)
	deadline := sub.Add(20 * 24 * time.Hour)
	far := time.Date(2999, 12, 31, 0, 0, 0, 0, time.UTC)
	no := fmt.Sprintf("%s%s-%07d", t.Prefix, sub.In(clock.Shanghai).Format("20060102"), i)
	channel := []string{"web", "counter", "email"}[i%3]
	if i <= g.closed {
		closed := sub.Add(10 * 24 * time.Hour)
		return []any{no, t.Code, string(t.Section), string(Closed), false, "employer", emp, name, channel,
			t.Name + "（" + name + "）", "{}", deadline, far, far, sub, closed, closed, sub, closed}
	}
	state, overdue := demoStates[i%len(demoStates)], deadline
	if state == Returned {
		overdue = far // waiting for the applicant
	}
	return []any{no, t.Code, string(t.Section), string(state), true, "employer", emp, name, channel,
		t.Name + "（" + name + "）", "{}", deadline, deadline, overdue, sub, nil, nil, sub, sub}
}

// employerNames reads the names of the employers of the id range.
func employerNames(ctx context.Context, d *db.DB, first, n int64) (map[int64]string, error) {
	out := map[int64]string{}
	err := db.Each(ctx, d.Read(), func(r db.Scanner) error {
		var id int64
		var name string
		if err := r.Scan(&id, &name); err != nil {
			return err
		}
		out[id] = name
		return nil
	}, `SELECT id, name FROM employers WHERE id >= $1 AND id < $2`, first, first+n)
	if err != nil {
		return nil, errs.Wrap(err, "demo cases: employers")
	}
	if int64(len(out)) != n {
		return nil, errs.New(errs.Invalid, "demo_employers", fmt.Sprintf("演示单位编号不连续：%d 个中只找到 %d 个", n, len(out)))
	}
	return out, nil
}

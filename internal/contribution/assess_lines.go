package contribution

import (
	"context"
	"database/sql"

	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// staffRow is one employment of a batch covering the month, with its
// employer's risk class and float.
type staffRow struct {
	employer, person int64
	declared         money.Fen // the declared wage, else the stored base
	class            int
	float            int64
}

// readStaff reads the employments covering month of employers lo..hi in
// a risk class the rules know (1..8), in employer and person order. The
// range is on employments too, so the planner reads them by employer
// (without it PostgreSQL scanned every employment for each batch).
func readStaff(ctx context.Context, tx db.Reader, month string, lo, hi int64) ([]staffRow, error) {
	rows, err := tx.QueryContext(ctx, `SELECT e.id, m.person_id,
			CASE WHEN m.declared_fen > 0 THEN m.declared_fen ELSE m.base_fen END, e.risk_class, e.injury_float_ppm
		FROM employers e JOIN employments m ON m.employer_id = e.id AND `+inMonth+`
		WHERE e.id BETWEEN $2 AND $3 AND m.employer_id BETWEEN $2 AND $3 AND e.risk_class BETWEEN 1 AND 8
		ORDER BY e.id, m.person_id`, month, lo, hi)
	if err != nil {
		return nil, errs.Wrap(err, "assess: employments")
	}
	defer rows.Close()
	var out []staffRow
	for rows.Next() {
		var s staffRow
		if err := rows.Scan(&s.employer, &s.person, &s.declared, &s.class, &s.float); err != nil {
			return nil, errs.Wrap(err, "assess: employments")
		}
		out = append(out, s)
	}
	return out, errs.Wrap(rows.Err(), "assess: employments")
}

// lineVal is one line as the assessment writes it: every column but the
// fee month (the batch's). Comparable, so equal lines can be found by map.
type lineVal struct {
	bill, person   int64
	scheme         Scheme
	base, declared int64
	erRate, irRate int64
	erFen, irFen   int64
	note           string
	employer       int64 // the employer whose bill the line is on (not stored)
}

// batchLines are a batch's computed lines, in employer and person order,
// and one row (employer, employer's share, persons' share) per employer
// with staff.
type batchLines struct {
	lines  []lineVal
	totals [][]int64
}

// computeBatch computes the lines of every employment of staff with
// Params.Compute and sums them per employer.
func computeBatch(p *Params, staff []staffRow) batchLines {
	out := batchLines{lines: make([]lineVal, 0, 3*len(staff))}
	for i, s := range staff {
		if i == 0 || staff[i-1].employer != s.employer {
			out.totals = append(out.totals, []int64{s.employer, 0, 0})
		}
		t := out.totals[len(out.totals)-1]
		for _, l := range p.Compute(s.person, s.declared, s.class, s.float) {
			out.lines = append(out.lines, lineVal{person: s.person, scheme: l.Scheme, base: int64(l.Base),
				declared: int64(l.DeclaredBase), erRate: int64(l.EmployerRate), irRate: int64(l.IndividualRate),
				erFen: int64(l.Employer), irFen: int64(l.Individual), note: l.Clamp, employer: s.employer})
			t[1], t[2] = t[1]+int64(l.Employer), t[2]+int64(l.Individual)
		}
	}
	return out
}

// lineColumnsOut are the columns of bill_lines the assessment writes, in
// the order of lineRow.
var lineColumnsOut = []db.Column{{Name: "bill_id", Type: db.BigInt}, {Name: "person_id", Type: db.BigInt},
	{Name: "scheme", Type: db.Text}, {Name: "base_fen", Type: db.BigInt}, {Name: "declared_base_fen", Type: db.BigInt},
	{Name: "employer_rate_ppm", Type: db.BigInt}, {Name: "individual_rate_ppm", Type: db.BigInt},
	{Name: "employer_fen", Type: db.BigInt}, {Name: "individual_fen", Type: db.BigInt},
	{Name: "explain", Type: db.Text}, {Name: "fee_month", Type: db.Text}}

// writeLines gives the computed lines c their draft bills of month
// (employers lo..hi; lines of employers whose bill is not a draft are
// dropped) and writes them, returning how many the drafts have. When no
// draft existed before this batch (redo false: a first assessment) every
// line is new and is bulk loaded. Otherwise the drafts' stored lines are
// read and compared with the new ones: a stored line equal in every
// column to a new one stays (each stored line pairs with at most one new
// line), the others are deleted, and new lines without an equal stored one
// are loaded, so a reassessment writes only what changed (deleting and
// rewriting every line made it 2.6 times as slow as the first assessment
// at 1,000,000 persons).
func writeLines(ctx context.Context, tx *sql.Tx, d db.Dialect, month string, lo, hi int64, c batchLines, redo bool) (int64, error) {
	bills, err := draftBills(ctx, tx, month, lo, hi)
	if err != nil {
		return 0, err
	}
	lines := c.lines[:0] // filtered in place
	for _, l := range c.lines {
		if id, ok := bills[l.employer]; ok {
			l.bill, l.employer = id, 0
			lines = append(lines, l)
		}
	}
	n := int64(len(lines))
	if redo {
		stale, err := keepStored(ctx, tx, month, lo, hi, &lines)
		if err != nil {
			return 0, err
		}
		if len(stale) > 0 {
			cond, arg := d.AnyID("id", 1, stale)
			if _, err := tx.ExecContext(ctx, `DELETE FROM bill_lines WHERE `+cond, arg); err != nil {
				return 0, errs.Wrap(err, "assess: replace lines")
			}
		}
	}
	err = db.BulkInsert(ctx, tx, d, db.Insert{Table: "bill_lines", Columns: lineColumnsOut, Rows: len(lines),
		Row: func(i int) []any {
			l := &lines[i]
			return []any{l.bill, l.person, string(l.scheme), l.base, l.declared, l.erRate, l.irRate, l.erFen, l.irFen,
				l.note, month}
		}})
	return n, errs.Wrap(err, "assess: lines")
}

// draftBills maps each employer of lo..hi with a draft of month to it.
func draftBills(ctx context.Context, tx *sql.Tx, month string, lo, hi int64) (map[int64]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT employer_id, id FROM bills WHERE `+draftsIn, month, lo, hi)
	if err != nil {
		return nil, errs.Wrap(err, "assess: drafts")
	}
	defer rows.Close()
	out := map[int64]int64{}
	for rows.Next() {
		var emp, id int64
		if err := rows.Scan(&emp, &id); err != nil {
			return nil, errs.Wrap(err, "assess: drafts")
		}
		out[emp] = id
	}
	return out, errs.Wrap(rows.Err(), "assess: drafts")
}

// keepStored reads the stored lines of the drafts of month (employers
// lo..hi), removes from *lines each new line that has an equal stored one
// (which stays), and returns the ids of the stored lines left unpaired.
func keepStored(ctx context.Context, tx *sql.Tx, month string, lo, hi int64, lines *[]lineVal) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT l.id, l.bill_id, l.person_id, l.scheme, l.base_fen, l.declared_base_fen,
			l.employer_rate_ppm, l.individual_rate_ppm, l.employer_fen, l.individual_fen, l.explain, l.fee_month
		FROM bills b JOIN bill_lines l ON l.bill_id = b.id WHERE `+billDraftsIn, month, lo, hi)
	if err != nil {
		return nil, errs.Wrap(err, "assess: stored lines")
	}
	defer rows.Close()
	stored := map[lineVal][]int64{}
	var stale []int64
	for rows.Next() {
		var (
			id int64
			l  lineVal
			fm string
		)
		if err := rows.Scan(&id, &l.bill, &l.person, &l.scheme, &l.base, &l.declared, &l.erRate, &l.irRate,
			&l.erFen, &l.irFen, &l.note, &fm); err != nil {
			return nil, errs.Wrap(err, "assess: stored lines")
		}
		if fm != month {
			stale = append(stale, id)
			continue
		}
		stored[l] = append(stored[l], id)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "assess: stored lines")
	}
	fresh := (*lines)[:0]
	for _, l := range *lines {
		if ids := stored[l]; len(ids) > 0 {
			stored[l] = ids[1:]
			continue
		}
		fresh = append(fresh, l)
	}
	*lines = fresh
	for _, ids := range stored {
		stale = append(stale, ids...)
	}
	return stale, nil
}

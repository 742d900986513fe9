package contribution

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// BatchSize is how many employers one assessment transaction covers: a run
// killed half-way loses at most one batch, and a new run redoes it. Where
// transactions write in parallel (PostgreSQL) a batch holds no one else
// up, so it is larger, ParallelBatchSize: fewer, larger statements (at
// 100,000 persons a run took 4.4 s in batches of 1,000 against 5.7 s in
// batches of 200; docs/architecture.md, "Performance"). On SQLite a batch
// holds the one writer, so it stays small.
const (
	BatchSize         = 200
	ParallelBatchSize = 1000
)

// Progress is told how many employers are done out of total.
type Progress func(done, total int)

// RunResult counts what an assessment run did.
type RunResult struct {
	Month     string                   `json:"month"`
	Employers int                      `json:"employers"` // employers looked at
	Created   int64                    `json:"created"`   // new draft bills
	Redone    int64                    `json:"redone"`    // existing drafts recomputed
	Lines     int64                    `json:"lines"`     // lines written
	Took      time.Duration            `json:"took"`
	steps     [stepCount]time.Duration // summed over batches, for the benchmark
}

// The statements of assessRange, timed for the benchmark.
const (
	stepCompute = iota // employments read, lines and totals computed
	stepRefresh        // drafts refreshed with their totals
	stepBills          // new bills with their totals
	stepLines          // lines written (or compared and written)
	stepCount
)

var stepNames = [stepCount]string{"read and compute", "refresh drafts", "new bills", "lines (written or compared)"}

// add adds o's counts and step times to r.
func (r *RunResult) add(o RunResult) {
	r.Created, r.Redone, r.Lines = r.Created+o.Created, r.Redone+o.Redone, r.Lines+o.Lines
	for i := range r.steps {
		r.steps[i] += o.steps[i]
	}
}

// inMonth is the SQL condition "employment m covers month $1".
const inMonth = `m.start_month <= $1 AND (m.end_month IS NULL OR m.end_month >= $1)`

// draftsIn selects the employer drafts of month $1 for employers $2..$3.
const draftsIn = `fee_month = $1 AND payer_kind = 'employer' AND status = 'draft' AND employer_id BETWEEN $2 AND $3`

// billDraftsIn is draftsIn for the alias b.
const billDraftsIn = `b.fee_month = $1 AND b.payer_kind = 'employer' AND b.status = 'draft' AND b.employer_id BETWEEN $2 AND $3`

// draftLines joins the employer drafts of month $1 for employers $2..$3
// to their employers e, the employers' risk classes c and the employments
// m covering the month.
const draftLines = `FROM bills b
	JOIN employers e ON e.id = b.employer_id
	JOIN classes c ON c.risk_class = e.risk_class
	JOIN employments m ON m.employer_id = b.employer_id AND ` + inMonth + `
	WHERE ` + billDraftsIn

// rules is the WITH clause of the assessment statements: the month's rules
// as SQL a reader can follow. Table p is one row of named values; table
// classes has the rate and stored basis of each work-injury risk class;
// table schemes numbers the schemes in the order of a person's lines. The
// statement's own parameters come first, the rules' follow from $first on
// (their values are args, in order).
type rules struct {
	with string
	args []any
}

func (p *Params) rules(first int) rules {
	unit, half := int64(1), int64(0)
	if p.RoundYuan {
		unit, half = 100, 50
	}
	var r rules
	param := func(typ string, v any) string {
		r.args = append(r.args, v)
		return "CAST($" + strconv.Itoa(first+len(r.args)-1) + " AS " + typ + ")"
	}
	named := []struct {
		name, typ string
		v         any
	}{
		{"floor_fen", "BIGINT", int64(p.Floor)}, {"ceiling_fen", "BIGINT", int64(p.Ceiling)},
		{"unit_fen", "BIGINT", unit}, {"half_unit_fen", "BIGINT", half}, // bases rounded half-up to a unit
		{"pension_er_ppm", "BIGINT", int64(p.PensionER)}, {"pension_ir_ppm", "BIGINT", int64(p.PensionIR)},
		{"unemployment_er_ppm", "BIGINT", int64(p.UnemployER)}, {"unemployment_ir_ppm", "BIGINT", int64(p.UnemployIR)},
		{"below_floor", "TEXT", p.floorText}, {"above_ceiling", "TEXT", p.ceilText},
	}
	var b strings.Builder
	b.WriteString("WITH p AS (SELECT ")
	for i, x := range named {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(param(x.typ, x.v) + " AS " + x.name)
	}
	b.WriteString("),\n\tclasses (risk_class, rate_ppm, basis) AS (VALUES ")
	for c := 1; c <= 8; c++ {
		if c > 1 {
			b.WriteString(", ")
		}
		b.WriteString("(" + strconv.Itoa(c) + ", " + param("BIGINT", int64(p.ClassRate[c])) + ", " + param("TEXT", p.basis(c).encode()) + ")")
	}
	b.WriteString("),\n\tschemes (k, scheme) AS (VALUES (1, 'pension'), (2, 'unemployment'), (3, 'injury'))\n")
	r.with = b.String()
	return r
}

// linesSelect is the set-based computation of the lines of the employers
// and employments that where (a FROM … WHERE clause giving employers e,
// their risk classes c and employments m, see draftLines) selects, with
// the WITH clause of rules: declared base → clamped → rounded to yuan;
// rates per scheme; amounts half-up per line as (base × ppm + 500000) /
// 1000000 (all non-negative). from is the bill ID expression.
// The rule: docs/rules.md §3.3.
func linesSelect(d db.Dialect, from, where string) string {
	declared := `CASE WHEN m.declared_fen > 0 THEN m.declared_fen ELSE m.base_fen END`
	base := `((` + d.Clamp("t.declared", "p.floor_fen", "p.ceiling_fen") + ` + p.half_unit_fen) / p.unit_fen) * p.unit_fen`
	note := `CASE WHEN t.declared < p.floor_fen THEN p.below_floor WHEN t.declared > p.ceiling_fen THEN p.above_ceiling
		WHEN t.declared % p.unit_fen <> 0 THEN '按元取整' ELSE '' END`
	return `SELECT u.bill_id, u.person_id, u.scheme, u.base, u.declared, u.er, u.ir,
		(u.base * u.er + 500000) / 1000000 AS er_fen, (u.base * u.ir + 500000) / 1000000 AS ir_fen, u.note
	FROM (SELECT v.bill_id, v.person_id, v.base, v.declared, v.note, s.scheme,
			CASE s.k WHEN 1 THEN p.pension_er_ppm WHEN 2 THEN p.unemployment_er_ppm ELSE v.injury_ppm END AS er,
			CASE s.k WHEN 1 THEN p.pension_ir_ppm WHEN 2 THEN p.unemployment_ir_ppm ELSE 0 END AS ir
		FROM (SELECT t.bill_id, t.person_id, t.declared, t.injury_ppm, ` + base + ` AS base, ` + note + ` AS note
			FROM (SELECT ` + from + ` AS bill_id, m.person_id, ` + declared + ` AS declared,
				(c.rate_ppm * e.injury_float_ppm + 500000) / 1000000 AS injury_ppm
				` + where + `) t CROSS JOIN p) v
		CROSS JOIN p CROSS JOIN schemes s) u`
}

// assessRange (re)computes the employer drafts of p.Month for employers
// lo..hi inside tx: existing drafts are recomputed, employers with staff in
// the month and no bill get a new draft, other bills are left alone.
//
// The lines are computed in Go (Params.Compute, the reference) from one
// set-based read of the batch's employments, and each bill's totals with
// them, so the bills are written once with their totals; the lines are
// then bulk loaded (COPY on PostgreSQL) instead of being inserted by
// INSERT … SELECT and summed again by a second UPDATE (at 1,000,000
// persons the line statements took 30.3 s summed over two workers against
// 10.9 s for a COPY of the same lines; decision record 0037). The
// set-based SQL of the same rules (linesSelect) stays the benchmark's
// statement and is tested equal to Compute.
func assessRange(ctx context.Context, tx *sql.Tx, d db.Dialect, p *Params, lo, hi int64, now time.Time) (RunResult, error) {
	t := time.Now() // elapsed time, for the benchmark only
	if err := noJIT(ctx, tx, d); err != nil {
		return RunResult{}, err
	}
	staff, err := readStaff(ctx, tx, p.Month.String(), lo, hi)
	if err != nil {
		return RunResult{}, err
	}
	c := computeBatch(p, staff)
	took := time.Since(t)
	res, err := writeRange(ctx, tx, d, p, lo, hi, c, now)
	res.steps[stepCompute] += took
	return res, err
}

// noJIT turns PostgreSQL's JIT off for the rest of tx (see Dialect.NoJIT).
func noJIT(ctx context.Context, tx *sql.Tx, d db.Dialect) error {
	if q := d.NoJIT(); q != "" {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return errs.Wrap(err, "assess: jit")
		}
	}
	return nil
}

// writeRange writes the lines c computed for employers lo..hi of p.Month
// inside tx (see assessRange; the caller turns JIT off first): drafts
// refreshed, new drafts created, lines written, each bill with the totals
// of c.
func writeRange(ctx context.Context, tx *sql.Tx, d db.Dialect, p *Params, lo, hi int64, c batchLines, now time.Time) (RunResult, error) {
	var res RunResult
	month := p.Month.String()
	t := time.Now() // elapsed time of each step, for the benchmark only
	lap := func(step int) {
		res.steps[step] += time.Since(t)
		t = time.Now()
	}
	totals, targ := d.Int64Rows(5, []string{"employer_id", "er", "ir"}, c.totals)
	r4 := p.rules(6) // after $1 month, $2..$3 employers, $4 now, $5 totals
	upd := r4.with + `UPDATE bills SET risk_class = e.risk_class, injury_float_ppm = e.injury_float_ppm, basis = c.basis,
		employer_fen = COALESCE(t.er, 0), individual_fen = COALESCE(t.ir, 0), total_fen = COALESCE(t.er + t.ir, 0),
		assessed_at = $4, version = bills.version + 1
		FROM employers e JOIN classes c ON c.risk_class = e.risk_class LEFT JOIN ` + totals + ` t ON t.employer_id = e.id
		WHERE e.id = bills.employer_id AND bills.fee_month = $1 AND bills.payer_kind = 'employer' AND bills.status = 'draft'
			AND bills.employer_id BETWEEN $2 AND $3`
	r, err := tx.ExecContext(ctx, upd, append([]any{month, lo, hi, now, targ}, r4.args...)...)
	if err != nil {
		return res, errs.Wrap(err, "assess: refresh drafts")
	}
	res.Redone, _ = r.RowsAffected()
	lap(stepRefresh)
	totals, targ = d.Int64Rows(6, []string{"employer_id", "er", "ir"}, c.totals)
	r5 := p.rules(7) // after $1 month, $2..$3 employers, $4 now, $5 the bill number's month, $6 totals
	ins := r5.with + `INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status, assessed_at, basis, risk_class,
			injury_float_ppm, employer_fen, individual_fen, total_fen)
		SELECT 'B' || CAST($5 AS TEXT) || '-' || e.employer_no, 'employer', e.id, $1, 'draft', ` + d.TimeParam(4) + `,
			c.basis, e.risk_class, e.injury_float_ppm, t.er, t.ir, t.er + t.ir
		FROM employers e JOIN classes c ON c.risk_class = e.risk_class JOIN ` + totals + ` t ON t.employer_id = e.id
		WHERE e.id BETWEEN $2 AND $3
		ON CONFLICT (employer_id, fee_month) WHERE employer_id IS NOT NULL DO NOTHING`
	args := append([]any{month, lo, hi, now, strings.ReplaceAll(month, "-", ""), targ}, r5.args...)
	if r, err = tx.ExecContext(ctx, ins, args...); err != nil {
		return res, errs.Wrap(err, "assess: new bills")
	}
	res.Created, _ = r.RowsAffected()
	lap(stepBills)
	if res.Lines, err = writeLines(ctx, tx, d, month, lo, hi, c, res.Redone > 0); err != nil {
		return res, err
	}
	lap(stepLines)
	return res, nil
}

// employersToAssess lists, ascending, the employers with staff in month or
// with a draft of month (whose staff may all have left).
func employersToAssess(ctx context.Context, q db.Querier, month clock.Month) ([]int64, error) {
	ids, err := db.Collect(ctx, q, db.Scalar[int64], `SELECT DISTINCT m.employer_id FROM employments m WHERE `+inMonth+`
		UNION SELECT employer_id FROM bills WHERE fee_month = $1 AND payer_kind = 'employer' AND status = 'draft'
		ORDER BY 1`, month.String())
	return ids, errs.Wrap(err, "assess: employers")
}

package contribution

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
)

// BatchSize is how many employers one assessment transaction covers: a run
// killed half-way loses at most one batch, and a new run redoes it.
const BatchSize = 200

// Progress is told how many employers are done out of total.
type Progress func(done, total int)

// RunResult counts what an assessment run did.
type RunResult struct {
	Month     string        `json:"month"`
	Employers int           `json:"employers"` // employers looked at
	Created   int64         `json:"created"`   // new draft bills
	Redone    int64         `json:"redone"`    // existing drafts recomputed
	Lines     int64         `json:"lines"`     // lines written
	Took      time.Duration `json:"took"`
}

// inMonth is the SQL condition "employment m covers month $1".
const inMonth = `m.start_month <= $1 AND (m.end_month IS NULL OR m.end_month >= $1)`

// draftsIn selects the employer drafts of month $1 for employers $2..$3.
const draftsIn = `fee_month = $1 AND payer_kind = 'employer' AND status = 'draft' AND employer_id BETWEEN $2 AND $3`

// billDraftsIn is draftsIn for the alias b.
const billDraftsIn = `b.fee_month = $1 AND b.payer_kind = 'employer' AND b.status = 'draft' AND b.employer_id BETWEEN $2 AND $3`

// draftLines joins the employer drafts of month $1 for employers $2..$3
// to their employers e and the employments m covering the month.
const draftLines = `FROM bills b
	JOIN employers e ON e.id = b.employer_id
	JOIN employments m ON m.employer_id = b.employer_id AND ` + inMonth + `
	WHERE ` + billDraftsIn

// classCase is CASE <col> WHEN 1 THEN $first … WHEN 8 THEN $first+7 END.
func classCase(col string, first int, typ string) string {
	var b strings.Builder
	b.WriteString("CASE " + col)
	for c := 1; c <= 8; c++ {
		b.WriteString(" WHEN " + strconv.Itoa(c) + " THEN CAST($" + strconv.Itoa(first+c-1) + " AS " + typ + ")")
	}
	b.WriteString(" END")
	return b.String()
}

// linesSelect is the set-based computation of every line of the employer
// drafts of month $1 for employers $2..$3 (see lineArgs for $4…$21):
// declared base → clamped → rounded to yuan; rates per scheme; amounts
// half-up per line as (base × ppm + 500000) / 1000000 (all non-negative).
// from is the bill ID expression and where the FROM … WHERE clause giving
// employers e and their employments m (see draftLines).
func linesSelect(d db.Dialect, from, where string) string {
	declared := `CASE WHEN m.declared_fen > 0 THEN m.declared_fen ELSE m.base_fen END`
	base := `((` + d.Clamp("t.declared", "CAST($4 AS BIGINT)", "CAST($5 AS BIGINT)") +
		` + CAST($7 AS BIGINT)) / CAST($6 AS BIGINT)) * CAST($6 AS BIGINT)`
	note := `CASE WHEN t.declared < CAST($4 AS BIGINT) THEN CAST($20 AS TEXT)
		WHEN t.declared > CAST($5 AS BIGINT) THEN CAST($21 AS TEXT)
		WHEN t.declared % CAST($6 AS BIGINT) <> 0 THEN '按元取整' ELSE '' END`
	injury := `(` + classCase("e.risk_class", 12, "BIGINT") + ` * e.injury_float_ppm + 500000) / 1000000`
	return `SELECT u.bill_id, u.person_id, u.scheme, u.base, u.declared, u.er, u.ir,
		(u.base * u.er + 500000) / 1000000 AS er_fen, (u.base * u.ir + 500000) / 1000000 AS ir_fen, u.note
	FROM (SELECT v.bill_id, v.person_id, v.base, v.declared, v.note, s.scheme,
			CASE s.k WHEN 1 THEN CAST($8 AS BIGINT) WHEN 2 THEN CAST($10 AS BIGINT) ELSE v.inj END AS er,
			CASE s.k WHEN 1 THEN CAST($9 AS BIGINT) WHEN 2 THEN CAST($11 AS BIGINT) ELSE 0 END AS ir
		FROM (SELECT t.bill_id, t.person_id, t.declared, t.inj, ` + base + ` AS base, ` + note + ` AS note
			FROM (SELECT ` + from + ` AS bill_id, m.person_id, ` + declared + ` AS declared, ` + injury + ` AS inj
				` + where + `) t) v
		CROSS JOIN (SELECT 1 AS k, 'pension' AS scheme UNION ALL SELECT 2, 'unemployment' UNION ALL SELECT 3, 'injury') s) u`
}

// lineArgs are $1…$21 of linesSelect.
func (p *Params) lineArgs(lo, hi int64) []any {
	unit, half := int64(1), int64(0)
	if p.RoundYuan {
		unit, half = 100, 50
	}
	args := []any{p.Month, lo, hi, int64(p.Floor), int64(p.Ceiling), unit, half,
		int64(p.PensionER), int64(p.PensionIR), int64(p.UnemployER), int64(p.UnemployIR)}
	for c := 1; c <= 8; c++ {
		args = append(args, int64(p.ClassRate[c]))
	}
	return append(args, p.floorText, p.ceilText)
}

// basisArgs are the stored bases of the 8 risk classes ($first…$first+7).
func (p *Params) basisArgs() []any {
	var out []any
	for c := 1; c <= 8; c++ {
		out = append(out, p.basis(c).encode())
	}
	return out
}

// assessRange (re)computes the employer drafts of p.Month for employers
// lo..hi inside tx: existing drafts are recomputed, employers with staff in
// the month and no bill get a new draft, other bills are left alone.
func assessRange(ctx context.Context, tx *sql.Tx, d db.Dialect, p *Params, lo, hi int64, now time.Time) (RunResult, error) {
	var res RunResult
	upd := `UPDATE bills SET risk_class = (SELECT e.risk_class FROM employers e WHERE e.id = bills.employer_id),
		injury_float_ppm = (SELECT e.injury_float_ppm FROM employers e WHERE e.id = bills.employer_id),
		basis = ` + classCase("(SELECT e.risk_class FROM employers e WHERE e.id = bills.employer_id)", 5, "TEXT") + `,
		employer_fen = 0, individual_fen = 0, total_fen = 0, assessed_at = $4, version = version + 1 WHERE ` + draftsIn
	r, err := tx.ExecContext(ctx, upd, append([]any{p.Month, lo, hi, now}, p.basisArgs()...)...)
	if err != nil {
		return res, errs.Wrap(err, "assess: refresh drafts")
	}
	res.Redone, _ = r.RowsAffected()
	if _, err := tx.ExecContext(ctx, `DELETE FROM bill_lines WHERE bill_id IN (SELECT id FROM bills WHERE `+draftsIn+`)`,
		p.Month, lo, hi); err != nil {
		return res, errs.Wrap(err, "assess: clear draft lines")
	}
	ins := `INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status, assessed_at, basis, risk_class, injury_float_ppm)
		SELECT 'B' || CAST($5 AS TEXT) || '-' || e.employer_no, 'employer', e.id, $1, 'draft', ` + d.TimeParam(4) + `,
			` + classCase("e.risk_class", 6, "TEXT") + `, e.risk_class, e.injury_float_ppm
		FROM employers e
		WHERE e.id BETWEEN $2 AND $3 AND EXISTS (SELECT 1 FROM employments m WHERE m.employer_id = e.id AND ` + inMonth + `)
		ON CONFLICT (employer_id, fee_month) WHERE employer_id IS NOT NULL DO NOTHING`
	args := append([]any{p.Month, lo, hi, now, strings.ReplaceAll(p.Month, "-", "")}, p.basisArgs()...)
	if r, err = tx.ExecContext(ctx, ins, args...); err != nil {
		return res, errs.Wrap(err, "assess: new bills")
	}
	res.Created, _ = r.RowsAffected()
	lines := `INSERT INTO bill_lines (bill_id, person_id, scheme, base_fen, declared_base_fen, employer_rate_ppm,
		individual_rate_ppm, employer_fen, individual_fen, explain, fee_month)
		SELECT w.*, $1 FROM (` + linesSelect(d, "b.id", draftLines) + `) w`
	if r, err = tx.ExecContext(ctx, lines, p.lineArgs(lo, hi)...); err != nil {
		return res, errs.Wrap(err, "assess: lines")
	}
	res.Lines, _ = r.RowsAffected()
	if _, err := tx.ExecContext(ctx, `UPDATE bills SET employer_fen = s.er, individual_fen = s.ir, total_fen = s.er + s.ir
		FROM (SELECT l.bill_id, SUM(l.employer_fen) AS er, SUM(l.individual_fen) AS ir
			FROM bills b JOIN bill_lines l ON l.bill_id = b.id WHERE `+billDraftsIn+` GROUP BY l.bill_id) s
		WHERE bills.id = s.bill_id`, p.Month, lo, hi); err != nil {
		return res, errs.Wrap(err, "assess: totals")
	}
	return res, nil
}

// employersToAssess lists, ascending, the employers with staff in month or
// with a draft of month (whose staff may all have left).
func employersToAssess(ctx context.Context, q db.Querier, month string) ([]int64, error) {
	rows, err := q.QueryContext(ctx, `SELECT DISTINCT m.employer_id FROM employments m WHERE `+inMonth+`
		UNION SELECT employer_id FROM bills WHERE fee_month = $1 AND payer_kind = 'employer' AND status = 'draft'
		ORDER BY 1`, month)
	if err != nil {
		return nil, errs.Wrap(err, "assess: employers")
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, errs.Wrap(err, "assess: employers")
		}
		ids = append(ids, id)
	}
	return ids, errs.Wrap(rows.Err(), "assess: employers")
}

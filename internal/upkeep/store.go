package upkeep

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

const corrColumns = `c.id, c.no, c.person_id, p.name, p.id_number, c.case_no, c.channel, c.from_month, c.to_month, c.base_fen,
	c.paid, c.reason, c.evidence, c.status, COALESCE(c.batch_id, 0), COALESCE(b.no, ''), c.raised_by, c.recompute, c.det_case_no,
	c.det_version, c.before_fen, c.after_fen, c.applied_at, c.created_at, c.version`

const corrFrom = ` FROM record_corrections c JOIN persons p ON p.id = c.person_id
	LEFT JOIN record_correction_batches b ON b.id = c.batch_id`

func scanCorrection(r interface{ Scan(...any) error }) (*Correction, error) {
	var c Correction
	var from, to, ev string
	var applied sql.NullTime
	err := r.Scan(&c.ID, &c.No, &c.PersonID, &c.PersonName, &c.IDNumber, &c.CaseNo, &c.Channel, &from, &to, &c.Base,
		&c.Paid, &c.Reason, &ev, &c.Status, &c.BatchID, &c.BatchNo, &c.RaisedBy, &c.Recompute, &c.DetCaseNo,
		&c.DetVersion, &c.Before, &c.After, &applied, &c.CreatedAt, &c.Version)
	if err != nil {
		return nil, err
	}
	c.From, _ = clock.ParseMonth(from)
	c.To, _ = clock.ParseMonth(to)
	_ = json.Unmarshal([]byte(ev), &c.Evidence)
	if applied.Valid {
		t := applied.Time
		c.AppliedAt = &t
	}
	return &c, nil
}

func corrections(ctx context.Context, q db.Querier, where string, args ...any) ([]*Correction, error) {
	out, err := db.Collect(ctx, q, scanCorrection, `SELECT `+corrColumns+corrFrom+` WHERE `+where, args...)
	return out, errs.Wrap(err, "corrections")
}

func loadCorrection(ctx context.Context, q db.Querier, id int64) (*Correction, error) {
	cs, err := corrections(ctx, q, "c.id = $1", id)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, errs.NotFoundf("未找到该缴费记录维护单")
	}
	return cs[0], nil
}

// nextNo is the next number of a kind: prefix, year and the next id.
func nextNo(ctx context.Context, tx *sql.Tx, table, prefix string, year int) (string, error) {
	var n int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM `+table).Scan(&n); err != nil {
		return "", errs.Wrap(err, "next number")
	}
	return fmt.Sprintf("%s%d%05d", prefix, year, n), nil
}

func insertCorrection(ctx context.Context, tx *sql.Tx, c *Correction) error {
	no, err := nextNo(ctx, tx, "record_corrections", "WH", c.CreatedAt.Year())
	if err != nil {
		return err
	}
	c.No = no
	err = tx.QueryRowContext(ctx, `INSERT INTO record_corrections (no, person_id, case_no, channel, from_month, to_month, base_fen,
		paid, reason, evidence, status, raised_by, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13) RETURNING id`,
		c.No, c.PersonID, c.CaseNo, c.Channel, c.From.String(), c.To.String(), int64(c.Base), c.Paid, c.Reason,
		evidenceJSON(c.Evidence), c.Status, c.RaisedBy, c.CreatedAt).Scan(&c.ID)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "busy", "同时提交的维护单较多，请重新提交")
	}
	return errs.Wrap(err, "insert correction")
}

func monthsOf(ctx context.Context, q db.Querier, ids []int64) (map[int64][]Month, error) {
	out := map[int64][]Month{}
	if len(ids) == 0 {
		return out, nil
	}
	ph := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		ph[i], args[i] = fmt.Sprintf("$%d", i+1), id
	}
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var id int64
		var m Month
		var mo string
		if err := r.Scan(&id, &mo, &m.OldBase, &m.OldPaid, &m.NewBase, &m.NewPaid); err != nil {
			return err
		}
		m.Month, _ = clock.ParseMonth(mo)
		out[id] = append(out[id], m)
		return nil
	}, `SELECT correction_id, fee_month, old_base_fen, old_paid, new_base_fen, new_paid
		FROM record_correction_months WHERE correction_id IN (`+strings.Join(ph, ",")+`) ORDER BY correction_id, fee_month`, args...)
	return out, errs.Wrap(err, "correction months")
}

func withMonths(ctx context.Context, q db.Querier, cs []*Correction) error {
	ids := make([]int64, len(cs))
	for i, c := range cs {
		ids[i] = c.ID
	}
	ms, err := monthsOf(ctx, q, ids)
	for _, c := range cs {
		c.Months = ms[c.ID]
	}
	return err
}

var batchColumns = `b.id, b.no, b.status, b.note, b.prepared_by, b.checked_by, b.checked_at, b.applied_by, b.applied_at,
	b.created_at, b.version, (SELECT COUNT(*) FROM record_corrections c WHERE c.batch_id = b.id),
	` + userName("b.prepared_by") + `, ` + userName("b.checked_by") + `, ` + userName("b.applied_by")

// userName is the SQL of a clerk's display name (” for none).
func userName(col string) string {
	return `COALESCE((SELECT CASE WHEN u.display_name <> '' THEN u.display_name ELSE u.username END FROM users u WHERE u.id = ` + col + `), '')`
}

func scanBatch(r interface{ Scan(...any) error }) (*Batch, error) {
	var b Batch
	var checked, applied sql.NullTime
	err := r.Scan(&b.ID, &b.No, &b.Status, &b.Note, &b.PreparedBy, &b.CheckedBy, &checked, &b.AppliedBy, &applied,
		&b.CreatedAt, &b.Version, &b.Count, &b.PreparedName, &b.CheckedName, &b.AppliedName)
	if err != nil {
		return nil, err
	}
	if checked.Valid {
		t := checked.Time
		b.CheckedAt = &t
	}
	if applied.Valid {
		t := applied.Time
		b.AppliedAt = &t
	}
	return &b, nil
}

func loadBatch(ctx context.Context, q db.Querier, id int64, lock string) (*Batch, error) {
	b, err := scanBatch(q.QueryRowContext(ctx, `SELECT `+batchColumns+` FROM record_correction_batches b WHERE b.id = $1`+lock, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("未找到该维护批次")
	}
	return b, errs.Wrap(err, "batch")
}

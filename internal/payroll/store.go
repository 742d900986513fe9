package payroll

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

func insertPensioner(ctx context.Context, tx *sql.Tx, a *access.Actor, e *Enrolment, now time.Time) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO pensioners (person_id, name, id_number, first_month, status, recalc_from,
		source_kind, source_id, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, 'active', $4, $5, $6, $7, $8, $8)
		ON CONFLICT (person_id) DO NOTHING RETURNING id`, e.PersonID, e.Name, e.IDNumber, e.FirstMonth.String(),
		e.SourceKind, e.SourceID, a.Name(), now).Scan(&id)
	if db.IsNoRows(err) {
		return 0, nil
	}
	return id, errs.Wrap(err, "insert pensioner")
}

func insertVersion(ctx context.Context, tx *sql.Tx, a *access.Actor, id, version int64, monthly money.Fen, from clock.Month,
	basis, sk, sid string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO pension_amounts (pensioner_id, version, monthly_fen, from_month, basis,
		source_kind, source_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		id, version, int64(monthly), from.String(), basis, sk, sid, a.Name(), now)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "pension_version_conflict", "该人员的待遇刚被他人变更，请刷新后重试")
	}
	return errs.Wrap(err, "insert pension amount")
}

func addEvent(ctx context.Context, tx *sql.Tx, a *access.Actor, id int64, kind string, m clock.Month, note string, now time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO pensioner_events (pensioner_id, kind, month, note, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, id, kind, m.String(), note, a.Name(), now)
	return errs.Wrap(err, "pensioner event")
}

func setStop(ctx context.Context, tx *sql.Tx, id int64, status string, st Stop, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE pensioners SET status = $1, last_month = $2, stop_kind = $3, stop_reason = $4,
		updated_at = $5, version = version + 1 WHERE id = $6`, status, st.Last.String(), st.Kind, st.Reason, now, id)
	return errs.Wrap(err, "stop pensioner")
}

func resume(ctx context.Context, tx *sql.Tx, id int64, from clock.Month, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE pensioners SET status = 'active', last_month = '', stop_kind = '', stop_reason = '',
		recalc_from = CASE WHEN recalc_from = '' OR recalc_from > $1 THEN $1 ELSE recalc_from END,
		updated_at = $2, version = version + 1 WHERE id = $3`, from.String(), now, id)
	return errs.Wrap(err, "resume pensioner")
}

func markRecalc(ctx context.Context, tx *sql.Tx, id int64, from clock.Month, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE pensioners SET recalc_from = CASE WHEN recalc_from = '' OR recalc_from > $1 THEN $1 ELSE recalc_from END,
		updated_at = $2, version = version + 1 WHERE id = $3`, from.String(), now, id)
	return errs.Wrap(err, "pensioner recalc")
}

const pensionerCols = `p.id, p.person_id, p.name, p.id_number, p.first_month, p.status, p.last_month, p.stop_reason, p.stop_kind,
	p.recalc_from, p.source_kind, p.source_id, p.version, p.created_at`

func scanPensioner(sc interface{ Scan(...any) error }) (*Pensioner, error) {
	p := &Pensioner{}
	var first, last string
	if err := sc.Scan(&p.ID, &p.PersonID, &p.Name, &p.IDNumber, &first, &p.Status, &last, &p.StopReason, &p.StopKind,
		&p.RecalcFrom, &p.SourceKind, &p.SourceID, &p.Version, &p.CreatedAt); err != nil {
		return nil, err
	}
	p.First, _ = clock.ParseMonth(first)
	if last != "" {
		p.Last, _ = clock.ParseMonth(last)
	}
	return p, nil
}

func getPensioner(ctx context.Context, q db.Querier, id int64) (*Pensioner, error) {
	return onePensioner(ctx, q, `WHERE p.id = $1`, id)
}

func pensionerByPerson(ctx context.Context, q db.Querier, personID int64) (*Pensioner, error) {
	return onePensioner(ctx, q, `WHERE p.person_id = $1`, personID)
}

func onePensioner(ctx context.Context, q db.Querier, where string, arg any) (*Pensioner, error) {
	p, err := scanPensioner(q.QueryRowContext(ctx, `SELECT `+pensionerCols+` FROM pensioners p `+where, arg))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("该人员不在养老金发放名册中")
	}
	if err != nil {
		return nil, errs.Wrap(err, "get pensioner")
	}
	vs, err := loadVersions(ctx, q, []int64{p.ID})
	if err != nil {
		return nil, err
	}
	p.Versions = vs[p.ID]
	if n := len(p.Versions); n > 0 {
		p.Monthly = p.Versions[n-1].Monthly
	}
	return p, nil
}

// loadVersions returns the amount versions of pensioners, each ascending
// by version.
func loadVersions(ctx context.Context, q db.Querier, ids []int64) (map[int64][]Version, error) {
	out := make(map[int64][]Version, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var id, no, m int64
		var from string
		if err := r.Scan(&id, &no, &m, &from); err != nil {
			return err
		}
		f, _ := clock.ParseMonth(from)
		out[id] = append(out[id], Version{No: no, From: f, Monthly: money.Fen(m)})
		return nil
	}, `SELECT pensioner_id, version, monthly_fen, from_month FROM pension_amounts
		WHERE pensioner_id BETWEEN $1 AND $2 ORDER BY pensioner_id, version`, minID(ids), maxID(ids))
	return out, errs.Wrap(err, "pension amounts")
}

func minID(ids []int64) int64 {
	m := ids[0]
	for _, id := range ids {
		m = min(m, id)
	}
	return m
}

func maxID(ids []int64) int64 {
	m := ids[0]
	for _, id := range ids {
		m = max(m, id)
	}
	return m
}

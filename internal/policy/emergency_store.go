package policy

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
)

const emergencyColumns = `id, title, start_day, end_day, scope, legal_basis, makeup_until, originals_due, created_by, created_at, updated_at, version`

// queryEmergencies reads emergencies with a WHERE/ORDER tail, and their
// measures.
func queryEmergencies(ctx context.Context, q db.Querier, tail string, args ...any) ([]Emergency, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+emergencyColumns+` FROM emergencies `+tail, args...)
	if err != nil {
		return nil, errs.Wrap(err, "query emergencies")
	}
	var out []Emergency
	index := map[int64]int{}
	for rows.Next() {
		var e Emergency
		var start string
		var end, makeup, originals sql.NullString
		if err := rows.Scan(&e.ID, &e.Title, &start, &end, &e.Scope, &e.LegalBasis, &makeup, &originals,
			&e.CreatedBy, &e.CreatedAt, &e.UpdatedAt, &e.Version); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "scan emergency")
		}
		e.Start = dayTime(start)
		e.End, e.MakeUpUntil, e.OriginalsDue = nullDayPtr(end), nullDayPtr(makeup), nullDayPtr(originals)
		e.Params = map[Measure]MeasureParams{}
		index[e.ID] = len(out)
		out = append(out, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "query emergencies")
	}
	if len(out) == 0 {
		return out, nil
	}
	if err := attachMeasures(ctx, q, out, index); err != nil {
		return nil, err
	}
	return out, nil
}

// attachMeasures loads every measure row (a small table) onto its emergency.
func attachMeasures(ctx context.Context, q db.Querier, es []Emergency, index map[int64]int) error {
	rows, err := q.QueryContext(ctx, `SELECT emergency_id, measure, params FROM emergency_measures`)
	if err != nil {
		return errs.Wrap(err, "query measures")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var m, params string
		if err := rows.Scan(&id, &m, &params); err != nil {
			return errs.Wrap(err, "scan measure")
		}
		i, ok := index[id]
		if !ok {
			continue
		}
		var p MeasureParams
		if err := json.Unmarshal([]byte(params), &p); err != nil {
			return errs.Wrap(err, "measure params")
		}
		es[i].Measures = append(es[i].Measures, Measure(m))
		if params != "{}" {
			es[i].Params[Measure(m)] = p
		}
	}
	for i := range es {
		slices.SortFunc(es[i].Measures, func(a, b Measure) int {
			return slices.Index(AllMeasures, a) - slices.Index(AllMeasures, b)
		})
	}
	return errs.Wrap(rows.Err(), "query measures")
}

func nullDayPtr(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	return dayPtr(&s.String)
}

// emergencyByID reads one emergency. Errors: NotFound.
func emergencyByID(ctx context.Context, q db.Querier, id int64) (Emergency, error) {
	es, err := queryEmergencies(ctx, q, `WHERE id = $1`, id)
	if err != nil {
		return Emergency{}, err
	}
	if len(es) == 0 {
		return Emergency{}, errs.NotFoundf("没有编号为 %d 的应急期", id)
	}
	return es[0], nil
}

// insertEmergency stores e and its measures, setting ID and Version.
func insertEmergency(ctx context.Context, tx *sql.Tx, e *Emergency) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO emergencies (title, start_day, end_day, scope, legal_basis, makeup_until, originals_due, created_by, created_at, updated_at, version)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1) RETURNING id`,
		e.Title, e.StartDay(), nullDay(e.End), e.Scope, e.LegalBasis, nullDay(e.MakeUpUntil), nullDay(e.OriginalsDue),
		e.CreatedBy, e.CreatedAt.UTC(), e.UpdatedAt.UTC()).Scan(&e.ID)
	if err != nil {
		return errs.Wrap(err, "insert emergency")
	}
	e.Version = 1
	for _, m := range e.Measures {
		params := []byte("{}")
		if p, ok := e.Params[m]; ok {
			if params, err = json.Marshal(p); err != nil {
				return errs.Wrap(err, "measure params")
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO emergency_measures (emergency_id, measure, params) VALUES ($1, $2, $3)`,
			e.ID, string(m), string(params)); err != nil {
			return errs.Wrap(err, "insert measure")
		}
	}
	return nil
}

// updateEmergencyEnd writes the end date and derived deadlines if the row
// is still at version. Errors: Conflict (stale version).
func updateEmergencyEnd(ctx context.Context, tx *sql.Tx, e *Emergency, version int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE emergencies SET end_day = $1, makeup_until = $2, originals_due = $3, updated_at = $4, version = version + 1
		WHERE id = $5 AND version = $6`,
		nullDay(e.End), nullDay(e.MakeUpUntil), nullDay(e.OriginalsDue), e.UpdatedAt.UTC(), e.ID, version)
	if err != nil {
		return errs.Wrap(err, "update emergency")
	}
	if n, err := res.RowsAffected(); err != nil {
		return errs.Wrap(err, "update emergency")
	} else if n == 0 {
		return errs.StaleVersion()
	}
	e.Version = version + 1
	return nil
}

package person

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// This file holds the writes other packages ask of persons and
// employments: person is the only package that writes them. They run in
// the caller's transaction.

var personColumns = []db.Column{{Name: "id_number", Type: db.Text}, {Name: "name", Type: db.Text},
	{Name: "gender", Type: db.Text}, {Name: "birth_date", Type: db.Text}, {Name: "phone", Type: db.Text},
	{Name: "kind", Type: db.Text}, {Name: "hukou_area", Type: db.Text}, {Name: "status", Type: db.Text},
	{Name: "created_at", Type: db.Timestamp}, {Name: "updated_at", Type: db.Timestamp}}

// InsertMany stores new persons in one bulk insert and returns their ids
// by ID number. A person already stored is a unique violation (the caller
// says what it means).
func InsertMany(ctx context.Context, tx *sql.Tx, dialect db.Dialect, list []*Person, now time.Time) (map[string]int64, error) {
	ids := make(map[string]int64, len(list))
	err := db.BulkInsert(ctx, tx, dialect, db.Insert{Table: "persons", Columns: personColumns, Rows: len(list),
		Row: func(i int) []any {
			p := list[i]
			return []any{p.IDNumber, p.Name, p.Gender, p.BirthDate, p.Phone, string(p.Kind), p.HukouArea, string(p.Status), now, now}
		},
		Returning: "id, id_number", Scan: func(rs *sql.Rows) error { return scanKey(rs, ids) }})
	return ids, err
}

var employmentColumns = []db.Column{{Name: "person_id", Type: db.BigInt}, {Name: "employer_id", Type: db.BigInt},
	{Name: "start_month", Type: db.Text}, {Name: "base_fen", Type: db.BigInt}, {Name: "declared_fen", Type: db.BigInt},
	{Name: "created_at", Type: db.Timestamp}, {Name: "updated_at", Type: db.Timestamp}}

// NewEmployment is an open employment to store in bulk.
type NewEmployment struct {
	PersonID, EmployerID int64
	StartMonth           string
	Base, Declared       money.Fen // the contribution base and the declared wage
}

// InsertEmployments stores new open employments in one bulk insert and
// returns their ids by person. A second open employment of a person is a
// unique violation.
func InsertEmployments(ctx context.Context, tx *sql.Tx, dialect db.Dialect, list []NewEmployment, now time.Time) (map[int64]int64, error) {
	ids := make(map[string]int64, len(list))
	err := db.BulkInsert(ctx, tx, dialect, db.Insert{Table: "employments", Columns: employmentColumns, Rows: len(list),
		Row: func(i int) []any {
			m := list[i]
			return []any{m.PersonID, m.EmployerID, m.StartMonth, int64(m.Base), int64(m.Declared), now, now}
		},
		Returning: "id, person_id", Scan: func(rs *sql.Rows) error { return scanKey(rs, ids) }})
	out := make(map[int64]int64, len(ids))
	for k, id := range ids {
		pid, _ := strconv.ParseInt(k, 10, 64)
		out[pid] = id
	}
	return out, err
}

// scanKey reads one (id, key) row of a RETURNING clause into out.
func scanKey(rows *sql.Rows, out map[string]int64) error {
	var id int64
	var key string
	if err := rows.Scan(&id, &key); err != nil {
		return err
	}
	out[key] = id
	return nil
}

// SetDeclared records the wage an employer declared for an employment.
func SetDeclared(ctx context.Context, q db.Querier, employmentID int64, declared money.Fen) error {
	_, err := q.ExecContext(ctx, `UPDATE employments SET declared_fen = $1 WHERE id = $2`, int64(declared), employmentID)
	return errs.Wrap(err, "set declared wage")
}

// ShortenEmployment moves the end month of an ended employment back to
// end, under optimistic locking.
func ShortenEmployment(ctx context.Context, q db.Querier, id, version int64, end string, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE employments SET end_month = $1, updated_at = $2, version = version + 1
		WHERE id = $3 AND version = $4`, end, now, id, version)
	return errs.Wrap(err, "shorten employment")
}

// CorrectBase sets the contribution base and declared wage of an
// employment. Errors: Conflict (stale version), Internal.
func CorrectBase(ctx context.Context, q db.Querier, id, version int64, base, declared money.Fen, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE employments SET base_fen = $1, declared_fen = $2, updated_at = $3,
		version = version + 1 WHERE id = $4 AND version = $5`, int64(base), int64(declared), now, id, version)
	if err != nil {
		return errs.Wrap(err, "correct base")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.StaleVersion()
	}
	return nil
}

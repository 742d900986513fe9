package demo

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
)

// personColumns and jobColumns are the columns the generator writes, in this order.
var (
	personColumns = []db.Column{{Name: "id", Type: db.BigInt}, {Name: "id_number", Type: db.Text}, {Name: "name", Type: db.Text},
		{Name: "gender", Type: db.Text}, {Name: "birth_date", Type: db.Text}, {Name: "phone", Type: db.Text},
		{Name: "kind", Type: db.Text}, {Name: "hukou_area", Type: db.Text}, {Name: "status", Type: db.Text},
		{Name: "flex_base_fen", Type: db.BigInt}, {Name: "flex_since", Type: db.Text}, {Name: "created_at", Type: db.Timestamp},
		{Name: "updated_at", Type: db.Timestamp}}
	jobColumns = []db.Column{{Name: "person_id", Type: db.BigInt}, {Name: "employer_id", Type: db.BigInt},
		{Name: "start_month", Type: db.Text}, {Name: "end_month", Type: db.Text}, {Name: "base_fen", Type: db.BigInt},
		{Name: "end_reason", Type: db.Text}, {Name: "created_at", Type: db.Timestamp}, {Name: "updated_at", Type: db.Timestamp}}
)

func personRow(p *genPerson, now time.Time) []any {
	var base, since any
	if p.FlexBase > 0 {
		base, since = p.FlexBase, p.FlexSince
	}
	return []any{p.ID, p.IDNumber, p.Name, p.Gender, p.Birth, p.Phone, string(p.Kind), p.Hukou, "active",
		base, since, now, now}
}

func jobRow(personID int64, j *genJob, now time.Time) []any {
	var end any
	if j.End != "" {
		end = j.End
	}
	return []any{personID, j.EmployerID, j.Start, end, j.Base, j.Reason, now, now}
}

// writePersons stores one chunk of persons and their employments in one
// transaction.
func writePersons(ctx context.Context, d *db.DB, chunk []genPerson, now time.Time) error {
	persons := make([][]any, 0, len(chunk))
	var jobs [][]any
	for i := range chunk {
		persons = append(persons, personRow(&chunk[i], now))
		for j := range chunk[i].Jobs {
			jobs = append(jobs, jobRow(chunk[i].ID, &chunk[i].Jobs[j], now))
		}
	}
	return d.WithTx(ctx, func(tx *sql.Tx) error {
		err := db.BulkInsert(ctx, tx, d.Dialect, db.Insert{Table: "persons", Columns: personColumns, Rows: len(persons),
			Row: func(i int) []any { return persons[i] }})
		if err != nil {
			return err
		}
		return db.BulkInsert(ctx, tx, d.Dialect, db.Insert{Table: "employments", Columns: jobColumns, Rows: len(jobs),
			Row: func(i int) []any { return jobs[i] }})
	})
}

// reservePersonIDs returns the first of n consecutive person ids that no
// other insert will take: on PostgreSQL the identity sequence is moved past
// them; on SQLite new rows take max(id)+1, so the range after the current
// maximum is free while this process holds the writer.
func reservePersonIDs(ctx context.Context, d *db.DB, n int) (int64, error) {
	var maxID int64
	if err := d.W.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM persons`).Scan(&maxID); err != nil {
		return 0, errs.Wrap(err, "max person id")
	}
	if d.Dialect != db.Postgres { // only PostgreSQL has a sequence to move past the range
		return maxID + 1, nil
	}
	var next int64
	if err := d.W.QueryRowContext(ctx, `SELECT nextval(pg_get_serial_sequence('persons', 'id'))`).Scan(&next); err != nil {
		return 0, errs.Wrap(err, "person id sequence")
	}
	first := max(next, maxID+1)
	if _, err := d.W.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('persons', 'id'), $1)`, first+int64(n)); err != nil {
		return 0, errs.Wrap(err, "reserve person ids")
	}
	return first, nil
}

// bigCache gives SQLite's writer connection a 128 MiB page cache while a
// large district (over 50,000 persons) is written, so index pages stay in
// memory, and returns the function that restores the previous size. It
// returns nil when nothing was changed.
func bigCache(ctx context.Context, d *db.DB, persons int) (restore func()) {
	if d.Dialect != db.SQLite || persons <= 50_000 { // a page cache of SQLite's writer connection
		return nil
	}
	var old int64
	if err := d.W.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&old); err != nil {
		return nil
	}
	if _, err := d.W.ExecContext(ctx, `PRAGMA cache_size = -131072`); err != nil {
		return nil
	}
	return func() { d.W.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, old)) }
}

package person

import (
	"context"
	"database/sql"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
)

// This file holds the bulk writes of a generated district (the demo): the
// generator fixes each person's id and ID number when it makes the
// person, and person stores them.

// Seeded is a generated person with a reserved id and its employments.
type Seeded struct {
	ID        int64
	IDNumber  string
	Name      string
	Gender    string
	Birth     string // YYYY-MM-DD
	Phone     string
	Kind      Kind
	Hukou     string
	FlexBase  int64  // fen; 0 for none
	FlexSince string // YYYY-MM, with FlexBase
	Jobs      []SeededJob
}

// SeededJob is an employment of a generated person; End is "" while open.
type SeededJob struct {
	EmployerID int64
	Start, End string
	Base       int64 // fen
	Reason     string
}

var (
	seededColumns = []db.Column{{Name: "id", Type: db.BigInt}, {Name: "id_number", Type: db.Text}, {Name: "name", Type: db.Text},
		{Name: "gender", Type: db.Text}, {Name: "birth_date", Type: db.Text}, {Name: "phone", Type: db.Text},
		{Name: "kind", Type: db.Text}, {Name: "hukou_area", Type: db.Text}, {Name: "status", Type: db.Text},
		{Name: "flex_base_fen", Type: db.BigInt}, {Name: "flex_since", Type: db.Text}, {Name: "created_at", Type: db.Timestamp},
		{Name: "updated_at", Type: db.Timestamp}}
	seededJobColumns = []db.Column{{Name: "person_id", Type: db.BigInt}, {Name: "employer_id", Type: db.BigInt},
		{Name: "start_month", Type: db.Text}, {Name: "end_month", Type: db.Text}, {Name: "base_fen", Type: db.BigInt},
		{Name: "end_reason", Type: db.Text}, {Name: "created_at", Type: db.Timestamp}, {Name: "updated_at", Type: db.Timestamp}}
)

func seededRow(p *Seeded, now time.Time) []any {
	var base, since any
	if p.FlexBase > 0 {
		base, since = p.FlexBase, p.FlexSince
	}
	return []any{p.ID, p.IDNumber, p.Name, p.Gender, p.Birth, p.Phone, string(p.Kind), p.Hukou, string(Active),
		base, since, now, now}
}

func seededJobRow(personID int64, j *SeededJob, now time.Time) []any {
	var end any
	if j.End != "" {
		end = j.End
	}
	return []any{personID, j.EmployerID, j.Start, end, j.Base, j.Reason, now, now}
}

// InsertSeeded stores one chunk of generated persons and their employments
// in one transaction (bulk inserts; ids as reserved by ReserveIDs).
func InsertSeeded(ctx context.Context, d *db.DB, chunk []Seeded, now time.Time) error {
	persons := make([][]any, 0, len(chunk))
	var jobs [][]any
	for i := range chunk {
		persons = append(persons, seededRow(&chunk[i], now))
		for j := range chunk[i].Jobs {
			jobs = append(jobs, seededJobRow(chunk[i].ID, &chunk[i].Jobs[j], now))
		}
	}
	return d.WithTx(ctx, func(tx *sql.Tx) error {
		err := db.BulkInsert(ctx, tx, d.Dialect, db.Insert{Table: "persons", Columns: seededColumns, Rows: len(persons),
			Row: func(i int) []any { return persons[i] }})
		if err != nil {
			return err
		}
		return db.BulkInsert(ctx, tx, d.Dialect, db.Insert{Table: "employments", Columns: seededJobColumns, Rows: len(jobs),
			Row: func(i int) []any { return jobs[i] }})
	})
}

// ReserveIDs returns the first of n consecutive person ids that no other
// insert will take: on PostgreSQL the identity sequence is moved past
// them; on SQLite new rows take max(id)+1, so the range after the current
// maximum is free while this process holds the writer.
func ReserveIDs(ctx context.Context, d *db.DB, n int) (int64, error) {
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

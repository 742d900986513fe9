package demo

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"shebao/internal/db"
	"shebao/internal/errs"
)

// personColumns and jobColumns are written by both writers, in this order.
var (
	personColumns = []string{"id", "id_number", "name", "gender", "birth_date", "phone", "kind", "hukou_area",
		"status", "flex_base_fen", "flex_since", "created_at", "updated_at"}
	jobColumns = []string{"person_id", "employer_id", "start_month", "end_month", "base_fen", "end_reason",
		"created_at", "updated_at"}
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
// transaction: COPY on PostgreSQL, multi-row INSERTs on SQLite.
func writePersons(ctx context.Context, d *db.DB, chunk []genPerson, now time.Time) error {
	persons := make([][]any, 0, len(chunk))
	var jobs [][]any
	for i := range chunk {
		persons = append(persons, personRow(&chunk[i], now))
		for j := range chunk[i].Jobs {
			jobs = append(jobs, jobRow(chunk[i].ID, &chunk[i].Jobs[j], now))
		}
	}
	if d.Dialect == db.Postgres {
		return copyRows(ctx, d, []copySet{{"persons", personColumns, persons}, {"employments", jobColumns, jobs}})
	}
	return d.WithTx(ctx, func(tx *sql.Tx) error {
		if err := insertRows(ctx, tx, "persons", personColumns, persons, 400); err != nil {
			return err
		}
		return insertRows(ctx, tx, "employments", jobColumns, jobs, 600)
	})
}

type copySet struct {
	table string
	cols  []string
	rows  [][]any
}

// copyRows writes each set with COPY inside one pgx transaction on a
// connection taken from the pool.
func copyRows(ctx context.Context, d *db.DB, sets []copySet) error {
	conn, err := d.W.Conn(ctx)
	if err != nil {
		return errs.Wrap(err, "copy: connection")
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(ctx)
		// Demo data: a crash may lose the last chunks, never corrupt them.
		if _, err := tx.Exec(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		for _, s := range sets {
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{s.table}, s.cols, pgx.CopyFromRows(s.rows)); err != nil {
				return fmt.Errorf("copy %s: %w", s.table, err)
			}
		}
		return tx.Commit(ctx)
	})
	return errs.Wrap(err, "copy")
}

// insertRows writes rows with multi-row INSERT statements of at most per
// rows each (SQLite allows 32,766 parameters per statement). It is used on
// SQLite only, and binds with anonymous "?" placeholders: the driver looks
// up every numbered "$N" parameter by name, a linear search that made a
// 5,000-parameter statement spend two thirds of its time binding.
func insertRows(ctx context.Context, tx *sql.Tx, table string, cols []string, rows [][]any, per int) error {
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES "
	var stmt *sql.Stmt
	defer func() {
		if stmt != nil {
			stmt.Close()
		}
	}()
	for len(rows) > 0 {
		n := min(per, len(rows))
		batch := rows[:n]
		rows = rows[n:]
		args := make([]any, 0, n*len(cols))
		for _, r := range batch {
			args = append(args, r...)
		}
		var err error
		if n == per {
			if stmt == nil {
				if stmt, err = tx.PrepareContext(ctx, head+placeholders(n, len(cols))); err != nil {
					return errs.Wrap(err, "prepare insert "+table)
				}
			}
			_, err = stmt.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, head+placeholders(n, len(cols)), args...)
		}
		if err != nil {
			return errs.Wrap(err, "insert "+table)
		}
	}
	return nil
}

// placeholders returns "(?,?),(?,?)…" for rows×cols parameters.
func placeholders(rows, cols int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	return strings.TrimSuffix(strings.Repeat(row+",", rows), ",")
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
	if d.Dialect != db.Postgres {
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
	if d.Dialect != db.SQLite || persons <= 50_000 {
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

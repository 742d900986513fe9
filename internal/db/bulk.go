package db

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"

	"shebao/internal/errs"
)

// Column types of a bulk insert: PostgreSQL receives each column as one
// typed array, so it must know the type.
const (
	BigInt    = "BIGINT"
	Text      = "TEXT"
	Timestamp = "TIMESTAMPTZ"
	Boolean   = "BOOLEAN"
)

// Column is one column of a bulk insert: its name and one of the column
// types above.
type Column struct {
	Name string
	Type string
}

// Insert is a bulk insert into Table of Rows rows: Row(i) gives the values
// of row i in the order of Columns (nil for NULL; integers, money.Fen and
// other integer types, strings, time.Time and bool). With Returning (e.g.
// "id, serial") Scan is called once per returned row; the order of the
// returned rows is not defined, so return a key to match them by.
type Insert struct {
	Table     string
	Columns   []Column
	Rows      int
	Row       func(i int) []any
	Returning string
	Scan      func(rows *sql.Rows) error
	// OnConflict, when set, follows the rows (e.g. "ON CONFLICT (key)
	// DO NOTHING"): with Returning, only the rows inserted are returned.
	OnConflict string
}

// Rows per statement. PostgreSQL binds each column as one array, so a
// statement can be large; the cap only bounds the memory of one call.
// SQLite binds every value: sqliteParams is the measured best number of
// values per statement (BenchmarkInsertSQLite, 20,000 rows of 13 columns,
// best of three under load 9: 500 values 7.0 µs a row, 1,000 8.4,
// 2,000 5.6, 4,000 9.9, 8,000 10.2, 16,000 8.4, 32,000 8.1), far under
// SQLite's limit of 32,766.
const (
	pgRows       = 100_000
	sqliteParams = 2_000
)

// copyRows is the least number of rows BulkInsert copies (COPY) on
// PostgreSQL inside a transaction of WithTx: COPY takes two round trips
// where INSERT … SELECT unnest takes one, and writes rows in batches.
const copyRows = 1_000

// BulkInsert writes in.Rows rows inside tx, the caller's transaction. On
// PostgreSQL: COPY on the transaction's connection when tx was begun by
// WithTx and the insert has at least copyRows rows, no Returning and no
// OnConflict; otherwise one INSERT … SELECT unnest(…) per pgRows rows with
// every column passed as a typed array. On SQLite multi-row VALUES
// statements of sqliteParams values, the full-size statement prepared once.
// Errors keep the driver's error as cause (see IsUniqueViolation).
func BulkInsert(ctx context.Context, tx *sql.Tx, d Dialect, in Insert) error {
	if in.Rows == 0 {
		return nil
	}
	if d == Postgres {
		if c, ok := txConns.Load(tx); ok && in.Rows >= copyRows && in.Returning == "" && in.OnConflict == "" {
			return copyIn(ctx, c.(*sql.Conn), in)
		}
		return bulkPostgres(ctx, tx, in)
	}
	return bulkSQLite(ctx, tx, in, sqliteParams)
}

func (in *Insert) head() string {
	names := make([]string, len(in.Columns))
	for i, c := range in.Columns {
		names[i] = c.Name
	}
	return "INSERT INTO " + in.Table + " (" + strings.Join(names, ", ") + ") "
}

func (in *Insert) tail() string {
	t := ""
	if in.OnConflict != "" {
		t = " " + in.OnConflict
	}
	if in.Returning == "" {
		return t
	}
	return t + " RETURNING " + in.Returning
}

// run executes one statement (or prepared stmt) and scans what it returns.
func (in *Insert) run(ctx context.Context, tx *sql.Tx, st *sql.Stmt, q string, args []any) error {
	if in.Returning == "" {
		var err error
		if st != nil {
			_, err = st.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, q, args...)
		}
		return err
	}
	var rows *sql.Rows
	var err error
	if st != nil {
		rows, err = st.QueryContext(ctx, args...)
	} else {
		rows, err = tx.QueryContext(ctx, q, args...)
	}
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := in.Scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// bulkPostgres unnests the arrays in the select list, in step: unnest in
// FROM would first copy each array into a tuplestore.
func bulkPostgres(ctx context.Context, tx *sql.Tx, in Insert) error {
	sel := make([]string, len(in.Columns))
	for i, c := range in.Columns {
		sel[i] = fmt.Sprintf("unnest(CAST($%d AS %s[]))", i+1, c.Type)
	}
	q := in.head() + "SELECT " + strings.Join(sel, ", ") + in.tail()
	for start := 0; start < in.Rows; start += pgRows {
		n := min(pgRows, in.Rows-start)
		cols := make([]columnArray, len(in.Columns))
		for i, c := range in.Columns {
			cols[i] = newColumnArray(c.Type, n)
		}
		for r := start; r < start+n; r++ {
			vals := in.Row(r)
			if len(vals) != len(cols) {
				return errs.Wrap(fmt.Errorf("row %d has %d values for %d columns", r, len(vals), len(cols)), "insert "+in.Table)
			}
			for i, v := range vals {
				if err := cols[i].add(v); err != nil {
					return errs.Wrap(fmt.Errorf("row %d column %s: %w", r, in.Columns[i].Name, err), "insert "+in.Table)
				}
			}
		}
		args := make([]any, len(cols))
		for i := range cols {
			args[i] = cols[i].value()
		}
		if err := in.run(ctx, tx, nil, q, args); err != nil {
			return errs.Wrap(err, "insert "+in.Table)
		}
	}
	return nil
}

// columnArray collects one column's values as a typed, nullable array.
type columnArray struct {
	typ   string
	ints  []pgtype.Int8
	texts []pgtype.Text
	times []pgtype.Timestamptz
	bools []pgtype.Bool
}

func newColumnArray(typ string, n int) columnArray {
	c := columnArray{typ: typ}
	switch typ {
	case BigInt:
		c.ints = make([]pgtype.Int8, 0, n)
	case Timestamp:
		c.times = make([]pgtype.Timestamptz, 0, n)
	case Boolean:
		c.bools = make([]pgtype.Bool, 0, n)
	default:
		c.texts = make([]pgtype.Text, 0, n)
	}
	return c
}

func (c *columnArray) value() any {
	switch c.typ {
	case BigInt:
		return c.ints
	case Timestamp:
		return c.times
	case Boolean:
		return c.bools
	}
	return c.texts
}

func (c *columnArray) add(v any) error {
	switch c.typ {
	case BigInt:
		x, ok, err := asInt(v)
		c.ints = append(c.ints, pgtype.Int8{Int64: x, Valid: ok})
		return err
	case Timestamp:
		t, ok := v.(time.Time)
		if v != nil && !ok {
			return fmt.Errorf("%T is not a time", v)
		}
		c.times = append(c.times, pgtype.Timestamptz{Time: t, Valid: ok})
	case Boolean:
		b, ok := v.(bool)
		if v != nil && !ok {
			return fmt.Errorf("%T is not a bool", v)
		}
		c.bools = append(c.bools, pgtype.Bool{Bool: b, Valid: ok})
	default:
		s, ok, err := asText(v)
		c.texts = append(c.texts, pgtype.Text{String: s, Valid: ok})
		return err
	}
	return nil
}

// asInt reads an integer of any integer type (money.Fen, int, int64 …);
// nil is NULL.
func asInt(v any) (int64, bool, error) {
	switch x := v.(type) {
	case nil:
		return 0, false, nil
	case int64:
		return x, true, nil
	case int:
		return int64(x), true, nil
	}
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return r.Int(), true, nil
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return int64(r.Uint()), true, nil
	}
	return 0, false, fmt.Errorf("%T is not an integer", v)
}

// asText reads a string of any string type; nil is NULL.
func asText(v any) (string, bool, error) {
	switch x := v.(type) {
	case nil:
		return "", false, nil
	case string:
		return x, true, nil
	}
	if r := reflect.ValueOf(v); r.Kind() == reflect.String {
		return r.String(), true, nil
	}
	return "", false, fmt.Errorf("%T is not a string", v)
}

// bulkSQLite binds with anonymous "?" placeholders: the driver looks up
// every numbered "$N" parameter by name, a linear search that made a
// 5,000-parameter statement spend two thirds of its time binding.
func bulkSQLite(ctx context.Context, tx *sql.Tx, in Insert, values int) error {
	cols := len(in.Columns)
	per := max(1, values/cols)
	row := "(" + strings.TrimSuffix(strings.Repeat("?,", cols), ",") + ")"
	text := func(n int) string {
		return in.head() + "VALUES " + strings.TrimSuffix(strings.Repeat(row+",", n), ",") + in.tail()
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for start := 0; start < in.Rows; start += per {
		n := min(per, in.Rows-start)
		args := make([]any, 0, n*cols)
		for r := start; r < start+n; r++ {
			vals := in.Row(r)
			if len(vals) != cols {
				return errs.Wrap(fmt.Errorf("row %d has %d values for %d columns", r, len(vals), cols), "insert "+in.Table)
			}
			args = append(args, vals...)
		}
		var st *sql.Stmt
		if n == per {
			if full == nil {
				var err error
				if full, err = tx.PrepareContext(ctx, text(n)); err != nil {
					return errs.Wrap(err, "insert "+in.Table)
				}
			}
			st = full
		}
		q := ""
		if st == nil {
			q = text(n)
		}
		if err := in.run(ctx, tx, st, q, args); err != nil {
			return errs.Wrap(err, "insert "+in.Table)
		}
	}
	return nil
}

// copyIn writes in's rows with COPY on conn, the connection of the open
// transaction, inside it.
func copyIn(ctx context.Context, conn *sql.Conn, in Insert) error {
	names := make([]string, len(in.Columns))
	for i, col := range in.Columns {
		names[i] = col.Name
	}
	err := conn.Raw(func(dc any) error {
		_, err := dc.(*stdlib.Conn).Conn().CopyFrom(ctx, pgx.Identifier{in.Table}, names, copySource(in))
		return err
	})
	return errs.Wrap(err, "insert "+in.Table)
}

// copySource gives in's rows with each value of the column's type (int64,
// string, time.Time, bool or nil), checked as for the arrays.
func copySource(in Insert) pgx.CopyFromSource {
	next := 0
	return pgx.CopyFromFunc(func() ([]any, error) {
		if next == in.Rows {
			return nil, nil
		}
		vals := in.Row(next)
		if len(vals) != len(in.Columns) {
			return nil, fmt.Errorf("row %d has %d values for %d columns", next, len(vals), len(in.Columns))
		}
		row := make([]any, len(vals))
		for i, v := range vals {
			x, err := plain(in.Columns[i].Type, v)
			if err != nil {
				return nil, fmt.Errorf("row %d column %s: %w", next, in.Columns[i].Name, err)
			}
			row[i] = x
		}
		next++
		return row, nil
	})
}

// plain is v as the Go type COPY encodes for a column of typ (nil for NULL).
func plain(typ string, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch typ {
	case BigInt:
		x, _, err := asInt(v)
		return x, err
	case Timestamp:
		t, ok := v.(time.Time)
		if !ok {
			return nil, fmt.Errorf("%T is not a time", v)
		}
		return t, nil
	case Boolean:
		b, ok := v.(bool)
		if !ok {
			return nil, fmt.Errorf("%T is not a bool", v)
		}
		return b, nil
	}
	s, _, err := asText(v)
	return s, err
}

// Load writes in.Rows rows into in.Table in a transaction of its own, the
// fastest way each engine has: COPY on PostgreSQL, BulkInsert on SQLite. For bulk loads that belong to no service transaction: the demo
// generator, benchmarks. Returning is not supported.
func (d *DB) Load(ctx context.Context, in Insert) error {
	if in.Rows == 0 {
		return nil
	}
	if d.Dialect != Postgres {
		return d.WithTx(ctx, func(tx *sql.Tx) error { return BulkInsert(ctx, tx, d.Dialect, in) })
	}
	conn, err := d.W.Conn(ctx)
	if err != nil {
		return errs.Wrap(err, "copy: connection")
	}
	defer conn.Close()
	return copyIn(ctx, conn, in)
}

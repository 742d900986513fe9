package db

import (
	"context"
	"database/sql"
	"regexp"
	"strconv"
	"strings"

	"shebao/internal/errs"
)

// The few places where one SQL text cannot serve both engines: the code
// outside this package asks for the text here instead of testing Dialect.

// Clamp is x limited to [lo, hi] (SQL expressions).
func (d Dialect) Clamp(x, lo, hi string) string {
	return d.Greatest(d.Least(x, hi), lo)
}

// Greatest is the largest of the SQL expressions (SQLite's scalar max).
func (d Dialect) Greatest(x ...string) string {
	if d == Postgres {
		return "GREATEST(" + strings.Join(x, ", ") + ")"
	}
	return "max(" + strings.Join(x, ", ") + ")"
}

// Least is the smallest of the SQL expressions (SQLite's scalar min).
func (d Dialect) Least(x ...string) string {
	if d == Postgres {
		return "LEAST(" + strings.Join(x, ", ") + ")"
	}
	return "min(" + strings.Join(x, ", ") + ")"
}

// TimeParam is parameter $n holding a time, typed where PostgreSQL cannot
// infer its type (a select list, an argument of a function).
func (d Dialect) TimeParam(n int) string {
	if d == Postgres {
		return "CAST($" + strconv.Itoa(n) + " AS TIMESTAMPTZ)"
	}
	return "$" + strconv.Itoa(n)
}

// Params is a list of n bind parameters for a statement with no others
// ("$1, $2, …"; "?, ?, …" on SQLite, whose driver looks each "$N" up in a
// list, which is quadratic in statements with thousands).
func (d Dialect) Params(n int) string { return d.ParamsFrom(1, n) }

// ParamsFrom is a list of n bind parameters numbered from first, for a
// statement whose parameters before them are written "?" on SQLite too
// (anonymous parameters bind in order of appearance).
func (d Dialect) ParamsFrom(first, n int) string {
	if d == SQLite {
		return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
	}
	var b strings.Builder
	for i := first; i < first+n; i++ {
		if i > first {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(i))
	}
	return b.String()
}

// SkipLocked is the locking clause of a queue's claiming subquery: rows
// another server is claiming are skipped on PostgreSQL; SQLite has one
// writer, so there is nothing to skip (and no such clause).
func (d Dialect) SkipLocked() string {
	if d == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// ForUpdate is the clause locking the rows a write transaction reads on
// PostgreSQL; SQLite's write transactions are exclusive already
// (immediate), and it has no such clause.
func (d Dialect) ForUpdate() string {
	if d == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// ForUpdateOf is ForUpdate locking only the rows of table (a query
// joining others, e.g. with a LEFT JOIN, whose nullable side PostgreSQL
// cannot lock).
func (d Dialect) ForUpdateOf(table string) string {
	if d == Postgres {
		return " FOR UPDATE OF " + table
	}
	return ""
}

// ForShare is the clause taking a shared lock on the rows a write
// transaction reads on PostgreSQL: others may share it and update other
// than the key (FOR KEY SHARE), a FOR UPDATE waits for it; SQLite's write
// transactions are exclusive already.
func (d Dialect) ForShare() string {
	if d == Postgres {
		return " FOR KEY SHARE"
	}
	return ""
}

// SnapshotRead are the options of a read transaction whose statements all
// see one snapshot: repeatable read on PostgreSQL (read committed would
// give each statement its own); an SQLite read transaction already is one.
func (d Dialect) SnapshotRead() *sql.TxOptions {
	if d == Postgres {
		return &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}
	}
	return nil
}

// ParallelWrites reports whether several transactions may write at once
// (PostgreSQL); SQLite has one writer, so batches run one after another.
func (d Dialect) ParallelWrites() bool { return d == Postgres }

// CreateLike creates table as an empty copy of like with its columns,
// defaults, identity and indexes but no foreign keys (a benchmark's
// scratch table).
func (d *DB) CreateLike(ctx context.Context, table, like string) error {
	if d.Dialect == Postgres {
		_, err := d.W.ExecContext(ctx, `CREATE TABLE `+table+` (LIKE `+like+` INCLUDING ALL)`)
		return errs.Wrap(err, "create "+table)
	}
	rows, err := d.W.QueryContext(ctx, `SELECT sql FROM sqlite_master WHERE tbl_name = $1 AND sql IS NOT NULL
		ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END`, like)
	if err != nil {
		return errs.Wrap(err, "create "+table)
	}
	var ddl []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return errs.Wrap(err, "create "+table)
		}
		s = foreignKey.ReplaceAllString(s, "")
		ddl = append(ddl, strings.ReplaceAll(s, like, table))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return errs.Wrap(err, "create "+table)
	}
	for _, s := range ddl {
		if _, err := d.W.ExecContext(ctx, s); err != nil {
			return errs.Wrap(err, "create "+table)
		}
	}
	return nil
}

// foreignKey is a column's REFERENCES clause in SQLite's stored DDL.
var foreignKey = regexp.MustCompile(`(?i)\s+REFERENCES\s+\w+\s*\(\w+\)`)

// DropTable drops a scratch table.
func (d *DB) DropTable(ctx context.Context, table string) error {
	_, err := d.W.ExecContext(ctx, `DROP TABLE IF EXISTS `+table)
	return errs.Wrap(err, "drop "+table)
}

// LockWriters is the statement that makes a write transaction the only
// writer of a table until it ends, without touching its rows (readers
// are not blocked): on PostgreSQL a SHARE ROW EXCLUSIVE table lock, taken
// again by the same transaction at no cost; SQLite's write transactions
// are exclusive already, so there is nothing to run ("").
func (d Dialect) LockWriters(table string) string {
	if d == Postgres {
		return "LOCK TABLE " + table + " IN SHARE ROW EXCLUSIVE MODE"
	}
	return ""
}

// NoJIT is the statement that turns PostgreSQL's JIT compilation off until
// the transaction ends ("" on SQLite, which has none). Set-based batches
// whose statements each touch some 100,000 rows pass the planner's JIT
// cost threshold, and compiling them took seconds longer than running them
// (BenchmarkCivilMatch: 4.2 s of JIT in a 100,000-row update).
func (d Dialect) NoJIT() string {
	if d == Postgres {
		return "SET LOCAL jit = off"
	}
	return ""
}

// AnyID is the condition "expr is one of ids", ids bound as the one
// parameter $n, and the value to bind: an array on PostgreSQL (expr =
// ANY($n)), a JSON array read with json_each on SQLite. One statement
// and one plan for any number of ids, where an IN list of literals or
// parameters costs a plan per chunk.
func (d Dialect) AnyID(expr string, n int, ids []int64) (string, any) {
	if d == Postgres {
		return expr + " = ANY(CAST($" + strconv.Itoa(n) + " AS BIGINT[]))", ids
	}
	var b strings.Builder
	b.WriteByte('[')
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	b.WriteByte(']')
	return expr + " IN (SELECT value FROM json_each($" + strconv.Itoa(n) + "))", b.String()
}

// NextIDs reserves n ids of table's identity column "id" inside tx, for
// rows written with their ids (a bulk insert without RETURNING, which
// PostgreSQL can COPY): from the column's sequence on PostgreSQL; after
// the largest id on SQLite, whose one writer holds the database for the
// rest of the transaction.
func NextIDs(ctx context.Context, tx *sql.Tx, d Dialect, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if d == SQLite {
		var last int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&last); err != nil {
			return nil, errs.Wrap(err, "next ids of "+table)
		}
		for i := 1; i <= n; i++ {
			ids = append(ids, last+int64(i))
		}
		return ids, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
	if err != nil {
		return nil, errs.Wrap(err, "next ids of "+table)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, errs.Wrap(err, "next ids of "+table)
		}
		ids = append(ids, id)
	}
	return ids, errs.Wrap(rows.Err(), "next ids of "+table)
}

// InInt64s is the placeholders "$1,$2,…" of an IN list of ids and their
// args (for set-based reads of a chunk; keep lists to a few thousand).
func InInt64s(ids []int64) (string, []any) {
	var b strings.Builder
	args := make([]any, len(ids))
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(i + 1))
		args[i] = id
	}
	return b.String(), args
}

// Int64Rows is a table of integer rows with the given column names, bound
// as the one parameter $n, for a FROM clause ("… JOIN " + table + " t ON
// …"), and the value to bind: a JSON array of rows on both engines, read
// with json_array_elements on PostgreSQL and json_each on SQLite. One
// statement and one plan for any number of rows, where a VALUES list of
// parameters costs a plan per row count.
func (d Dialect) Int64Rows(n int, names []string, rows [][]int64) (string, any) {
	var b strings.Builder
	b.WriteByte('[')
	for i, r := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('[')
		for j, v := range r {
			if j > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatInt(v, 10))
		}
		b.WriteByte(']')
	}
	b.WriteByte(']')
	p := "$" + strconv.Itoa(n)
	cols := make([]string, len(names))
	for i, name := range names {
		k := strconv.Itoa(i)
		if d == Postgres {
			cols[i] = "CAST(r.value->>" + k + " AS BIGINT) AS " + name
		} else {
			cols[i] = "CAST(json_extract(r.value, '$[" + k + "]') AS INTEGER) AS " + name
		}
	}
	// On SQLite LIMIT -1 (no limit) keeps the subquery from being
	// flattened into the join, so it is read once into a table the join
	// finds rows of by an automatic index instead of reading the JSON
	// again for every row of the other side.
	from := "json_each(" + p + ") r LIMIT -1"
	if d == Postgres {
		from = "json_array_elements(CAST(CAST(" + p + " AS TEXT) AS JSON)) r"
	}
	return "(SELECT " + strings.Join(cols, ", ") + " FROM " + from + ")", b.String()
}

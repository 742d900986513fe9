// Package dbtest gives store tests a freshly migrated database on every
// engine: always SQLite, and PostgreSQL too when SHEBAO_TEST_POSTGRES holds
// a postgres:// URL. Each PostgreSQL test gets its own schema, dropped after.
package dbtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shebao/internal/db"
)

// EnvPostgres names the variable that enables PostgreSQL store tests.
const EnvPostgres = "SHEBAO_TEST_POSTGRES"

// Each runs fn once per available engine, as subtests "sqlite" and "postgres".
func Each(t *testing.T, fn func(t *testing.T, d *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	if os.Getenv(EnvPostgres) != "" {
		t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
	}
}

// EachPair runs fn once per available engine with two handles on one fresh
// database, each with its own connection pools, as two server processes
// sharing it would have: two opens of one SQLite file, or two pools on one
// PostgreSQL schema.
func EachPair(t *testing.T, fn func(t *testing.T, a, b *db.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		a := SQLite(t)
		fn(t, a, openDB(t, a.DSN))
	})
	if os.Getenv(EnvPostgres) != "" {
		t.Run("postgres", func(t *testing.T) {
			url := postgresSchema(t)
			fn(t, openDB(t, url), openDB(t, url))
		})
	}
}

// Engines lists the engines Each will run, for tests that compare them.
func Engines() []db.Dialect {
	if os.Getenv(EnvPostgres) != "" {
		return []db.Dialect{db.SQLite, db.Postgres}
	}
	return []db.Dialect{db.SQLite}
}

// Open returns a fresh migrated database of the given dialect.
func Open(t testing.TB, d db.Dialect) *db.DB {
	if d == db.Postgres {
		return Postgres(t)
	}
	return SQLite(t)
}

// SQLite returns a fresh migrated SQLite database in a temp folder.
func SQLite(t testing.TB) *db.DB {
	t.Helper()
	return openDB(t, filepath.Join(t.TempDir(), "shebao.db"))
}

// Postgres returns a fresh migrated PostgreSQL schema; it skips the test
// when SHEBAO_TEST_POSTGRES is unset (callers normally use Each instead).
func Postgres(t testing.TB) *db.DB {
	t.Helper()
	return openDB(t, postgresSchema(t))
}

// openDB opens dsn, closed when the test ends, and migrates it.
func openDB(t testing.TB, dsn string) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	if _, err := d.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d
}

// postgresSchema creates a schema dropped when the test ends and returns
// the URL that uses it; it skips the test when SHEBAO_TEST_POSTGRES is unset.
func postgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvPostgres)
	if base == "" {
		t.Skip("SHEBAO_TEST_POSTGRES not set")
	}
	schema := "t_" + randHex(8)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", base)
		if err == nil {
			a.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			a.Close()
		}
	})
	return WithSchema(base, schema)
}

// WithSchema adds search_path=schema to a postgres URL.
func WithSchema(base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Explain returns the plan of q as text (EXPLAIN on PostgreSQL with
// sequential scans discouraged, since a test's small table would be
// scanned whatever its indexes; EXPLAIN QUERY PLAN on SQLite).
func Explain(t testing.TB, d *db.DB, q string, args ...any) string {
	t.Helper()
	ctx := context.Background()
	conn, err := d.W.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	prefix := "EXPLAIN QUERY PLAN "
	if d.Dialect == db.Postgres {
		prefix = "EXPLAIN "
		if _, err := conn.ExecContext(ctx, `SET enable_seqscan = off`); err != nil {
			t.Fatal(err)
		}
		defer conn.ExecContext(ctx, `RESET enable_seqscan`)
	}
	rows, err := conn.QueryContext(ctx, prefix+q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals[len(vals)-1]))
	}
	return strings.Join(out, "\n")
}

// Rows returns every row of q on d's writer as text, each value followed
// by "|" (byte slices as strings), for tests that compare whole tables.
func Rows(t testing.TB, d *db.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := d.W.Query(q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, v := range vals {
			if s, ok := v.([]byte); ok {
				v = string(s)
			}
			fmt.Fprintf(&b, "%v|", v)
		}
		out = append(out, b.String())
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

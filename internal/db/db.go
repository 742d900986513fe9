// Package db opens Shebao's database (embedded SQLite or PostgreSQL), runs
// the embedded migrations and gives services explicit transactions.
//
// Both engines bind $1, $2 … by number, so one SQL text serves both; code
// switches on Dialect only where the engines really differ.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"shebao/internal/errs"
)

// Dialect names the engine.
type Dialect string

// Engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open database. On SQLite, writes go through one connection
// (W) and reads through a pool (R); on PostgreSQL both are the same pool.
type DB struct {
	W       *sql.DB
	R       *sql.DB
	Dialect Dialect
	DSN     string // for display, password removed
	reads   Querier
	cache   *stmtCache
}

// Querier is what both *sql.DB and *sql.Tx offer; store functions take it.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// IsPostgresURL reports whether s names a PostgreSQL database.
func IsPostgresURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Open opens dsn: a postgres:// URL, or the path of an SQLite file.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if IsPostgresURL(dsn) {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	pool.SetMaxOpenConns(max(8, 4*runtime.NumCPU()))
	pool.SetMaxIdleConns(max(8, 4*runtime.NumCPU()))
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	return &DB{W: pool, R: pool, Dialect: Postgres, DSN: redact(dsn), reads: pool}, nil
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	path = strings.TrimPrefix(path, "sqlite:")
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data folder: %w", err)
		}
	}
	base := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_time_format=sqlite"
	w, err := sql.Open("sqlite", base+"&_txlock=immediate&_pragma=cache_size(-65536)&_pragma=temp_store(memory)")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxIdleTime(0)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	n := max(4, 2*runtime.NumCPU())
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(0)
	r.SetConnMaxLifetime(0)
	cache := newStmtCache(r)
	return &DB{W: w, R: r, Dialect: SQLite, DSN: path, reads: cache, cache: cache}, nil
}

// Close closes both pools.
func (d *DB) Close() error {
	if d.cache != nil {
		d.cache.close()
	}
	err := d.W.Close()
	if d.R != d.W {
		err = errors.Join(err, d.R.Close())
	}
	return err
}

// WithTx runs fn in a write transaction, committing if fn returns nil and
// rolling back otherwise. A service method owns its transaction; fn must not
// start another one. On PostgreSQL the transaction keeps its connection at
// hand so that BulkInsert can COPY inside it.
func (d *DB) WithTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, release, err := d.begin(ctx)
	if err != nil {
		return errs.Wrap(err, "begin")
	}
	defer release()
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		if IsUniqueViolation(err) {
			return errs.New(errs.Conflict, "conflict", "数据冲突，请刷新后重试")
		}
		return errs.Wrap(err, "commit")
	}
	return nil
}

// txConns holds the connection of each PostgreSQL transaction WithTx runs
// (*sql.Tx → *sql.Conn), for COPY (database/sql offers no way from a
// transaction to its connection).
var txConns sync.Map

// begin starts a write transaction; release gives its connection back
// after the commit or rollback.
func (d *DB) begin(ctx context.Context) (*sql.Tx, func(), error) {
	if d.Dialect != Postgres {
		tx, err := d.W.BeginTx(ctx, nil)
		return tx, func() {}, err
	}
	conn, err := d.W.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, nil, err
	}
	txConns.Store(tx, conn)
	return tx, func() {
		txConns.Delete(tx)
		conn.Close()
	}, nil
}

// Read returns the handle for read-only queries outside a transaction. On
// SQLite it prepares each distinct query once (see stmtCache).
func (d *DB) Read() Querier { return d.reads }

// IsUniqueViolation reports whether err is a unique-constraint violation on
// either engine.
func IsUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsNoRows reports whether err is sql.ErrNoRows.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Like escapes s for use in a LIKE pattern with ESCAPE '\'.
func Like(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}

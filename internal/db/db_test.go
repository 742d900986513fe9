package db_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

func TestMigrateIsIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		applied, err := d.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v", applied)
		}
	})
}

func TestWithTxRollsBackOnError(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := d.WithTx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `INSERT INTO job_runs (name, slot, started_at, server) VALUES ($1, $2, $3, $4)`,
				"x", "1", time.Now().UTC(), "t"); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
		var n int
		if err := d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM job_runs`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("rolled-back insert is visible: %d rows", n)
		}
	})
}

func TestUniqueViolationDetectedOnBothEngines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ins := func() error {
			return d.WithTx(ctx, func(tx *sql.Tx) error {
				_, err := tx.ExecContext(ctx, `INSERT INTO job_runs (name, slot, started_at, server) VALUES ('a', 'b', $1, 's')`, time.Now().UTC())
				return err
			})
		}
		if err := ins(); err != nil {
			t.Fatal(err)
		}
		err := ins()
		if !db.IsUniqueViolation(err) {
			t.Fatalf("want unique violation, got %v", err)
		}
		if errs.KindOf(errs.Wrap(err, "x")) != errs.Internal {
			t.Fatal("wrap should be internal")
		}
	})
}

func TestTimestampsRoundTripInUTC(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		want := time.Date(2024, 2, 10, 1, 2, 3, 456000000, time.UTC)
		if _, err := d.W.ExecContext(ctx, `INSERT INTO job_runs (name, slot, started_at, server) VALUES ('t', 's', $1, 'x')`, want); err != nil {
			t.Fatal(err)
		}
		var got time.Time
		if err := d.Read().QueryRowContext(ctx, `SELECT started_at FROM job_runs WHERE name = $1 AND started_at <= $2`, "t", want.Add(time.Second)).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if !got.Equal(want) {
			t.Fatalf("got %v want %v", got, want)
		}
	})
}

func TestReadReusesPreparedStatementsAndReportsErrors(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for i := 0; i < 3; i++ {
			var n int
			if err := d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM job_runs WHERE name = $1`, "x").Scan(&n); err != nil {
				t.Fatal(err)
			}
		}
		if err := d.Read().QueryRowContext(ctx, `SELECT nope FROM job_runs`).Scan(new(int)); err == nil {
			t.Fatal("bad query gave no error")
		}
		// Reads see writes committed after the statement was prepared.
		if _, err := d.W.ExecContext(ctx, `INSERT INTO job_runs (name, slot, started_at, server) VALUES ('x', '1', $1, 's')`, time.Now().UTC()); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM job_runs WHERE name = $1`, "x").Scan(&n); err != nil || n != 1 {
			t.Fatalf("n=%d err=%v", n, err)
		}
	})
}

// TestInt64RowsJoinsOnBothEngines: a table of integer rows bound as one
// parameter joins like a table (large values exact, an empty table joins
// nothing).
func TestInt64RowsJoinsOnBothEngines(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		rows := [][]int64{{1, 10, -3}, {2, 1 << 60, 0}, {5, 7, 8}}
		tab, arg := d.Dialect.Int64Rows(2, []string{"k", "a", "b"}, rows)
		var n, sa, sb, big int64
		err := d.W.QueryRowContext(ctx, `SELECT COUNT(*), SUM(t.a), SUM(t.b), MAX(t.a) FROM `+tab+` t WHERE t.k <= $1`, 2, arg).
			Scan(&n, &sa, &sb, &big)
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 || sa != 10+1<<60 || sb != -3 || big != 1<<60 {
			t.Errorf("got %d rows, sums %d %d, max %d", n, sa, sb, big)
		}
		tab, arg = d.Dialect.Int64Rows(1, []string{"k"}, nil)
		if err := d.W.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+tab+` t`, arg).Scan(&n); err != nil || n != 0 {
			t.Errorf("empty table: %d rows, %v", n, err)
		}
	})
}

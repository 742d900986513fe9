package db_test

import (
	"context"
	"errors"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

type pair struct {
	N    int64
	Name string
}

func scanPair(r db.Scanner) (*pair, error) {
	var p pair
	err := r.Scan(&p.N, &p.Name)
	return &p, err
}

// TestCollect reads rows in order through a scan function, a scalar and a
// pointer scan on both engines, gives nil for no rows and passes on the
// errors of the query and of the scan function.
func TestCollect(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		if _, err := d.W.ExecContext(ctx, `CREATE TABLE collect_t (n BIGINT NOT NULL, name TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		for i, s := range []string{"甲", "乙", "丙"} {
			if _, err := d.W.ExecContext(ctx, `INSERT INTO collect_t (n, name) VALUES ($1, $2)`, i+1, s); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.Collect(ctx, d.W, db.Deref(scanPair), `SELECT n, name FROM collect_t WHERE n >= $1 ORDER BY n DESC`, 2)
		if err != nil || len(got) != 2 || got[0] != (pair{3, "丙"}) || got[1] != (pair{2, "乙"}) {
			t.Fatalf("Collect = %v, %v", got, err)
		}
		ns, err := db.Collect(ctx, d.W, db.Scalar[int64], `SELECT n FROM collect_t ORDER BY n`)
		if err != nil || len(ns) != 3 || ns[0] != 1 || ns[2] != 3 {
			t.Fatalf("Collect Scalar = %v, %v", ns, err)
		}
		none, err := db.Collect(ctx, d.W, db.Scalar[int64], `SELECT n FROM collect_t WHERE n > 9`)
		if err != nil || none != nil {
			t.Fatalf("no rows = %#v, %v", none, err)
		}
		if _, err := db.Collect(ctx, d.W, db.Scalar[int64], `SELECT nothing FROM collect_t`); err == nil {
			t.Fatal("bad query: no error")
		}
		stop := errors.New("stop")
		seen := 0
		err = db.Each(ctx, d.W, func(r db.Scanner) error {
			if seen++; seen == 2 {
				return stop
			}
			return nil
		}, `SELECT n FROM collect_t ORDER BY n`)
		if !errors.Is(err, stop) || seen != 2 {
			t.Fatalf("Each stopped after %d rows with %v", seen, err)
		}
		if _, err := db.Collect(ctx, d.W, func(r db.Scanner) (string, error) {
			var s string
			return s, r.Scan(&s, &s)
		}, `SELECT name FROM collect_t`); err == nil {
			t.Fatal("bad scan: no error")
		}
	})
}

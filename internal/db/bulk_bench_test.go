package db

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// BenchmarkInsertSQLite measures the values per multi-row statement
// (sqliteParams): 20,000 rows of 13 columns, as a chunk of persons.
//
//	go test -run '^$' -bench InsertSQLite ./internal/db/
func BenchmarkInsertSQLite(b *testing.B) {
	ctx := context.Background()
	cols := make([]Column, 13)
	create := "CREATE TABLE probe (id INTEGER PRIMARY KEY"
	for i := range cols {
		cols[i] = Column{Name: "c" + strconv.Itoa(i), Type: Text}
		if i%3 == 0 {
			cols[i].Type = BigInt
		}
		create += ", " + cols[i].Name + " " + cols[i].Type
	}
	at := time.Now()
	row := func(i int) []any {
		out := make([]any, len(cols))
		for k, c := range cols {
			if c.Type == BigInt {
				out[k] = int64(i * k)
			} else {
				out[k] = "值" + strconv.Itoa(i) + at.Format("15")
			}
		}
		return out
	}
	for _, values := range []int{500, 1000, 2000, 4000, 8000, 16000, 32000} {
		b.Run(strconv.Itoa(values), func(b *testing.B) {
			d, err := Open(ctx, filepath.Join(b.TempDir(), "b.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			if _, err := d.W.ExecContext(ctx, create+")"); err != nil {
				b.Fatal(err)
			}
			const n = 20_000
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				err := d.WithTx(ctx, func(tx *sql.Tx) error {
					return bulkSQLite(ctx, tx, Insert{Table: "probe", Columns: cols, Rows: n, Row: row}, values)
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/row")
		})
	}
}

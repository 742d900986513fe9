package staffchange_test

import (
	"context"
	"fmt"
	"testing"

	"shebao/internal/db/dbtest"
)

// BenchmarkImport10k imports a 10,000-row staff file (generated with
// excelize in setup) with full validation into a fresh database, per
// engine. Target: under 3 s per import.
func BenchmarkImport10k(b *testing.B) {
	rows := make([][]any, 10000)
	for i := range rows {
		rows[i] = addRow(i+1, fmt.Sprintf("职工%05d", i+1), "2024-02", fmt.Sprintf("%d.%02d", 3000+i, i%100))
	}
	data := xlsx(b, headers, rows)
	for _, dialect := range dbtest.Engines() {
		b.Run(string(dialect), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				e := newEnv(b, dbtest.Open(b, dialect))
				b.StartTimer()
				rep, err := e.s.Import(context.Background(), e.bossA, e.empA, "10k.xlsx", data)
				if err != nil || !rep.Applied() || rep.Added != 10000 {
					b.Fatalf("import: %v %+v", err, rep.Problems[:min(3, len(rep.Problems))])
				}
			}
		})
	}
}

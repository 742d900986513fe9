package retirement

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/ident"
	"shebao/internal/policy"
)

// benchPersons sizes BenchmarkUpcoming1M: `go test -bench Upcoming -args
// -persons 20000` develops at a small scale.
var benchPersons = flag.Int("persons", 1_000_000, "insured persons of BenchmarkUpcoming1M")

// BenchmarkUpcoming1M lists the first page of those retiring in the next 6
// months among persons insured persons born 1960–2005 (half men), the
// listed ones with 35 years of records, on every engine (the target is
// under 2 s for 1,000,000).
func BenchmarkUpcoming1M(b *testing.B) {
	for _, dialect := range dbtest.Engines() {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.Open(b, dialect)
			e := newEnv(b, d)
			e.pol.SetCacheTTL(policy.DefaultCacheTTL) // as in production
			seedUpcoming(b, d, *benchPersons)
			page, err := e.s.ListUpcoming(ctxBg, e.clerk1, UpcomingFilter{Months: 6})
			if err != nil || len(page.Rows) != PageSize {
				b.Fatalf("%v %+v", err, page)
			}
			for _, r := range page.Rows {
				e.records(b, r.PersonID, "1991-06", "2026-05", 600_000)
			}
			b.ResetTimer()
			for range b.N {
				page, err = e.s.ListUpcoming(ctxBg, e.clerk1, UpcomingFilter{Months: 6})
				if err != nil || len(page.Rows) != PageSize || page.Rows[0].Months != 420 {
					b.Fatalf("%v %+v", err, page)
				}
			}
			b.StopTimer()
			b.Logf("%d of %d persons retire in the next 6 months", page.Total, *benchPersons)
		})
	}
}

func seedUpcoming(b *testing.B, d *db.DB, n int) {
	b.Helper()
	start := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)
	const days = 46 * 365
	cols := []db.Column{{Name: "id_number", Type: db.Text}, {Name: "name", Type: db.Text}, {Name: "gender", Type: db.Text},
		{Name: "birth_date", Type: db.Text}, {Name: "kind", Type: db.Text}, {Name: "created_at", Type: db.Timestamp}, {Name: "updated_at", Type: db.Timestamp}}
	err := d.Load(ctxBg, db.Insert{Table: "persons", Columns: cols, Rows: n, Row: func(i int) []any {
		born := start.AddDate(0, 0, i%days)
		g := "F"
		if i%2 == 0 {
			g = "M"
		}
		return []any{ident.MakeID("110108", born, 2*(i/days)+1, g == "M"), fmt.Sprintf("甲%07d", i), g, born.Format("2006-01-02"),
			"employee", testNow, testNow}
	}})
	if err != nil {
		b.Fatal(err)
	}
	if d.Dialect == db.Postgres {
		if _, err := d.W.ExecContext(ctxBg, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
}

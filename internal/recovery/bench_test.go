package recovery_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
	"shebao/internal/policy"
	"shebao/internal/recovery"
)

// BenchmarkRegister100k loads 100,000 items into the register and times
// the first page (no filter, by status, by section, a search) and the
// XLSX export of everything. Targets: first page < 50 ms, export < 5 s.
// On PostgreSQL when SHEBAO_TEST_POSTGRES is set, else SQLite:
//
//	go test -run '^$' -bench BenchmarkRegister100k ./internal/recovery/
func BenchmarkRegister100k(b *testing.B) {
	d := db.SQLite
	if os.Getenv("SHEBAO_TEST_POSTGRES") != "" {
		d = db.Postgres
	}
	env := apptest.New(b, d)
	ctx := context.Background()
	e, err := env.App.Policy.Declare(ctx, env.Actor(b, apptest.Admin), policy.Epidemic2024())
	if err != nil {
		b.Fatal(err)
	}
	const n = 100_000
	kinds, secs := recovery.Kinds, []access.Section{access.Coordination, access.Injury, access.Welfare, access.SelfEmployed}
	statuses := []recovery.Status{recovery.Open, recovery.Open, recovery.MadeUp, recovery.HandedOver}
	now := env.Clock.Now()
	start := time.Now()
	err = env.App.DB.Load(ctx, db.Insert{Table: "recovery_items", Rows: n, Columns: []db.Column{
		{Name: "emergency_id", Type: db.BigInt}, {Name: "kind", Type: db.Text}, {Name: "source_ref", Type: db.Text},
		{Name: "section", Type: db.Text}, {Name: "party_kind", Type: db.Text}, {Name: "party_id", Type: db.BigInt},
		{Name: "subject", Type: db.Text}, {Name: "ref", Type: db.Text}, {Name: "detail", Type: db.Text},
		{Name: "opened_on", Type: db.Text}, {Name: "deadline_on", Type: db.Text}, {Name: "status", Type: db.Text},
		{Name: "created_at", Type: db.Timestamp}, {Name: "updated_at", Type: db.Timestamp}},
		Row: func(i int) []any {
			return []any{e.ID, string(kinds[i%len(kinds)]), fmt.Sprint(i), string(secs[i%len(secs)]), "employer", int64(i % 5000),
				fmt.Sprintf("北京测试单位%05d有限公司", i%5000), fmt.Sprintf("HD%07d", i), "所属期2024-01，应缴1,000.00元",
				"2024-02-10", fmt.Sprintf("2024-%02d-%02d", 7+i%3, 1+i%28), string(statuses[i%len(statuses)]), now, now}
		}})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := env.App.DB.W.ExecContext(ctx, `INSERT INTO recovery_counts (emergency_id, section, kind, status, n)
		SELECT emergency_id, section, kind, status, COUNT(*) FROM recovery_items GROUP BY emergency_id, section, kind, status`); err != nil {
		b.Fatal(err)
	}
	if d == db.Postgres { // planner statistics after a bulk load, as autovacuum would
		if _, err := env.App.DB.W.ExecContext(ctx, `ANALYZE recovery_items`); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%s: loaded %d items in %v", d, n, time.Since(start))
	auditor, coord := env.Actor(b, apptest.Staff(access.Audit)), env.Actor(b, apptest.Staff(access.Coordination))
	pages := []struct {
		name string
		who  *access.Actor
		f    recovery.Filter
	}{
		{"all", auditor, recovery.Filter{}},
		{"overdue", auditor, recovery.Filter{Status: recovery.Overdue}},
		{"section-open", coord, recovery.Filter{Status: recovery.Open}},
		{"kind", auditor, recovery.Filter{Kind: recovery.KindEmployerBill}},
		{"search-ref", auditor, recovery.Filter{Q: "HD0050000"}},
		{"search-name", auditor, recovery.Filter{Q: "北京测试单位0421"}},
		{"page-20", auditor, recovery.Filter{Page: 20}},
	}
	b.ResetTimer()
	for range b.N {
		for _, p := range pages {
			var best time.Duration
			for range 5 {
				t0 := time.Now()
				res, err := env.App.Recovery.List(ctx, p.who, p.f)
				el := time.Since(t0)
				if err != nil || len(res.Items) == 0 {
					b.Fatalf("%s: %v", p.name, err)
				}
				if best == 0 || el < best {
					best = el
				}
			}
			b.ReportMetric(float64(best.Microseconds())/1000, "ms/"+p.name)
		}
		t0 := time.Now()
		if err := env.App.Recovery.Export(ctx, auditor, recovery.Filter{}, io.Discard); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(time.Since(t0).Seconds(), "s/export")
	}
}

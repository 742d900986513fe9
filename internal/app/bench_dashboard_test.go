package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"shebao/internal/app"
	"shebao/internal/clock"
)

// BenchmarkDashboard times the agency dashboard (办公室's login
// bangongshi), a section's dashboard, the month filter and the XLSX
// export over the district BenchmarkListPages seeds (1,000,000 persons,
// 300,000 cases, 24 months of bills on PostgreSQL; seed it first with
// that benchmark and SHEBAO_BENCH_SEED). The dashboard reads the snapshot
// the refresh job stores (its time is shown on the page as the figures'
// freshness); the refresh itself is timed once and printed. Target: the
// page under 300 ms.
//
//	SHEBAO_BENCH_DB='URL&search_path=bench_lists' SHEBAO_BENCH_NOW=2025-02-10 \
//	    go test -run '^$' -bench Dashboard -benchtime 1x ./internal/app/
func BenchmarkDashboard(b *testing.B) {
	ctx := context.Background()
	url := os.Getenv("SHEBAO_BENCH_DB")
	if url == "" {
		b.Skip("SHEBAO_BENCH_DB is not set: the dashboard is timed on the seeded district only")
	}
	cfg := app.Config{DataDir: b.TempDir(), LogOut: io.Discard, Name: "bench-dashboard", DBURL: url}
	now, _ := clock.ParseWhen(cmpOr(os.Getenv("SHEBAO_BENCH_NOW"), "2025-02-10"))
	cfg.Clock = clock.NewFixed(now)
	a, err := app.Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	var persons, cases, bills int
	q := a.DB.Read()
	for _, c := range []struct {
		n   *int
		sql string
	}{{&persons, `SELECT COUNT(*) FROM persons`}, {&cases, `SELECT COUNT(*) FROM cases`}, {&bills, `SELECT COUNT(*) FROM bills`}} {
		if err := q.QueryRowContext(ctx, c.sql).Scan(c.n); err != nil {
			b.Fatal(err)
		}
	}
	t0 := time.Now()
	sn, err := a.Dashboard.Refresh(ctx)
	if err != nil {
		b.Fatal(err)
	}
	refresh := time.Since(t0)
	srv := httptest.NewServer(a.Web)
	defer srv.Close()
	c := benchLogin(b, srv.URL, "bangongshi")
	paths := []string{"/staff/dashboard", "/staff/dashboard?section=coordination", "/staff/dashboard?days=7&months=6",
		"/staff/dashboard/export.xlsx"}
	type timing struct {
		path       string
		median, mx time.Duration
		status     int
	}
	var out []timing
	for b.Loop() {
		out = out[:0]
		for _, p := range paths {
			status := benchGet(b, c, srv.URL+p)
			var lat []time.Duration
			for range 5 {
				t := time.Now()
				benchGet(b, c, srv.URL+p)
				lat = append(lat, time.Since(t))
			}
			slices.Sort(lat)
			out = append(out, timing{p, lat[len(lat)/2], lat[len(lat)-1], status})
		}
	}
	fmt.Fprintf(os.Stderr, "\ndistrict: %d persons, %d cases, %d bills; refresh (pre-aggregation) %.0f ms, snapshot of %s\n",
		persons, cases, bills, ms(refresh), sn.TakenAt.Format(time.DateTime))
	fmt.Fprintf(os.Stderr, "%-50s %9s %9s %s\n", "page", "median", "max", "status")
	for _, t := range out {
		mark := ""
		if t.median > 300*time.Millisecond {
			mark = " > 300 ms"
		}
		fmt.Fprintf(os.Stderr, "%-50s %7.1fms %7.1fms %d%s\n", t.path, ms(t.median), ms(t.mx), t.status, mark)
		if t.status != http.StatusOK {
			b.Errorf("%s answered %d", t.path, t.status)
		}
	}
}

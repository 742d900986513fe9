package contribution_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strconv"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/db/dbtest"
	"shebao/internal/demo"
	"shebao/internal/employer"
	"shebao/internal/policy"
)

// The benchmark lives in its own package: the demo generator it uses
// imports contribution.
var (
	ctxBg     = context.Background()
	benchTime = time.Date(2024, 2, 10, 9, 0, 0, 0, clock.Shanghai)
)

// BenchmarkAssess assesses fee month 2024-01 of a demo district of 2,000
// employers and 40,000 persons on each engine (PostgreSQL when
// SHEBAO_TEST_POSTGRES is set), then compares once with the
// limit and the set-based statement (metrics run/limit, run/stmt,
// rerun/run, µs/person; see contribution.BenchResult).
//
//	SHEBAO_TEST_POSTGRES=postgres://… go test -run '^$' -bench BenchmarkAssess -benchtime 3x ./internal/contribution/
//
// SHEBAO_BENCH_WORKERS=1 (or 2, …) sets how many batches run at once on
// PostgreSQL, for the assessment and for its comparisons alike (one COPY
// stream and one statement for 1 worker, two at once for 2); default one
// per CPU. The full comparison is printed to stderr.
//
// The district-scale figures (100,000 and 1,000,000 persons) come from the
// command line (docs/architecture.md, "Monthly assessment"), on a database
// seeded once and emptied of the month between runs:
//
//	shebao demo --employers 50000 --persons 1000000 --months 0 --now 2024-02-10 --db postgres://…/bench
//	shebao assess --month 2024-01 --now 2024-02-10 --db postgres://…/bench --bench --workers 2
func BenchmarkAssess(b *testing.B) {
	for _, dialect := range dbtest.Engines() {
		b.Run(string(dialect), func(b *testing.B) {
			d := dbtest.Open(b, dialect)
			c := clock.NewFixed(benchTime)
			au := audit.NewService(d, c)
			pol := policy.NewService(d, c, au)
			acc := account.NewService(d, c, au)
			if err := pol.SeedDefaults(ctxBg); err != nil {
				b.Fatal(err)
			}
			deps := demo.Deps{DB: d, Clock: c, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Audit: au,
				Accounts: acc, Policy: pol, Employers: employer.NewService(d, c, au, acc, pol)}
			if _, err := demo.Generate(ctxBg, deps, demo.Options{Employers: 2000, Persons: 40000}); err != nil {
				b.Fatal(err)
			}
			var tune contribution.Tuning
			if w, err := strconv.Atoi(os.Getenv("SHEBAO_BENCH_WORKERS")); err == nil {
				tune.Workers = w
			}
			s := contribution.NewService(d, c, au, pol, "bench", nil, tune)
			clear := func() {
				for _, q := range []string{`DELETE FROM bill_lines`, `DELETE FROM bills`} {
					if _, err := d.W.ExecContext(ctxBg, q); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				clear()
				b.StartTimer()
				if _, err := s.AssessMonth(ctxBg, access.System, "2024-01", nil); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			clear()
			r, err := s.Bench(ctxBg, access.System, "2024-01", nil)
			if err != nil {
				b.Fatal(err)
			}
			if !r.Same() {
				b.Fatalf("sums differ: %+v", r)
			}
			r.Print(os.Stderr)
			b.ReportMetric(float64(r.Run.Lines), "lines")
			b.ReportMetric(r.LimitRatio(), "run/limit")
			b.ReportMetric(r.StatementRatio(), "run/stmt")
			b.ReportMetric(r.RerunRatio(), "rerun/run")
			b.ReportMetric(float64(r.PerPerson().Nanoseconds())/1000, "µs/person")
		})
	}
}

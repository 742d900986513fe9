package contribution_test

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/db"
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
			d, s := benchDistrict(b, dialect, 2000, 40000)
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
			r := benchCompare(b, s)
			b.ReportMetric(float64(r.Run.Lines), "lines")
			b.ReportMetric(r.LimitRatio(), "run/limit")
			b.ReportMetric(r.StatementRatio(), "run/stmt")
			b.ReportMetric(r.RerunRatio(), "rerun/run")
			b.ReportMetric(float64(r.PerPerson().Nanoseconds())/1000, "µs/person")
		})
	}
}

// BenchmarkAssessGrowth measures how the cost of an assessment per person
// grows with the district: on PostgreSQL it builds a fresh district of
// each size in SHEBAO_BENCH_GROWTH (persons, comma-separated, one employer
// per 20 persons; default 100000,1000000), runs the full comparison on
// each (printed to stderr) and prints every size's time per person and
// each one's ratio to the first's (metric growth: the last size's).
// Building the 1,000,000-person district takes a few minutes.
//
//	SHEBAO_TEST_POSTGRES=postgres://… go test -run '^$' -bench AssessGrowth -benchtime 1x -timeout 1h ./internal/contribution/
func BenchmarkAssessGrowth(b *testing.B) {
	if os.Getenv(dbtest.EnvPostgres) == "" {
		b.Skip("needs PostgreSQL: set " + dbtest.EnvPostgres)
	}
	var sizes []int
	for _, f := range strings.Split(cmp.Or(os.Getenv("SHEBAO_BENCH_GROWTH"), "100000,1000000"), ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 20 {
			b.Fatalf("SHEBAO_BENCH_GROWTH: %q is not a number of persons (at least 20)", f)
		}
		sizes = append(sizes, n)
	}
	for b.Loop() {
		var per []time.Duration
		for _, n := range sizes {
			_, s := benchDistrict(b, db.Postgres, n/20, n)
			r := benchCompare(b, s)
			per = append(per, r.PerPerson())
		}
		for i, n := range sizes {
			fmt.Fprintf(os.Stderr, "growth: %d persons, %.1f µs a person, %.2f× the %d-person district's\n",
				n, float64(per[i].Nanoseconds())/1000, float64(per[i])/float64(per[0]), sizes[0])
		}
		b.ReportMetric(float64(per[len(per)-1])/float64(per[0]), "growth")
	}
}

// benchDistrict is a fresh database of dialect with the shipped rules and a
// demo district of employers and persons (no months assessed), and the
// contribution service with the workers of SHEBAO_BENCH_WORKERS.
func benchDistrict(b *testing.B, dialect db.Dialect, employers, persons int) (*db.DB, *contribution.Service) {
	b.Helper()
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
	if _, err := demo.Generate(ctxBg, deps, demo.Options{Employers: employers, Persons: persons}); err != nil {
		b.Fatal(err)
	}
	var tune contribution.Tuning
	if w, err := strconv.Atoi(os.Getenv("SHEBAO_BENCH_WORKERS")); err == nil {
		tune.Workers = w
	}
	return d, contribution.NewService(d, c, au, pol, "bench", nil, tune)
}

// benchCompare runs the full comparison on an unassessed month 2024-01
// (see contribution.Service.Bench), prints it and fails on unequal sums.
func benchCompare(b *testing.B, s *contribution.Service) contribution.BenchResult {
	b.Helper()
	r, err := s.Bench(ctxBg, access.System, "2024-01", nil)
	if err != nil {
		b.Fatal(err)
	}
	if !r.Same() {
		b.Fatalf("sums differ: %+v", r)
	}
	r.Print(os.Stderr)
	return r
}

package contribution

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"sync"
	"time"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// BenchResult compares an assessment of a month with what the database
// does at best with the same lines, each with the same number of parallel
// transactions (Workers): the limit (a bulk load of the same lines into an
// empty copy of bill_lines with the same indexes and no foreign keys: COPY
// on PostgreSQL) and the set-based statement (INSERT … SELECT of the
// lines into bill_lines, one per worker's share of the employers, rolled
// back). Then the month is assessed again (every draft recomputed).
type BenchResult struct {
	Workers         int
	Run             RunResult     // the first assessment
	Rerun           RunResult     // the same month again
	Limit           time.Duration // bulk load of the lines, Workers at once
	Statement       time.Duration // set-based INSERT … SELECT, Workers at once
	Lines           int64         // lines of the set-based statement
	Employer        money.Fen     // sums of the set-based statement
	Individual      money.Fen
	BillsEmployer   money.Fen // sums of the month's employer bills after the reassessment
	BillsIndividual money.Fen
}

// LimitRatio is the first assessment's time over the limit.
func (r BenchResult) LimitRatio() float64 { return ratio(r.Run.Took, r.Limit) }

// StatementRatio is the first assessment's time over the set-based statement.
func (r BenchResult) StatementRatio() float64 { return ratio(r.Run.Took, r.Statement) }

// RerunRatio is the reassessment's time over the first assessment's.
func (r BenchResult) RerunRatio() float64 { return ratio(r.Rerun.Took, r.Run.Took) }

// PerPerson is the first assessment's time per person assessed (three
// lines a person).
func (r BenchResult) PerPerson() time.Duration {
	if r.Run.Lines < 3 {
		return 0
	}
	return r.Run.Took / time.Duration(r.Run.Lines/3)
}

// Same reports whether the bills add up to the set-based statement's sums.
func (r BenchResult) Same() bool {
	return r.Employer == r.BillsEmployer && r.Individual == r.BillsIndividual && r.Lines == r.Rerun.Lines
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Print writes the figures for people.
func (r BenchResult) Print(w io.Writer) {
	ms := func(d time.Duration) string { return d.Round(time.Millisecond).String() }
	fmt.Fprintf(w, "assessment of %s, %d worker(s): %d employers, %d bills created, %d lines (%d persons) in %s, %.1f µs a person\n",
		r.Run.Month, r.Workers, r.Run.Employers, r.Run.Created, r.Run.Lines, r.Run.Lines/3, ms(r.Run.Took),
		float64(r.PerPerson().Nanoseconds())/1000)
	r.Run.printSteps(w)
	fmt.Fprintf(w, "limit: bulk load (COPY on PostgreSQL) of the same lines into a copy of bill_lines (same indexes, no foreign keys), %d at once: %s (assessment / limit = %.2f×)\n",
		r.Workers, ms(r.Limit), r.LimitRatio())
	fmt.Fprintf(w, "set-based INSERT … SELECT of the lines into bill_lines, %d at once (rolled back): %d lines in %s (assessment / statement = %.2f×)\n",
		r.Workers, r.Lines, ms(r.Statement), r.StatementRatio())
	fmt.Fprintf(w, "reassessment of %s (%d drafts recomputed, %d lines) in %s (reassessment / first = %.2f×)\n",
		r.Rerun.Month, r.Rerun.Redone, r.Rerun.Lines, ms(r.Rerun.Took), r.RerunRatio())
	r.Rerun.printSteps(w)
	same := "equal"
	if !r.Same() {
		same = "DIFFERENT"
	}
	fmt.Fprintf(w, "sums: statement %s / %s, bills %s / %s (%s)\n", r.Employer, r.Individual,
		r.BillsEmployer, r.BillsIndividual, same)
}

func (r RunResult) printSteps(w io.Writer) {
	fmt.Fprint(w, "  statements (summed over workers):")
	for i, d := range r.steps {
		fmt.Fprintf(w, " %s %s;", stepNames[i], d.Round(time.Millisecond))
	}
	fmt.Fprintln(w)
}

// allLines joins every employer to its employments covering month $1
// (employers $2..$3).
const allLines = `FROM employers e
	JOIN classes c ON c.risk_class = e.risk_class
	JOIN employments m ON m.employer_id = e.id AND ` + inMonth + `
	WHERE e.id BETWEEN $2 AND $3`

// monthLines joins every employer bill of month $1 (employers $2..$3) to
// its employer and employments.
const monthLines = `FROM bills b
	JOIN employers e ON e.id = b.employer_id
	JOIN classes c ON c.risk_class = e.risk_class
	JOIN employments m ON m.employer_id = b.employer_id AND ` + inMonth + `
	WHERE b.fee_month = $1 AND b.payer_kind = 'employer' AND b.employer_id BETWEEN $2 AND $3`

// benchCopy is the scratch table of the limit.
const benchCopy = "assess_bench_copy"

// Bench assesses month, assesses it again, and compares with the limit and
// the set-based statement (see BenchResult). Run it on a month not yet
// assessed. It leaves the month assessed (as drafts).
func (s *Service) Bench(ctx context.Context, a *access.Actor, month string, progress Progress) (BenchResult, error) {
	r := BenchResult{Workers: s.workers()}
	m, err := parseFeeMonth(month)
	if err != nil {
		return r, err
	}
	if r.Run, err = s.AssessMonth(ctx, a, month, progress); err != nil {
		return r, err
	}
	if r.Rerun, err = s.AssessMonth(ctx, a, month, progress); err != nil {
		return r, err
	}
	if r.Limit, err = s.benchLimit(ctx, month, r.Workers); err != nil {
		return r, err
	}
	p, err := LoadParams(ctx, s.policy, m)
	if err != nil {
		return r, err
	}
	if r.Statement, err = s.benchStatement(ctx, p, r.Workers); err != nil {
		return r, err
	}
	rules := p.rules(4) // after $1 month, $2..$3 employers
	err = s.db.W.QueryRowContext(ctx, rules.with+`SELECT COUNT(*), COALESCE(SUM(er_fen), 0), COALESCE(SUM(ir_fen), 0) FROM (`+
		linesSelect(s.db.Dialect, "e.id", allLines)+`) w`, append([]any{month, int64(0), int64(1 << 62)}, rules.args...)...).
		Scan(&r.Lines, &r.Employer, &r.Individual)
	if err != nil {
		return r, errs.Wrap(err, "bench sums")
	}
	err = s.db.W.QueryRowContext(ctx, `SELECT COALESCE(SUM(employer_fen), 0), COALESCE(SUM(individual_fen), 0) FROM bills
		WHERE fee_month = $1 AND payer_kind = 'employer'`, month).Scan(&r.BillsEmployer, &r.BillsIndividual)
	return r, errs.Wrap(err, "bench bill sums")
}

// benchLine is one stored line, as the limit loads it again.
type benchLine struct {
	ints                   [8]int64 // bill, person, base, declared, rates, amounts
	month, scheme, explain string
}

var benchColumns = []db.Column{{Name: "bill_id", Type: db.BigInt}, {Name: "person_id", Type: db.BigInt},
	{Name: "base_fen", Type: db.BigInt}, {Name: "declared_base_fen", Type: db.BigInt},
	{Name: "employer_rate_ppm", Type: db.BigInt}, {Name: "individual_rate_ppm", Type: db.BigInt},
	{Name: "employer_fen", Type: db.BigInt}, {Name: "individual_fen", Type: db.BigInt},
	{Name: "fee_month", Type: db.Text}, {Name: "scheme", Type: db.Text}, {Name: "explain", Type: db.Text}}

// benchLimit reads the month's employer lines and times loading them into
// an empty copy of bill_lines, split in workers shares loaded at once.
func (s *Service) benchLimit(ctx context.Context, month string, workers int) (time.Duration, error) {
	lines, err := readBenchLines(ctx, s.db.Read(), month)
	if err != nil {
		return 0, err
	}
	if err := s.db.CreateLike(ctx, benchCopy, "bill_lines"); err != nil {
		return 0, err
	}
	defer s.db.DropTable(context.WithoutCancel(ctx), benchCopy)
	start := time.Now()
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	share := (len(lines) + workers - 1) / workers
	for w := 0; w < workers; w++ {
		part := lines[min(w*share, len(lines)):min((w+1)*share, len(lines))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			errc <- s.db.Load(ctx, db.Insert{Table: benchCopy, Columns: benchColumns, Rows: len(part), Row: func(i int) []any {
				l := &part[i]
				return []any{l.ints[0], l.ints[1], l.ints[2], l.ints[3], l.ints[4], l.ints[5], l.ints[6], l.ints[7],
					l.month, l.scheme, l.explain}
			}})
		}()
	}
	wg.Wait()
	took := time.Since(start)
	close(errc)
	for err := range errc {
		if err != nil {
			return 0, err
		}
	}
	return took, nil
}

func readBenchLines(ctx context.Context, q db.Querier, month string) ([]benchLine, error) {
	var out []benchLine
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var l benchLine
		x := &l.ints
		if err := r.Scan(&x[0], &x[1], &x[2], &x[3], &x[4], &x[5], &x[6], &x[7], &l.month, &l.scheme, &l.explain); err != nil {
			return err
		}
		out = append(out, l)
		return nil
	}, `SELECT l.bill_id, l.person_id, l.base_fen, l.declared_base_fen, l.employer_rate_ppm,
		l.individual_rate_ppm, l.employer_fen, l.individual_fen, l.fee_month, l.scheme, l.explain
		FROM bills b JOIN bill_lines l ON l.bill_id = b.id
		WHERE b.fee_month = $1 AND b.payer_kind = 'employer' ORDER BY l.bill_id, l.id`, month)
	return out, errs.Wrap(err, "bench lines")
}

// benchStatement times the set-based INSERT … SELECT of every line of the
// month into bill_lines, one statement per worker's share of the employers
// at once, each rolled back.
func (s *Service) benchStatement(ctx context.Context, p *Params, workers int) (time.Duration, error) {
	ids, err := employersToAssess(ctx, s.db.Read(), p.Month)
	if err != nil || len(ids) == 0 {
		return 0, err
	}
	rules := p.rules(4) // after $1 month, $2..$3 employers
	q := rules.with + `INSERT INTO bill_lines (bill_id, person_id, scheme, base_fen, declared_base_fen, employer_rate_ppm,
		individual_rate_ppm, employer_fen, individual_fen, explain, fee_month)
		SELECT w.*, $1 FROM (` + linesSelect(s.db.Dialect, "b.id", monthLines) + `) w`
	share := (len(ids) + workers - 1) / workers
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		last  time.Duration
		first error
	)
	start := time.Now()
	for w := 0; w < workers && w*share < len(ids); w++ {
		part := ids[w*share : min((w+1)*share, len(ids))]
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
				args := append([]any{p.Month.String(), part[0], part[len(part)-1]}, rules.args...)
				if _, err := tx.ExecContext(ctx, q, args...); err != nil {
					return err
				}
				mu.Lock()
				last = max(last, time.Since(start))
				mu.Unlock()
				return errSkip // never keep the copies
			})
			mu.Lock()
			if err != errSkip && first == nil {
				first = err
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return last, errs.Wrap(first, "bench statement")
}

var errSkip = fmt.Errorf("rolled back on purpose")

package contribution

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"time"

	"shebao/internal/access"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// BenchResult compares an assessment run with single set-based statements
// computing the same lines in the same database.
type BenchResult struct {
	Run             RunResult
	Select          time.Duration // one SELECT COUNT/SUM over every line of the month
	Insert          time.Duration // one INSERT … SELECT of every line into a scratch table (no index, no key)
	Same            time.Duration // one INSERT … SELECT of every line into bill_lines itself (rolled back)
	Lines           int64
	Employer        money.Fen // sums of the single statement
	Individual      money.Fen
	BillsEmployer   money.Fen // sums of the month's employer bills after the run
	BillsIndividual money.Fen
}

// Ratio is the run time over the single INSERT … SELECT into bill_lines
// (same table, indexes and foreign keys).
func (r BenchResult) Ratio() float64 {
	if r.Same <= 0 {
		return 0
	}
	return float64(r.Run.Took) / float64(r.Same)
}

// Print writes the figures for people.
func (r BenchResult) Print(w io.Writer) {
	fmt.Fprintf(w, "assess %s: %d employers, %d bills created, %d drafts recomputed, %d lines in %s\n",
		r.Run.Month, r.Run.Employers, r.Run.Created, r.Run.Redone, r.Run.Lines, r.Run.Took.Round(time.Millisecond))
	fmt.Fprintf(w, "single statement INSERT … SELECT into bill_lines (same indexes and foreign keys, rolled back): %d lines in %s (run / statement = %.2f×)\n",
		r.Lines, r.Same.Round(time.Millisecond), r.Ratio())
	fmt.Fprintf(w, "single statement INSERT … SELECT into a scratch table without indexes or keys: %s (run / statement = %.2f×)\n",
		r.Insert.Round(time.Millisecond), float64(r.Run.Took)/float64(max(r.Insert, 1)))
	fmt.Fprintf(w, "single statement SELECT SUM: %s\n", r.Select.Round(time.Millisecond))
	same := "equal"
	if r.Employer != r.BillsEmployer || r.Individual != r.BillsIndividual {
		same = "DIFFERENT"
	}
	fmt.Fprintf(w, "sums: statement %s / %s, bills %s / %s (%s)\n", r.Employer, r.Individual,
		r.BillsEmployer, r.BillsIndividual, same)
}

// allLines joins every employer to its employments covering month $1
// ($2, $3 unused: every employer).
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

// Bench runs AssessMonth for month and then the single statements, which
// compute every line of every employer of the month at once. Run it on a
// month not yet assessed for a fair comparison (a rerun recomputes drafts).
func (s *Service) Bench(ctx context.Context, a *access.Actor, month string, progress Progress) (BenchResult, error) {
	var r BenchResult
	run, err := s.AssessMonth(ctx, a, month, progress)
	if err != nil {
		return r, err
	}
	r.Run = run
	m, err := parseFeeMonth(month)
	if err != nil {
		return r, err
	}
	p, err := LoadParams(ctx, s.policy, m)
	if err != nil {
		return r, err
	}
	rules := p.rules(4) // after $1 month, $2..$3 employers
	args := append([]any{month, int64(0), int64(1 << 62)}, rules.args...)
	sel := linesSelect(s.db.Dialect, "e.id", allLines)
	start := time.Now()
	err = s.db.W.QueryRowContext(ctx, rules.with+`SELECT COUNT(*), COALESCE(SUM(er_fen), 0), COALESCE(SUM(ir_fen), 0) FROM (`+sel+`) w`,
		args...).Scan(&r.Lines, &r.Employer, &r.Individual)
	if err != nil {
		return r, errs.Wrap(err, "bench select")
	}
	r.Select = time.Since(start)
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		start = time.Now()
		q := rules.with + `INSERT INTO bill_lines (bill_id, person_id, scheme, base_fen, declared_base_fen, employer_rate_ppm,
			individual_rate_ppm, employer_fen, individual_fen, explain, fee_month)
			SELECT w.*, $1 FROM (` + linesSelect(s.db.Dialect, "b.id", monthLines) + `) w`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return err
		}
		r.Same = time.Since(start)
		return errSkip // never keep the copies
	})
	if err != nil && err != errSkip {
		return r, errs.Wrap(err, "bench insert into bill_lines")
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `CREATE TABLE assess_bench_lines (bill_id BIGINT, person_id BIGINT, scheme TEXT,
			base_fen BIGINT, declared_base_fen BIGINT, employer_rate_ppm BIGINT, individual_rate_ppm BIGINT,
			employer_fen BIGINT, individual_fen BIGINT, explain TEXT)`); err != nil {
			return err
		}
		start = time.Now()
		if _, err := tx.ExecContext(ctx, rules.with+`INSERT INTO assess_bench_lines `+sel, args...); err != nil {
			return err
		}
		r.Insert = time.Since(start)
		return errSkip // never keep the scratch table
	})
	if err != nil && err != errSkip {
		return r, errs.Wrap(err, "bench insert")
	}
	err = s.db.W.QueryRowContext(ctx, `SELECT COALESCE(SUM(employer_fen), 0), COALESCE(SUM(individual_fen), 0) FROM bills
		WHERE fee_month = $1 AND payer_kind = 'employer'`, month).Scan(&r.BillsEmployer, &r.BillsIndividual)
	return r, errs.Wrap(err, "bench bill sums")
}

var errSkip = fmt.Errorf("rolled back on purpose")

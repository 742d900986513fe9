package personalaccount

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"shebao/internal/access"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// BenchResult compares an interest run with one set-based statement that
// credits the same interest in the same table (rolled back).
type BenchResult struct {
	Run       *InterestRun
	Took      time.Duration // the run
	Statement time.Duration // the single INSERT … SELECT
	Accounts  int64         // rows the statement wrote
	Interest  money.Fen     // their sum
}

// Ratio is the run time over the statement's.
func (r BenchResult) Ratio() float64 {
	if r.Statement <= 0 {
		return 0
	}
	return float64(r.Took) / float64(r.Statement)
}

// Print writes the figures side by side.
func (r BenchResult) Print(w io.Writer) {
	fmt.Fprintf(w, "interest %d: run %d accounts, %d credited, %s in %s\n", r.Run.Year, r.Run.Total, r.Run.Credited,
		r.Run.Interest, r.Took.Round(time.Millisecond))
	fmt.Fprintf(w, "single statement INSERT … SELECT into account_entries (same indexes, rolled back): %d accounts, %s in %s (run / statement = %.2f×)\n",
		r.Accounts, r.Interest, r.Statement.Round(time.Millisecond), r.Ratio())
	same := "equal"
	if r.Accounts != r.Run.Credited || r.Interest != r.Run.Interest {
		same = "DIFFERENT"
	}
	fmt.Fprintf(w, "amounts: %s\n", same)
}

var errRollback = errors.New("rollback")

// BenchInterest times one set-based statement crediting the year's
// interest (rolled back), then runs the year for real. Run it on a year
// not yet credited for a fair comparison.
func (s *Service) BenchInterest(ctx context.Context, a *access.Actor, year int, progress Progress) (BenchResult, error) {
	var r BenchResult
	yr, err := s.prepareInterest(ctx, a, year)
	if err != nil {
		return r, err
	}
	y := strconv.Itoa(year)
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		start := time.Now()
		if _, err := tx.ExecContext(ctx, benchStatement, year, y+"-12-31", int64(yr.Rate), y, "bench", s.clock.Now()); err != nil {
			return err
		}
		r.Statement = time.Since(start)
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM account_entries
			WHERE kind = 'interest' AND year = $1 AND reason = 'bench'`, year).Scan(&r.Accounts, (*int64)(&r.Interest)); err != nil {
			return err
		}
		return errRollback
	})
	if err != nil && !errors.Is(err, errRollback) {
		return r, errs.Wrap(err, "bench statement")
	}
	start := time.Now()
	r.Run, err = s.RunInterest(ctx, a, year, progress)
	r.Took = time.Since(start)
	return r, err
}

// benchStatement is the annual method in SQL, half-up on non-negative
// integers: opening × r + credits × r × 1.083 ÷ 2, each part rounded (for
// the benchmark only; the run computes with YearInterest).
const benchStatement = `INSERT INTO account_entries (person_id, kind, year, posted_on, amount_fen, source_key, reason, created_at)
	SELECT person_id, 'interest', $1, $2,
		(o * $3 + 500000) / 1000000 + (c * $3 * 1083 + 1000000000) / 2000000000,
		'interest:' || CAST($4 AS TEXT) || ':' || CAST(person_id AS TEXT), $5, $6
	FROM (SELECT person_id, CASE WHEN cr < 0 THEN op + cr ELSE op END AS o, CASE WHEN cr < 0 THEN 0 ELSE cr END AS c
		FROM (SELECT person_id, CAST(SUM(CASE WHEN year < $1 THEN amount_fen ELSE 0 END) AS BIGINT) AS op,
				CAST(SUM(CASE WHEN year = $1 THEN amount_fen ELSE 0 END) AS BIGINT) AS cr,
				SUM(CASE WHEN year = $1 AND kind = 'interest' THEN 1 ELSE 0 END) AS done
			FROM account_entries WHERE year <= $1 GROUP BY person_id) s
		WHERE done = 0 AND NOT (op = 0 AND cr = 0)) t
	WHERE o >= 0
	ON CONFLICT (source_key) DO NOTHING`

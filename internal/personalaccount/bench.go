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
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/person"
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

// SeedBench fills an empty database with n persons, each with an opening
// balance dated the year before year and two credits in year (three
// entries), for the interest benchmark. It refuses a database that
// already has account entries. Persons are written through the person
// package, entries by a bulk load.
func (s *Service) SeedBench(ctx context.Context, n, year int, progress Progress) error {
	var has int64
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM account_entries`).Scan(&has); err != nil {
		return errs.Wrap(err, "bench seed")
	}
	if has > 0 {
		return fieldErr("seed", "数据库中已有个人账户记账记录，基准测试数据只能写入空库")
	}
	now := s.clock.Now()
	const chunk = 50_000
	for start := 0; start < n; start += chunk {
		m := min(chunk, n-start)
		list := make([]*person.Person, m)
		for i := range list {
			list[i] = benchPerson(start + i)
		}
		var ids map[string]int64
		err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
			var err error
			ids, err = person.InsertMany(ctx, tx, s.db.Dialect, list, now)
			return err
		})
		if err != nil {
			return err
		}
		pids := make([]int64, m)
		for i, p := range list {
			pids[i] = ids[p.IDNumber]
		}
		if err := s.db.Load(ctx, benchEntries(pids, year, now)); err != nil {
			return err
		}
		if progress != nil {
			progress(start+m, n)
		}
	}
	return nil
}

// benchPerson is the i-th benchmark person: a valid-looking ID number of
// area 110109 (born 1960 onwards, nine hundred a day).
func benchPerson(i int) *person.Person {
	birth := time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i/900)
	body := "110109" + birth.Format("20060102") + strconv.Itoa(100+i%900)
	g := "M"
	if (i%900)%2 == 1 {
		g = "F"
	}
	return &person.Person{IDNumber: body + idCheck(body), Name: "测试" + strconv.Itoa(i), Gender: g,
		BirthDate: birth.Format(time.DateOnly), Kind: person.Employee, Status: person.Active}
}

// idCheck is the ISO 7064 MOD 11-2 check character of 17 digits.
func idCheck(body string) string {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range body {
		sum += int(c-'0') * w[i]
	}
	return string("10X98765432"[sum%11])
}

// benchEntries are the three entries of each benchmark account.
func benchEntries(pids []int64, year int, now time.Time) db.Insert {
	y, prev := strconv.Itoa(year), strconv.Itoa(year-1)
	return db.Insert{Table: "account_entries",
		Columns: []db.Column{{Name: "person_id", Type: db.BigInt}, {Name: "kind", Type: db.Text}, {Name: "year", Type: db.BigInt},
			{Name: "posted_on", Type: db.Text}, {Name: "fee_month", Type: db.Text}, {Name: "amount_fen", Type: db.BigInt},
			{Name: "source_key", Type: db.Text}, {Name: "created_at", Type: db.Timestamp}},
		Rows: 3 * len(pids),
		Row: func(i int) []any {
			id, k := pids[i/3], i%3
			sid := strconv.FormatInt(id, 10)
			if k == 0 {
				return []any{id, string(KindOpening), year - 1, prev + "-12-31", "", 1_000_000 + id%500_000, "bench-opening:" + sid, now}
			}
			m := fmt.Sprintf("%s-%02d", y, 3*k)
			return []any{id, string(KindCredit), year, m + "-15", m, 40_000 + id%20_000, "bench-credit:" + sid + ":" + m, now}
		}}
}

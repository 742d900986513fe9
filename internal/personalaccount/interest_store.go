package personalaccount

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// span is the range of person ids with account entries up to a year and
// how many persons the range holds (an upper bound of the accounts).
type span struct {
	Lo, Hi, Count int64
}

// accountSpan reads the lowest and highest person id with entries up to
// the year (index look-ups on account_entries_person) and counts the
// persons between them for the progress bar.
func accountSpan(ctx context.Context, q db.Querier, year int) (span, error) {
	var sp span
	var lo, hi sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT MIN(person_id), MAX(person_id) FROM account_entries`).Scan(&lo, &hi)
	if err != nil || !lo.Valid {
		return sp, errs.Wrap(err, "accounts of year")
	}
	sp.Lo, sp.Hi = lo.Int64, hi.Int64
	err = q.QueryRowContext(ctx, `SELECT COUNT(*) FROM persons WHERE id BETWEEN $1 AND $2`, sp.Lo, sp.Hi).Scan(&sp.Count)
	return sp, errs.Wrap(err, "accounts of year")
}

// yearSum is an account's opening balance and credits of a year.
type yearSum struct {
	PersonID         int64
	Opening, Credits money.Fen
}

// batchSums reads, for the persons in [lo, hi] not yet credited with the
// year's interest, the balance the year opened with and the year's
// movements (credits, refunds, corrections, transfers); seen is how many
// accounts of the range have entries up to the year (credited or not).
func batchSums(ctx context.Context, tx *sql.Tx, year int, lo, hi int64) (out []yearSum, seen int64, err error) {
	err = db.Each(ctx, tx, func(r db.Scanner) error {
		var y yearSum
		var credited int64
		if err := r.Scan(&y.PersonID, (*int64)(&y.Opening), (*int64)(&y.Credits), &credited); err != nil {
			return err
		}
		seen++
		if credited > 0 || (y.Opening == 0 && y.Credits == 0) {
			return nil // credited before; an empty account earns nothing and gets no entry
		}
		out = append(out, y)
		return nil
	}, `SELECT person_id,
			SUM(CASE WHEN year < $1 THEN amount_fen ELSE 0 END),
			SUM(CASE WHEN year = $1 THEN amount_fen ELSE 0 END),
			SUM(CASE WHEN year = $1 AND kind = 'interest' THEN 1 ELSE 0 END)
		FROM account_entries WHERE person_id BETWEEN $2 AND $3 AND year <= $1
		GROUP BY person_id
		ORDER BY person_id`, year, lo, hi)
	return out, seen, errs.Wrap(err, "interest sums")
}

// insertInterest writes the interest entries of a batch, dated 31
// December of the year, with one bulk insert. The accounts were read as
// not yet credited; an account credited meanwhile by another run makes the
// unique key refuse the batch (Conflict), which the next run redoes.
func insertInterest(ctx context.Context, tx *sql.Tx, d db.Dialect, yr yearRate, persons, amounts []int64, now time.Time) error {
	if len(persons) == 0 {
		return nil
	}
	y := strconv.Itoa(yr.Year)
	day, reason := y+"-12-31", y+" 年度记账利率 "+yr.Rate.String()
	err := db.BulkInsert(ctx, tx, d, db.Insert{Table: "account_entries",
		Columns: []db.Column{{Name: "person_id", Type: db.BigInt}, {Name: "kind", Type: db.Text}, {Name: "year", Type: db.BigInt},
			{Name: "posted_on", Type: db.Text}, {Name: "amount_fen", Type: db.BigInt}, {Name: "source_key", Type: db.Text},
			{Name: "reason", Type: db.Text}, {Name: "created_at", Type: db.Timestamp}},
		Rows: len(persons),
		Row: func(i int) []any {
			return []any{persons[i], string(KindInterest), yr.Year, day, amounts[i], interestKey(yr.Year, persons[i]), reason, now}
		}})
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "interest_exists", "部分账户已由另一批次计息，请重新计息（不会重复计息）")
	}
	return errs.Wrap(err, "insert interest")
}

func interestKey(year int, personID int64) string {
	return "interest:" + strconv.Itoa(year) + ":" + strconv.FormatInt(personID, 10)
}

const runCols = `id, year, status, rate_ppm, rate_basis, total, done, credited, interest_fen, skipped, error, actor_name, started_at, finished_at`

func scanRun(row interface{ Scan(...any) error }) (*InterestRun, error) {
	var r InterestRun
	var fin sql.NullTime
	err := row.Scan(&r.ID, &r.Year, &r.Status, (*int64)(&r.Rate), &r.RateBasis, &r.Total, &r.Done, &r.Credited,
		(*int64)(&r.Interest), &r.Skipped, &r.Error, &r.ActorName, &r.StartedAt, &fin)
	if err != nil {
		return nil, err
	}
	r.StartedAt = r.StartedAt.UTC()
	if fin.Valid {
		r.FinishedAt = fin.Time.UTC()
	}
	return &r, nil
}

func insertRun(ctx context.Context, tx *sql.Tx, r *InterestRun, actorID int64, server string) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO account_interest_runs (year, status, rate_ppm, rate_basis, actor_id, actor_name,
		server, started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
		r.Year, r.Status, int64(r.Rate), r.RateBasis, actorID, r.ActorName, server, r.StartedAt).Scan(&r.ID)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "interest_running", strconv.Itoa(r.Year)+" 年度正在计息，请等待其完成")
	}
	return errs.Wrap(err, "insert interest run")
}

func closeStaleRuns(ctx context.Context, tx *sql.Tx, year int, before, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE account_interest_runs SET status = 'failed', finished_at = $1,
		error = '计息中断（服务器停止），已入账的账户不受影响，请重新计息'
		WHERE year = $2 AND status = 'running' AND heartbeat_at < $3`, now, year, before)
	return errs.Wrap(err, "close stale interest runs")
}

func updateRunProgress(ctx context.Context, d *db.DB, id, done, total int64, now time.Time) error {
	_, err := d.W.ExecContext(ctx, `UPDATE account_interest_runs SET done = $1, total = $2, heartbeat_at = $3
		WHERE id = $4 AND status = 'running'`, done, total, now, id)
	return errs.Wrap(err, "interest progress")
}

func finishRun(ctx context.Context, d *db.DB, id int64, status, msg string, res runResult, now time.Time) error {
	_, err := d.W.ExecContext(ctx, `UPDATE account_interest_runs SET status = $1, error = $2, credited = $3,
		interest_fen = $4, skipped = $5, total = $6, done = $7, finished_at = $8, heartbeat_at = $8 WHERE id = $9`,
		status, msg, res.Credited, int64(res.Interest), res.Skipped, res.Total, res.Done, now, id)
	return errs.Wrap(err, "finish interest run")
}

func loadRun(ctx context.Context, q db.Querier, id int64) (*InterestRun, error) {
	r, err := scanRun(q.QueryRowContext(ctx, `SELECT `+runCols+` FROM account_interest_runs WHERE id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("没有找到该计息批次")
	}
	return r, errs.Wrap(err, "load interest run")
}

func listRuns(ctx context.Context, q db.Querier, limit int) ([]InterestRun, error) {
	out, err := db.Collect(ctx, q, db.Deref(scanRun), `SELECT `+runCols+` FROM account_interest_runs ORDER BY id DESC LIMIT `+strconv.Itoa(limit))
	return out, errs.Wrap(err, "list interest runs")
}

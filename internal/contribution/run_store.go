package contribution

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
)

const runCols = `id, fee_month, origin, status, total, done, created, redone, lines, error, actor_name, started_at, finished_at`

func scanRun(row interface{ Scan(...any) error }) (*Run, error) {
	var r Run
	var fin sql.NullTime
	err := row.Scan(&r.ID, &r.Month, &r.Origin, &r.Status, &r.Total, &r.Done, &r.Created, &r.Redone, &r.Lines,
		&r.Error, &r.ActorName, &r.StartedAt, &fin)
	if err != nil {
		return nil, err
	}
	r.StartedAt = r.StartedAt.UTC()
	if fin.Valid {
		r.FinishedAt = fin.Time.UTC()
	}
	return &r, nil
}

// insertRun stores r as running and sets r.ID; a running run of the same
// month is a Conflict.
func insertRun(ctx context.Context, tx *sql.Tx, r *Run, actorID int64, server string) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO assess_runs (fee_month, origin, status, actor_id, actor_name, server,
		started_at, heartbeat_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		r.Month, r.Origin, r.Status, actorID, r.ActorName, server, r.StartedAt).Scan(&r.ID)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "assess_running", "费款所属期 "+r.Month+" 正在核定中，请等待其完成")
	}
	return errs.Wrap(err, "insert assessment run")
}

// closeStaleRuns marks the running runs of month without progress since
// before as failed (their server stopped).
func closeStaleRuns(ctx context.Context, tx *sql.Tx, month string, before, now time.Time) error {
	_, err := tx.ExecContext(ctx, `UPDATE assess_runs SET status = 'failed', finished_at = $1,
		error = '核定中断（服务器停止），已完成的单位不受影响，请重新核定'
		WHERE fee_month = $2 AND status = 'running' AND heartbeat_at < $3`, now, month, before)
	return errs.Wrap(err, "close stale assessment runs")
}

func updateRunProgress(ctx context.Context, d *db.DB, id, done, total int64, now time.Time) error {
	_, err := d.W.ExecContext(ctx, `UPDATE assess_runs SET done = $1, total = $2, heartbeat_at = $3
		WHERE id = $4 AND status = 'running'`, done, total, now, id)
	return errs.Wrap(err, "assessment progress")
}

func finishRun(ctx context.Context, d *db.DB, id int64, status, msg string, res RunResult, now time.Time) error {
	_, err := d.W.ExecContext(ctx, `UPDATE assess_runs SET status = $1, error = $2, created = $3, redone = $4,
		lines = $5, finished_at = $6, heartbeat_at = $6, total = $7,
		done = CASE WHEN $1 = 'done' THEN $7 ELSE done END WHERE id = $8`,
		status, msg, res.Created, res.Redone, res.Lines, now, int64(res.Employers), id)
	return errs.Wrap(err, "finish assessment run")
}

func loadRun(ctx context.Context, q db.Querier, id int64) (*Run, error) {
	r, err := scanRun(q.QueryRowContext(ctx, `SELECT `+runCols+` FROM assess_runs WHERE id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("未找到该核定批次")
	}
	return r, errs.Wrap(err, "load assessment run")
}

func runningRun(ctx context.Context, q db.Querier, month string) (*Run, error) {
	r, err := scanRun(q.QueryRowContext(ctx, `SELECT `+runCols+` FROM assess_runs
		WHERE fee_month = $1 AND status = 'running'`, month))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("该月没有正在进行的核定")
	}
	return r, errs.Wrap(err, "running assessment run")
}

func listRuns(ctx context.Context, q db.Querier, limit int) ([]Run, error) {
	out, err := db.Collect(ctx, q, db.Deref(scanRun), `SELECT `+runCols+` FROM assess_runs ORDER BY id DESC LIMIT `+strconv.Itoa(limit))
	return out, errs.Wrap(err, "list assessment runs")
}

// finishedSince reports whether a run of month finished successfully or is
// running, started at or after from.
func finishedSince(ctx context.Context, q db.Querier, month string, from time.Time) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM assess_runs WHERE fee_month = $1 AND started_at >= $2
		AND status IN ('done', 'running')`, month, from).Scan(&n)
	return n > 0, errs.Wrap(err, "assessment runs of the month")
}

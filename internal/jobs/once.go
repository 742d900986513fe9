package jobs

import (
	"context"
	"fmt"
	"time"

	"shebao/internal/db"
)

// One-off runs outside the scheduler (e.g. seeding an empty database when
// several servers start together): the first server to insert the
// (name, slot) row of job_runs does the work; the row stays unfinished
// while it runs, so no one else starts it, and has no lease.

// ClaimOnce inserts the (name, slot) row and reports whether this server
// got it (false: another server claimed it first).
func ClaimOnce(ctx context.Context, d *db.DB, name, slot, server string, now time.Time) (bool, error) {
	res, err := d.W.ExecContext(ctx, `INSERT INTO job_runs (name, slot, started_at, server)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, name, slot, now, server)
	if err != nil {
		return false, fmt.Errorf("claim %s %s: %w", name, slot, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ReleaseOnce deletes a claim whose work failed, so that a later start
// tries again. It runs even when ctx is cancelled.
func ReleaseOnce(ctx context.Context, d *db.DB, name, slot string) error {
	_, err := d.W.ExecContext(context.WithoutCancel(ctx), `DELETE FROM job_runs WHERE name = $1 AND slot = $2
		AND finished_at IS NULL`, name, slot)
	return err
}

// FinishOnce records the result of a claimed run.
func FinishOnce(ctx context.Context, d *db.DB, name, slot string, now time.Time, result string) error {
	_, err := d.W.ExecContext(ctx, `UPDATE job_runs SET finished_at = $1, result = $2 WHERE name = $3 AND slot = $4`,
		now, result, name, slot)
	return err
}

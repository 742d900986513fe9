package casework

import (
	"context"
	"database/sql"

	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

// emergencyEndChanged recomputes every stored deadline that depends on e
// (open cases' deadlines and outstanding owed originals' due dates), in
// the transaction that changes e's end.
func (s *Service) emergencyEndChanged(ctx context.Context, tx *sql.Tx, e policy.Emergency) error {
	if err := s.recomputeCaseDeadlines(ctx, tx, e); err != nil {
		return err
	}
	days, err := distinctDays(ctx, tx, `SELECT DISTINCT due_days FROM case_owed_originals
		WHERE emergency_id = $1 AND received_at IS NULL`, e.ID)
	if err != nil {
		return err
	}
	for _, d := range days {
		due, rule := originalsDue(e, d)
		if _, err := tx.ExecContext(ctx, `UPDATE case_owed_originals SET due_on = $3, due_rule = $4
			WHERE emergency_id = $1 AND due_days = $2 AND received_at IS NULL`, e.ID, d, due, rule); err != nil {
			return errs.Wrap(err, "recompute owed originals")
		}
	}
	return nil
}

// recomputeCaseDeadlines moves the deadlines of open cases counted from
// e's end (set-based, one UPDATE per distinct number of days).
func (s *Service) recomputeCaseDeadlines(ctx context.Context, tx *sql.Tx, e policy.Emergency) error {
	days, err := distinctDays(ctx, tx, `SELECT DISTINCT deadline_days FROM cases
		WHERE deadline_emergency_id = $1 AND is_open = TRUE`, e.ID)
	if err != nil {
		return err
	}
	for _, n := range days {
		dl := afterEnd(e, n)
		_, err := tx.ExecContext(ctx, `UPDATE cases SET deadline_at = $3, deadline_rule = $4, sort_at = $5
			WHERE deadline_emergency_id = $1 AND deadline_days = $2 AND is_open = TRUE`, e.ID, n, dl.At, dl.Rule, sortAt(dl.At))
		if err == nil {
			_, err = tx.ExecContext(ctx, `UPDATE cases SET overdue_at = sort_at WHERE deadline_emergency_id = $1
				AND deadline_days = $2 AND is_open = TRUE AND state IN (`+agencyStatesSQL+`)`, e.ID, n)
		}
		if err != nil {
			return errs.Wrap(err, "recompute case deadlines")
		}
	}
	return nil
}

func distinctDays(ctx context.Context, tx *sql.Tx, query string, id int64) ([]int, error) {
	days, err := db.Collect(ctx, tx, db.Scalar[int], query, id)
	return days, errs.Wrap(err, "dependent deadlines")
}

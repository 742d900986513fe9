package personalaccount

import (
	"context"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// Opened tells whether a person has an account here (at least one entry
// dated on or before day) and its balance then. A person without one
// still has a balance in the former system, which the caller must take
// from there (and say so).
func Opened(ctx context.Context, q db.Querier, personID int64, day time.Time) (money.Fen, bool, error) {
	var n, v int64
	err := q.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM account_entries
		WHERE person_id = $1 AND posted_on <= $2`, personID, day.Format(time.DateOnly)).Scan(&n, &v)
	return money.Fen(v), n > 0, errs.Wrap(err, "account balance")
}

package person

import (
	"context"
	"database/sql"
	"time"

	"shebao/internal/errs"
)

// MarkTransferred sets a person's status to transferred (转出) inside the
// caller's transaction: the transfer service does it when the pension
// relationship has moved to another region and the funds are paid.
// Errors: NotFound.
func MarkTransferred(ctx context.Context, tx *sql.Tx, id int64, now time.Time) error {
	res, err := tx.ExecContext(ctx, `UPDATE persons SET status = 'transferred', updated_at = $1, version = version + 1
		WHERE id = $2`, now, id)
	if err != nil {
		return errs.Wrap(err, "mark person transferred")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return notFound()
	}
	return nil
}

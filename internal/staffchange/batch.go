package staffchange

import (
	"context"
	"database/sql"
	"strings"

	"shebao/internal/db"
	"shebao/internal/errs"
)

// batch runs head + "VALUES (…), (…)" + tail over n rows of cols columns,
// chunk rows per statement; the statement of a full chunk is prepared once.
// args(i) returns row i's values; read, when set, consumes the rows a
// RETURNING tail yields.
func batch(ctx context.Context, tx *sql.Tx, n, cols, chunk int, head, tail string,
	args func(i int) []any, read func(rows *sql.Rows) error) error {
	values := func(k int) string {
		var b strings.Builder
		b.WriteString(head)
		b.WriteString(" VALUES ")
		for i := 0; i < k; i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			placeholders(&b, i, cols)
		}
		b.WriteString(tail)
		return b.String()
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for start := 0; start < n; start += chunk {
		k := min(chunk, n-start)
		vals := make([]any, 0, k*cols)
		for i := start; i < start+k; i++ {
			vals = append(vals, args(i)...)
		}
		var err error
		if k == chunk && full == nil {
			if full, err = tx.PrepareContext(ctx, values(k)); err != nil {
				return errs.Wrap(err, "prepare batch")
			}
		}
		if err := runBatch(ctx, tx, full, k == chunk, values, k, vals, read); err != nil {
			return err
		}
	}
	return nil
}

func runBatch(ctx context.Context, tx *sql.Tx, full *sql.Stmt, useFull bool, values func(int) string, k int,
	vals []any, read func(rows *sql.Rows) error) error {
	if read == nil {
		var err error
		if useFull {
			_, err = full.ExecContext(ctx, vals...)
		} else {
			_, err = tx.ExecContext(ctx, values(k), vals...)
		}
		return batchErr(err)
	}
	var rows *sql.Rows
	var err error
	if useFull {
		rows, err = full.QueryContext(ctx, vals...)
	} else {
		rows, err = tx.QueryContext(ctx, values(k), vals...)
	}
	if err != nil {
		return batchErr(err)
	}
	defer rows.Close()
	if err := read(rows); err != nil {
		return batchErr(err)
	}
	return batchErr(rows.Err())
}

func batchErr(err error) error {
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "conflict", "数据已被同时修改，请重新导入")
	}
	return errs.Wrap(err, "batch insert")
}

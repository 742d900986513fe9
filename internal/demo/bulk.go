package demo

import (
	"context"
	"fmt"

	"shebao/internal/db"
)

// bigCache gives SQLite's writer connection a 128 MiB page cache while a
// large district (over 50,000 persons) is written, so index pages stay in
// memory, and returns the function that restores the previous size. It
// returns nil when nothing was changed.
func bigCache(ctx context.Context, d *db.DB, persons int) (restore func()) {
	if d.Dialect != db.SQLite || persons <= 50_000 { // a page cache of SQLite's writer connection
		return nil
	}
	var old int64
	if err := d.W.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&old); err != nil {
		return nil
	}
	if _, err := d.W.ExecContext(ctx, `PRAGMA cache_size = -131072`); err != nil {
		return nil
	}
	return func() { d.W.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, old)) }
}

package complaint

import (
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// TestPurgeKeysDropsOnlyOldKeys: the job deletes the idempotency keys
// older than KeyKept with their sealed answers; a younger key still
// replays its first answer, and an old key sent again files anew.
func TestPurgeKeysDropsOnlyOldKeys(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		file := func(key string) (*Filed, bool) {
			t.Helper()
			f, replayed, err := e.s.FileOnce(ctxBg, nil, "10.0.0.7", key, anonInput("fraud"))
			if err != nil {
				t.Fatal(err)
			}
			return f, replayed
		}
		const oldKey, newKey = "old-key-0123456789abcdef", "new-key-0123456789abcdef"
		first, _ := file(oldKey)
		e.clk.Advance(KeyKept - 24*time.Hour)
		second, _ := file(newKey)
		e.clk.Advance(24*time.Hour + time.Minute)
		n, err := e.s.PurgeKeys(ctxBg)
		if err != nil || n != 1 {
			t.Fatalf("purged %d keys, %v; want the one older than %s", n, err, KeyKept)
		}
		if again, replayed := file(newKey); !replayed || again.ID != second.ID || again.TrackingCode != second.TrackingCode {
			t.Fatalf("the younger key: replayed %v, %+v, want the first answer %+v", replayed, again, second)
		}
		if again, replayed := file(oldKey); replayed || again.ID == first.ID {
			t.Fatalf("the purged key replayed %v (complaint %d, first %d)", replayed, again.ID, first.ID)
		}
		var left int
		if err := d.W.QueryRowContext(ctxBg, `SELECT COUNT(*) FROM complaint_requests`).Scan(&left); err != nil || left != 2 {
			t.Fatalf("%d keys left, %v", left, err)
		}
	})
}

package recovery

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// TestFlaggedBillsReadOnlyTheFlagged: the harvest of flagged bills reads
// the partial index bills_flagged, not every bill of the emergency's
// months, on both engines (the bills table is filled so that the planners
// have a reason to choose).
func TestFlaggedBillsReadOnlyTheFlagged(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2024, 2, 10, 9, 0, 0, 0, time.UTC)
		err := d.WithTx(ctx, func(tx *sql.Tx) error {
			for i := range 3000 {
				flags := ""
				if i%50 == 0 {
					flags = "late_accepted"
				}
				_, err := tx.ExecContext(ctx, `INSERT INTO bills (bill_no, payer_kind, fee_month, status, total_fen, flags, assessed_at)
					VALUES ($1, 'flexible', $2, 'paid', 100, $3, $4)`, fmt.Sprintf("FB%d", i), fmt.Sprintf("2024-%02d", i%12+1), flags, now)
				if err != nil {
					return err
				}
			}
			_, err := tx.ExecContext(ctx, `ANALYZE bills`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		plan := dbtest.Explain(t, d, `SELECT b.id FROM bills b `+flaggedBillsWhere, "2024-01", "2024-06")
		if !strings.Contains(plan, "bills_flagged") {
			t.Errorf("the flagged bills are not read from bills_flagged:\n%s", plan)
		}
	})
}

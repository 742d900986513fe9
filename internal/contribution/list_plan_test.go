package contribution

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// TestStaffListReadsOneIndexRange: whatever the filters (none, status,
// month, both), the staff queue of bills is read from an index in the
// page's order and stops after the page: no scan of the whole table and
// no sort of all matching bills, so the page does not slow down as
// assessed months accumulate. The bills table is filled so that the
// planners have a reason to choose.
func TestStaffListReadsOneIndexRange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, false)
		emp := e.employer(t, 1, 1_000_000)
		err := d.WithTx(ctxBg, func(tx *sql.Tx) error {
			for i := range 2000 {
				_, err := tx.ExecContext(ctxBg, `INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status, total_fen,
					assessed_at) VALUES ($1, 'employer', $2, $3, $4, 100, $5)`, fmt.Sprintf("HD%d", i), emp,
					fmt.Sprintf("%04d-%02d", 1900+i/12, i%12+1), []string{"draft", "confirmed", "paid", "paid"}[i%4], testNow)
				if err != nil {
					return err
				}
			}
			// Only this table: a bare ANALYZE reads every schema of the
			// database and deadlocked with other packages' tests creating
			// and dropping their schemas at the same time.
			_, err := tx.ExecContext(ctxBg, `ANALYZE bills`)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct {
			status Status
			month  string
		}{{"", ""}, {Paid, ""}, {PartiallyPaid, ""}, {"", "2000-01"}, {Paid, "2000-01"}} {
			where, args, err := listWhere(f.status, f.month)
			if err != nil {
				t.Fatal(err)
			}
			plan := explain(t, d, billsSQL(StaffListLimit, where), args...)
			if !strings.Contains(plan, "bills_list") || strings.Contains(plan, "Sort") || strings.Contains(plan, "TEMP B-TREE") ||
				strings.Contains(plan, "Seq Scan on bills") || strings.Contains(plan, "SCAN b ") {
				t.Errorf("status %q month %q:\n%s", f.status, f.month, plan)
			}
		}
	})
}

// explain returns the query plan of q as text.
func explain(t *testing.T, d *db.DB, q string, args ...any) string {
	t.Helper()
	return dbtest.Explain(t, d, q, args...)
}

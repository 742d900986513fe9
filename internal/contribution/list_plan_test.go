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
			if err == nil && d.Dialect == db.Postgres {
				_, err = tx.ExecContext(ctxBg, `ANALYZE bill_states`)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range []struct {
			status Status
			month  string
		}{{"", ""}, {Paid, ""}, {PartiallyPaid, ""}, {"", "2000-01"}, {Paid, "2000-01"}} {
			q, args, err := listSQL(f.status, f.month)
			if err != nil {
				t.Fatal(err)
			}
			plan := explain(t, d, q, args...)
			samePage(t, e, f.status, f.month)
			if !strings.Contains(plan, listIndex(d.Dialect, f.status)) || strings.Contains(plan, "Sort") || strings.Contains(plan, "TEMP B-TREE") ||
				strings.Contains(plan, "Seq Scan on bills") || strings.Contains(plan, "SCAN b ") {
				t.Errorf("status %q month %q:\n%s", f.status, f.month, plan)
			}
		}
	})
}

// samePage fails unless the queue's page for status and month holds the
// bills a plain query of bills gives, in its order.
func samePage(t *testing.T, e *env, status Status, month string) {
	t.Helper()
	page, err := e.s.List(ctxBg, clerk, status, month)
	if err != nil {
		t.Fatal(err)
	}
	var got []int64
	for _, b := range page {
		got = append(got, b.ID)
	}
	want, err := db.Collect(ctxBg, e.d.W, db.Scalar[int64], `SELECT id FROM bills WHERE payer_kind = 'employer'
		AND ($1 = '' OR status = $1) AND ($2 = '' OR fee_month = $2) ORDER BY fee_month DESC, id LIMIT 200`, string(status), month)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("status %q month %q: page %v, want %v", status, month, got, want)
	}
}

// listIndex is the index the queue must read: bills_list without a
// status; with one, bills_list_status on SQLite and bill_states_list on
// PostgreSQL, where no index of bills names status (migration 166).
func listIndex(d db.Dialect, status Status) string {
	switch {
	case status == "":
		return "bills_list"
	case d == db.Postgres:
		return "bill_states_list"
	}
	return "bills_list_status"
}

// explain returns the query plan of q as text.
func explain(t *testing.T, d *db.DB, q string, args ...any) string {
	t.Helper()
	return dbtest.Explain(t, d, q, args...)
}

package contribution_test

import (
	"context"
	"database/sql"
	"testing"

	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// TestBillStatesFollowBills: the staff queue's bill_states (payer kind,
// status, fee month per bill) equals bills after a bulk load, payments
// (partial and full), a single status change and a deletion; on
// PostgreSQL, where bill_states is a table kept by triggers, paying bills
// is a heap-only update of every bill (no index of bills names status).
func TestBillStatesFollowBills(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const n = 300
		ids := seedConfirmedBills(t, d, n)
		sameStates(t, d, "after the load")
		list := make([]contribution.Settlement, n)
		for i, id := range ids {
			paid := billTotal(i)
			if i%3 == 0 {
				paid /= 2
			}
			list[i] = contribution.Settlement{ID: id, Paid: paid, Version: 1,
				Status: contribution.StatusAfterPayment(contribution.Confirmed, paid, billTotal(i))}
		}
		var upd, hot int64
		err := d.WithTx(ctx, func(tx *sql.Tx) error {
			u0, h0, err := updateCounts(ctx, tx, d.Dialect)
			if err != nil {
				return err
			}
			if err := contribution.ApplyPayments(ctx, tx, d.Dialect, list); err != nil {
				return err
			}
			u1, h1, err := updateCounts(ctx, tx, d.Dialect)
			upd, hot = u1-u0, h1-h0
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if d.Dialect == db.Postgres && (upd != n || hot != n) {
			t.Errorf("paying %d bills: %d updates, %d of them heap-only; want all heap-only", n, upd, hot)
		}
		var paid, partial int
		if err := d.W.QueryRowContext(ctx, `SELECT SUM(CASE WHEN status = 'paid' THEN 1 ELSE 0 END),
			SUM(CASE WHEN status = 'partially_paid' THEN 1 ELSE 0 END) FROM bill_states`).Scan(&paid, &partial); err != nil {
			t.Fatal(err)
		}
		if paid != 200 || partial != 100 {
			t.Errorf("bill_states after payments: %d paid, %d partially paid; want 200 and 100", paid, partial)
		}
		sameStates(t, d, "after the payments")
		for _, q := range []string{`UPDATE bills SET status = 'cancelled', version = version + 1 WHERE id = 7`,
			`UPDATE bills SET fee_month = '1999-12' WHERE id = 8`, `DELETE FROM bills WHERE id = 9`} {
			if _, err := d.W.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
			sameStates(t, d, q)
		}
	})
}

// sameStates fails unless bill_states holds exactly each bill's payer
// kind, status and fee month.
func sameStates(t *testing.T, d *db.DB, when string) {
	t.Helper()
	read := func(q string) map[int64]string {
		out := map[int64]string{}
		err := db.Each(context.Background(), d.W, func(r db.Scanner) error {
			var id int64
			var kind, status, month string
			if err := r.Scan(&id, &kind, &status, &month); err != nil {
				return err
			}
			out[id] = kind + "/" + status + "/" + month
			return nil
		}, q)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	bills := read(`SELECT id, payer_kind, status, fee_month FROM bills`)
	states := read(`SELECT bill_id, payer_kind, status, fee_month FROM bill_states`)
	if len(bills) != len(states) {
		t.Errorf("%s: %d bills, %d rows in bill_states", when, len(bills), len(states))
	}
	for id, v := range bills {
		if states[id] != v {
			t.Errorf("%s: bill %d is %s, bill_states says %q", when, id, v, states[id])
		}
	}
}

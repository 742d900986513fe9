package payment_test

import (
	"database/sql"
	"testing"
	"time"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/money"
	"shebao/internal/payment"
	"shebao/internal/personalaccount"
)

// The personal account is credited with the individual pension share when
// the bill is paid in full, not when it is assessed or partly paid, and
// paying more (a late fee) credits nothing twice.
func TestAccountCreditedWhenBillPaid(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nowDay)
		emp := e.employer(t, "甲公司", "6222000011112222")
		id, ref := e.bill(t, emp, "2024-04", "2024-05-15", money.Yuan(1200), 0, 0)
		// The line's individual share: 8% of a 5,000.00 base.
		if _, err := d.W.ExecContext(ctx, `UPDATE bill_lines SET base_fen = 500000, individual_rate_ppm = 80000, individual_fen = 40000
			WHERE bill_id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.ExecContext(ctx, `UPDATE bills SET total_fen = total_fen + 40000, individual_fen = 40000 WHERE id = $1`, id); err != nil {
			t.Fatal(err)
		}
		balance := func() money.Fen {
			t.Helper()
			b, err := personalaccount.BalanceAt(ctx, d.Read(), e.person, clock.DateOf(e.c.Now()))
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		if _, _, err := e.svc.RecordCard(ctx, fund, payment.CardInput{BillNo: ref, TerminalRef: "T1001", CardLast4: "1234", Amount: "1000.00"}); err != nil {
			t.Fatal(err)
		}
		if b := balance(); b != 0 {
			t.Fatalf("partly paid bill credited %s", b)
		}
		e.c.Advance(24 * time.Hour)
		if _, _, err := e.svc.RecordCard(ctx, fund, payment.CardInput{BillNo: ref, TerminalRef: "T1002", CardLast4: "1234", Amount: "600.00"}); err != nil {
			t.Fatal(err)
		}
		if b := balance(); b != 40000 {
			t.Fatalf("balance after paying = %s, want 400.00", b)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM account_entries WHERE bill_id = $1`, id); n != 1 {
			t.Fatalf("%d entries for the bill", n)
		}
	})
}

// A refund takes the bill's credits back once.
func TestAccountCreditReversedOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nowDay)
		emp := e.employer(t, "乙公司", "6222000011113333")
		id, ref := e.bill(t, emp, "2024-04", "2024-05-15", money.Yuan(100), 0, 0)
		if _, err := d.W.ExecContext(ctx, `UPDATE bill_lines SET individual_fen = 8000 WHERE bill_id = $1`, id); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.RecordCard(ctx, fund, payment.CardInput{BillNo: ref, TerminalRef: "T2001", CardLast4: "1234", Amount: "100.00"}); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			if err := d.WithTx(ctx, func(tx *sql.Tx) error { return personalaccount.ReverseBill(ctx, tx, id, e.c.Now(), "退款") }); err != nil {
				t.Fatal(err)
			}
		}
		b, err := personalaccount.BalanceAt(ctx, d.Read(), e.person, clock.DateOf(e.c.Now()))
		if err != nil || b != 0 {
			t.Fatalf("balance after refund = %s, %v", b, err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM account_entries WHERE bill_id = $1`, id); n != 2 {
			t.Fatalf("%d entries, want the credit and one reversal", n)
		}
	})
}

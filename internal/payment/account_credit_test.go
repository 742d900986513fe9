package payment_test

import (
	"database/sql"
	"testing"
	"time"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
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

// A refund of a paid payment takes the bill's paid amount and the account
// credit back in one go, once; paying the bill again credits it again.
func TestRefundOfPaidBillReversesCreditOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nowDay)
		emp := e.employer(t, "丙公司", "6222000011114444")
		id, ref := e.bill(t, emp, "2024-04", "2024-05-15", money.Yuan(100), money.Yuan(20), 0)
		if _, err := d.W.ExecContext(ctx, `UPDATE bill_lines SET individual_fen = 8000 WHERE bill_id = $1 AND scheme = 'pension'`, id); err != nil {
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
		p, _, err := e.svc.RecordCard(ctx, fund, payment.CardInput{BillNo: ref, TerminalRef: "T3001", CardLast4: "1234", Amount: "120.00"})
		if err != nil {
			t.Fatal(err)
		}
		if b := balance(); b != 8000 {
			t.Fatalf("balance after paying = %s, want 80.00", b)
		}
		if _, err := e.svc.RefundPaid(ctx, coord, p.ID, payment.RefundInput{Reason: "重复缴费", Version: p.Version}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("a coordination clerk refunded: %v", err)
		}
		if _, err := e.svc.RefundPaid(ctx, fund, p.ID, payment.RefundInput{Reason: " ", Version: p.Version}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("refund without a reason: %v", err)
		}
		e.c.Advance(24 * time.Hour)
		r, err := e.svc.RefundPaid(ctx, fund, p.ID, payment.RefundInput{Reason: "重复缴费", Version: p.Version})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != payment.Refund || r.Applied != 0 {
			t.Fatalf("payment after refund: %s applied %s", r.Status, r.Applied)
		}
		var status string
		var paid int64
		if err := d.W.QueryRowContext(ctx, `SELECT status, paid_fen FROM bills WHERE id = $1`, id).Scan(&status, &paid); err != nil {
			t.Fatal(err)
		}
		if status != "confirmed" || paid != 0 {
			t.Fatalf("bill after refund: %s paid %d", status, paid)
		}
		if b := balance(); b != 0 {
			t.Fatalf("balance after refund = %s", b)
		}
		// A retry: the same version is stale, the new one finds nothing to return.
		if _, err := e.svc.RefundPaid(ctx, fund, p.ID, payment.RefundInput{Reason: "重复缴费", Version: p.Version}); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("stale retry: %v", err)
		}
		if _, err := e.svc.RefundPaid(ctx, fund, p.ID, payment.RefundInput{Reason: "重复缴费", Version: r.Version}); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("second refund: %v", err)
		}
		if err := d.WithTx(ctx, func(tx *sql.Tx) error { return personalaccount.ReverseBill(ctx, tx, id, e.c.Now(), "重试") }); err != nil {
			t.Fatal(err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM account_entries WHERE bill_id = $1 AND kind = 'reversal'`, id); n != 1 {
			t.Fatalf("%d reversals, want 1", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = 'payment.refund.paid'`); n != 1 {
			t.Fatalf("%d audit entries of the refund", n)
		}
		checkInvariants(t, d)

		// Paid again, credited again; refunded again, reversed again.
		e.c.Advance(24 * time.Hour)
		p2, _, err := e.svc.RecordCard(ctx, fund, payment.CardInput{BillNo: ref, TerminalRef: "T3002", CardLast4: "1234", Amount: "120.00"})
		if err != nil {
			t.Fatal(err)
		}
		if b := balance(); b != 8000 {
			t.Fatalf("balance after paying again = %s, want 80.00", b)
		}
		if _, err := e.svc.RefundPaid(ctx, fund, p2.ID, payment.RefundInput{Reason: "参保身份有误", Version: p2.Version}); err != nil {
			t.Fatal(err)
		}
		if b := balance(); b != 0 {
			t.Fatalf("balance after the second refund = %s", b)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM account_entries WHERE bill_id = $1`, id); n != 4 {
			t.Fatalf("%d entries, want two credits and two reversals", n)
		}
		checkInvariants(t, d)
	})
}

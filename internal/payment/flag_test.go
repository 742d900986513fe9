package payment_test

import (
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/payment"
	"shebao/internal/policy"
)

// TestEmployerBillFlaggedWhenPaidLate: an employer's bill paid after its
// due date while an emergency accepts late payments is flagged
// late_accepted (疫情逾期受理) with the measure's basis, whether the money
// is matched from a statement, taken by card or settled by hand; a late
// payment with no emergency, a payment on time and a flexible worker's bill
// are not flagged by the payment.
func TestEmployerBillFlaggedWhenPaidLate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-02-10")
		a := e.employer(t, "北京甲科技有限公司", "")
		flags := func(id int64) (string, string) {
			t.Helper()
			var f, b string
			if err := d.W.QueryRowContext(ctx, `SELECT flags, flag_basis FROM bills WHERE id = $1`, id).Scan(&f, &b); err != nil {
				t.Fatal(err)
			}
			return f, b
		}
		// No emergency yet: late, with the full fee, but not flagged.
		id0, ref0 := e.bill(t, a, "2023-11", "2024-01-15", 100000, 0, 0)
		if _, _, err := e.svc.RecordCard(ctx, fund, payment.CardInput{BillNo: ref0, TerminalRef: "T0000", CardLast4: "1234",
			Amount: "1013.00"}); err != nil {
			t.Fatal(err)
		}
		if f, _ := flags(id0); f != "" {
			t.Fatalf("late without an emergency flagged %q", f)
		}

		admin := &access.Actor{UserID: 1, Username: "admin", Role: access.RoleAdmin, Sections: access.Sections}
		if _, err := e.pol.Declare(ctx, admin, policy.Epidemic2024()); err != nil { // from 2024-01-23, open
			t.Fatal(err)
		}
		// Statement: due 2024-01-15, paid 2024-02-10: 7 days charged (2304), flagged.
		id1, ref1 := e.bill(t, a, "2023-12", "2024-01-15", 400000, 20000, 238336)
		csv := header + csvLine("2024-02-10", "S1", "北京甲科技有限公司", "", "6606.40", "社保费 "+ref1)
		if res, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "s.csv", Data: []byte(csv)}); err != nil || res.Matched != 1 {
			t.Fatalf("import %+v %v", res, err)
		}
		if f, b := flags(id1); f != "late_accepted" || !strings.Contains(b, "人社厅明电〔2024〕7号") ||
			!strings.Contains(b, "缴费日 2024-02-10，原缴费期限 2024-01-15") {
			t.Fatalf("matched late payment: %q %q", f, b)
		}
		// Card on time: not flagged.
		id2, ref2 := e.bill(t, a, "2024-01", "2024-03-31", 100000, 0, 0)
		if _, _, err := e.svc.RecordCard(ctx, fund, payment.CardInput{BillNo: ref2, TerminalRef: "T0002", CardLast4: "1234",
			Amount: "1000.00"}); err != nil {
			t.Fatal(err)
		}
		if f, _ := flags(id2); f != "" {
			t.Fatalf("on time flagged %q", f)
		}
		// Card, late: flagged.
		id3, ref3 := e.bill(t, a, "2023-10", "2023-11-15", 100000, 0, 0)
		p3, _, err := e.svc.RecordCard(ctx, fund, payment.CardInput{BillNo: ref3, TerminalRef: "T0003", CardLast4: "1234", Amount: "1034.00"})
		if err != nil || p3.LateFee != 3400 || p3.DaysWaived != 19 {
			t.Fatalf("card late %+v %v", p3, err)
		}
		if f, _ := flags(id3); f != "late_accepted" {
			t.Fatalf("card late: %q", f)
		}
		// Settled by hand, late: flagged.
		id4, _ := e.bill(t, a, "2023-09", "2023-10-15", 50000, 0, 0)
		csv = header + csvLine("2024-02-10", "S2", "某某代理公司", "", "600.00", "九月社保")
		if _, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "s2.csv", Data: []byte(csv)}); err != nil {
			t.Fatal(err)
		}
		q, err := e.svc.Queue(ctx, fund)
		if err != nil || len(q) != 1 {
			t.Fatalf("queue %+v %v", q, err)
		}
		var no4 string
		d.W.QueryRowContext(ctx, `SELECT bill_no FROM bills WHERE id = $1`, id4).Scan(&no4)
		if _, err := e.svc.Settle(ctx, fund, q[0].ID, payment.SettleInput{Action: "assign", BillNo: no4, Note: "代理公司代缴",
			Version: q[0].Version}); err != nil {
			t.Fatal(err)
		}
		if f, _ := flags(id4); f != "late_accepted" {
			t.Fatalf("settled late: %q", f)
		}
		// A flexible worker's bill is flagged when issued, not by the payment.
		var id5 int64
		if err := d.W.QueryRowContext(ctx, `INSERT INTO bills (bill_no, payer_kind, person_id, fee_month, status, total_fen, payment_ref,
			due_on, assessed_at) VALUES ('F202312-1', 'flexible', $1, '2023-12', 'confirmed', 96000, 'SBFLEX0000001', '2024-01-15', $2)
			RETURNING id`, e.person, e.c.Now()).Scan(&id5); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.svc.RecordCard(ctx, fund, payment.CardInput{BillNo: "SBFLEX0000001", TerminalRef: "T0005", CardLast4: "1234",
			Amount: "963.36"}); err != nil {
			t.Fatal(err)
		}
		if f, _ := flags(id5); f != "" {
			t.Fatalf("flexible bill flagged by the payment: %q", f)
		}
		checkInvariants(t, d)
	})
}

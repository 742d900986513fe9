package payment

import (
	"context"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// TestPaidBillsQuotedSkipsOpenReferences: the look-up of paid bills a
// statement quotes asks only for the references no open bill holds, so a
// statement paying open bills reads no paid bill at all. The paid bill
// here carries a reference an open bill also answers to (a case the
// unique reference rules out, made to see whether the look-up ran).
func TestPaidBillsQuotedSkipsOpenReferences(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		var emp int64
		err := d.W.QueryRowContext(ctx, `INSERT INTO employers (employer_no, uscc, name, legal_rep, address, industry,
			risk_class, established_on, registered_on, created_at, updated_at)
			VALUES ('Q000001', 'QUSCC0000000001', '单位', '王某', '北京', '软件', 1, '2000-01-01', '2000-01-02', '2024-01-01', '2024-01-01')
			RETURNING id`).Scan(&emp)
		if err != nil {
			t.Fatal(err)
		}
		for i, ref := range []string{"SBKPAID00001", "SBKPAID00002"} {
			if _, err := d.W.ExecContext(ctx, `INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status, employer_fen,
				total_fen, paid_fen, payment_ref, due_on, assessed_at) VALUES ($1, 'employer', $2, $3, 'paid', 100, 100, 100, $4, '2024-02-15', '2024-01-20')`,
				"HDQ"+ref, emp, []string{"2024-01", "2024-02"}[i], ref); err != nil {
				t.Fatal(err)
			}
		}
		lines := []Line{{Remark: "社保费SBKPAID00001"}, {Remark: "社保费 SBKPAID00002"}}
		open := map[string]*bill{"SBKPAID00001": {ID: -1}}
		got, err := paidBillsQuoted(ctx, d.W, d.Dialect, lines, open)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0].Ref != "SBKPAID00002" {
			t.Fatalf("looked up %+v, want only the paid bill SBKPAID00002 (SBKPAID00001 is an open bill's reference)", got)
		}
	})
}

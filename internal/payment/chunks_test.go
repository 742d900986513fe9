package payment_test

import (
	"fmt"
	"strings"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/money"
	"shebao/internal/payment"
)

// TestImportInChunksEqualsOneChunk: the import matches the lines of a
// chunk while it writes the previous one; a statement matched seven lines
// at a time, where later lines pay bills that earlier chunks touched
// (a second payment of a bill becomes an over-payment), writes exactly the payments, ledger entries, totals and bills
// that one chunk writes, on both engines.
func TestImportInChunksEqualsOneChunk(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d1 *db.DB) {
		d2 := dbtest.Open(t, d1.Dialect)
		var dumps [2]string
		for k, d := range []*db.DB{d1, d2} {
			restore := payment.SetMatchChunk([]int{7, 8192}[k])
			dumps[k] = importScenario(t, d)
			restore()
			checkInvariants(t, d)
		}
		if dumps[0] != dumps[1] {
			t.Errorf("chunks of 7 lines:\n%s\none chunk:\n%s", dumps[0], dumps[1])
		}
		if !strings.Contains(dumps[0], "over") || !strings.Contains(dumps[0], "partial") {
			t.Errorf("the scenario lacks an over-payment or a partial payment:\n%s", dumps[0])
		}
	})
}

// importScenario imports a 40-line statement against 12 bills of three
// employers and returns what it wrote, in a stable text.
func importScenario(t *testing.T, d *db.DB) string {
	e := newEnv(t, d, "2024-05-10")
	type b struct {
		id  int64
		ref string
	}
	var bills []b
	for i := range 3 {
		emp := e.employer(t, fmt.Sprintf("单位%d", i), fmt.Sprintf("62220000%04d", i))
		for m := 1; m <= 4; m++ {
			id, ref := e.bill(t, emp, fmt.Sprintf("2024-%02d", m), "2024-06-15", 8000, 500, money.Fen(300+i))
			bills = append(bills, b{id, ref})
		}
	}
	var csv strings.Builder
	csv.WriteString(header)
	for i := range 40 {
		x := bills[i%len(bills)]
		total := 8800 + (i%12)/4 // the bill's total in fen
		amount := fmt.Sprintf("%d.%02d", total/100, total%100)
		switch {
		case i%12 == 5: // less than the bill: held for the fund section
			amount = "44.00"
		case i%12 == 10:
			amount = "12.34"
		}
		remark := "社保费" + x.ref
		if i == 17 {
			remark = "医疗保险"
		}
		csv.WriteString(csvLine("2024-05-09", fmt.Sprintf("S%03d", i), "某单位", "", amount, remark))
	}
	if _, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "s.csv", Data: []byte(csv.String())}); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	for _, q := range []string{
		`SELECT id, serial, status, COALESCE(bill_id, 0), applied_fen, late_fee_fen, open_fen, reason FROM payments ORDER BY id`,
		`SELECT payment_id, step, account, scheme, COALESCE(bill_id, 0), debit_fen, credit_fen, posted_on FROM ledger_entries ORDER BY id`,
		`SELECT month, account, scheme, SUM(debit_fen), SUM(credit_fen), SUM(entries) FROM ledger_totals GROUP BY month, account, scheme ORDER BY 1, 2, 3`,
		`SELECT id, paid_fen, status, version FROM bills ORDER BY id`,
	} {
		for _, r := range dbtest.Rows(t, d, q) {
			out.WriteString(r + "\n")
		}
	}
	return out.String()
}

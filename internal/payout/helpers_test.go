package payout

import (
	"context"
	"fmt"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/ledger"
	"shebao/internal/money"
)

var (
	welfare = &access.Actor{UserID: 11, Username: "welfare1", Role: access.RoleStaff, Sections: []access.Section{access.Welfare}}
	fund1   = &access.Actor{UserID: 21, Username: "fund1", Role: access.RoleStaff, Sections: []access.Section{access.Fund}}
	fund2   = &access.Actor{UserID: 22, Username: "fund2", Role: access.RoleStaff, Sections: []access.Section{access.Fund}}
	injuryC = &access.Actor{UserID: 31, Username: "injury1", Role: access.RoleStaff, Sections: []access.Section{access.Injury}}
)

type env struct {
	d   *db.DB
	s   *Service
	clk *clock.Fixed
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	clk := clock.NewFixed(time.Date(2024, 2, 20, 2, 0, 0, 0, time.UTC))
	e := &env{d: d, s: NewService(d, clk, audit.NewService(d, clk), nil), clk: clk}
	csv, xlsx := DemoProfiles()
	for _, b := range []Bank{{Code: "ICBC", Name: "中国工商银行", Profile: csv, Active: true}, {Code: "CCB", Name: "中国建设银行", Profile: xlsx, Active: true}} {
		if _, err := e.s.SaveBank(context.Background(), fund1, b); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

// card returns a 19-digit card number passing the Luhn check.
func card(n int) string {
	body := fmt.Sprintf("622202%012d", n)
	for d := 0; d <= 9; d++ {
		if c := body + fmt.Sprint(d); Luhn(c) {
			return c
		}
	}
	panic("no check digit")
}

func pensionReq(person int64, period string, amount money.Fen) Request {
	name := fmt.Sprintf("退休人员%d", person)
	return Request{PayeeKind: PayeePerson, PayeeID: person, PayeeName: name, AccountKind: AccountCard, AccountName: name,
		AccountNo: card(int(person)), BankName: "中国工商银行某支行", Amount: amount, Benefit: "pension",
		SourceKind: "pensioner", SourceID: fmt.Sprint(person), Period: period}
}

func count(t *testing.T, d *db.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := d.W.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// checkLedger asserts that the ledger balances per posting and scheme and
// that each payout account equals the lines in the statuses it stands for.
func checkLedger(t *testing.T, d *db.DB) {
	t.Helper()
	ctx := context.Background()
	if n, err := ledger.Unbalanced(ctx, d.W); err != nil || n != 0 {
		t.Fatalf("unbalanced postings: %d %v", n, err)
	}
	if ok, err := ledger.TotalsAgree(ctx, d.W); err != nil || !ok {
		t.Fatalf("the ledger's running totals differ from its entries (%v)", err)
	}
	if n := count(t, d, `SELECT COALESCE(SUM(debit_fen),0) - COALESCE(SUM(credit_fen),0) FROM ledger_entries`); n != 0 {
		t.Fatalf("ledger off by %d", n)
	}
	for _, c := range []struct {
		account  string
		sign     string
		statuses string
	}{
		{"benefit_expense", "debit_fen - credit_fen", "'approved','in_file','paid'"},
		{"benefit_payable", "credit_fen - debit_fen", "'approved'"},
		{"payout_in_transit", "credit_fen - debit_fen", "'in_file'"},
		{"payout_bank", "credit_fen - debit_fen", "'paid'"},
	} {
		for _, sc := range []string{"pension", "injury", "unemployment"} {
			got := count(t, d, `SELECT COALESCE(SUM(`+c.sign+`), 0) FROM ledger_entries WHERE account = $1 AND scheme = $2`, c.account, sc)
			want := count(t, d, `SELECT COALESCE(SUM(l.amount_fen), 0) FROM `+shownLines+` WHERE l.scheme = $1 AND `+shownStatus+` IN (`+c.statuses+`)`, sc)
			if got != want {
				t.Fatalf("%s %s: ledger %d, lines %d", c.account, sc, got, want)
			}
		}
	}
}

// shownLines and shownStatus read a line's status as the service shows
// it: stored "approved" with a batch row is in a file.
const (
	shownLines  = `payout_lines l LEFT JOIN payout_batch_lines m ON m.line_id = l.id`
	shownStatus = `CASE WHEN l.status = 'approved' AND m.line_id IS NOT NULL THEN 'in_file' ELSE l.status END`
)

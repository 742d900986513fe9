package payroll

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/ident"
	"shebao/internal/ledger"
	"shebao/internal/money"
	"shebao/internal/payout"
)

var (
	welfare = &access.Actor{UserID: 11, Username: "welfare1", Role: access.RoleStaff, Sections: []access.Section{access.Welfare}}
	fund1   = &access.Actor{UserID: 21, Username: "fund1", Role: access.RoleStaff, Sections: []access.Section{access.Fund}}
	fund2   = &access.Actor{UserID: 22, Username: "fund2", Role: access.RoleStaff, Sections: []access.Section{access.Fund}}
)

type env struct {
	d   *db.DB
	s   *Service
	p   *payout.Service
	clk *clock.Fixed
}

func newEnv(t testing.TB, d *db.DB) *env {
	t.Helper()
	clk := clock.NewFixed(time.Date(2024, 2, 10, 2, 0, 0, 0, time.UTC))
	au := audit.NewService(d, clk)
	p := payout.NewService(d, clk, au, nil)
	csv, xlsx := payout.DemoProfiles()
	for _, b := range []payout.Bank{{Code: "ICBC", Name: "中国工商银行", Profile: csv, Active: true}, {Code: "CCB", Name: "中国建设银行", Profile: xlsx, Active: true}} {
		if _, err := p.SaveBank(context.Background(), fund1, b); err != nil {
			t.Fatal(err)
		}
	}
	return &env{d: d, s: NewService(d, clk, au, p, nil), p: p, clk: clk}
}

func cardNo(n int64) string {
	body := fmt.Sprintf("621700%012d", n)
	for d := 0; d <= 9; d++ {
		if c := body + fmt.Sprint(d); payout.Luhn(c) {
			return c
		}
	}
	panic("no check digit")
}

func idNumber(n int64) string {
	return ident.MakeID("110101", time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n%3000)), int(n%900)+1, n%2 == 0)
}

// enrol puts person n into pay with an active card (unless noCard).
func (e *env) enrol(t testing.TB, n int64, monthly money.Fen, first string, noCard bool) *Pensioner {
	t.Helper()
	ctx := context.Background()
	var p *Pensioner
	err := e.d.WithTx(ctx, func(tx *sql.Tx) error {
		var err error
		p, err = e.s.EnrolTx(ctx, tx, welfare, Enrolment{PersonID: n, Name: fmt.Sprintf("退休%d", n), IDNumber: idNumber(n),
			Monthly: monthly, FirstMonth: month(first), Basis: "核定表", SourceKind: "pension_determination", SourceID: fmt.Sprint(n)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if !noCard {
		if _, err := e.d.W.Exec(`INSERT INTO ss_cards (person_id, status, bank_code, bank_name, card_no, account_no, updated_by, updated_at)
			VALUES ($1, 'active', 'ICBC', '中国工商银行', $2, $2, 'test', $3)`, n, cardNo(n), e.clk.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

func month(s string) clock.Month {
	m, err := clock.ParseMonth(s)
	if err != nil {
		panic(err)
	}
	return m
}

func count(t testing.TB, d *db.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := d.W.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func balanced(t testing.TB, d *db.DB) {
	t.Helper()
	if n, err := ledger.Unbalanced(context.Background(), d.W); err != nil || n != 0 {
		t.Fatalf("unbalanced postings %d %v", n, err)
	}
	if n := count(t, d, `SELECT COALESCE(SUM(debit_fen - credit_fen), 0) FROM ledger_entries`); n != 0 {
		t.Fatalf("ledger off by %d", n)
	}
	if got, want := count(t, d, `SELECT COALESCE(SUM(debit_fen - credit_fen), 0) FROM ledger_entries WHERE account = 'benefit_expense'`),
		count(t, d, `SELECT COALESCE(SUM(amount_fen), 0) FROM payout_lines WHERE status IN ('approved', 'in_file', 'paid')`); got != want {
		t.Fatalf("expense %d, lines %d", got, want)
	}
}

// lines returns person n's live pension lines as "period:amount:benefit".
func lines(t testing.TB, d *db.DB, n int64) []string {
	t.Helper()
	rows, err := d.W.Query(`SELECT period, amount_fen, benefit, status FROM payout_lines WHERE payee_id = $1
		AND status NOT IN ('cancelled', 'rejected') ORDER BY period, id`, n)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p, b, s string
		var a int64
		rows.Scan(&p, &a, &b, &s)
		out = append(out, fmt.Sprintf("%s:%d:%s:%s", p, a, b, s))
	}
	return out
}

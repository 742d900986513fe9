package payroll

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/ledger"
	"shebao/internal/money"
	"shebao/internal/payout"
)

// TestFundReportAgreesWithLedgerAndPayroll pays January (one bank
// failure, one retiree held for the card) and February, with
// contributions received in January, and checks the fund section's report
// per scheme and month against the payroll's totals and the ledger.
func TestFundReportAgreesWithLedgerAndPayroll(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		e.clk.Set(time.Date(2024, 1, 10, 2, 0, 0, 0, time.UTC))
		for n := int64(1); n <= 4; n++ {
			e.enrol(t, n, money.Fen(290000+10000*n), "2024-01", n == 4)
		}
		err := d.WithTx(ctx, func(tx *sql.Tx) error {
			p := ledger.Posting{Step: 1, PostedOn: "2024-01-15"}
			p.Move(ledger.Bank, ledger.Receivable, "pension", 0, 5_000_000)
			p.Move(ledger.Bank, ledger.Receivable, "injury", 0, 100_000)
			return ledger.Write(ctx, tx, d.Dialect, e.clk.Now(), []ledger.Posting{p})
		})
		if err != nil {
			t.Fatal(err)
		}
		jan := payMonth(t, e, "2024-01", time.Date(2024, 1, 20, 2, 0, 0, 0, time.UTC), 2)
		feb := payMonth(t, e, "2024-02", time.Date(2024, 2, 20, 2, 0, 0, 0, time.UTC), 0)
		// Both months: 300,000 + 310,000 + 320,000 to cards, 330,000 held.
		if jan.TotalFen != 1_260_000 || feb.TotalFen != 1_260_000 || jan.Held != 1 || feb.Held != 1 {
			t.Fatalf("runs: %+v %+v", jan, feb)
		}
		rep, err := e.p.FundReport(ctx, fund1, month("2024-02"), 2)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]payout.FundMonth{}
		for _, r := range rep.Rows {
			got[r.Month+"/"+r.Scheme] = r
		}
		want := map[string]payout.FundMonth{
			// January: the failed 310,000 is reversed, the held 330,000 never expensed.
			"2024-01/pension": {Month: "2024-01", Scheme: "pension", Income: 5_000_000, Expense: 1_260_000 - 330_000 - 310_000, Paid: 620_000},
			"2024-01/injury":  {Month: "2024-01", Scheme: "injury", Income: 100_000},
			"2024-02/pension": {Month: "2024-02", Scheme: "pension", Expense: 1_260_000 - 330_000, Paid: 930_000},
		}
		if len(got) != len(want) {
			t.Fatalf("rows %+v", rep.Rows)
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: %+v, want %+v", k, got[k], w)
			}
		}
		var expense, paid money.Fen
		for _, r := range rep.Rows {
			expense += r.Expense
			paid += r.Paid
		}
		if l := money.Fen(count(t, d, `SELECT COALESCE(SUM(debit_fen - credit_fen), 0) FROM ledger_entries WHERE account = 'benefit_expense'`)); l != expense {
			t.Errorf("report expense %s, ledger %s", expense, l)
		}
		if l := money.Fen(count(t, d, `SELECT COALESCE(SUM(amount_fen), 0) FROM payout_lines WHERE status = 'paid'`)); l != paid {
			t.Errorf("report paid %s, paid lines %s", paid, l)
		}
		if !strings.HasPrefix(rep.Chart, "<svg") || len(rep.Months) != 2 {
			t.Errorf("chart %q months %v", rep.Chart[:min(40, len(rep.Chart))], rep.Months)
		}
		balanced(t, d)
	})
}

// payMonth runs month's payroll, then at day approves, sends and answers
// it with the line of person fail failed (0: none).
func payMonth(t *testing.T, e *env, m string, day time.Time, fail int64) *Run {
	t.Helper()
	ctx := context.Background()
	run, err := e.s.RunMonth(ctx, fund1, month(m))
	if err != nil {
		t.Fatal(err)
	}
	e.clk.Set(day)
	approveAll(t, e)
	b, _, err := e.p.CreateBatch(ctx, fund2, "ICBC")
	if err != nil {
		t.Fatal(err)
	}
	failed := map[int64]string{}
	if fail != 0 {
		failed[count(t, e.d, `SELECT l.id FROM payout_batch_lines m JOIN payout_lines l ON l.id = m.line_id WHERE m.batch_id = $1 AND l.payee_id = $2`, b.ID, fail)] = "账户已冻结"
	}
	f, err := e.p.SimulatedReturn(ctx, fund2, b.ID, failed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.ImportReturn(ctx, fund2, b.ID, "return.csv", f.Data); err != nil {
		t.Fatal(err)
	}
	e.clk.Set(day.AddDate(0, 0, 15))
	return run
}

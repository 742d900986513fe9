package ledger

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/money"
)

// TestRunningTotalsFollowEveryWrite: the trial balance read from the
// running totals equals the sums of the entries after each write, after a
// fold (which leaves one row per account and scheme) and with writes and
// folds running at the same time.
func TestRunningTotalsFollowEveryWrite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2024, 2, 10, 9, 0, 0, 0, time.UTC)
		write := func(payment int64) error {
			return d.WithTx(ctx, func(tx *sql.Tx) error {
				p := Posting{PaymentID: payment, Step: 1, PostedOn: "2024-02-10"}
				p.Move(Bank, Receivable, "pension", payment, money.Fen(10_000+payment))
				p.Move(Bank, Receivable, "injury", payment, 301)
				p.Move(Bank, Suspense, "", 0, money.Fen(payment%7))
				return Write(ctx, tx, d.Dialect, now, []Posting{p})
			})
		}
		agree := func(when string) {
			t.Helper()
			if ok, err := TotalsAgree(ctx, d.W); err != nil || !ok {
				tb, _ := TrialBalance(ctx, d.W)
				te, _ := TrialBalanceOfEntries(ctx, d.W)
				t.Fatalf("%s: totals %v, entries %v (%v)", when, tb, te, err)
			}
		}
		for i := int64(1); i <= 20; i++ {
			if err := write(i); err != nil {
				t.Fatal(err)
			}
		}
		agree("after writes")
		folded, err := Fold(ctx, d)
		if err != nil || folded == 0 {
			t.Fatalf("fold: %d %v", folded, err)
		}
		agree("after a fold")
		var rows int
		if err := d.W.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_totals`).Scan(&rows); err != nil || rows != 6 {
			t.Fatalf("after a fold %d rows of totals (want one per account and scheme: 6), %v", rows, err)
		}
		var wg sync.WaitGroup
		errc := make(chan error, 80)
		for i := int64(21); i <= 60; i++ {
			wg.Add(2)
			go func() { defer wg.Done(); errc <- write(i) }()
			go func() { defer wg.Done(); _, err := Fold(ctx, d); errc <- err }()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil && !isBusy(err) {
				t.Fatal(err)
			}
		}
		agree("after writes and folds at once")
		if n := UnbalancedSchemes(mustTrial(t, d)); n != 0 {
			t.Fatalf("%d unbalanced schemes", n)
		}
	})
}

func mustTrial(t *testing.T, d *db.DB) []Balance {
	t.Helper()
	b, err := TrialBalance(context.Background(), d.Read())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// isBusy: SQLite may refuse a concurrent writer while another holds the
// lock; a refused transaction wrote nothing, which is all this test needs.
func isBusy(err error) bool {
	s := err.Error()
	return strings.Contains(s, "SQLITE_BUSY") || strings.Contains(s, "database is locked")
}

func TestUnbalancedSchemes(t *testing.T) {
	b := []Balance{{Account: Bank, Scheme: "pension", Debit: 5}, {Account: Receivable, Scheme: "pension", Credit: 5},
		{Account: Bank, Scheme: "injury", Debit: 3}, {Account: Receivable, Scheme: "injury", Credit: 2}}
	if n := UnbalancedSchemes(b); n != 1 {
		t.Fatalf("got %d, want 1 (injury)", n)
	}
}

// TestMonthTotalsFollowEveryWrite: the totals of each month of posting
// equal the sums of that month's entries, before and after a fold, for a
// range of months and for one month; the fold leaves one row per month,
// account and scheme, and the trial balance still adds every month up.
func TestMonthTotalsFollowEveryWrite(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		now := time.Date(2024, 4, 10, 9, 0, 0, 0, time.UTC)
		days := []string{"2024-01-31", "2024-02-01", "2024-02-29", "2024-03-15", "2024-04-01"}
		for i, day := range days {
			err := d.WithTx(ctx, func(tx *sql.Tx) error {
				var ps []Posting
				for k := int64(1); k <= 3; k++ {
					p := Posting{PaymentID: int64(i)*10 + k, Step: 1, PostedOn: day}
					p.Move(Bank, Receivable, "pension", k, money.Fen(1000*k+int64(i)))
					p.Move(Bank, Suspense, "", 0, money.Fen(7*k))
					ps = append(ps, p)
				}
				q := Posting{PayoutPostingID: int64(i) + 1, Step: 1, PostedOn: day}
				q.Move(BenefitExpense, BenefitPayable, "injury", 0, money.Fen(500+int64(i)))
				return Write(ctx, tx, d.Dialect, now, append(ps, q))
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		agree := func(when, from, to string, wantMonths int) {
			t.Helper()
			got, err := MonthTotals(ctx, d.W, from, to)
			if err != nil {
				t.Fatal(err)
			}
			want, err := MonthTotalsOfEntries(ctx, d.W, from, to)
			if err != nil {
				t.Fatal(err)
			}
			months := map[string]bool{}
			for _, b := range got {
				months[b.Month] = true
			}
			if !slices.Equal(got, want) || len(months) != wantMonths {
				t.Fatalf("%s %s…%s: totals %v, entries %v (want %d months)", when, from, to, got, want, wantMonths)
			}
		}
		agree("after writes", "2024-02", "2024-03", 2)
		agree("after writes", "2024-01", "2024-01", 1)
		if _, err := Fold(ctx, d); err != nil {
			t.Fatal(err)
		}
		agree("after a fold", "2024-01", "2024-04", 4)
		agree("after a fold", "2024-02", "2024-02", 1)
		var rows int
		// per month: bank, receivable and suspense of their schemes, and the two payout accounts
		if err := d.W.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_totals`).Scan(&rows); err != nil || rows != 4*6 {
			t.Fatalf("after a fold %d rows of totals, want %d (%v)", rows, 4*6, err)
		}
		if ok, err := TotalsAgree(ctx, d.W); err != nil || !ok {
			t.Fatalf("trial balance from month totals differs from the entries (%v)", err)
		}
	})
}

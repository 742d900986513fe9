package ledger

import (
	"context"
	"database/sql"
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

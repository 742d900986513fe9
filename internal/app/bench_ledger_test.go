package app_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"shebao/internal/app"
	"shebao/internal/clock"
	"shebao/internal/demo"
	"shebao/internal/ledger"
	"shebao/internal/money"
)

// ledgerPages are the pages of the fund ledger 基金管理科 reads. Neither
// offers a filter (account, month or search): the ledger is the trial
// balance of every account and scheme, the fund report the last twelve
// months of every scheme.
var ledgerPages = []listPage{
	{"jijin", "/staff/ledger"},
	{"jijin", "/staff/fund-report"},
}

// BenchmarkLedgerPages requests the fund ledger's pages through the real
// server on a ledger of 2,200,000 entries (SHEBAO_BENCH_LEDGER_ENTRIES to
// change it) over 24 months, and prints each page's median and slowest
// request: first with the running totals as the writes left them (one
// delta row per write), then after the hourly fold. For comparison it
// also times the fund report's sums read from the entries themselves (how
// the report was read before the month totals).
//
// By default it builds a small demo district on SQLite. With
// SHEBAO_BENCH_LEDGER_DB (a PostgreSQL URL with its own search_path) the
// database is seeded once, the entries written in bulk through the
// ledger, and kept, so later runs time the pages only:
//
//	psql URL -c 'CREATE SCHEMA bench_ledger'
//	SHEBAO_BENCH_LEDGER_DB='URL&search_path=bench_ledger' go test -run '^$' -bench LedgerPages -benchtime 1x ./internal/app/
func BenchmarkLedgerPages(b *testing.B) {
	ctx := context.Background()
	cfg := app.Config{DataDir: b.TempDir(), LogOut: io.Discard, Name: "bench-ledger", DBURL: os.Getenv("SHEBAO_BENCH_LEDGER_DB")}
	now, _ := clock.ParseWhen("2025-02-10")
	cfg.Clock = clock.NewFixed(now)
	a, err := app.Open(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	want := 2_200_000
	if s := os.Getenv("SHEBAO_BENCH_LEDGER_ENTRIES"); s != "" {
		if want, err = strconv.Atoi(s); err != nil {
			b.Fatal(err)
		}
	}
	seedLedger(b, a, now, want)
	srv := httptest.NewServer(a.Web)
	defer srv.Close()
	c := benchLogin(b, srv.URL, "jijin")
	var entries, deltas int
	if err := a.DB.Read().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM ledger_entries), (SELECT COUNT(*) FROM ledger_totals)`).
		Scan(&entries, &deltas); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		fmt.Fprintf(os.Stderr, "\n%s, %d ledger entries\n%-52s %9s %9s %s\n", a.DB.Dialect, entries, "page (login, path)", "median", "max", "status")
		timeLedgerPages(b, c, srv.URL, fmt.Sprintf("%d rows of totals", deltas))
		if _, err := ledger.Fold(ctx, a.DB); err != nil {
			b.Fatal(err)
		}
		var folded int
		if err := a.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_totals`).Scan(&folded); err != nil {
			b.Fatal(err)
		}
		timeLedgerPages(b, c, srv.URL, fmt.Sprintf("folded: %d rows", folded))
		m := clock.MonthOf(now)
		lat := timeN(func() {
			if _, err := ledger.MonthTotalsOfEntries(ctx, a.DB.Read(), m.Add(-11).String(), m.String()); err != nil {
				b.Fatal(err)
			}
		})
		fmt.Fprintf(os.Stderr, "%-52s %7.1fms %7.1fms (the report's sums from the entries, for comparison)\n",
			"twelve months summed from ledger_entries", ms(lat[len(lat)/2]), ms(lat[len(lat)-1]))
	}
}

// timeLedgerPages requests each ledger page once to warm up, then five
// times, and prints the median and slowest request.
func timeLedgerPages(b *testing.B, c *http.Client, base, label string) {
	for _, p := range ledgerPages {
		status := benchGet(b, c, base+p.path)
		lat := timeN(func() { benchGet(b, c, base+p.path) })
		mark := ""
		if lat[len(lat)/2] > 50*time.Millisecond {
			mark = " > 50 ms"
		}
		fmt.Fprintf(os.Stderr, "%-52s %7.1fms %7.1fms %d%s\n", p.user+" "+p.path+" ("+label+")", ms(lat[len(lat)/2]), ms(lat[len(lat)-1]), status, mark)
		if status != http.StatusOK {
			b.Errorf("%s answered %d", p.path, status)
		}
	}
}

// timeN runs f five times and returns the sorted durations.
func timeN(f func()) []time.Duration {
	var lat []time.Duration
	for range 5 {
		t0 := time.Now()
		f()
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	return lat
}

// seedLedger gives an empty database a small demo district (for the
// logins) and then tops its ledger up to want entries, written through
// ledger.Write in transactions of about 200,000 entries, spread over the
// 24 months before now: receipts of bills (bank to receivable for three
// schemes), unidentified receipts (bank to suspense) and payouts (expense
// to payable to in transit to the payout bank).
func seedLedger(b *testing.B, a *app.App, now time.Time, want int) {
	ctx := context.Background()
	if empty, err := demo.IsEmpty(ctx, a.DB); err != nil {
		b.Fatal(err)
	} else if empty {
		_, err := demo.Generate(ctx, demo.Deps{DB: a.DB, Clock: a.Clock, Log: a.Log, Audit: a.Audit, Accounts: a.Accounts,
			Policy: a.Policy, Employers: a.Employers, Contribution: a.Contribution, Payments: a.Payments, Transfers: a.Transfers},
			demo.Options{Employers: 20, Persons: 200, Months: -1})
		if err != nil {
			b.Fatal(err)
		}
	}
	var have int
	var base int64
	if err := a.DB.Read().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM ledger_entries),
		(SELECT COALESCE(MAX(payment_id), 0) FROM ledger_entries) + (SELECT COALESCE(MAX(id), 0) FROM payments) + 1000000`).
		Scan(&have, &base); err != nil {
		b.Fatal(err)
	}
	if have >= want {
		return
	}
	t0 := time.Now()
	first := clock.MonthOf(now).Add(-24)
	const batch = 200_000
	for have < want {
		var ps []ledger.Posting
		n := 0
		for n < min(batch, want-have) {
			k := base + int64(len(ps))
			day := first.Add(int(k%24)).First().AddDate(0, 0, int(k%28)).Format(time.DateOnly)
			p := ledger.Posting{PaymentID: k, Step: 1, PostedOn: day}
			switch k % 10 {
			case 0: // an unidentified receipt
				p.Move(ledger.Bank, ledger.Suspense, "", 0, money.Fen(10_000+k%997))
			case 1: // a payout: approved, put in a bank file, paid
				p.PaymentID, p.PayoutPostingID = 0, k
				amt := money.Fen(300_000 + k%9973)
				p.Move(ledger.BenefitExpense, ledger.BenefitPayable, "pension", 0, amt)
				p.Move(ledger.BenefitPayable, ledger.PayoutInTransit, "pension", 0, amt)
				p.Move(ledger.PayoutInTransit, ledger.PayoutBank, "pension", 0, amt)
			default: // a bill paid by transfer
				amt := money.Fen(100_000 + k%99991)
				p.Move(ledger.Bank, ledger.Receivable, "pension", k, amt*16/20)
				p.Move(ledger.Bank, ledger.Receivable, "unemployment", k, amt/20)
				p.Move(ledger.Bank, ledger.Receivable, "injury", k, amt-amt*16/20-amt/20)
			}
			ps = append(ps, p)
			n += len(p.Entries)
		}
		err := a.DB.WithTx(ctx, func(tx *sql.Tx) error { return ledger.Write(ctx, tx, a.DB.Dialect, now, ps) })
		if err != nil {
			b.Fatal(err)
		}
		have += n
		base += int64(len(ps))
	}
	for _, t := range []string{"ledger_entries", "ledger_totals"} {
		if _, err := a.DB.W.ExecContext(ctx, `ANALYZE `+t); err != nil {
			b.Fatal(err)
		}
	}
	fmt.Fprintf(os.Stderr, "seeded the ledger to %d entries in %s\n", have, time.Since(t0).Round(time.Second))
}

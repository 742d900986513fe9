// Package ledger is the fund ledger (基金账): double entry per scheme. A
// posting is the set of entries one payment step writes; every posting
// balances overall and for each scheme, so the whole ledger always does.
package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// Account is a ledger account.
type Account string

// Accounts of the fund ledger.
const (
	Bank              Account = "bank"                // 收入户银行存款
	Receivable        Account = "receivable"          // 应收社会保险费
	LateFeeReceivable Account = "late_fee_receivable" // 应收滞纳金
	LateFeeIncome     Account = "late_fee_income"     // 滞纳金收入
	Suspense          Account = "suspense"            // 待查明款项（暂收款）
	RefundPayable     Account = "refund_payable"      // 应退款项

	// Payout accounts (docs/decisions/0020-payouts.md).
	BenefitExpense  Account = "benefit_expense"   // 待遇支出
	BenefitPayable  Account = "benefit_payable"   // 应付待遇
	PayoutInTransit Account = "payout_in_transit" // 代发在途资金
	PayoutBank      Account = "payout_bank"       // 银行存款（支出户）

	// TransferIncome is the pension fund's income from other regions'
	// agencies: the account balance and pooled amount of a transfer in
	// (docs/rules.md "Transfers").
	TransferIncome Account = "transfer_income" // 转移收入
)

var accountNames = map[Account]string{
	Bank: "银行存款（收入户）", Receivable: "应收社会保险费", LateFeeReceivable: "应收滞纳金",
	LateFeeIncome: "滞纳金收入", Suspense: "待查明款项", RefundPayable: "应退款项",
	BenefitExpense: "待遇支出", BenefitPayable: "应付待遇", PayoutInTransit: "代发在途资金", PayoutBank: "银行存款（支出户）",
	TransferIncome: "转移收入",
}

// Name is the account's Chinese name.
func (a Account) Name() string {
	if n, ok := accountNames[a]; ok {
		return n
	}
	return string(a)
}

// Schemes collected by the agency, in display order.
var Schemes = []string{"pension", "unemployment", "injury"}

var schemeNames = map[string]string{"pension": "基本养老保险", "unemployment": "失业保险", "injury": "工伤保险", "": "未分配"}

// SchemeName is a scheme's Chinese name ("" is money not yet allocated).
func SchemeName(s string) string {
	if n, ok := schemeNames[s]; ok {
		return n
	}
	return s
}

// Entry is one ledger line.
type Entry struct {
	Account Account
	Scheme  string
	BillID  int64 // 0 when the line concerns no bill
	Debit   money.Fen
	Credit  money.Fen
}

// Posting is what one step of one payment writes, or one payout posting
// (PaymentID 0, PayoutPostingID set).
type Posting struct {
	PaymentID       int64
	PayoutPostingID int64
	Step            int
	PostedOn        string // YYYY-MM-DD
	Entries         []Entry
}

// Move adds "debit dr, credit cr" of amount for scheme (nothing for 0).
func (p *Posting) Move(dr, cr Account, scheme string, billID int64, amount money.Fen) {
	if amount == 0 {
		return
	}
	p.Entries = append(p.Entries, Entry{Account: dr, Scheme: scheme, BillID: billID, Debit: amount},
		Entry{Account: cr, Scheme: scheme, BillID: billID, Credit: amount})
}

// Check reports an Internal error unless the posting balances for every
// scheme and has no negative amounts.
func (p *Posting) Check() error {
	bal := map[string]money.Fen{}
	for _, e := range p.Entries {
		if e.Debit < 0 || e.Credit < 0 {
			return errs.Wrap(fmt.Errorf("negative ledger amount in payment %d/%d step %d", p.PaymentID, p.PayoutPostingID, p.Step), "ledger")
		}
		bal[e.Scheme] += e.Debit - e.Credit
	}
	for s, b := range bal {
		if b != 0 {
			return errs.Wrap(fmt.Errorf("posting of payment %d/%d step %d unbalanced for scheme %q by %d", p.PaymentID, p.PayoutPostingID, p.Step, s, b), "ledger")
		}
	}
	return nil
}

// entryColumns are the columns of ledger_entries a posting writes.
var entryColumns = []db.Column{{Name: "payment_id", Type: db.BigInt}, {Name: "step", Type: db.BigInt},
	{Name: "posted_on", Type: db.Text}, {Name: "account", Type: db.Text}, {Name: "scheme", Type: db.Text},
	{Name: "bill_id", Type: db.BigInt}, {Name: "debit_fen", Type: db.BigInt}, {Name: "credit_fen", Type: db.BigInt},
	{Name: "created_at", Type: db.Timestamp}, {Name: "payout_posting_id", Type: db.BigInt}}

// Write checks and inserts postings inside tx.
func Write(ctx context.Context, tx *sql.Tx, dialect db.Dialect, now time.Time, postings []Posting) error {
	w := NewWriter(tx, dialect, now)
	if err := w.Add(ctx, postings); err != nil {
		return err
	}
	return w.Close(ctx)
}

// Writer writes postings in parts inside one transaction, for a caller
// that hands them over as it makes them (the statement import writes each
// part while it matches the next), and the running totals of all parts
// once, at Close: the same rows as one Write of every posting.
type Writer struct {
	tx      *sql.Tx
	dialect db.Dialect
	now     time.Time
	sums    map[totalKey]*Balance
}

// NewWriter starts writing postings inside tx.
func NewWriter(tx *sql.Tx, dialect db.Dialect, now time.Time) *Writer {
	return &Writer{tx: tx, dialect: dialect, now: now, sums: map[totalKey]*Balance{}}
}

// Close writes the running totals of every posting added.
func (w *Writer) Close(ctx context.Context) error {
	return writeTotals(ctx, w.tx, w.dialect, w.sums)
}

// Add checks and inserts postings' entries.
func (w *Writer) Add(ctx context.Context, postings []Posting) error {
	tx, dialect, now := w.tx, w.dialect, w.now
	for i := range postings {
		if err := postings[i].Check(); err != nil {
			return err
		}
	}
	type at struct{ p, e int } // posting and entry of a row
	var n int
	for i := range postings {
		n += len(postings[i].Entries)
	}
	rows := make([]at, 0, n)
	for i := range postings {
		for j := range postings[i].Entries {
			rows = append(rows, at{i, j})
		}
	}
	err := db.BulkInsert(ctx, tx, dialect, db.Insert{Table: "ledger_entries", Columns: entryColumns, Rows: len(rows),
		Row: func(i int) []any {
			p := &postings[rows[i].p]
			e := &p.Entries[rows[i].e]
			var bill, payout any
			if e.BillID != 0 {
				bill = e.BillID
			}
			if p.PayoutPostingID != 0 {
				payout = p.PayoutPostingID
			}
			return []any{p.PaymentID, int64(p.Step), p.PostedOn, string(e.Account), e.Scheme, bill,
				int64(e.Debit), int64(e.Credit), now, payout}
		}})
	if err != nil {
		return errs.Wrap(err, "insert ledger entries")
	}
	sumPostings(w.sums, postings)
	return nil
}

// totalKey is one account of one scheme in one month of posting.
type totalKey struct {
	month   string
	account Account
	scheme  string
}

// monthOf is the month ("YYYY-MM") of a posting day.
func monthOf(day string) string {
	if len(day) < 7 {
		return day
	}
	return day[:7]
}

// sumPostings adds the postings' entries to sums per month, account and
// scheme.
func sumPostings(sums map[totalKey]*Balance, postings []Posting) {
	for i := range postings {
		month := monthOf(postings[i].PostedOn)
		for _, e := range postings[i].Entries {
			k := totalKey{month, e.Account, e.Scheme}
			if sums[k] == nil {
				sums[k] = &Balance{Month: month, Account: e.Account, Scheme: e.Scheme}
			}
			sums[k].Debit += e.Debit
			sums[k].Credit += e.Credit
			sums[k].Entries++
		}
	}
}

var totalColumns = []db.Column{{Name: "month", Type: db.Text}, {Name: "account", Type: db.Text}, {Name: "scheme", Type: db.Text},
	{Name: "debit_fen", Type: db.BigInt}, {Name: "credit_fen", Type: db.BigInt}, {Name: "entries", Type: db.BigInt}}

// writeTotals inserts one row of running totals (a delta) per month,
// account and scheme: inserts only, so concurrent writers never wait on each other's
// totals (docs/decisions/0034-history-at-district-scale.md).
func writeTotals(ctx context.Context, tx *sql.Tx, dialect db.Dialect, sums map[totalKey]*Balance) error {
	rows := make([]*Balance, 0, len(sums))
	for _, b := range sums {
		rows = append(rows, b)
	}
	sort.Slice(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.Month != b.Month {
			return a.Month < b.Month
		}
		return a.Account < b.Account || a.Account == b.Account && a.Scheme < b.Scheme
	})
	err := db.BulkInsert(ctx, tx, dialect, db.Insert{Table: "ledger_totals", Columns: totalColumns, Rows: len(rows),
		Row: func(i int) []any {
			b := rows[i]
			return []any{b.Month, string(b.Account), b.Scheme, int64(b.Debit), int64(b.Credit), b.Entries}
		}})
	return errs.Wrap(err, "insert ledger totals")
}

// Fold replaces the rows of running totals by one row per month, account
// and scheme. Its one DELETE … RETURNING removes exactly the rows it returns,
// so totals written meanwhile by other transactions are neither lost nor
// counted twice. It returns how many rows were folded.
func Fold(ctx context.Context, d *db.DB) (int, error) {
	var folded int
	err := d.WithTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `DELETE FROM ledger_totals RETURNING month, account, scheme, debit_fen, credit_fen, entries`)
		if err != nil {
			return errs.Wrap(err, "fold ledger totals")
		}
		sums := map[totalKey]*Balance{}
		for rows.Next() {
			var b Balance
			var acct string
			var dr, cr int64
			if err := rows.Scan(&b.Month, &acct, &b.Scheme, &dr, &cr, &b.Entries); err != nil {
				rows.Close()
				return errs.Wrap(err, "fold ledger totals")
			}
			folded++
			k := totalKey{b.Month, Account(acct), b.Scheme}
			if sums[k] == nil {
				sums[k] = &Balance{Month: k.month, Account: k.account, Scheme: k.scheme}
			}
			sums[k].Debit += money.Fen(dr)
			sums[k].Credit += money.Fen(cr)
			sums[k].Entries += b.Entries
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return errs.Wrap(err, "fold ledger totals")
		}
		return writeTotals(ctx, tx, d.Dialect, sums)
	})
	return folded, err
}

// Allocate splits amount across weights in proportion, each share rounded
// down to the fen; the remainder goes to the largest weight (the first
// of equals). When caps is not nil no share exceeds its cap: a remainder
// that does not fit spills to the next largest weight. The result is
// deterministic and sums to amount exactly (when the caps allow it).
// The rule: docs/rules.md §9.3.
func Allocate(amount money.Fen, weights, caps []money.Fen) []money.Fen {
	out := make([]money.Fen, len(weights))
	var total money.Fen
	for _, w := range weights {
		total += w
	}
	if total <= 0 || amount == 0 {
		if len(out) > 0 {
			out[0] = amount
		}
		return out
	}
	var given money.Fen
	for i, w := range weights {
		out[i] = money.Fen(int64(amount) * int64(w) / int64(total))
		given += out[i]
	}
	order := make([]int, len(weights))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return weights[order[a]] > weights[order[b]] })
	rest := amount - given
	for _, i := range order {
		if rest == 0 {
			break
		}
		add := rest
		if caps != nil && out[i]+add > caps[i] {
			add = max(caps[i]-out[i], 0)
		}
		out[i] += add
		rest -= add
	}
	if rest != 0 {
		out[order[0]] += rest
	}
	return out
}

// Balance is one account and scheme's totals (of one month of posting
// where Month is set).
type Balance struct {
	Month   string // YYYY-MM; "" in a trial balance (all months)
	Account Account
	Scheme  string
	Debit   money.Fen
	Credit  money.Fen
	Entries int64 // ledger entries summed
}

// Net is debit minus credit.
func (b Balance) Net() money.Fen { return b.Debit - b.Credit }

// TrialBalance returns the totals per account and scheme, from the
// running totals (a row per month, account and scheme after a fold, a few
// more until the next), so it costs the same whatever the number of
// entries.
func TrialBalance(ctx context.Context, q db.Querier) ([]Balance, error) {
	return trialBalance(ctx, q, `SELECT account, scheme, SUM(debit_fen), SUM(credit_fen), SUM(entries)
		FROM ledger_totals GROUP BY account, scheme ORDER BY account, scheme`)
}

// MonthTotals returns the totals per month of posting, account and scheme
// of the months from through to ("YYYY-MM", both included), ordered by
// month, account and scheme, from the running totals: its cost follows
// the months asked for, not the entries posted in them.
func MonthTotals(ctx context.Context, q db.Querier, from, to string) ([]Balance, error) {
	return monthTotals(ctx, q, `SELECT month, account, scheme, SUM(debit_fen), SUM(credit_fen), SUM(entries)
		FROM ledger_totals WHERE month >= $1 AND month <= $2 GROUP BY month, account, scheme ORDER BY month, account, scheme`, from, to)
}

// MonthTotalsOfEntries sums the entries posted in the months from through
// to: what MonthTotals must equal (tests and checks; it reads every entry).
func MonthTotalsOfEntries(ctx context.Context, q db.Querier, from, to string) ([]Balance, error) {
	return monthTotals(ctx, q, `SELECT substr(posted_on, 1, 7) AS mon, account, scheme, SUM(debit_fen), SUM(credit_fen), COUNT(*)
		FROM ledger_entries WHERE substr(posted_on, 1, 7) >= $1 AND substr(posted_on, 1, 7) <= $2
		GROUP BY substr(posted_on, 1, 7), account, scheme ORDER BY mon, account, scheme`, from, to)
}

func monthTotals(ctx context.Context, q db.Querier, query, from, to string) ([]Balance, error) {
	var out []Balance
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var b Balance
		var acct string
		var dr, cr int64
		if err := r.Scan(&b.Month, &acct, &b.Scheme, &dr, &cr, &b.Entries); err != nil {
			return err
		}
		b.Account, b.Debit, b.Credit = Account(acct), money.Fen(dr), money.Fen(cr)
		out = append(out, b)
		return nil
	}, query, from, to)
	return out, errs.Wrap(err, "month totals")
}

// TrialBalanceOfEntries sums every entry: what the running totals must
// equal (tests and checks; it reads the whole ledger).
func TrialBalanceOfEntries(ctx context.Context, q db.Querier) ([]Balance, error) {
	return trialBalance(ctx, q, `SELECT account, scheme, SUM(debit_fen), SUM(credit_fen), COUNT(*)
		FROM ledger_entries GROUP BY account, scheme ORDER BY account, scheme`)
}

// UnbalancedSchemes counts the schemes whose debits and credits differ in
// a trial balance; a sound ledger has none.
func UnbalancedSchemes(balances []Balance) int {
	net := map[string]money.Fen{}
	for _, b := range balances {
		net[b.Scheme] += b.Net()
	}
	n := 0
	for _, v := range net {
		if v != 0 {
			n++
		}
	}
	return n
}

func trialBalance(ctx context.Context, q db.Querier, query string) ([]Balance, error) {
	var out []Balance
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var b Balance
		var acct string
		var dr, cr int64
		if err := r.Scan(&acct, &b.Scheme, &dr, &cr, &b.Entries); err != nil {
			return err
		}
		b.Account, b.Debit, b.Credit = Account(acct), money.Fen(dr), money.Fen(cr)
		out = append(out, b)
		return nil
	}, query)
	return out, errs.Wrap(err, "trial balance")
}

// Unbalanced counts the postings (payment, step, scheme) whose debits and
// credits differ; a sound ledger has none.
func Unbalanced(ctx context.Context, q db.Querier) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT payment_id FROM ledger_entries
		GROUP BY payment_id, COALESCE(payout_posting_id, 0), step, scheme HAVING SUM(debit_fen) <> SUM(credit_fen)) u`).Scan(&n)
	return n, errs.Wrap(err, "ledger check")
}

// PostedToBills returns, per bill and scheme, the contributions the
// ledger received for it (receivable credits less debits).
func PostedToBills(ctx context.Context, q db.Querier, billIDs []int64) (map[int64]map[string]money.Fen, error) {
	const chunk = 1000 // bill IDs per IN list
	out := map[int64]map[string]money.Fen{}
	for start := 0; start < len(billIDs); start += chunk {
		end := min(start+chunk, len(billIDs))
		ph := make([]string, 0, end-start)
		args := make([]any, 0, end-start)
		for i, id := range billIDs[start:end] {
			ph = append(ph, fmt.Sprintf("$%d", i+1))
			args = append(args, id)
		}
		rows, err := q.QueryContext(ctx, `SELECT bill_id, scheme, SUM(credit_fen) - SUM(debit_fen) FROM ledger_entries
			WHERE account = 'receivable' AND bill_id IN (`+strings.Join(ph, ",")+`) GROUP BY bill_id, scheme`, args...)
		if err != nil {
			return nil, errs.Wrap(err, "posted to bills")
		}
		for rows.Next() {
			var id, v int64
			var s string
			if err := rows.Scan(&id, &s, &v); err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "posted to bills")
			}
			if out[id] == nil {
				out[id] = map[string]money.Fen{}
			}
			out[id][s] = money.Fen(v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "posted to bills")
		}
	}
	return out, nil
}

// SchemeName is the balance's scheme in Chinese.
func (b Balance) SchemeName() string { return SchemeName(b.Scheme) }

// TotalsAgree reports whether the running totals equal the sums of the
// entries for every account and scheme (tests and checks: it reads the
// whole ledger).
func TotalsAgree(ctx context.Context, q db.Querier) (bool, error) {
	totals, err := TrialBalance(ctx, q)
	if err != nil {
		return false, err
	}
	entries, err := TrialBalanceOfEntries(ctx, q)
	if err != nil {
		return false, err
	}
	return slices.Equal(totals, entries), nil
}

package payment

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ledger"
	"shebao/internal/money"
	"shebao/internal/personalaccount"
)

// bill is the part of a contribution bill (table bills, migration 021)
// payments need, with its per-scheme amounts and what the ledger holds.
type bill struct {
	ID         int64
	No         string
	PayerKind  string
	EmployerID int64
	PersonID   int64
	FeeMonth   string
	Status     contribution.Status
	Total      money.Fen
	Paid       money.Fen
	Ref        string
	DueOn      string
	Flags      string // bills.flags
	FlagBasis  string
	Version    int64

	schemes []string    // in ledger.Schemes order
	amounts []money.Fen // the bill's amount per scheme
	posted  []money.Fen // received per scheme
	touched bool
}

func (b *bill) outstanding() money.Fen { return b.Total - b.Paid }

// payable reports whether payments may be posted to the bill.
func (b *bill) payable() bool {
	return b.Status == contribution.Confirmed || b.Status == contribution.PartiallyPaid || b.Status == contribution.Paid
}

const billCols = `b.id, b.bill_no, b.payer_kind, COALESCE(b.employer_id, 0), COALESCE(b.person_id, 0), b.fee_month, b.status,
	b.total_fen, b.paid_fen, COALESCE(b.payment_ref, ''), COALESCE(b.due_on, ''), b.flags, b.flag_basis, b.version`

// loadBills reads the bills matching where (on alias b) with their scheme
// amounts and ledger postings.
func loadBills(ctx context.Context, q db.Querier, where string, args ...any) ([]*bill, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+billCols+` FROM bills b WHERE `+where+` ORDER BY b.id`, args...)
	if err != nil {
		return nil, errs.Wrap(err, "load bills")
	}
	var out []*bill
	byID := map[int64]*bill{}
	for rows.Next() {
		b := &bill{}
		var total, paid int64
		if err := rows.Scan(&b.ID, &b.No, &b.PayerKind, &b.EmployerID, &b.PersonID, &b.FeeMonth, &b.Status, &total, &paid,
			&b.Ref, &b.DueOn, &b.Flags, &b.FlagBasis, &b.Version); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "load bills")
		}
		b.Total, b.Paid = money.Fen(total), money.Fen(paid)
		out = append(out, b)
		byID[b.ID] = b
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "load bills")
	}
	if len(out) == 0 {
		return nil, nil
	}
	amounts, err := schemeAmounts(ctx, q, where, args...)
	if err != nil {
		return nil, err
	}
	posted := map[int64]map[string]money.Fen{}
	// a bill nothing is paid on has nothing posted (the invariant tests hold paid_fen to the ledger)
	if err := sumBy(ctx, q, posted, `SELECT e.bill_id, e.scheme, SUM(e.credit_fen) - SUM(e.debit_fen) FROM ledger_entries e
		JOIN bills b ON b.id = e.bill_id WHERE e.account = 'receivable' AND b.paid_fen <> 0 AND `+where+`
		GROUP BY e.bill_id, e.scheme`, args...); err != nil {
		return nil, err
	}
	for _, b := range out {
		amt := amounts[b.ID] // nil for a bill without lines
		for i, s := range ledger.Schemes {
			if len(amt) > i && amt[i] > 0 {
				a := amt[i]
				b.schemes = append(b.schemes, s)
				b.amounts = append(b.amounts, a)
				b.posted = append(b.posted, posted[b.ID][s])
			}
		}
		if len(b.schemes) == 0 { // a bill without lines: all pension
			b.schemes, b.amounts, b.posted = []string{"pension"}, []money.Fen{b.Total}, []money.Fen{posted[b.ID]["pension"]}
		}
	}
	return out, nil
}

// schemeAmounts reads the amount of each bill matching where (on alias
// b) per scheme, in ledger.Schemes order: one row per bill, its lines read
// through bill_lines_bill from the bill (CROSS JOIN keeps SQLite from
// scanning every line ever assessed) and summed per scheme in the row, so
// neither engine sorts or hashes a row per bill and scheme.
func schemeAmounts(ctx context.Context, q db.Querier, where string, args ...any) (map[int64][]money.Fen, error) {
	sums := make([]string, len(ledger.Schemes))
	for i, s := range ledger.Schemes {
		sums[i] = "SUM(CASE WHEN l.scheme = '" + s + "' THEN l.employer_fen + l.individual_fen ELSE 0 END)"
	}
	rows, err := q.QueryContext(ctx, `SELECT b.id, `+strings.Join(sums, ", ")+` FROM bills b CROSS JOIN bill_lines l
		WHERE l.bill_id = b.id AND `+where+` GROUP BY b.id`, args...)
	if err != nil {
		return nil, errs.Wrap(err, "bill amounts")
	}
	defer rows.Close()
	out := map[int64][]money.Fen{}
	vals := make([]int64, len(ledger.Schemes))
	dest := make([]any, 1+len(vals))
	for i := range vals {
		dest[i+1] = &vals[i]
	}
	for rows.Next() {
		var id int64
		dest[0] = &id
		if err := rows.Scan(dest...); err != nil {
			return nil, errs.Wrap(err, "bill amounts")
		}
		a := make([]money.Fen, len(vals))
		for i, v := range vals {
			a[i] = money.Fen(v)
		}
		out[id] = a
	}
	return out, errs.Wrap(rows.Err(), "bill amounts")
}

func sumBy(ctx context.Context, q db.Querier, into map[int64]map[string]money.Fen, query string, args ...any) error {
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var id, v int64
		var s string
		if err := r.Scan(&id, &s, &v); err != nil {
			return err
		}
		if into[id] == nil {
			into[id] = map[string]money.Fen{}
		}
		into[id][s] = money.Fen(v)
		return nil
	}, query, args...)
	return errs.Wrap(err, "bill sums")
}

// billByNo reads one bill by bill_no or payment reference.
func billByNo(ctx context.Context, q db.Querier, no string) (*bill, error) {
	list, err := loadBills(ctx, q, "(b.bill_no = $1 OR b.payment_ref = $1)", strings.TrimSpace(no))
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errs.New(errs.NotFound, "bill_not_found", "没有找到核定单“"+no+"”，请核对单号或缴费识别码")
	}
	return list[0], nil
}

// apply posts principal and fee from source (ledger.Bank for money
// received now, ledger.Suspense for money held) to b, per scheme, and
// updates b in memory.
func (b *bill) apply(p *ledger.Posting, source ledger.Account, principal, fee money.Fen) {
	caps := make([]money.Fen, len(b.amounts))
	for i := range caps {
		caps[i] = b.amounts[i] - b.posted[i]
	}
	shares := ledger.Allocate(principal, caps, caps)
	fees := ledger.Allocate(fee, shares, nil)
	n := 0 // entries, so the posting is allocated once at its size
	if source == ledger.Suspense && principal+fee != 0 {
		n += 2
	}
	for i := range shares {
		if shares[i] != 0 {
			n += 2
		}
		if fees[i] != 0 {
			n += 4
		}
	}
	p.Entries = slices.Grow(p.Entries, n)
	if source == ledger.Suspense {
		p.Move(ledger.Suspense, ledger.Bank, "", 0, principal+fee) // reclassify the unallocated receipt
	}
	for i, s := range b.schemes {
		p.Move(ledger.Bank, ledger.Receivable, s, b.ID, shares[i])
		p.Move(ledger.LateFeeReceivable, ledger.LateFeeIncome, s, b.ID, fees[i])
		p.Move(ledger.Bank, ledger.LateFeeReceivable, s, b.ID, fees[i])
		b.posted[i] += shares[i]
	}
	b.Paid += principal
	b.Status = contribution.StatusAfterPayment(b.Status, b.Paid, b.Total)
	b.touched = true
}

// flagLateAccepted marks an employer's bill paid late under an emergency
// that accepts late payments (疫情逾期受理) with the basis, once.
func (b *bill) flagLateAccepted(basis string) {
	if contribution.HasFlag(b.Flags, contribution.FlagLateAccepted) {
		return
	}
	b.Flags = contribution.WithFlag(b.Flags, contribution.FlagLateAccepted)
	if b.FlagBasis == "" {
		b.FlagBasis = basis
	}
	b.touched = true
}

// saveBills has contribution (the owner of bills) write paid_fen, status
// and flags of the touched bills, each under its version, then credits the
// personal accounts of the persons on the bills now paid, in the same
// transaction (docs/rules.md "Personal account ledger"; crediting a bill
// twice adds nothing).
func saveBills(ctx context.Context, tx *sql.Tx, dialect db.Dialect, bills []*bill, now time.Time) error {
	var list []contribution.Settlement
	var paid []int64
	for _, x := range bills {
		if x.touched {
			list = append(list, contribution.Settlement{ID: x.ID, Paid: x.Paid, Status: x.Status, Flags: x.Flags,
				FlagBasis: x.FlagBasis, Version: x.Version})
			if x.Status == "paid" {
				paid = append(paid, x.ID)
			}
		}
	}
	if err := contribution.ApplyPayments(ctx, tx, dialect, list); err != nil {
		return err
	}
	if err := personalaccount.CreditPaidBills(ctx, tx, dialect, paid, now); err != nil {
		return err
	}
	for _, x := range bills {
		if x.touched {
			x.Version++
			x.touched = false
		}
	}
	return nil
}

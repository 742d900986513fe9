package payment

import (
	"context"
	"strings"
	"unicode"

	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ledger"
	"shebao/internal/policy"
)

// matcher holds what matching needs in memory: the payable bills by
// reference and by payer, and the employers on file.
type matcher struct {
	all        []*bill
	byRef      map[string]*bill
	byEmployer map[int64][]*bill
	byName     map[string]int64
	byAccount  map[string]int64
	fees       *feeCache
}

func newMatcher(ctx context.Context, q db.Querier, dialect db.Dialect, pol *policy.Service, lines []Line) (*matcher, error) {
	bills, err := loadBills(ctx, q, "b.status IN ('confirmed', 'partially_paid')")
	if err != nil {
		return nil, err
	}
	m := &matcher{byRef: map[string]*bill{}, byEmployer: map[int64][]*bill{},
		byName: map[string]int64{}, byAccount: map[string]int64{}, fees: newFeeCache(pol)}
	m.add(bills)
	paid, err := paidBillsQuoted(ctx, q, dialect, lines, m.byRef)
	if err != nil {
		return nil, err
	}
	m.add(paid)
	rows, err := q.QueryContext(ctx, `SELECT id, name, bank_account FROM employers`)
	if err != nil {
		return nil, errs.Wrap(err, "employers")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name, acct string
		if err := rows.Scan(&id, &name, &acct); err != nil {
			return nil, errs.Wrap(err, "employers")
		}
		m.byName[strings.TrimSpace(name)] = id
		if a := digits(acct); a != "" {
			m.byAccount[a] = id
		}
	}
	return m, errs.Wrap(rows.Err(), "employers")
}

// add indexes bills by reference and payer.
func (m *matcher) add(bills []*bill) {
	m.all = append(m.all, bills...)
	for _, b := range bills {
		if b.Ref != "" {
			m.byRef[strings.ToUpper(b.Ref)] = b
		}
		if b.EmployerID != 0 {
			m.byEmployer[b.EmployerID] = append(m.byEmployer[b.EmployerID], b)
		}
	}
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// paidBillsQuoted loads the paid bills whose payment reference a remark
// quotes (a second payment for them is an over-payment), without reading
// the whole history of paid bills. Tokens that are the reference of an
// open bill (open, the references already loaded) are not looked up: a
// reference belongs to one bill only.
func paidBillsQuoted(ctx context.Context, q db.Querier, dialect db.Dialect, lines []Line, open map[string]*bill) ([]*bill, error) {
	seen := map[string]bool{}
	var refs []any
	for _, l := range lines {
		for _, t := range refTokens(l.Remark) {
			if len(t) >= 8 && !seen[t] && open[t] == nil {
				seen[t] = true
				refs = append(refs, t)
			}
		}
	}
	var out []*bill
	for start := 0; start < len(refs); start += 500 {
		chunk := refs[start:min(start+500, len(refs))]
		list, err := loadBills(ctx, q, "b.status = 'paid' AND b.payment_ref IN ("+dialect.Params(len(chunk))+")", chunk...)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	return out, nil
}

// refTokens are the ASCII letter-digit runs of a remark, upper-cased.
func refTokens(remark string) []string {
	return strings.FieldsFunc(strings.ToUpper(remark), func(r rune) bool {
		return r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r))
	})
}

// match decides what one line becomes and, for a match, posts it to the
// bill in memory.
// The rule: docs/rules.md §9.2.
func (m *matcher) match(ctx context.Context, l Line) (*plan, error) {
	pl := &plan{line: l, posting: ledger.Posting{Step: 1, PostedOn: l.Date}}
	for _, w := range medicalWords {
		if strings.Contains(l.Remark, w) {
			pl.status = Medical
			pl.reason = "附言注明“" + w + "”：医疗保险、生育保险费不由本机构征收，本账户不予接收，待退回付款人"
			pl.employer = m.payer(l)
			pl.posting.Move(ledger.Bank, ledger.Suspense, "", 0, l.Amount)
			return pl, nil
		}
	}
	var b *bill
	for _, t := range refTokens(l.Remark) {
		if x := m.byRef[t]; x != nil {
			b = x
			break
		}
	}
	if b == nil {
		emp := m.payer(l)
		pl.employer = emp
		if emp != 0 {
			for _, x := range m.byEmployer[emp] {
				if x.outstanding() <= 0 || x.Status == contribution.Paid {
					continue
				}
				t, err := m.fees.termsFor(ctx, x, l.Date)
				if err != nil {
					return nil, err
				}
				if x.outstanding()+t.fee(x.outstanding()) == l.Amount {
					b = x
					break
				}
			}
		}
		if b == nil {
			pl.status = Unmatched
			pl.reason = "附言中无有效缴费识别码，且未找到金额相符的核定单"
			if emp != 0 {
				pl.reason = "付款单位已识别，但没有与到账金额相符的应缴核定单"
			}
			pl.posting.Move(ledger.Bank, ledger.Suspense, "", 0, l.Amount)
			return pl, nil
		}
	}
	pl.bill, pl.employer, pl.person = b, b.EmployerID, b.PersonID
	t, err := m.fees.termsFor(ctx, b, l.Date)
	if err != nil {
		return nil, err
	}
	pl.terms = t
	due := b.outstanding() + t.fee(b.outstanding())
	switch {
	case l.Amount == due && due > 0:
		pl.status, pl.applied, pl.fee, pl.code = Matched, b.outstanding(), t.fee(b.outstanding()), newCode()
		b.apply(&pl.posting, ledger.Bank, pl.applied, pl.fee)
		return pl, m.fees.flagLate(ctx, b, l.Date)
	case l.Amount < due:
		pl.status = Partial
		pl.reason = "到账 " + yuan(l.Amount) + "，少于核定单 " + b.No + " 应缴 " + yuan(due)
	default:
		pl.status = Over
		pl.reason = "到账 " + yuan(l.Amount) + "，多于核定单 " + b.No + " 应缴 " + yuan(due)
	}
	pl.terms = terms{}
	pl.posting.Move(ledger.Bank, ledger.Suspense, "", 0, l.Amount)
	return pl, nil
}

// payer finds the employer by bank account, then by name.
func (m *matcher) payer(l Line) int64 {
	if a := digits(l.PayerAccount); a != "" {
		if id := m.byAccount[a]; id != 0 {
			return id
		}
	}
	return m.byName[strings.TrimSpace(l.PayerName)]
}

package payroll

import (
	"strconv"

	"shebao/internal/clock"
	"shebao/internal/money"
	"shebao/internal/payout"
)

// paid is what already exists for a person and month.
type paid struct {
	base bool      // the month's base line exists (any live status)
	sum  money.Fen // live lines of the month, a reissued line counted once
}

// taken is one deduction instalment taken from a month's pension.
type taken struct {
	deduction int64
	amount    money.Fen
}

// plan is what a chunk prepares.
type plan struct {
	reqs     []payout.Request
	taken    []taken
	held     int64
	total    money.Fen
	overpaid money.Fen
}

// planChunk decides the lines of a chunk: for each pensioner and each
// month from the first month to recheck (else month) to month, the base
// line when missing (arrears for past months), or back pay when what is
// owed exceeds what exists. Deduction instalments reduce the base line of
// month only, at most half of it (docs/rules.md "Monthly pension payroll").
func planChunk(ms []member, existing []payout.PeriodLine, took map[int64]map[string]money.Fen, deds map[int64][]deduction,
	adjs []Adjustment, month clock.Month) plan {
	have := map[int64]map[string]*paid{}
	at := func(person int64, period string) *paid {
		per := have[person]
		if per == nil {
			per = map[string]*paid{}
			have[person] = per
		}
		p := per[period]
		if p == nil {
			p = &paid{}
			per[period] = p
		}
		return p
	}
	for _, l := range existing {
		p := at(l.PayeeID, l.Period)
		p.base = p.base || !l.Part
		if l.Status != payout.Reissued {
			p.sum += l.Amount
		}
	}
	for person, months := range took {
		for m, amt := range months {
			at(person, m).sum += amt
		}
	}
	out := plan{reqs: make([]payout.Request, 0, len(ms))}
	for i := range ms {
		m := &ms[i]
		from := month
		if rf, err := clock.ParseMonth(m.RecalcFrom); err == nil && rf.Before(from) {
			from = rf
		}
		if from.Before(m.First) {
			from = m.First
		}
		for mo := from; !month.Before(mo); mo = mo.Add(1) {
			out.add(m, have[m.PersonID][mo.String()], Due(m.state(), adjs, mo), month, deds[m.ID])
		}
	}
	return out
}

func (p *plan) add(m *member, ex *paid, owed Owed, month clock.Month, deds []deduction) {
	if owed.Amount <= 0 {
		return
	}
	if ex == nil {
		ex = &paid{}
	}
	r := payout.Request{PayeeKind: payout.PayeePerson, PayeeID: m.PersonID, PayeeName: m.Name, PayeeIDNumber: m.IDNumber,
		Benefit: "pension", SourceKind: SourceKind, SourceID: strconv.FormatInt(m.ID, 10), Period: owed.Month.String(), Memo: owed.Note}
	switch {
	case !ex.base:
		r.Amount = owed.Amount
		if owed.Month.Before(month) {
			r.Memo = "补发" + owed.Month.Chinese() + "养老金：" + owed.Note
		} else {
			r.Amount -= p.deduct(deds, owed.Amount)
		}
	case owed.Amount > ex.sum:
		r.Benefit, r.Amount = "pension_backpay", owed.Amount-ex.sum
		r.Part = "to-" + strconv.FormatInt(int64(owed.Amount), 10)
		r.Memo = "补发" + owed.Month.Chinese() + "差额（应发" + owed.Amount.String() + "元）"
	default:
		if owed.Amount < ex.sum {
			p.overpaid += ex.sum - owed.Amount
		}
		return
	}
	cardRequest(m, &r)
	if r.HoldReason != "" {
		p.held++
	}
	p.total += r.Amount
	p.reqs = append(p.reqs, r)
}

// deduct takes this month's instalments, at most half of amount in all.
func (p *plan) deduct(deds []deduction, amount money.Fen) money.Fen {
	room := amount / 2
	var sum money.Fen
	for _, d := range deds {
		take := min(d.monthly, d.total-d.recovered, room-sum)
		if take <= 0 {
			continue
		}
		sum += take
		p.taken = append(p.taken, taken{deduction: d.id, amount: take})
	}
	return sum
}

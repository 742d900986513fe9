package payment

import (
	"context"
	"fmt"
	"time"

	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/money"
	"shebao/internal/policy"
)

// LateFeeInput is everything the late fee of one payment depends on. Dates
// are calendar dates (clock.ParseDate).
type LateFeeInput struct {
	Arrears   money.Fen  // the contributions paid late
	Rate      money.Rate // daily rate in force (0.05%)
	RateBasis string     // the rate rule cited, e.g. policy.Rule.Explain()
	DueOn     time.Time  // last day to pay
	PaidOn    time.Time  // day the money arrived
	// Emergency is the emergency relieving the payment, or nil: its start,
	// end (nil while open), make-up window (MakeUpUntil) and basis. It
	// waives nothing unless it declares the late_fee_waived measure.
	Emergency *policy.Emergency
}

// LateFeeResult is how a late fee was computed.
type LateFeeResult struct {
	Days       int64     `json:"days"`        // days late: after the due date up to and including the payment day
	DaysWaived int64     `json:"days_waived"` // of which waived under the emergency
	Fee        money.Fen `json:"fee_fen"`     // arrears × rate × days charged, half-up to the fen
	Basis      string    `json:"basis"`       // how, in Chinese, with the legal basis
}

// DaysCharged is the number of days the fee is charged for.
func (r LateFeeResult) DaysCharged() int64 { return r.Days - r.DaysWaived }

// ComputeLateFee is the late-fee rule: arrears × rate × days, simple
// interest, half-up to the fen, days from the day after the due date up
// to and including the payment day. An emergency waiving late fees relieves a payment made from its
// start to the end of its make-up window (to its end when it allows no
// make-up; without limit while open), for a bill due no later than its
// end: the days of arrears from the start on are waived, the days already
// overdue before the start are charged. A payment after the window owes
// the fee from the original due date, as if there had been no waiver.
// The rule: docs/rules.md "Late fee and its waiver".
func ComputeLateFee(in LateFeeInput) LateFeeResult {
	days := daysBetween(in.DueOn, in.PaidOn)
	if days <= 0 {
		return LateFeeResult{}
	}
	res := LateFeeResult{Days: days}
	why := ""
	if e := in.Emergency; e != nil && e.Has(policy.MeasureLateFeeWaived) {
		res.DaysWaived, why = waived(in.DueOn, in.PaidOn, days, *e)
	}
	if in.Arrears <= 0 {
		return res
	}
	res.Fee = charge(in.Arrears, in.Rate, res.DaysCharged())
	res.Basis = explainFee(in, res, why)
	return res
}

// charge is arrears × rate × days, half-up to the fen.
func charge(arrears money.Fen, rate money.Rate, days int64) money.Fen {
	if arrears <= 0 || days <= 0 {
		return 0
	}
	return arrears.ApplyDays(rate, days)
}

// waived returns the days of the days late that e waives, and why in
// Chinese (also when it waives none because the window has passed).
func waived(due, paid time.Time, days int64, e policy.Emergency) (int64, string) {
	name := e.Title + "（依据：" + e.LegalBasis + "）"
	last := e.ReliefUntil()
	if !e.Relieves(due, paid) {
		if e.DueWithin(due) && last != nil && dayOf(paid).After(dayOf(*last)) {
			return 0, fmt.Sprintf("缴费日已过%s的补办期限 %s，免收不再适用，自原缴费期限次日起全额计收", name, dayText(*last))
		}
		return 0, ""
	}
	before := min(max(daysBetween(due, e.Start)-1, 0), days)
	window := "应急期内"
	if last != nil {
		window = "补办期限 " + dayText(*last) + " 内"
	}
	if before == 0 {
		return days, fmt.Sprintf("%s缴纳，%s免收滞纳金", window, name)
	}
	return days - before, fmt.Sprintf("%s缴纳，%s免收应急期开始（%s）后的 %d 天；开始前已逾期的 %d 天照常计收",
		window, name, dayText(e.Start), days-before, before)
}

func explainFee(in LateFeeInput, res LateFeeResult, why string) string {
	split := fmt.Sprintf("逾期 %d 天，计收 %d 天，免收 %d 天", res.Days, res.DaysCharged(), res.DaysWaived)
	formula := fmt.Sprintf("滞纳金 = %s × %s/日 × %d 天 = %s 元", in.Arrears, in.Rate, res.DaysCharged(), res.Fee)
	if res.DaysCharged() == 0 {
		formula = "滞纳金 0.00 元"
	}
	s := split + "：" + formula
	if in.RateBasis != "" && res.DaysCharged() > 0 {
		s += "（" + in.RateBasis + "）"
	}
	if why != "" {
		s += "；" + why
	}
	return s
}

// daysBetween counts calendar days from a to b (negative when b is earlier).
func daysBetween(a, b time.Time) int64 {
	ay, am, ad := a.In(clock.Shanghai).Date()
	by, bm, bd := b.In(clock.Shanghai).Date()
	return int64(time.Date(by, bm, bd, 0, 0, 0, 0, time.UTC).Sub(time.Date(ay, am, ad, 0, 0, 0, 0, time.UTC)).Hours()) / 24
}

func dayOf(t time.Time) time.Time { return clock.DateOf(t) }

func dayText(t time.Time) string { return t.In(clock.Shanghai).Format("2006-01-02") }

// LateFee returns the late fee on arrears paid on paidOn for a bill due on
// dueOn (both 'YYYY-MM-DD') without any emergency, and the days late.
func LateFee(arrears money.Fen, rate money.Rate, dueOn, paidOn string) (money.Fen, int64) {
	d, err1 := clock.ParseDate(dueOn)
	p, err2 := clock.ParseDate(paidOn)
	if err1 != nil || err2 != nil {
		return 0, 0
	}
	r := ComputeLateFee(LateFeeInput{Arrears: arrears, Rate: rate, DueOn: d, PaidOn: p})
	return r.Fee, r.Days
}

// terms are the late-fee terms of one bill paid on one day: the input
// without the arrears, and the split of the days.
type terms struct {
	in  LateFeeInput
	res LateFeeResult
}

// days and waived are the days late and the days waived.
func (t terms) days() int64   { return t.res.Days }
func (t terms) waived() int64 { return t.res.DaysWaived }

func (t terms) fee(principal money.Fen) money.Fen {
	return charge(principal, t.in.Rate, t.res.DaysCharged())
}

// note explains the fee charged on principal.
func (t terms) note(principal money.Fen) string {
	if t.res.Days <= 0 || principal <= 0 {
		return ""
	}
	in := t.in
	in.Arrears = principal
	return ComputeLateFee(in).Basis
}

// split divides available money into principal and its late fee: the
// largest principal ≤ outstanding whose fee fits in available with it.
func (t terms) split(available, outstanding money.Fen) (principal, fee money.Fen) {
	if available <= 0 || outstanding <= 0 {
		return 0, 0
	}
	p := available
	if d := t.res.DaysCharged(); d > 0 {
		p = money.Fen(int64(available) * 1_000_000 / (1_000_000 + int64(t.in.Rate)*d))
	}
	p = min(p, outstanding)
	for p < outstanding && p+1+t.fee(p+1) <= available {
		p++
	}
	for p > 0 && p+t.fee(p) > available {
		p--
	}
	return p, t.fee(p)
}

// feeCache remembers policy answers during one import.
type feeCache struct {
	pol     *policy.Service
	rates   map[string]terms // rate and its basis by payment day
	reliefs []policy.Emergency
	loaded  bool
}

func newFeeCache(p *policy.Service) *feeCache {
	return &feeCache{pol: p, rates: map[string]terms{}}
}

// termsFor returns the late-fee terms of b paid on day ('YYYY-MM-DD'):
// with the emergency that waives the most days, if any.
func (c *feeCache) termsFor(ctx context.Context, b *bill, day string) (terms, error) {
	due, err1 := clock.ParseDate(b.DueOn)
	paid, err2 := clock.ParseDate(day)
	if b.DueOn == "" || err1 != nil || err2 != nil || daysBetween(due, paid) <= 0 {
		return terms{}, nil
	}
	t, ok := c.rates[day]
	if !ok {
		rate, rule, err := c.pol.Rate(ctx, policy.KeyLateFeeDailyRate, "", paid)
		if err != nil {
			return terms{}, err
		}
		t = terms{in: LateFeeInput{Rate: rate, RateBasis: rule.Explain()}}
		c.rates[day] = t
	}
	reliefs, err := c.load(ctx)
	if err != nil {
		return terms{}, err
	}
	t.in.DueOn, t.in.PaidOn = due, paid
	t.in.Emergency = pickRelief(due, paid, reliefs)
	t.res = ComputeLateFee(t.in)
	return t, nil
}

// pickRelief returns the emergency that waives the most days of a bill due
// on due and paid on paid; failing that, one whose window has passed (so
// the note says why nothing is waived); nil when none concerns the bill.
func pickRelief(due, paid time.Time, reliefs []policy.Emergency) *policy.Emergency {
	days := daysBetween(due, paid)
	var best *policy.Emergency
	var most int64
	expired := false
	for i := range reliefs {
		w, why := waived(due, paid, days, reliefs[i])
		switch {
		case w > most:
			best, most, expired = &reliefs[i], w, false
		case most == 0 && !expired && why != "":
			best, expired = &reliefs[i], true
		}
	}
	return best
}

// flagLate flags an employer's bill paid on day after its due date while
// an emergency accepts late payments (policy.Service.LateAccepting).
func (c *feeCache) flagLate(ctx context.Context, b *bill, day string) error {
	if b.PayerKind != "employer" {
		return nil // flexible workers' bills are flagged when issued
	}
	due, err1 := clock.ParseDate(b.DueOn)
	paid, err2 := clock.ParseDate(day)
	if b.DueOn == "" || err1 != nil || err2 != nil {
		return nil
	}
	e, err := c.pol.LateAccepting(ctx, due, paid)
	if err != nil || e == nil {
		return err
	}
	b.flagLateAccepted(contribution.LateAcceptedBasis(*e, "缴费", paid, due))
	return nil
}

// load reads the emergencies that waive late fees, once.
func (c *feeCache) load(ctx context.Context) ([]policy.Emergency, error) {
	if c.loaded {
		return c.reliefs, nil
	}
	es, err := c.pol.Emergencies(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if e.Has(policy.MeasureLateFeeWaived) {
			c.reliefs = append(c.reliefs, e)
		}
	}
	c.loaded = true
	return c.reliefs, nil
}

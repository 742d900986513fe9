package payment

import (
	"context"
	"fmt"

	"shebao/internal/clock"
	"shebao/internal/money"
	"shebao/internal/policy"
)

// LateFee returns the late fee on arrears paid on paidOn for a bill due on
// dueOn (both 'YYYY-MM-DD'): round(arrears × rate × days), simple
// interest, days from the day after the due date up to and including the
// payment date (domain rules §2.4).
func LateFee(arrears money.Fen, rate money.Rate, dueOn, paidOn string) (money.Fen, int64) {
	days := daysLate(dueOn, paidOn)
	if days <= 0 || arrears <= 0 {
		return 0, 0
	}
	return arrears.ApplyDays(rate, days), days
}

func daysLate(dueOn, paidOn string) int64 {
	if dueOn == "" {
		return 0
	}
	d, err1 := clock.ParseDate(dueOn)
	p, err2 := clock.ParseDate(paidOn)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int64(p.Sub(d).Hours()+12) / 24
}

// terms are the late-fee terms for one bill paid on one day.
type terms struct {
	rate  money.Rate
	days  int64
	basis string // the rule, or the waiver and its basis
	waive bool
}

func (t terms) fee(principal money.Fen) money.Fen {
	if t.waive || t.days <= 0 {
		return 0
	}
	return principal.ApplyDays(t.rate, t.days)
}

// note explains the fee charged on principal.
func (t terms) note(principal money.Fen) string {
	switch {
	case t.days <= 0:
		return ""
	case t.waive:
		return fmt.Sprintf("逾期 %d 天，%s", t.days, t.basis)
	}
	return fmt.Sprintf("滞纳金 = %s × %s/日 × %d 天 = %s（%s）", principal.Plain(), t.rate, t.days, t.fee(principal).Plain(), t.basis)
}

// split divides available money into principal and its late fee: the
// largest principal ≤ outstanding whose fee fits in available with it.
func (t terms) split(available, outstanding money.Fen) (principal, fee money.Fen) {
	if available <= 0 || outstanding <= 0 {
		return 0, 0
	}
	p := available
	if !t.waive && t.days > 0 {
		p = money.Fen(int64(available) * 1_000_000 / (1_000_000 + int64(t.rate)*t.days))
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

// feeCache remembers policy answers per day during one import.
type feeCache struct {
	pol     *policy.Service
	waivers map[string]*policy.Emergency
	rates   map[string]terms
}

func newFeeCache(p *policy.Service) *feeCache {
	return &feeCache{pol: p, waivers: map[string]*policy.Emergency{}, rates: map[string]terms{}}
}

// termsFor returns the late-fee terms of b paid on day.
func (c *feeCache) termsFor(ctx context.Context, b *bill, day string) (terms, error) {
	days := daysLate(b.DueOn, day)
	if days <= 0 {
		return terms{}, nil
	}
	if b.Waived {
		return terms{days: days, waive: true, basis: "免收滞纳金（依据：" + b.WaiverBasis + "）"}, nil
	}
	t, ok := c.rates[day]
	if !ok {
		d, err := clock.ParseDate(day)
		if err != nil {
			return terms{}, err
		}
		e, err := c.pol.MeasureInForce(ctx, d, policy.MeasureLateFeeWaived)
		if err != nil {
			return terms{}, err
		}
		if e != nil {
			t = terms{waive: true, basis: "免收滞纳金（" + e.Title + "，依据：" + e.LegalBasis + "）"}
		} else {
			rate, rule, err := c.pol.Rate(ctx, policy.KeyLateFeeDailyRate, "", d)
			if err != nil {
				return terms{}, err
			}
			t = terms{rate: rate, basis: rule.Explain()}
		}
		c.rates[day] = t
	}
	t.days = days
	return t, nil
}

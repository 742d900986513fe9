package contribution

import (
	"context"
	"strconv"

	"shebao/internal/clock"
	"shebao/internal/money"
	"shebao/internal/policy"
)

// Params are the rules in force for a fee month (read on its first day).
type Params struct {
	Month                    clock.Month
	Floor, Ceiling           money.Fen
	RoundYuan                bool // bases rounded half-up to whole yuan after clamping
	PensionER, PensionIR     money.Rate
	UnemployER, UnemployIR   money.Rate
	ClassRate                [9]money.Rate // by risk class 1..8
	limits, pension, unemp   string
	classBasis               [9]string
	roundingBasis, floorText string
	ceilText                 string
}

// LoadParams reads the rates and limits of a fee month from the policy
// service. A missing rule is a NotFound error naming it.
func LoadParams(ctx context.Context, pol *policy.Service, month clock.Month) (*Params, error) {
	m := month.First()
	p := &Params{Month: month}
	floor, ceil, info, err := pol.Limits(ctx, month.String())
	if err != nil {
		return nil, err
	}
	p.Floor, p.Ceiling, p.limits = floor, ceil, info.Explain()
	p.RoundYuan = info.Rounding.Value == "yuan"
	p.roundingBasis = info.Rounding.Explain()
	var rules [4]policy.Rule
	keys := []string{policy.KeyPensionEmployerRate, policy.KeyPensionIndividualRate,
		policy.KeyUnemploymentEmployer, policy.KeyUnemploymentIndividual}
	rates := []*money.Rate{&p.PensionER, &p.PensionIR, &p.UnemployER, &p.UnemployIR}
	for i, k := range keys {
		if *rates[i], rules[i], err = pol.Rate(ctx, k, "", m); err != nil {
			return nil, err
		}
	}
	p.pension = rules[0].Explain() + "；" + rules[1].Explain()
	p.unemp = rules[2].Explain() + "；" + rules[3].Explain()
	for c := 1; c <= 8; c++ {
		r, rule, err := pol.Rate(ctx, policy.KeyInjuryClassRate, strconv.Itoa(c), m)
		if err != nil {
			return nil, err
		}
		p.ClassRate[c], p.classBasis[c] = r, rule.Explain()
	}
	p.floorText = "低于下限 " + floor.String() + " 元，按下限"
	p.ceilText = "高于上限 " + ceil.String() + " 元，按上限"
	return p, nil
}

// InjuryRate is the work-injury rate of an employer: the class base rate ×
// the float factor (millionths), half-up to a millionth.
// The rule: docs/rules.md §3.2.
func (p *Params) InjuryRate(class int, floatPPM int64) money.Rate {
	if class < 1 || class > 8 {
		return 0
	}
	return p.ClassRate[class].Mul(floatPPM)
}

// Base clamps a declared base to the month's limits and rounds it to whole
// yuan where the rules say so; note says what was done ("" if nothing).
func (p *Params) Base(declared money.Fen) (base money.Fen, note string) {
	base = declared.Clamp(p.Floor, p.Ceiling)
	switch {
	case declared < p.Floor:
		note = p.floorText
	case declared > p.Ceiling:
		note = p.ceilText
	}
	if p.RoundYuan && base != base.RoundYuan() {
		base = base.RoundYuan()
		note = join(note, "按元取整")
	}
	return base, note
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "，" + b
}

// basis is the stored citation set of a bill of an employer in class.
func (p *Params) basis(class int) Basis {
	b := Basis{Limits: p.limits, Pension: p.pension, Unemployment: p.unemp, Rounding: p.roundingBasis}
	if class >= 1 && class <= 8 {
		b.Injury = p.classBasis[class]
	}
	return b
}

// Compute returns the lines of one person on an employer's bill, computed
// in Go with money (the reference the set-based SQL must equal).
// The rule: docs/rules.md §3.3.
func (p *Params) Compute(personID int64, declared money.Fen, class int, floatPPM int64) []Line {
	base, note := p.Base(declared)
	mk := func(s Scheme, er, ir money.Rate) Line {
		return Line{PersonID: personID, Scheme: s, SchemeName: s.Name(), Base: base, DeclaredBase: declared,
			EmployerRate: er, IndividualRate: ir, Employer: base.Apply(er), Individual: base.Apply(ir), Clamp: note}
	}
	return []Line{mk(Pension, p.PensionER, p.PensionIR), mk(Unemployment, p.UnemployER, p.UnemployIR),
		mk(Injury, p.InjuryRate(class, floatPPM), 0)}
}

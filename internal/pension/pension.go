package pension

import (
	"fmt"

	"shebao/internal/errs"
	"shebao/internal/formula"
	"shebao/internal/money"
)

// BasisPension cites the pension formula.
const BasisPension = "国发〔2005〕38号（国务院关于完善企业职工基本养老保险制度的决定）"

// BasisTransitional cites the default transitional formula.
const BasisTransitional = "过渡性养老金按省级办法计发（默认采用北京市办法：视同缴费年限与1992年10月至1998年6月实际缴费年限各按1%）"

// Index limits of the average contribution index Z, in millionths.
const (
	ZMin formula.PPM = 600_000
	ZMax formula.PPM = 3_000_000
)

// DefaultTransitionalRate is the default coefficient per year (1%).
const DefaultTransitionalRate formula.PPM = 10_000

// PensionInput is what a pension is computed from.
type PensionInput struct {
	CalcBase           money.Fen // C: the pension calculation base of the retirement year
	CalcBaseBasis      string
	AvgIndex           formula.PPM // Z: average contribution index, 0.6 to 3
	ContributionMonths int         // N × 12, actual and deemed
	AccountBalance     money.Fen
	AgeYears           int // age at retirement
	AgeMonths          int
	DeemedMonths       int         // deemed contribution before the personal account
	TransitionalMonths int         // actual contribution months 1992-10 … 1998-06
	TransitionalRate   formula.PPM // coefficient per year; 0 means DefaultTransitionalRate
	TransitionalBasis  string      // cites the coefficient; BasisTransitional by default
}

// Pension is a computed monthly pension.
type Pension struct {
	In            PensionInput
	IndexedWage   money.Fen // C × Z
	AverageWage   money.Fen // (C + C × Z) ÷ 2
	Basic         money.Fen
	DivisorTenths int64
	Account       money.Fen
	Deemed        money.Fen // transitional part for deemed years
	Actual        money.Fen // transitional part for 1992-10 … 1998-06
	Transitional  money.Fen
	Total         money.Fen
}

// DivisorText shows the months divisor ("136.7").
func (p Pension) DivisorText() string { return tenthsText(p.DivisorTenths) }

// Compute computes the monthly pension: basic (C + C·Z) ÷ 2 × N × 1%,
// personal account balance ÷ divisor, transitional C·N_deemed·r +
// C·Z·N_1992–1998·r. Each money amount used by a later step is rounded
// half-up to the fen first. It returns an Invalid error for inputs outside
// the rules' range.
func Compute(in PensionInput) (Pension, error) {
	if in.TransitionalRate == 0 {
		in.TransitionalRate = DefaultTransitionalRate
	}
	if in.TransitionalBasis == "" {
		in.TransitionalBasis = BasisTransitional
	}
	if err := in.check(); err != nil {
		return Pension{}, err
	}
	tenths, err := Divisor(in.AgeYears, in.AgeMonths)
	if err != nil {
		return Pension{}, err
	}
	p := Pension{In: in, DivisorTenths: tenths}
	p.IndexedWage = in.AvgIndex.Of(in.CalcBase)
	p.AverageWage = money.Fen(formula.DivRound(int64(in.CalcBase+p.IndexedWage), 2))
	p.Basic = money.Fen(formula.DivRound(int64(p.AverageWage)*int64(in.ContributionMonths), 1200))
	p.Account = money.Fen(formula.DivRound(int64(in.AccountBalance)*10, tenths))
	// C × r × months ÷ 12, with r in millionths.
	p.Deemed = money.Fen(formula.DivRound(int64(in.CalcBase)*int64(in.TransitionalRate)*int64(in.DeemedMonths), 12_000_000))
	p.Actual = money.Fen(formula.DivRound(int64(p.IndexedWage)*int64(in.TransitionalRate)*int64(in.TransitionalMonths), 12_000_000))
	p.Transitional = p.Deemed + p.Actual
	p.Total = p.Basic + p.Account + p.Transitional
	return p, nil
}

// Explain returns the steps and parameters that produced p.
func (p Pension) Explain() formula.Trace {
	in := p.In
	var t formula.Trace
	t.Param(formula.Param{Key: "calc_base", Name: "计发基数（C）", Value: formula.Yuan(in.CalcBase), Basis: in.CalcBaseBasis})
	t.Param(formula.Param{Key: "avg_index", Name: "平均缴费指数（Z）", Value: in.AvgIndex.Text(1), Basis: BasisPension})
	t.Param(formula.Param{Key: "transitional_rate", Name: "过渡性养老金计发系数（每年）", Value: rateText(in.TransitionalRate), Basis: in.TransitionalBasis})
	t.Step(BasisPension, "本人指数化月平均缴费工资 = C × Z = %s × %s = %s", in.CalcBase, in.AvgIndex.Text(1), formula.Yuan(p.IndexedWage))
	t.Step(BasisPension, "(C + C × Z) ÷ 2 = (%s + %s) ÷ 2 = %s", in.CalcBase, p.IndexedWage, formula.Yuan(p.AverageWage))
	t.Step(BasisPension, "基础养老金 = %s × 缴费年限 %s 年（%d 个月）× 1%% = %s", p.AverageWage, YearsText(in.ContributionMonths), in.ContributionMonths, formula.Yuan(p.Basic))
	t.Steps = append(t.Steps, divisorStep(in.AgeYears, in.AgeMonths, p.DivisorTenths))
	t.Step(BasisPension, "个人账户养老金 = 个人账户储存额 %s ÷ 计发月数 %s = %s", in.AccountBalance, p.DivisorText(), formula.Yuan(p.Account))
	if in.DeemedMonths == 0 && in.TransitionalMonths == 0 {
		t.Step(in.TransitionalBasis, "无视同缴费年限和 1992年10月至1998年6月的实际缴费年限，过渡性养老金为 0")
	} else {
		r := rateText(in.TransitionalRate)
		t.Step(in.TransitionalBasis, "过渡性养老金 = C × 视同缴费年限 %s 年 × %s + C × Z × 1992年10月至1998年6月实际缴费年限 %s 年 × %s = %s + %s = %s",
			YearsText(in.DeemedMonths), r, YearsText(in.TransitionalMonths), r, p.Deemed, p.Actual, formula.Yuan(p.Transitional))
	}
	t.Step(BasisPension, "月基本养老金 = 基础养老金 %s + 个人账户养老金 %s + 过渡性养老金 %s = %s", p.Basic, p.Account, p.Transitional, formula.Yuan(p.Total))
	return t
}

func rateText(r formula.PPM) string { return (r * 100).Text(0) + "%" }

func (in PensionInput) check() error {
	var f errs.Fields
	if in.CalcBase <= 0 || in.CalcBase > 100_000_000 {
		f.Add("calc_base_fen", "计发基数应为正数且不超过 100 万元")
	}
	if in.AvgIndex < ZMin || in.AvgIndex > ZMax {
		f.Add("avg_index", "平均缴费指数应在 0.6 至 3 之间")
	}
	if in.ContributionMonths <= 0 || in.ContributionMonths > 720 {
		f.Add("contribution_months", "缴费月数应在 1 至 720 之间")
	}
	if in.AccountBalance < 0 || in.AccountBalance > 100_000_000_000 {
		f.Add("account_balance_fen", "个人账户储存额不能为负数，且不超过 10 亿元")
	}
	if in.DeemedMonths < 0 || in.DeemedMonths > in.ContributionMonths {
		f.Add("deemed_months", "视同缴费月数不能为负数，也不能超过缴费月数")
	}
	if in.TransitionalMonths < 0 || in.TransitionalMonths > 69 {
		f.Add("transitional_months", "1992年10月至1998年6月的实际缴费月数应在 0 至 69 之间")
	} else if in.TransitionalMonths+in.DeemedMonths > in.ContributionMonths {
		f.Add("transitional_months", "视同缴费月数与过渡期实际缴费月数之和不能超过缴费月数")
	}
	if in.TransitionalRate < 0 || in.TransitionalRate > 20_000 {
		f.Add("transitional_rate", "过渡性养老金计发系数应在 0 至 2% 之间")
	}
	return f.Err()
}

// CheckAge refuses a pension for someone below the original statutory age
// of category c: flexible retirement never goes below it.
func CheckAge(c Category, ageYears, ageMonths int) error {
	if ageYears*12+ageMonths < c.OriginalAge()*12 {
		return errs.New(errs.Invalid, "below_original_age", fmt.Sprintf(
			"%s退休年龄不得低于原法定退休年龄 %d 周岁（弹性提前退休不得早于原法定退休年龄，%s）", c.Label(), c.OriginalAge(), BasisFlexible))
	}
	return nil
}

package pension

import (
	"fmt"
	"time"

	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/formula"
	"shebao/internal/money"
)

// BasisDeath2021 cites the national death-benefit rule.
const BasisDeath2021 = "人社部发〔2021〕18号（企业职工基本养老保险遗属待遇暂行办法）"

// death2021From is the first day of death the national rule applies to.
var death2021From = time.Date(2021, 9, 1, 0, 0, 0, 0, clock.Shanghai)

// DeathInput is what the death benefits of an insured person are computed
// from.
type DeathInput struct {
	DeathDate          time.Time
	MonthlyIncome      money.Fen // I: province's previous-year urban per-capita disposable income ÷ 12
	IncomeBasis        string
	ContributionMonths int // actual and deemed
	PensionMonths      int // months of pension received; 0 if not retired
}

// DeathBenefit is the funeral subsidy and survivor relief.
type DeathBenefit struct {
	In           DeathInput
	Formula      string // the rule applied, e.g. BasisDeath2021
	Funeral      money.Fen
	MaxTwelfths  int64 // k before the retiree reduction, in twelfths
	FactorTwelfs int64 // k, in twelfths of a month
	Relief       money.Fen
	Total        money.Fen
}

// FactorText shows k ("19.25").
func (d DeathBenefit) FactorText() string { return twelfthsText(d.FactorTwelfs) }

func twelfthsText(v int64) string { return formula.Decimal(ratio(v, 12), 0, 4) }

// DeathBenefits computes the benefits by the rule in force on the date of
// death. From 2021-09-01: funeral 2·I; relief k·I with k = 9 + one per
// contribution year over 15, counted to the month, years over 30 ignored;
// for a retiree, k less one per year of pension received, never below 9.
// A death before 2021-09-01 falls under the province's former rule, which
// has no parameters here: an Invalid error says so.
func DeathBenefits(in DeathInput) (DeathBenefit, error) {
	var f errs.Fields
	if in.MonthlyIncome <= 0 || in.MonthlyIncome > 100_000_000 {
		f.Add("monthly_income_fen", "月人均可支配收入（I）应为正数且不超过 100 万元")
	}
	if in.ContributionMonths < 0 || in.ContributionMonths > 720 {
		f.Add("contribution_months", "缴费月数应在 0 至 720 之间")
	}
	if in.PensionMonths < 0 || in.PensionMonths > 960 {
		f.Add("pension_months", "领取养老金月数应在 0 至 960 之间")
	}
	if err := f.Err(); err != nil {
		return DeathBenefit{}, err
	}
	if in.DeathDate.Before(death2021From) {
		return DeathBenefit{}, errs.New(errs.Invalid, "death_legacy_rule",
			"2021年9月1日前死亡的，丧葬补助金和抚恤金按省原办法计发；本系统未配置原办法的参数，请按原办法人工核定")
	}
	if in.ContributionMonths < 180 {
		return DeathBenefit{}, errs.New(errs.Invalid, "death_short_contribution", fmt.Sprintf(
			"缴费年限不足15年（现为 %s 年）的抚恤金标准由省级办法规定，%s 未规定统一的发放月数，本系统未配置，请按省级办法核定", YearsText(in.ContributionMonths), BasisDeath2021))
	}
	d := DeathBenefit{In: in, Formula: BasisDeath2021}
	d.Funeral = 2 * in.MonthlyIncome
	d.MaxTwelfths = 108 + int64(min(in.ContributionMonths, 360)-180)
	d.FactorTwelfs = d.MaxTwelfths
	if in.PensionMonths > 0 {
		d.FactorTwelfs = max(108, d.MaxTwelfths-int64(in.PensionMonths))
	}
	d.Relief = money.Fen(formula.DivRound(int64(in.MonthlyIncome)*d.FactorTwelfs, 12))
	d.Total = d.Funeral + d.Relief
	return d, nil
}

// Explain returns the steps and parameters that produced d.
func (d DeathBenefit) Explain() formula.Trace {
	in := d.In
	var t formula.Trace
	t.Param(formula.Param{Key: "monthly_income", Name: "上年度全省城镇居民月人均可支配收入（I）", Value: formula.Yuan(in.MonthlyIncome), Basis: in.IncomeBasis})
	t.Step(BasisDeath2021, "丧葬补助金 = 2 × I = 2 × %s = %s", in.MonthlyIncome, formula.Yuan(d.Funeral))
	counted := min(in.ContributionMonths, 360)
	t.Step(BasisDeath2021, "缴费年限 %s 年（计算到月，超过30年的部分不计，按 %s 年），抚恤金发放月数 = 9 + (%s − 15) = %s",
		YearsText(in.ContributionMonths), YearsText(counted), YearsText(counted), twelfthsText(d.MaxTwelfths))
	if in.PensionMonths > 0 {
		raw := d.MaxTwelfths - int64(in.PensionMonths)
		if raw < 108 {
			t.Step(BasisDeath2021, "已领取养老金 %s 年，%s − %s = %s，低于 9，按 9 计", YearsText(in.PensionMonths), twelfthsText(d.MaxTwelfths), YearsText(in.PensionMonths), formula.Decimal(ratio(raw, 12), 0, 4))
		} else {
			t.Step(BasisDeath2021, "已领取养老金 %s 年，发放月数 = %s − %s = %s", YearsText(in.PensionMonths), twelfthsText(d.MaxTwelfths), YearsText(in.PensionMonths), d.FactorText())
		}
	}
	t.Step(BasisDeath2021, "抚恤金 = %s × I = %s × %s = %s", d.FactorText(), d.FactorText(), in.MonthlyIncome, formula.Yuan(d.Relief))
	t.Step(BasisDeath2021, "合计 = %s + %s = %s", d.Funeral, d.Relief, formula.Yuan(d.Total))
	return t
}

// MonthlyIncome is I: a yearly per-capita income divided by 12, half-up
// to the fen.
func MonthlyIncome(yearly money.Fen) money.Fen { return money.Fen(formula.DivRound(int64(yearly), 12)) }

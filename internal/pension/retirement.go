// Package pension holds the basic pension's rules: the statutory
// retirement age of the 2025 reform, the minimum contribution years, the
// pension formula (basic, personal-account and transitional parts) and the
// death benefits paid from the pension fund. Every function is pure: the
// dated parameters come in as arguments and each result carries the steps
// that produced it (docs/rules.md §21 to §25).
package pension

import (
	"fmt"
	"math/big"

	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/formula"
)

// Category is a retirement category of the 2025 reform.
type Category string

// The categories.
const (
	Male         Category = "male"          // men, originally 60
	FemaleCadre  Category = "female_cadre"  // women originally retiring at 55
	FemaleWorker Category = "female_worker" // women originally retiring at 50
)

// BasisReform cites the 2025 retirement-age reform.
const BasisReform = "全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定（2024年9月13日）"

// BasisFlexible cites flexible retirement.
const BasisFlexible = "人社部发〔2024〕94号（弹性退休）"

type categoryRule struct {
	label       string
	originalAge int // years
	step        int // one month of delay per step months
	maxDelay    int // months
}

var categories = map[Category]categoryRule{
	Male:         {"男职工（原法定退休年龄60周岁）", 60, 4, 36},
	FemaleCadre:  {"女职工（原法定退休年龄55周岁）", 55, 4, 36},
	FemaleWorker: {"女职工（原法定退休年龄50周岁）", 50, 2, 60},
}

// reformStart is the first month the delay applies to.
var reformStart = clock.Month{Year: 2025, Mon: 1}

// ParseCategory checks a category code.
func ParseCategory(s string) (Category, bool) {
	_, ok := categories[Category(s)]
	return Category(s), ok
}

// Label is the category's Chinese name.
func (c Category) Label() string { return categories[c].label }

// OriginalAge is the age in years before the reform.
func (c Category) OriginalAge() int { return categories[c].originalAge }

// Retirement is the statutory retirement of one person.
type Retirement struct {
	Category     Category
	Birth        clock.Month
	Original     clock.Month // month the original age is reached
	DelayMonths  int
	Retire       clock.Month // statutory retirement month
	AgeYears     int         // age at retirement
	AgeMonths    int
	MinMonths    int         // minimum contribution months for the retirement year
	FlexEarliest clock.Month // earliest flexible retirement month
	FlexLatest   clock.Month // latest flexible retirement month
}

// MinYearsText shows the minimum years as a decimal ("15", "15.5").
func (r Retirement) MinYearsText() string { return YearsText(r.MinMonths) }

// YearsText shows a number of months as years with at most one decimal.
func YearsText(months int) string { return formula.Decimal(ratio(int64(months), 12), 0, 2) }

// DurationText shows a number of months as years and months for people
// to read ("2 个月", "15 年", "15 年 3 个月"); formula steps keep YearsText.
func DurationText(months int) string {
	y, m := months/12, months%12
	switch {
	case months <= 0:
		return "0 个月"
	case y == 0:
		return fmt.Sprintf("%d 个月", m)
	case m == 0:
		return fmt.Sprintf("%d 年", y)
	}
	return fmt.Sprintf("%d 年 %d 个月", y, m)
}

// MinDurationText shows the minimum contribution as years and months.
func (r Retirement) MinDurationText() string { return DurationText(r.MinMonths) }

func ratio(a, b int64) *big.Rat { return big.NewRat(a, b) }

// RetirementOf computes the statutory retirement month of a person born in
// birth, in category c: the original age, plus one month of delay per 4
// months (2 for women originally retiring at 50) after 2025-01, capped.
func RetirementOf(c Category, birth clock.Month) (Retirement, error) {
	rule, ok := categories[c]
	if !ok {
		return Retirement{}, errs.New(errs.Invalid, "bad_category", "退休类别不正确")
	}
	r := Retirement{Category: c, Birth: birth, Original: birth.Add(rule.originalAge * 12)}
	if m := r.Original.Sub(reformStart); m >= 0 {
		r.DelayMonths = min(rule.maxDelay, m/rule.step+1)
	}
	r.Retire = r.Original.Add(r.DelayMonths)
	age := rule.originalAge*12 + r.DelayMonths
	r.AgeYears, r.AgeMonths = age/12, age%12
	r.MinMonths = MinContributionMonths(r.Retire.Year)
	r.FlexEarliest = r.Retire.Add(-36)
	if r.FlexEarliest.Before(r.Original) {
		r.FlexEarliest = r.Original
	}
	r.FlexLatest = r.Retire.Add(36)
	return r, nil
}

// Explain returns the steps and parameters that produced r.
func (r Retirement) Explain() formula.Trace {
	rule := categories[r.Category]
	var t formula.Trace
	t.Param(formula.Param{Key: "original_age", Name: "原法定退休年龄", Value: fmt.Sprintf("%d 周岁", rule.originalAge), Basis: BasisReform})
	t.Param(formula.Param{Key: "delay_step", Name: "延迟节奏", Value: fmt.Sprintf("每 %d 个月延迟 1 个月，最多 %d 个月", rule.step, rule.maxDelay), Basis: BasisReform})
	t.Step(BasisReform, "%s，出生于 %s，原法定退休年龄 %d 周岁，应于 %s 达到原退休年龄", rule.label, r.Birth.Chinese(), rule.originalAge, r.Original.Chinese())
	if r.DelayMonths == 0 {
		t.Step(BasisReform, "原退休时间早于 2025年1月，不延迟")
	} else {
		m := r.Original.Sub(reformStart)
		t.Step(BasisReform, "原退休时间距 2025年1月 %d 个月，延迟 ⌊%d ÷ %d⌋ + 1 = %d 个月（上限 %d 个月），实际延迟 %d 个月",
			m, m, rule.step, m/rule.step+1, rule.maxDelay, r.DelayMonths)
	}
	t.Step(BasisReform, "法定退休时间 %s，退休时年龄 %d 岁 %d 个月", r.Retire.Chinese(), r.AgeYears, r.AgeMonths)
	t.Step(BasisReform, "%d 年达到法定退休年龄，最低缴费年限 %s 年", r.Retire.Year, r.MinYearsText())
	t.Step(BasisFlexible, "弹性退休：最早 %s（提前不超过 3 年且不低于原法定退休年龄，须满足最低缴费年限），最晚 %s（经单位与职工协商一致，延迟不超过 3 年）",
		r.FlexEarliest.Chinese(), r.FlexLatest.Chinese())
	return t
}

// MinContributionMonths is the minimum contribution period, in months, for
// someone reaching the statutory retirement age in year: 15 years up to
// 2029, then half a year more each year up to 20 years from 2039.
func MinContributionMonths(year int) int {
	if year <= 2029 {
		return 180
	}
	return min(240, 180+6*(year-2029))
}

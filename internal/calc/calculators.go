package calc

import (
	"context"
	"fmt"
	"time"

	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/formula"
	"shebao/internal/money"
	"shebao/internal/pension"
	"shebao/internal/policy"
)

var categoryChoices = []Choice{
	{string(pension.Male), "男职工（原60周岁）"},
	{string(pension.FemaleCadre), "女职工（原55周岁）"},
	{string(pension.FemaleWorker), "女职工（原50周岁）"},
}

var calculators = []*Calculator{
	retirementAgeCalc, pensionCalc, deathCalc, interestCalc, transferCalc,
	ownWageCalc, disabilityCalc, injuryDeathCalc, contributionCalc, flexibleCalc, lateFeeCalc,
}

var retirementAgeCalc = &Calculator{
	Name: "retirement-age", Title: "退休年龄测算",
	Intro: "按 2025 年起实施的渐进式延迟法定退休年龄办法，测算法定退休时间、退休时年龄、最低缴费年限和弹性退休的时间范围。",
	Fields: []Field{
		{Name: "category", Label: "人员类别", Kind: KChoice, Required: true, Choices: categoryChoices, Example: "male"},
		{Name: "birth_month", Label: "出生年月", Kind: KMonth, Required: true, Hint: "如 1966-03", Example: "1966-03"},
	},
	run: func(ctx context.Context, s *Service, v Values) (*Result, error) {
		r, err := s.retirement(v)
		if err != nil {
			return nil, err
		}
		res := &Result{Trace: r.Explain()}
		res.out("original_month", "原法定退休时间", r.Original.String(), r.Original.Chinese())
		res.out("delay_months", "延迟月数", r.DelayMonths, fmt.Sprintf("%d 个月", r.DelayMonths))
		res.out("retire_month", "法定退休时间", r.Retire.String(), r.Retire.Chinese())
		res.out("age_years", "退休年龄（岁）", r.AgeYears, fmt.Sprintf("%d 岁", r.AgeYears))
		res.out("age_months", "退休年龄（月）", r.AgeMonths, fmt.Sprintf("%d 个月", r.AgeMonths))
		res.out("min_contribution_years", "最低缴费年限", r.MinYearsText(), r.MinYearsText()+" 年")
		res.out("flexible_earliest", "弹性提前退休最早", r.FlexEarliest.String(), r.FlexEarliest.Chinese())
		res.out("flexible_latest", "弹性延迟退休最晚", r.FlexLatest.String(), r.FlexLatest.Chinese())
		return res, nil
	},
}

// retirement reads category and birth_month, refusing a birth month in
// the future.
func (s *Service) retirement(v Values) (pension.Retirement, error) {
	birth := v.month("birth_month")
	if clock.MonthOf(s.today()).Before(birth) {
		return pension.Retirement{}, fieldError("birth_month", "出生年月不能晚于本月")
	}
	cat, _ := pension.ParseCategory(v.str("category"))
	return pension.RetirementOf(cat, birth)
}

func fieldError(field, msg string) error {
	var f errs.Fields
	f.Add(field, msg)
	return f.Err()
}

// ruleAmount returns a money rule in force on day, or the value given,
// and records it as a parameter of tr.
func (s *Service) ruleAmount(ctx context.Context, tr *formula.Trace, v Values, field, key, name string, day time.Time) (money.Fen, string, error) {
	f, basis, err := s.ruleFen(ctx, v, field, key, name, day)
	if err == nil {
		tr.Param(formula.Param{Key: field, Name: name, Value: formula.Yuan(f), Basis: basis, Given: v.has(field)})
	}
	return f, basis, err
}

// ruleFen returns a money rule in force on day, or the value given, with
// its basis.
func (s *Service) ruleFen(ctx context.Context, v Values, field, key, name string, day time.Time) (money.Fen, string, error) {
	if v.has(field) {
		return v.fen(field), "测算时填写", nil
	}
	f, rule, err := s.pol.Amount(ctx, key, "", day)
	if err != nil {
		return 0, "", missingRule(field, name, day, err)
	}
	return f, rule.Explain(), nil
}

func missingRule(field, name string, day time.Time, err error) error {
	if errs.KindOf(err) == errs.NotFound {
		return fieldError(field, fmt.Sprintf("%s 没有在 %s 有效的%s，请填写", name, day.Format("2006-01-02"), name))
	}
	return err
}

var pensionCalc = &Calculator{
	Name: "pension", Title: "养老金测算",
	Intro: "按国发〔2005〕38号的计发办法测算月基本养老金：基础养老金、个人账户养老金和过渡性养老金。可填写退休时年龄，或填写人员类别和出生年月由系统按法定退休年龄推算；计发基数不填时按退休当年的规定。",
	Fields: []Field{
		{Name: "calc_base_fen", Label: "计发基数 C", Kind: KMoney, Hint: "不填按退休当年的规定", Example: 1204900},
		{Name: "avg_index", Label: "平均缴费指数 Z", Kind: KRatio, Required: true, Hint: "0.6 至 3，如 0.8", Example: "0.8"},
		{Name: "contribution_months", Label: "累计缴费月数（含视同）", Kind: KInt, Required: true, Hint: "如 30 年填 360", Example: 360},
		{Name: "account_balance_fen", Label: "个人账户储存额", Kind: KMoney, Required: true, Example: 15000000},
		{Name: "age_years", Label: "退休时年龄（岁）", Kind: KInt, Range: [2]int64{40, 70}, Example: 60},
		{Name: "age_months", Label: "退休时年龄（另加月数）", Kind: KInt, Range: [2]int64{0, 11}, Example: 4},
		{Name: "category", Label: "人员类别", Kind: KChoice, Choices: categoryChoices, Hint: "与出生年月一起填写时按法定退休年龄推算", Example: "male"},
		{Name: "birth_month", Label: "出生年月", Kind: KMonth, Example: "1966-03"},
		{Name: "retire_month", Label: "弹性退休时间", Kind: KMonth, Hint: "选择弹性提前或延迟退休时填写"},
		{Name: "deemed_months", Label: "视同缴费月数", Kind: KInt, Example: 0},
		{Name: "transitional_months", Label: "1992年10月至1998年6月实际缴费月数", Kind: KInt, Example: 0},
		{Name: "transitional_rate", Label: "过渡性养老金计发系数", Kind: KRatio, Hint: "每年的比例，默认 0.01（1%）"},
	},
	run: runPension,
}

func runPension(ctx context.Context, s *Service, v Values) (*Result, error) {
	res := &Result{}
	in := pension.PensionInput{AvgIndex: v.ppm("avg_index"), ContributionMonths: int(v.int("contribution_months")),
		AccountBalance: v.fen("account_balance_fen"), DeemedMonths: int(v.int("deemed_months")),
		TransitionalMonths: int(v.int("transitional_months")), TransitionalRate: v.ppm("transitional_rate")}
	if v.has("transitional_rate") {
		in.TransitionalBasis = "测算时填写"
		if in.TransitionalRate == 0 {
			return nil, fieldError("transitional_rate", "计发系数应大于 0；不填则按默认 1%")
		}
	}
	day, err := s.pensionAge(res, v, &in)
	if err != nil {
		return nil, err
	}
	// pension.Explain records C with its basis; it is not recorded here too.
	if in.CalcBase, in.CalcBaseBasis, err = s.ruleFen(ctx, v, "calc_base_fen", policy.KeyPensionCalcBase, "基本养老金计发基数", day); err != nil {
		return nil, err
	}
	p, err := pension.Compute(in)
	if err != nil {
		return nil, err
	}
	res.Trace.Append(p.Explain())
	res.money("basic_fen", "基础养老金", p.Basic)
	res.out("divisor", "计发月数", p.DivisorText(), p.DivisorText())
	res.money("account_fen", "个人账户养老金", p.Account)
	res.money("transitional_fen", "过渡性养老金", p.Transitional)
	res.money("total_fen", "月基本养老金合计", p.Total)
	res.out("age_years", "退休时年龄（岁）", in.AgeYears, fmt.Sprintf("%d 岁 %d 个月", in.AgeYears, in.AgeMonths))
	res.out("age_months", "退休时年龄（月）", in.AgeMonths, fmt.Sprintf("%d 个月", in.AgeMonths))
	return res, nil
}

// pensionAge fills the age at retirement, from the ages given or from the
// category and birth month (and a flexible retirement month), and checks
// the rules that forbid a pension: below the original age, outside the
// flexible window, short of the minimum years. It returns the day whose
// rules apply (the first day of the retirement month, or today).
func (s *Service) pensionAge(res *Result, v Values, in *pension.PensionInput) (time.Time, error) {
	day := s.today()
	hasCat, hasBirth := v.has("category"), v.has("birth_month")
	if hasCat != hasBirth {
		return day, fieldError(map[bool]string{true: "birth_month", false: "category"}[hasCat], "人员类别和出生年月须同时填写")
	}
	if !hasCat {
		if !v.has("age_years") {
			return day, fieldError("age_years", "请填写退休时年龄，或填写人员类别和出生年月")
		}
		if v.has("retire_month") {
			return day, fieldError("retire_month", "弹性退休时间须与人员类别和出生年月一起填写")
		}
		in.AgeYears, in.AgeMonths = int(v.int("age_years")), int(v.int("age_months"))
		if in.AgeMonths > 11 {
			return day, fieldError("age_months", "月数应在 0 至 11 之间")
		}
		if in.AgeYears*12+in.AgeMonths < 50*12 {
			return day, errs.New(errs.Invalid, "below_original_age", "退休年龄不得低于原法定退休年龄（女职工最低 50 周岁，弹性提前退休不得早于原法定退休年龄，"+pension.BasisFlexible+"）")
		}
		return day, nil
	}
	r, err := s.retirement(v)
	if err != nil {
		return day, err
	}
	res.Trace.Append(r.Explain())
	retire := r.Retire
	if v.has("retire_month") {
		retire = v.month("retire_month")
		if retire.Before(r.FlexEarliest) || r.FlexLatest.Before(retire) {
			return day, errs.New(errs.Invalid, "outside_flexible_window", fmt.Sprintf(
				"弹性退休时间须在 %s 至 %s 之间：提前不超过 3 年且不早于原法定退休年龄，延迟不超过 3 年（%s）", r.FlexEarliest.Chinese(), r.FlexLatest.Chinese(), pension.BasisFlexible))
		}
	}
	age := retire.Sub(r.Birth)
	in.AgeYears, in.AgeMonths = age/12, age%12
	if v.has("age_years") && (int(v.int("age_years")) != in.AgeYears || int(v.int("age_months")) != in.AgeMonths) {
		return day, fieldError("age_years", fmt.Sprintf("按人员类别和出生年月，退休时年龄为 %d 岁 %d 个月，与所填年龄不一致", in.AgeYears, in.AgeMonths))
	}
	if err := pension.CheckAge(r.Category, in.AgeYears, in.AgeMonths); err != nil {
		return day, err
	}
	if in.ContributionMonths < r.MinMonths {
		return day, errs.New(errs.Invalid, "below_min_years", fmt.Sprintf(
			"%d 年退休的最低缴费年限为 %s 年，现累计缴费 %s 年，不能按月领取基本养老金；可延长缴费或一次性补缴至满最低年限（%s）",
			retire.Year, r.MinYearsText(), pension.YearsText(in.ContributionMonths), pension.BasisReform))
	}
	return retire.First(), nil
}

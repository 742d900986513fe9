package calc

import (
	"context"
	"fmt"
	"strconv"

	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/errs"
	"shebao/internal/flexible"
	"shebao/internal/formula"
	"shebao/internal/money"
	"shebao/internal/payment"
	"shebao/internal/policy"
)

var contributionCalc = &Calculator{
	Name: "contribution", Title: "单位职工缴费测算",
	Intro: "按费款所属月的缴费基数上下限和费率，测算一名职工当月的养老、失业和工伤保险费（单位和个人部分），每项按分四舍五入。",
	Fields: []Field{
		{Name: "month", Label: "费款所属月", Kind: KMonth, Required: true, Example: "2024-01"},
		{Name: "wage_fen", Label: "申报工资（缴费基数）", Kind: KMoney, Required: true, Example: 800000},
		{Name: "avg_wage_fen", Label: "全省职工月平均工资", Kind: KMoney, Hint: "不填按当月规定", Example: 720600},
		{Name: "injury_class", Label: "工伤保险行业风险类别", Kind: KInt, Required: true, Hint: "1 至 8", Range: [2]int64{1, 8}, Example: 1},
		{Name: "injury_float", Label: "工伤保险浮动费率倍数", Kind: KRatio, Hint: "如 1.0、1.2；不填按 1.0", Example: "1.0"},
	},
	run: runContribution,
}

// limits returns the base floor and ceiling of month, from the rules or
// from the average wage given.
func (s *Service) limits(ctx context.Context, tr *formula.Trace, v Values, month clock.Month) (floor, ceiling money.Fen, err error) {
	m := month.String()
	if !v.has("avg_wage_fen") {
		floor, ceiling, info, err := s.pol.Limits(ctx, m)
		if err != nil {
			return 0, 0, missingRule("avg_wage_fen", "缴费基数上下限", month.First(), err)
		}
		tr.Param(formula.Param{Key: "avg_wage_fen", Name: "全省职工月平均工资", Value: formula.Yuan(mustFen(info.Wage.Value)), Basis: info.Wage.Explain()})
		tr.Step(info.FloorPct.Explain(), "缴费基数下限 %s、上限 %s", formula.Yuan(floor), formula.Yuan(ceiling))
		return floor, ceiling, nil
	}
	a := v.fen("avg_wage_fen")
	if a <= 0 {
		return 0, 0, fieldError("avg_wage_fen", "全省职工月平均工资应为正数")
	}
	tr.Param(formula.Param{Key: "avg_wage_fen", Name: "全省职工月平均工资", Value: formula.Yuan(a), Basis: "测算时填写", Given: true})
	day := month.First()
	fp, fr, err := s.pol.Rate(ctx, policy.KeyBaseFloorPct, "", day)
	if err != nil {
		return 0, 0, err
	}
	cp, _, err := s.pol.Rate(ctx, policy.KeyBaseCeilingPct, "", day)
	if err != nil {
		return 0, 0, err
	}
	rounding, rr, err := s.pol.Text(ctx, policy.KeyBaseRounding, "", day)
	if err != nil {
		return 0, 0, err
	}
	floor, ceiling = a.Apply(fp), a.Apply(cp)
	how := "按分"
	if rounding == "yuan" {
		floor, ceiling, how = floor.RoundYuan(), ceiling.RoundYuan(), "四舍五入到元"
	}
	tr.Step(fr.Explain()+"；"+rr.Explain(), "缴费基数下限 = %s × %s = %s，上限 = %s × %s = %s（%s）", a, fp, formula.Yuan(floor), a, cp, formula.Yuan(ceiling), how)
	return floor, ceiling, nil
}

func mustFen(s string) money.Fen { n, _ := strconv.ParseInt(s, 10, 64); return money.Fen(n) }

func runContribution(ctx context.Context, s *Service, v Values) (*Result, error) {
	res := &Result{}
	month := v.month("month")
	p, err := contribution.LoadParams(ctx, s.pol, month)
	if err != nil {
		return nil, missingRule("month", "费率", month.First(), err)
	}
	if p.Floor, p.Ceiling, err = s.limits(ctx, &res.Trace, v, month); err != nil {
		return nil, err
	}
	class := int(v.int("injury_class"))
	if class < 1 || class > 8 {
		return nil, fieldError("injury_class", "工伤保险行业风险类别应为 1 至 8")
	}
	float := formula.PPM(1_000_000)
	if v.has("injury_float") {
		float = v.ppm("injury_float")
	}
	allowed, fr, err := s.pol.InjuryFloats(ctx, strconv.Itoa(class), month.First())
	if err != nil {
		return nil, err
	}
	if !containsPPM(allowed, int64(float)) {
		return nil, fieldError("injury_float", fmt.Sprintf("第 %d 类行业的浮动倍数只能是 %s（%s）", class, floatsText(allowed), fr.LegalBasis))
	}
	lines := p.Compute(0, v.fen("wage_fen"), class, int64(float))
	base := lines[0].Base
	if lines[0].Clamp != "" {
		res.Step("", "申报工资 %s：%s，缴费基数 %s", v.fen("wage_fen"), lines[0].Clamp, formula.Yuan(base))
	} else {
		res.Step("", "缴费基数 = 申报工资 %s", formula.Yuan(base))
	}
	var out []map[string]any
	var total money.Fen
	for _, l := range lines {
		for _, side := range []struct {
			code, name string
			rate       money.Rate
			amount     money.Fen
		}{{"employer", "单位", l.EmployerRate, l.Employer}, {"individual", "个人", l.IndividualRate, l.Individual}} {
			if side.rate == 0 && l.Scheme == contribution.Injury && side.code == "individual" {
				continue
			}
			out = append(out, map[string]any{"scheme": string(l.Scheme), "side": side.code, "rate": formula.PPM(side.rate).Text(2), "amount_fen": int64(side.amount)})
			res.Step("", "%s%s部分 = %s × %s = %s", l.Scheme.Name(), side.name, base, side.rate, formula.Yuan(side.amount))
			res.money(string(l.Scheme)+"_"+side.code+"_fen", l.Scheme.Name()+"（"+side.name+"）", side.amount)
			total += side.amount
		}
	}
	res.money("base_fen", "缴费基数", base)
	res.money("total_fen", "合计", total)
	res.Extra = map[string]any{"lines": out}
	return res, nil
}

func containsPPM(list []int64, v int64) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func floatsText(list []int64) string {
	s := ""
	for i, x := range list {
		if i > 0 {
			s += "、"
		}
		s += formula.PPM(x).Text(1)
	}
	return s
}

var flexibleCalc = &Calculator{
	Name: "flexible", Title: "灵活就业人员缴费测算",
	Intro: "灵活就业人员按所选缴费基数缴纳基本养老保险费（费率 20%，其中 8% 计入个人账户）。可直接填写缴费基数，或填写全省职工月平均工资的百分比（60% 至 300%）。",
	Fields: []Field{
		{Name: "month", Label: "费款所属月", Kind: KMonth, Required: true, Example: "2024-01"},
		{Name: "base_fen", Label: "缴费基数", Kind: KMoney, Example: 480000},
		{Name: "base_pct", Label: "缴费档次（月平均工资的百分比）", Kind: KRatio, Hint: "如 60 或 0.6", Example: "60"},
		{Name: "avg_wage_fen", Label: "全省职工月平均工资", Kind: KMoney, Hint: "不填按当月规定", Example: 800000},
	},
	run: runFlexible,
}

func runFlexible(ctx context.Context, s *Service, v Values) (*Result, error) {
	res := &Result{}
	month := v.month("month")
	if v.has("base_fen") == v.has("base_pct") {
		return nil, fieldError("base_fen", "请填写缴费基数，或填写缴费档次（二者选一）")
	}
	floor, ceiling, err := s.limits(ctx, &res.Trace, v, month)
	if err != nil {
		return nil, err
	}
	base := v.fen("base_fen")
	if v.has("base_pct") {
		pct := v.ppm("base_pct")
		if pct > 3_000_000 { // "60" means percent
			pct /= 100
		}
		if pct < 600_000 || pct > 3_000_000 {
			return nil, fieldError("base_pct", "缴费档次应在 60% 至 300% 之间")
		}
		a := v.fen("avg_wage_fen")
		if !v.has("avg_wage_fen") {
			var rule policy.Rule
			if a, rule, err = s.pol.Amount(ctx, policy.KeyAvgWage, "", month.First()); err != nil {
				return nil, err
			}
			res.Param(formula.Param{Key: "avg_wage_fen", Name: "全省职工月平均工资", Value: formula.Yuan(a), Basis: rule.Explain()})
		}
		base = pct.Of(a)
		res.Step("", "缴费基数 = %s × %s = %s", a, pct.Text(2), formula.Yuan(base))
	}
	if c := base.Clamp(floor, ceiling); c != base {
		res.Step("", "缴费基数 %s 不在上下限 %s 至 %s 之间，按 %s", base, floor, ceiling, formula.Yuan(c))
		base = c
	}
	rate, rr, err := s.pol.Rate(ctx, policy.KeyFlexibleRate, "", month.First())
	if err != nil {
		return nil, err
	}
	share, sr, err := s.pol.Rate(ctx, policy.KeyFlexibleAccountShare, "", month.First())
	if err != nil {
		return nil, err
	}
	a := flexible.Compute(base, rate, share)
	res.Step(rr.Explain()+"；"+sr.Explain(), "%s", a.Explain())
	res.money("base_fen", "缴费基数", a.Base)
	res.money("due_fen", "应缴养老保险费", a.Total)
	res.money("account_fen", "其中计入个人账户", a.Account)
	return res, nil
}

var lateFeeCalc = &Calculator{
	Name: "late-fee", Title: "滞纳金测算",
	Intro: "欠缴社会保险费自缴费期限届满次日起按日加收万分之五的滞纳金。选择应急期时，按该应急期免收滞纳金的规定计算免收天数。",
	Fields: []Field{
		{Name: "arrears_fen", Label: "欠缴金额", Kind: KMoney, Required: true, Example: 1234567},
		{Name: "due_on", Label: "缴费期限（最后一天）", Kind: KDate, Required: true, Example: "2024-01-15"},
		{Name: "paid_on", Label: "缴费日期", Kind: KDate, Required: true, Example: "2024-03-01"},
		{Name: "emergency_id", Label: "应急期编号", Kind: KInt, Hint: "不填则不计减免"},
	},
	run: func(ctx context.Context, s *Service, v Values) (*Result, error) {
		due, paid := v.date("due_on"), v.date("paid_on")
		if paid.Before(due) {
			return nil, fieldError("paid_on", "缴费日期早于缴费期限，不产生滞纳金")
		}
		rate, rule, err := s.pol.Rate(ctx, policy.KeyLateFeeDailyRate, "", paid)
		if err != nil {
			return nil, err
		}
		in := payment.LateFeeInput{Arrears: v.fen("arrears_fen"), Rate: rate, RateBasis: rule.Explain(), DueOn: due, PaidOn: paid}
		res := &Result{}
		res.Param(formula.Param{Key: "late_fee_daily_rate", Name: "滞纳金日费率", Value: rate.String(), Basis: rule.Explain()})
		if v.has("emergency_id") {
			e, err := s.pol.EmergencyByID(ctx, v.int("emergency_id"))
			if errs.KindOf(err) == errs.NotFound {
				return nil, fieldError("emergency_id", "没有这个应急期")
			} else if err != nil {
				return nil, err
			}
			if e.Has(policy.MeasureLateFeeWaived) {
				in.Emergency = &e
			} else {
				res.Step(e.LegalBasis, "应急期“%s”未规定免收滞纳金", e.Title)
			}
		}
		r := payment.ComputeLateFee(in)
		res.Step(rule.Explain(), "%s", r.Basis)
		if r.Basis == "" {
			res.Step(rule.Explain(), "逾期 %d 天，滞纳金 %s", r.Days, formula.Yuan(r.Fee))
		}
		res.out("days", "逾期天数", r.Days, fmt.Sprintf("%d 天", r.Days))
		res.out("days_waived", "免收天数", r.DaysWaived, fmt.Sprintf("%d 天", r.DaysWaived))
		res.money("fee_fen", "滞纳金", r.Fee)
		return res, nil
	},
}

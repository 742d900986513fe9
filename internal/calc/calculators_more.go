package calc

import (
	"context"
	"fmt"
	"time"

	"shebao/internal/formula"
	"shebao/internal/injury"
	"shebao/internal/money"
	"shebao/internal/pension"
	"shebao/internal/personalaccount"
	"shebao/internal/policy"
	"shebao/internal/transfer"
)

var deathCalc = &Calculator{
	Name: "death-benefit", Title: "丧葬补助金和抚恤金测算",
	Intro: "参保人员因病或非因工死亡的，按死亡时间适用的办法测算丧葬补助金和抚恤金（2021年9月1日起按人社部发〔2021〕18号）。月人均可支配收入不填时按死亡时有效的上年度全省数据 ÷ 12。",
	Fields: []Field{
		{Name: "death_date", Label: "死亡日期", Kind: KDate, Required: true, Example: "2024-03-01"},
		{Name: "monthly_income_fen", Label: "上年度全省城镇居民月人均可支配收入 I", Kind: KMoney, Example: 281850},
		{Name: "contribution_months", Label: "累计缴费月数（含视同）", Kind: KInt, Required: true, Example: 345},
		{Name: "pension_months", Label: "已领取养老金月数", Kind: KInt, Hint: "未退休填 0", Example: 42},
	},
	run: func(ctx context.Context, s *Service, v Values) (*Result, error) {
		res := &Result{}
		death := v.date("death_date")
		if death.After(s.today()) {
			return nil, fieldError("death_date", "死亡日期不能晚于今天")
		}
		in := pension.DeathInput{DeathDate: death, ContributionMonths: int(v.int("contribution_months")), PensionMonths: int(v.int("pension_months"))}
		if v.has("monthly_income_fen") {
			in.MonthlyIncome, in.IncomeBasis = v.fen("monthly_income_fen"), "测算时填写"
		} else {
			yearly, rule, err := s.pol.Amount(ctx, policy.KeyProvinceUrbanIncome, "", death)
			if err != nil {
				return nil, missingRule("monthly_income_fen", "上年度全省城镇居民人均可支配收入", death, err)
			}
			in.MonthlyIncome = pension.MonthlyIncome(yearly)
			in.IncomeBasis = fmt.Sprintf("%s；全年 %s ÷ 12", rule.Explain(), formula.Yuan(yearly))
		}
		d, err := pension.DeathBenefits(in)
		if err != nil {
			return nil, err
		}
		res.Trace = d.Explain()
		res.Params[0].Given = v.has("monthly_income_fen")
		res.money("funeral_fen", "丧葬补助金", d.Funeral)
		res.out("relief_factor", "抚恤金发放月数 k", d.FactorText(), d.FactorText())
		res.money("relief_fen", "抚恤金", d.Relief)
		res.money("total_fen", "合计", d.Total)
		res.out("formula", "适用办法", d.Formula, d.Formula)
		return res, nil
	},
}

var interestCalc = &Calculator{
	Name: "account-interest", Title: "个人账户记账利息测算",
	Intro: "按年度计息法测算个人账户当年利息和年末余额：年初余额 × 记账利率 + 当年记账额 × 记账利率 × 1.083 ÷ 2。填写年度时按该年度公布的记账利率。",
	Fields: []Field{
		{Name: "opening_fen", Label: "年初余额", Kind: KMoney, Required: true, Example: 5000000},
		{Name: "credits_fen", Label: "当年记账额", Kind: KMoney, Required: true, Example: 768000},
		{Name: "rate", Label: "记账利率", Kind: KRatio, Hint: "如 0.0397 或 3.97%；不填时按年度", Example: "0.0397"},
		{Name: "year", Label: "年度", Kind: KInt, Hint: "如 2023", Example: 2023},
	},
	run: func(ctx context.Context, s *Service, v Values) (*Result, error) {
		in := personalaccount.InterestInput{Opening: v.fen("opening_fen"), Credits: v.fen("credits_fen")}
		switch {
		case v.has("rate"):
			p := v.ppm("rate")
			if p >= 1_000_000 { // "3.97" means percent
				p /= 100
			}
			in.Rate, in.RateBasis = money.Rate(p), "测算时填写"
		case v.has("year"):
			y := int(v.int("year"))
			if y < 1998 || y > s.today().Year() {
				return nil, fieldError("year", fmt.Sprintf("年度应在 1998 至 %d 之间", s.today().Year()))
			}
			end := time.Date(y, 12, 31, 0, 0, 0, 0, s.today().Location())
			r, rule, err := s.pol.Rate(ctx, policy.KeyAccountInterestRate, "", end)
			if err != nil {
				return nil, missingRule("rate", fmt.Sprintf("%d 年度个人账户记账利率", y), end, err)
			}
			in.Rate, in.RateBasis, in.Year = r, rule.Explain(), y
		default:
			return nil, fieldError("rate", "请填写记账利率，或填写年度按公布的利率计算")
		}
		i, err := personalaccount.YearInterest(in)
		if err != nil {
			return nil, err
		}
		res := &Result{Trace: i.Explain()}
		res.Params[0].Given = v.has("rate")
		res.money("interest_fen", "当年利息", i.Interest)
		res.money("closing_fen", "年末余额", i.Closing)
		res.out("rate", "记账利率", formula.PPM(in.Rate).Text(2), in.Rate.String())
		return res, nil
	},
}

var transferCalc = &Calculator{
	Name: "transfer", Title: "转移接续统筹基金测算",
	Intro: "跨省转移基本养老保险关系时，统筹基金按 1998 年 1 月 1 日以后各年度实际缴费工资的 12% 转移（不计利息），个人账户储存额全部转移。",
	Fields: []Field{
		{Name: "wages_fen", Label: "各年度实际缴费工资", Kind: KMoneys, Required: true, Hint: "每行一个年度，按年填写", Example: []int64{3600000, 4000000, 4400000, 4800000, 2600000}},
	},
	run: func(ctx context.Context, s *Service, v Values) (*Result, error) {
		ws, _ := v["wages_fen"].([]money.Fen)
		years := make([]transfer.YearWage, len(ws))
		for i, w := range ws {
			years[i] = transfer.YearWage{Wages: w}
		}
		p, err := transfer.PooledFund(years)
		if err != nil {
			return nil, err
		}
		res := &Result{Trace: p.Explain()}
		res.money("pooled_fen", "统筹基金转移额", p.Total)
		return res, nil
	},
}

var ownWageCalc = &Calculator{
	Name: "injury-own-wage", Title: "工伤职工本人工资测算",
	Intro: "本人工资为工伤职工因工作遭受事故伤害或患职业病前 12 个月的平均月缴费工资，低于统筹地区职工平均工资 60% 的按 60% 计，高于 300% 的按 300% 计。",
	Fields: []Field{
		{Name: "wages_fen", Label: "受伤前各月缴费工资", Kind: KMoneys, Required: true, Hint: "每行一个月，最多 12 个月", Example: []int64{400000, 400000, 400000, 400000, 400000, 400000, 400000, 400000, 400000, 400000, 400000, 400000}},
		{Name: "area_avg_wage_fen", Label: "统筹地区职工月平均工资", Kind: KMoney, Hint: "不填按现行规定", Example: 800000},
	},
	run: func(ctx context.Context, s *Service, v Values) (*Result, error) {
		res := &Result{}
		avg, _, err := s.ruleAmount(ctx, &res.Trace, v, "area_avg_wage_fen", policy.KeyAvgWage, "统筹地区职工月平均工资", s.today())
		if err != nil {
			return nil, err
		}
		ws, _ := v["wages_fen"].([]money.Fen)
		o, err := injury.OwnWageOf(ws, avg)
		if err != nil {
			return nil, err
		}
		res.Steps = append(res.Steps, o.Explain().Steps...)
		res.money("own_wage_fen", "本人工资", o.Own)
		res.money("average_fen", "月平均缴费工资", o.Average)
		return res, nil
	},
}

var nursingChoices = []Choice{
	{string(injury.NursingNone), "无需护理"},
	{string(injury.NursingPartial), "生活部分不能自理"},
	{string(injury.NursingMajor), "生活大部分不能自理"},
	{string(injury.NursingFull), "生活完全不能自理"},
}

var disabilityCalc = &Calculator{
	Name: "injury-disability", Title: "工伤伤残待遇测算",
	Intro: "按伤残等级测算一次性伤残补助金、按月伤残津贴（1至6级）和生活护理费。",
	Fields: []Field{
		{Name: "grade", Label: "伤残等级", Kind: KInt, Required: true, Hint: "1 至 10", Range: [2]int64{1, 10}, Example: 5},
		{Name: "own_wage_fen", Label: "本人工资", Kind: KMoney, Required: true, Example: 480000},
		{Name: "area_avg_wage_fen", Label: "统筹地区职工月平均工资", Kind: KMoney, Hint: "不填按现行规定", Example: 800000},
		{Name: "nursing", Label: "生活护理等级", Kind: KChoice, Choices: nursingChoices, Example: "partial"},
	},
	run: func(ctx context.Context, s *Service, v Values) (*Result, error) {
		res := &Result{}
		avg, _, err := s.ruleAmount(ctx, &res.Trace, v, "area_avg_wage_fen", policy.KeyAvgWage, "统筹地区职工月平均工资", s.today())
		if err != nil {
			return nil, err
		}
		n := injury.NursingNone
		if v.has("nursing") {
			n = injury.Nursing(v.str("nursing"))
		}
		d, err := injury.DisabilityOf(int(v.int("grade")), v.fen("own_wage_fen"), avg, n)
		if err != nil {
			return nil, err
		}
		res.Steps = append(res.Steps, d.Explain().Steps...)
		res.money("own_wage_fen", "本人工资（按上下限）", d.Wage.Own)
		res.money("lump_sum_fen", "一次性伤残补助金", d.LumpSum)
		res.money("monthly_allowance_fen", "伤残津贴（月）", d.Allowance)
		res.money("nursing_fen", "生活护理费（月）", d.NursingFee)
		return res, nil
	},
}

var injuryDeathCalc = &Calculator{
	Name: "injury-death", Title: "因工死亡待遇测算",
	Intro: "职工因工死亡的，测算一次性工亡补助金（上年度全国城镇居民人均可支配收入的 20 倍）、丧葬补助金（6 个月统筹地区职工月平均工资）和供养亲属抚恤金（配偶 40%、其他亲属每人 30%，孤寡老人或孤儿加 10%，合计不超过本人工资）。",
	Fields: []Field{
		{Name: "death_date", Label: "死亡日期", Kind: KDate, Required: true, Example: "2025-05-01"},
		{Name: "national_income_fen", Label: "上年度全国城镇居民人均可支配收入（年）", Kind: KMoney, Hint: "不填按死亡时有效的规定", Example: 5418800},
		{Name: "area_avg_wage_fen", Label: "统筹地区职工月平均工资", Kind: KMoney, Hint: "不填按死亡时有效的规定", Example: 800000},
		{Name: "own_wage_fen", Label: "本人工资", Kind: KMoney, Required: true, Example: 480000},
		{Name: "dependants", Label: "供养亲属", Kind: KDeps, Hint: "每行一人：配偶、子女、父母或其他；孤寡老人或孤儿后加“孤寡”或“孤儿”", Example: []any{"spouse", map[string]any{"kind": "child", "lone": false}}},
	},
	run: func(ctx context.Context, s *Service, v Values) (*Result, error) {
		res := &Result{}
		death := v.date("death_date")
		if death.After(s.today()) {
			return nil, fieldError("death_date", "死亡日期不能晚于今天")
		}
		income, basis, err := s.ruleAmount(ctx, &res.Trace, v, "national_income_fen", policy.KeyNationalUrbanIncome, "上年度全国城镇居民人均可支配收入", death)
		if err != nil {
			return nil, err
		}
		avg, _, err := s.ruleAmount(ctx, &res.Trace, v, "area_avg_wage_fen", policy.KeyAvgWage, "统筹地区职工月平均工资", death)
		if err != nil {
			return nil, err
		}
		deps, _ := v["dependants"].([]injury.Dependant)
		w, err := injury.WorkDeathOf(death, income, avg, v.fen("own_wage_fen"), deps)
		if err != nil {
			return nil, err
		}
		w.IncomeBasis = basis
		res.Steps = append(res.Steps, w.Explain().Steps...)
		res.money("subsidy_fen", "一次性工亡补助金", w.Subsidy)
		res.money("funeral_fen", "丧葬补助金", w.Funeral)
		res.money("monthly_fen", "供养亲属抚恤金（月合计）", w.Monthly)
		var list []map[string]any
		for i, d := range w.Dependants {
			list = append(list, map[string]any{"kind": d.Kind, "lone": d.Lone, "monthly_fen": int64(w.Paid[i])})
		}
		res.Extra = map[string]any{"dependants": list}
		return res, nil
	},
}

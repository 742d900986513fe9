package injury

import (
	"fmt"
	"time"

	"shebao/internal/errs"
	"shebao/internal/formula"
	"shebao/internal/money"
)

// The work-injury benefit rules (docs/rules.md §26). Pure
// functions: the area's average wage and the national income come in as
// arguments with their basis.

// Legal bases of the work-injury benefits.
const (
	BasisOwnWage    = "工伤保险条例第六十四条（本人工资：停工前12个月平均月缴费工资，按统筹地区职工平均工资的60%–300%）"
	BasisDisability = "工伤保险条例第三十五条至第三十七条（一次性伤残补助金、伤残津贴）"
	BasisNursing    = "工伤保险条例第三十四条（生活护理费）"
	BasisDeath      = "工伤保险条例第三十九条（一次性工亡补助金、丧葬补助金、供养亲属抚恤金）"
)

// Floor and ceiling of the own wage, as shares of the area's average.
var (
	ownWageFloor   = money.MustPercent("60")
	ownWageCeiling = money.MustPercent("300")
)

// OwnWage is the injured worker's own wage.
type OwnWage struct {
	Wages   []money.Fen
	AreaAvg money.Fen
	Average money.Fen // half-up mean of the wages
	Floor   money.Fen
	Ceiling money.Fen
	Own     money.Fen // the average clamped to [floor, ceiling]
	Clamped string    // "", "floor" or "ceiling"
}

// OwnWageOf averages up to 12 monthly wages (fewer when the worker was
// employed for less), half-up to the fen, and clamps the average to 60–300%
// of the area's average monthly wage.
func OwnWageOf(wages []money.Fen, areaAvg money.Fen) (OwnWage, error) {
	var f errs.Fields
	if len(wages) == 0 || len(wages) > 12 {
		f.Add("wages_fen", "请填写受伤前 1 至 12 个月的月缴费工资")
	}
	for i, w := range wages {
		if w < 0 || w > 1_000_000_000 {
			f.Add(fmt.Sprintf("wages_fen[%d]", i), "月工资不能为负数，且不超过 1000 万元")
		}
	}
	checkAreaAvg(&f, areaAvg)
	if err := f.Err(); err != nil {
		return OwnWage{}, err
	}
	var sum money.Fen
	for _, w := range wages {
		sum += w
	}
	o := clampOwn(money.Fen(formula.DivRound(int64(sum), int64(len(wages)))), areaAvg)
	o.Wages = wages
	return o, nil
}

func checkAreaAvg(f *errs.Fields, areaAvg money.Fen) {
	if areaAvg <= 0 || areaAvg > 100_000_000 {
		f.Add("area_avg_wage_fen", "统筹地区职工月平均工资应为正数且不超过 100 万元")
	}
}

func clampOwn(avg, areaAvg money.Fen) OwnWage {
	o := OwnWage{AreaAvg: areaAvg, Average: avg, Floor: areaAvg.Apply(ownWageFloor), Ceiling: areaAvg.Apply(ownWageCeiling)}
	o.Own = avg.Clamp(o.Floor, o.Ceiling)
	switch {
	case avg < o.Floor:
		o.Clamped = "floor"
	case avg > o.Ceiling:
		o.Clamped = "ceiling"
	}
	return o
}

// Explain returns the steps that produced o.
func (o OwnWage) Explain() formula.Trace {
	var t formula.Trace
	t.Param(formula.Param{Key: "area_avg_wage", Name: "统筹地区职工月平均工资", Value: formula.Yuan(o.AreaAvg)})
	if len(o.Wages) > 0 {
		var sum money.Fen
		for _, w := range o.Wages {
			sum += w
		}
		t.Step(BasisOwnWage, "%d 个月缴费工资合计 %s，月平均 %s", len(o.Wages), formula.Yuan(sum), formula.Yuan(o.Average))
	}
	switch o.Clamped {
	case "floor":
		t.Step(BasisOwnWage, "低于统筹地区职工平均工资的 60%%（%s），按 %s 计", formula.Yuan(o.Floor), formula.Yuan(o.Own))
	case "ceiling":
		t.Step(BasisOwnWage, "高于统筹地区职工平均工资的 300%%（%s），按 %s 计", formula.Yuan(o.Ceiling), formula.Yuan(o.Own))
	default:
		t.Step(BasisOwnWage, "在统筹地区职工平均工资的 60%%（%s）至 300%%（%s）之间，本人工资为 %s", o.Floor, o.Ceiling, formula.Yuan(o.Own))
	}
	return t
}

// Nursing is a dependency level of the nursing allowance.
type Nursing string

// The nursing levels.
const (
	NursingNone    Nursing = "none"
	NursingPartial Nursing = "partial" // 生活部分不能自理, 30%
	NursingMajor   Nursing = "major"   // 生活大部分不能自理, 40%
	NursingFull    Nursing = "full"    // 生活完全不能自理, 50%
)

var nursingRules = map[Nursing]struct {
	label string
	share money.Rate
}{
	NursingNone:    {"无需生活护理", 0},
	NursingPartial: {"生活部分不能自理", money.MustPercent("30")},
	NursingMajor:   {"生活大部分不能自理", money.MustPercent("40")},
	NursingFull:    {"生活完全不能自理", money.MustPercent("50")},
}

// ParseNursing checks a nursing level code.
func ParseNursing(s string) (Nursing, bool) { _, ok := nursingRules[Nursing(s)]; return Nursing(s), ok }

// Label is the level's Chinese name.
func (n Nursing) Label() string { return nursingRules[n].label }

// gradeRules: months of own wage for the one-time subsidy, and the monthly
// allowance share (grades 1–6).
var gradeRules = [11]struct {
	months    int64
	allowance money.Rate
}{
	{}, {27, money.MustPercent("90")}, {25, money.MustPercent("85")}, {23, money.MustPercent("80")}, {21, money.MustPercent("75")},
	{18, money.MustPercent("70")}, {16, money.MustPercent("60")}, {13, 0}, {11, 0}, {9, 0}, {7, 0},
}

// Disability is what a disability grade gives.
type Disability struct {
	Grade      int
	Nursing    Nursing
	Wage       OwnWage
	LumpSum    money.Fen // one-time disability subsidy
	Allowance  money.Fen // monthly disability allowance (grades 1–6)
	NursingFee money.Fen // monthly nursing allowance
}

// DisabilityOf computes the one-time subsidy (months of own wage by grade),
// the monthly allowance (grades 1–6, paid by the fund for 1–4 and by the
// employer for 5–6) and the monthly nursing allowance (30/40/50% of the
// area's average wage). The own wage is clamped to 60–300% first.
func DisabilityOf(grade int, ownWage, areaAvg money.Fen, n Nursing) (Disability, error) {
	var f errs.Fields
	if grade < 1 || grade > 10 {
		f.Add("grade", "伤残等级应为 1 至 10 级")
	}
	if ownWage <= 0 || ownWage > 1_000_000_000 {
		f.Add("own_wage_fen", "本人工资应为正数且不超过 1000 万元")
	}
	checkAreaAvg(&f, areaAvg)
	if _, ok := nursingRules[n]; !ok {
		f.Add("nursing", "生活护理等级应为：无、部分不能自理、大部分不能自理、完全不能自理")
	}
	if err := f.Err(); err != nil {
		return Disability{}, err
	}
	d := Disability{Grade: grade, Nursing: n, Wage: clampOwn(ownWage, areaAvg)}
	g := gradeRules[grade]
	d.LumpSum = money.Fen(int64(d.Wage.Own) * g.months)
	d.Allowance = d.Wage.Own.Apply(g.allowance)
	d.NursingFee = areaAvg.Apply(nursingRules[n].share)
	return d, nil
}

// Explain returns the steps that produced d.
func (d Disability) Explain() formula.Trace {
	t := d.Wage.Explain()
	g := gradeRules[d.Grade]
	t.Step(BasisDisability, "%d 级伤残：一次性伤残补助金 = 本人工资 %s × %d 个月 = %s", d.Grade, d.Wage.Own, g.months, formula.Yuan(d.LumpSum))
	switch {
	case d.Grade <= 4:
		t.Step(BasisDisability, "伤残津贴（按月，由工伤保险基金支付）= %s × %s = %s；低于当地最低工资标准的由基金补足差额", d.Wage.Own, g.allowance, formula.Yuan(d.Allowance))
	case d.Grade <= 6:
		t.Step(BasisDisability, "难以安排工作的，由用人单位按月发给伤残津贴 = %s × %s = %s", d.Wage.Own, g.allowance, formula.Yuan(d.Allowance))
	default:
		t.Step(BasisDisability, "%d 级伤残无按月伤残津贴；解除或终止劳动关系时按省规定享受一次性工伤医疗补助金和伤残就业补助金", d.Grade)
	}
	if d.Nursing == NursingNone {
		t.Step(BasisNursing, "无需生活护理，不发生活护理费")
	} else {
		t.Step(BasisNursing, "%s：生活护理费（按月）= 统筹地区职工月平均工资 %s × %s = %s", d.Nursing.Label(), d.Wage.AreaAvg, nursingRules[d.Nursing].share, formula.Yuan(d.NursingFee))
	}
	return t
}

// Dependant is one relative supported by a worker who died of a work injury.
type Dependant struct {
	Kind string // spouse, child, parent, other
	Lone bool   // a lone elderly person or an orphan: +10%
}

var dependantKinds = map[string]string{"spouse": "配偶", "child": "子女", "parent": "父母", "other": "其他供养亲属"}

// DependantLabel is the Chinese name of a dependant kind.
func DependantLabel(kind string) string { return dependantKinds[kind] }

// WorkDeath is what a work-related death gives.
type WorkDeath struct {
	DeathDate      time.Time
	NationalIncome money.Fen // previous year's national urban per-capita disposable income (annual)
	IncomeBasis    string
	Wage           OwnWage
	Dependants     []Dependant
	Subsidy        money.Fen   // one-time death subsidy, 20 × national income
	Funeral        money.Fen   // 6 × the area's average monthly wage
	Shares         []money.Fen // each dependant's pension before the cap
	Paid           []money.Fen // each dependant's pension after the cap
	Monthly        money.Fen   // total monthly pensions, at most the own wage
}

// WorkDeathOf computes the one-time subsidy, the funeral allowance and the
// dependants' monthly pensions: spouse 40%, each other dependant 30% of the
// own wage (clamped), +10% for a lone elderly person or an orphan, each
// half-up to the fen; when the total exceeds the own wage, each is reduced
// in proportion so that the total equals it.
func WorkDeathOf(death time.Time, nationalIncome, areaAvg, ownWage money.Fen, deps []Dependant) (WorkDeath, error) {
	var f errs.Fields
	if nationalIncome <= 0 || nationalIncome > 1_000_000_000 {
		f.Add("national_income_fen", "全国上年度城镇居民人均可支配收入应为正数")
	}
	if ownWage <= 0 || ownWage > 1_000_000_000 {
		f.Add("own_wage_fen", "本人工资应为正数且不超过 1000 万元")
	}
	checkAreaAvg(&f, areaAvg)
	spouses := 0
	for i, d := range deps {
		field := fmt.Sprintf("dependants[%d]", i)
		if _, ok := dependantKinds[d.Kind]; !ok {
			f.Add(field, "供养亲属类别应为：配偶、子女、父母、其他")
		}
		if d.Kind == "spouse" {
			spouses++
			if d.Lone {
				f.Add(field, "配偶不适用孤寡老人或孤儿加发 10% 的规定")
			}
		}
	}
	if spouses > 1 {
		f.Add("dependants", "配偶只能有一人")
	}
	if len(deps) > 20 {
		f.Add("dependants", "供养亲属不超过 20 人")
	}
	if err := f.Err(); err != nil {
		return WorkDeath{}, err
	}
	w := WorkDeath{DeathDate: death, NationalIncome: nationalIncome, Wage: clampOwn(ownWage, areaAvg), Dependants: deps}
	w.Subsidy = 20 * nationalIncome
	w.Funeral = 6 * areaAvg
	var sum money.Fen
	for _, d := range deps {
		s := w.Wage.Own.Apply(dependantShare(d))
		w.Shares = append(w.Shares, s)
		sum += s
	}
	w.Paid = capShares(w.Shares, sum, w.Wage.Own)
	for _, p := range w.Paid {
		w.Monthly += p
	}
	return w, nil
}

func dependantShare(d Dependant) money.Rate {
	r := money.MustPercent("30")
	if d.Kind == "spouse" {
		r = money.MustPercent("40")
	}
	if d.Lone {
		r += money.MustPercent("10")
	}
	return r
}

// capShares scales shares down in proportion when their sum exceeds limit,
// each half-up, the last absorbing the rounding so the total is exact.
func capShares(shares []money.Fen, sum, limit money.Fen) []money.Fen {
	out := append([]money.Fen(nil), shares...)
	if sum <= limit {
		return out
	}
	var given money.Fen
	for i, s := range shares {
		if i == len(shares)-1 {
			out[i] = limit - given
			break
		}
		out[i] = s.MulFrac(int64(limit), int64(sum))
		given += out[i]
	}
	return out
}

// Explain returns the steps that produced w.
func (w WorkDeath) Explain() formula.Trace {
	t := w.Wage.Explain()
	t.Param(formula.Param{Key: "national_income", Name: "上年度全国城镇居民人均可支配收入", Value: formula.Yuan(w.NationalIncome), Basis: w.IncomeBasis})
	t.Step(BasisDeath, "一次性工亡补助金 = 上年度全国城镇居民人均可支配收入 %s × 20 = %s", w.NationalIncome, formula.Yuan(w.Subsidy))
	t.Step(BasisDeath, "丧葬补助金 = 统筹地区职工月平均工资 %s × 6 = %s", w.Wage.AreaAvg, formula.Yuan(w.Funeral))
	var sum money.Fen
	for i, d := range w.Dependants {
		lone := ""
		if d.Lone {
			lone = "（孤寡老人或孤儿，加发 10%）"
		}
		t.Step(BasisDeath, "供养亲属%d：%s%s，%s × %s = %s", i+1, DependantLabel(d.Kind), lone, w.Wage.Own, dependantShare(d), formula.Yuan(w.Shares[i]))
		sum += w.Shares[i]
	}
	if len(w.Dependants) == 0 {
		t.Step(BasisDeath, "无供养亲属，不发供养亲属抚恤金")
	} else if sum > w.Wage.Own {
		t.Step(BasisDeath, "抚恤金合计 %s 超过本人工资 %s，按比例核减为 %s", sum, w.Wage.Own, formula.Yuan(w.Monthly))
	} else {
		t.Step(BasisDeath, "供养亲属抚恤金每月合计 %s（不超过本人工资 %s）", formula.Yuan(w.Monthly), w.Wage.Own)
	}
	return t
}

// BasisLeaving is the legal basis of the one-time medical subsidy paid when
// a worker of grades 5–10 leaves the job.
const BasisLeaving = "工伤保险条例第三十六条、第三十七条（解除或终止劳动关系时的一次性工伤医疗补助金，具体标准由省规定）"

// Leaving is the one-time medical subsidy on leaving the job.
type Leaving struct {
	Grade   int
	Months  int64
	AreaAvg money.Fen
	Subsidy money.Fen
}

// LeavingSubsidyOf computes the one-time medical subsidy of a grade 5–10
// worker leaving the job: months (the province's dated amount for the
// grade) × the area's average monthly wage.
func LeavingSubsidyOf(grade int, months int64, areaAvg money.Fen) (Leaving, error) {
	var f errs.Fields
	if grade < 5 || grade > 10 {
		f.Add("grade", "一次性工伤医疗补助金适用于 5 至 10 级伤残")
	}
	if months <= 0 || months > 60 {
		f.Add("months", "补助月数应为 1 至 60")
	}
	checkAreaAvg(&f, areaAvg)
	if err := f.Err(); err != nil {
		return Leaving{}, err
	}
	return Leaving{Grade: grade, Months: months, AreaAvg: areaAvg, Subsidy: money.Fen(int64(areaAvg) * months)}, nil
}

// Explain returns the steps that produced l.
func (l Leaving) Explain() formula.Trace {
	var t formula.Trace
	t.Step(BasisLeaving, "%d 级伤残：一次性工伤医疗补助金 = 统筹地区职工月平均工资 %s × %d 个月 = %s", l.Grade, l.AreaAvg, l.Months, formula.Yuan(l.Subsidy))
	return t
}

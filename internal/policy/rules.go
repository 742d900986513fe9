package policy

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"shebao/internal/errs"
	"shebao/internal/money"
)

// Rule is one dated value of a key (and scope) with its legal basis: what
// a computation shows under "how it was computed".
type Rule struct {
	ID         int64
	Key        string
	Scope      string     // "" or e.g. a risk class "1".."8"
	From       time.Time  // first day in force (Shanghai date)
	To         *time.Time // last day in force; nil = until replaced
	Value      string     // canonical: integer in Unit, or text
	Unit       Unit
	LegalBasis string
	Note       string
	CreatedBy  string
	CreatedAt  time.Time
	Version    int64

	from, to string // FromDay and ToDay, kept when read from the database
}

// FromDay returns the first day as 'YYYY-MM-DD'.
func (r Rule) FromDay() string {
	if r.from != "" {
		return r.from
	}
	return dayKey(r.From)
}

// ToDay returns the last day as 'YYYY-MM-DD', or "" while open.
func (r Rule) ToDay() string {
	if r.To == nil {
		return ""
	}
	if r.to != "" {
		return r.to
	}
	return dayKey(*r.To)
}

// Covers reports whether the rule is in force on day ('YYYY-MM-DD').
func (r Rule) Covers(day string) bool {
	return r.FromDay() <= day && (r.To == nil || day <= r.ToDay())
}

// InputText shows the value as a person would type it back into the form.
func (r Rule) InputText() string {
	if r.Key == KeyBaseRounding {
		return RoundingName(r.Value)
	}
	return InputValue(r.Unit, r.Value)
}

// Display shows the value for people, e.g. "7,646.00 元" or "16%".
func (r Rule) Display() string {
	if r.Key == KeyBaseRounding {
		return RoundingName(r.Value)
	}
	return FormatValue(r.Unit, r.Value)
}

// Period shows the period in force, e.g. "2024-07-01 至 2025-06-30".
func (r Rule) Period() string {
	if r.To == nil {
		return r.FromDay() + " 起"
	}
	return r.FromDay() + " 至 " + r.ToDay()
}

// Name is the Chinese name of the rule's key (the key itself if unknown).
func (r Rule) Name() string {
	if k, ok := KeyByName(r.Key); ok {
		return k.Name
	}
	return r.Key
}

// Explain is a one-line "how it was computed" citation:
// "养老保险单位费率 16%（2019-05-01 起，依据：国办发〔2019〕13号）".
func (r Rule) Explain() string {
	scope := ""
	if r.Scope != "" {
		scope = "（类别 " + r.Scope + "）"
	}
	return fmt.Sprintf("%s%s %s（%s，依据：%s）", r.Name(), scope, r.Display(), r.Period(), r.LegalBasis)
}

func overlaps(a, b Rule) bool {
	aTo, bTo := "9999-12-31", "9999-12-31"
	if a.To != nil {
		aTo = a.ToDay()
	}
	if b.To != nil {
		bTo = b.ToDay()
	}
	return a.FromDay() <= bTo && b.FromDay() <= aTo
}

// InForce returns the value of key (scope) in force on day. It returns a
// NotFound error when none is.
func (s *Service) InForce(ctx context.Context, key, scope string, day time.Time) (Rule, error) {
	sn, err := s.current(ctx)
	if err != nil {
		return Rule{}, err
	}
	d := dayKey(day)
	if r, ok := sn.inForce(key, scope, d); ok {
		return r, nil
	}
	name := key
	if k, ok := KeyByName(key); ok {
		name = k.Name + "（" + key + "）"
	}
	if scope != "" {
		name += "，范围 " + scope
	}
	return Rule{}, errs.New(errs.NotFound, "rule_not_found",
		fmt.Sprintf("没有 %s 有效的政策参数：%s。请系统管理员在“政策参数”中补录该日期的取值和文号。", d, name))
}

// inForce finds the rule of key (scope) covering day 'YYYY-MM-DD'.
// Periods never overlap, so the last one starting on or before day is the
// only candidate.
func (sn *snapshot) inForce(key, scope, day string) (Rule, bool) {
	rules := sn.rules[ruleIndex(key, scope)]
	i := sort.Search(len(rules), func(i int) bool { return rules[i].FromDay() > day })
	if i > 0 && rules[i-1].Covers(day) {
		return rules[i-1], true
	}
	return Rule{}, false
}

func (s *Service) typed(ctx context.Context, key, scope string, day time.Time, units ...Unit) (int64, Rule, error) {
	r, err := s.InForce(ctx, key, scope, day)
	if err != nil {
		return 0, r, err
	}
	ok := false
	for _, u := range units {
		ok = ok || r.Unit == u
	}
	n, perr := strconv.ParseInt(r.Value, 10, 64)
	if !ok || perr != nil {
		return 0, r, errs.Wrap(fmt.Errorf("rule %s/%s #%d has unit %s value %q, want %v", key, scope, r.ID, r.Unit, r.Value, units), "policy rule type")
	}
	return n, r, nil
}

// Rate returns a rate rule in force on day (e.g. 16% = 160000 ppm).
func (s *Service) Rate(ctx context.Context, key, scope string, day time.Time) (money.Rate, Rule, error) {
	n, r, err := s.typed(ctx, key, scope, day, UnitRate)
	return money.Rate(n), r, err
}

// Amount returns a money rule in force on day.
func (s *Service) Amount(ctx context.Context, key, scope string, day time.Time) (money.Fen, Rule, error) {
	n, r, err := s.typed(ctx, key, scope, day, UnitFen)
	return money.Fen(n), r, err
}

// Int returns an integer rule (count, days, months, hours) in force on day.
func (s *Service) Int(ctx context.Context, key, scope string, day time.Time) (int64, Rule, error) {
	return s.typed(ctx, key, scope, day, UnitInt, UnitDays, UnitMonths, UnitHours)
}

// Text returns a text rule in force on day.
func (s *Service) Text(ctx context.Context, key, scope string, day time.Time) (string, Rule, error) {
	r, err := s.InForce(ctx, key, scope, day)
	return r.Value, r, err
}

// InjuryFloats returns the float factors allowed for a risk class on day,
// in millionths (×1.2 = 1200000), for money.Rate.Mul.
func (s *Service) InjuryFloats(ctx context.Context, class string, day time.Time) ([]int64, Rule, error) {
	v, r, err := s.Text(ctx, KeyInjuryFloat, class, day)
	if err != nil {
		return nil, r, err
	}
	var out []int64
	for _, f := range strings.Split(v, ",") {
		ppm, err := money.Percent(strings.TrimSpace(f))
		if err != nil {
			return nil, r, errs.Wrap(err, "injury float "+class)
		}
		out = append(out, int64(ppm)*100) // "1.2" read as a percent is 12000 ppm; ×100 = 1200000
	}
	return out, r, nil
}

// LimitInfo shows how the base limits of a month were computed.
type LimitInfo struct {
	Month    string // YYYY-MM
	Wage     Rule   // A
	FloorPct Rule
	CeilPct  Rule
	Rounding Rule
	Floor    money.Fen
	Ceiling  money.Fen
}

// Explain reads e.g. "A 7,646.00 元 × 60% = 4,587.60 → 4,588.00 元；× 300% = 22,938.00 元（按元取整）".
func (l LimitInfo) Explain() string {
	a, _ := strconv.ParseInt(l.Wage.Value, 10, 64)
	fp, _ := strconv.ParseInt(l.FloorPct.Value, 10, 64)
	cp, _ := strconv.ParseInt(l.CeilPct.Value, 10, 64)
	rawF, rawC := money.Fen(a).Apply(money.Rate(fp)), money.Fen(a).Apply(money.Rate(cp))
	return fmt.Sprintf("A %s 元（%s）× %s = %s → %s 元；× %s = %s → %s 元（%s）",
		money.Fen(a), l.Wage.LegalBasis, money.Rate(fp), rawF, l.Floor, money.Rate(cp), rawC, l.Ceiling, RoundingName(l.Rounding.Value))
}

// Limits returns the contribution base floor and ceiling for a fee month
// 'YYYY-MM': A × 60% and A × 300%, rounded half-up to whole yuan when the
// rounding rule says "yuan" (7,646 × 0.6 = 4,587.6 → 4,588). It returns
// Invalid for a bad month and NotFound when a rule is missing.
// The rule: docs/rules.md §2.1.
func (s *Service) Limits(ctx context.Context, month string) (floor, ceiling money.Fen, info LimitInfo, err error) {
	m, err := ParseMonth(month)
	if err != nil {
		return 0, 0, info, err
	}
	info.Month = month
	a, wage, err := s.Amount(ctx, KeyAvgWage, "", m)
	if err != nil {
		return 0, 0, info, err
	}
	fp, fr, err := s.Rate(ctx, KeyBaseFloorPct, "", m)
	if err != nil {
		return 0, 0, info, err
	}
	cp, cr, err := s.Rate(ctx, KeyBaseCeilingPct, "", m)
	if err != nil {
		return 0, 0, info, err
	}
	rounding, rr, err := s.Text(ctx, KeyBaseRounding, "", m)
	if err != nil {
		return 0, 0, info, err
	}
	floor, ceiling = a.Apply(fp), a.Apply(cp)
	if rounding == "yuan" {
		floor, ceiling = floor.RoundYuan(), ceiling.RoundYuan()
	}
	info.Wage, info.FloorPct, info.CeilPct, info.Rounding = wage, fr, cr, rr
	info.Floor, info.Ceiling = floor, ceiling
	return floor, ceiling, info, nil
}

// RulesInForce returns every rule in force on day, in key display order.
func (s *Service) RulesInForce(ctx context.Context, day time.Time) ([]Rule, error) {
	sn, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	d := dayKey(day)
	var out []Rule
	for _, rules := range sn.rules {
		for _, r := range rules {
			if r.Covers(d) {
				out = append(out, r)
			}
		}
	}
	sortRules(out)
	return out, nil
}

// keyOrder ranks keys in the order of Keys; unknown keys go last.
func keyOrder(key string) int {
	for i, k := range Keys {
		if k.Key == key {
			return i
		}
	}
	return len(Keys)
}

// sortRules orders by key display order, scope, then newest period first.
func sortRules(rs []Rule) {
	sort.Slice(rs, func(i, j int) bool {
		a, b := rs[i], rs[j]
		if ka, kb := keyOrder(a.Key), keyOrder(b.Key); ka != kb {
			return ka < kb
		}
		if a.Key != b.Key {
			return a.Key < b.Key
		}
		if a.Scope != b.Scope {
			return a.Scope < b.Scope
		}
		return a.From.After(b.From)
	})
}

package retirement

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/formula"
	"shebao/internal/money"
	"shebao/internal/pension"
	"shebao/internal/policy"
)

// Transitional window: actual contribution months 1992-10 … 1998-06 count
// for the transitional pension (docs/rules.md "Retirement: the determination").
var (
	transFrom = clock.Month{Year: 1992, Mon: 10}
	transTo   = clock.Month{Year: 1998, Mon: 6}
)

// Gap is a run of months without a paid pension contribution between the
// first and the last contribution month.
type Gap struct {
	From, To clock.Month
}

// Text shows the gap ("2010年3月至2010年5月，3 个月").
func (g Gap) Text() string {
	n := g.To.Sub(g.From) + 1
	if n == 1 {
		return fmt.Sprintf("%s，1 个月", g.From.Chinese())
	}
	return fmt.Sprintf("%s至%s，%d 个月", g.From.Chinese(), g.To.Chinese(), n)
}

// Record is what a person's pension contribution months add up to.
type Record struct {
	Months       int // distinct months with a paid pension contribution
	Unpaid       []clock.Month
	Gaps         []Gap
	First, Last  clock.Month
	Transitional int // paid months in 1992-10 … 1998-06
	bases        []monthBase
}

type monthBase struct {
	Month clock.Month
	Base  money.Fen
}

// GapText lists the gaps for a page or a message.
func (r Record) GapText() []string {
	out := make([]string, len(r.Gaps))
	for i, g := range r.Gaps {
		out[i] = g.Text()
	}
	return out
}

// personRecord reads the person's pension months (assessed and imported)
// from contribution.PersonMonths.
func personRecord(ctx context.Context, q db.Querier, personID int64) (Record, error) {
	ms, err := contribution.PersonMonths(ctx, q, personID)
	if err != nil {
		return Record{}, err
	}
	return summarise(ms), nil
}

// summarise counts paid pension months, lists unpaid ones and the gaps.
func summarise(ms []contribution.PersonMonth) Record {
	var r Record
	seen := map[int]bool{}
	for _, m := range ms {
		if m.Scheme != contribution.Pension {
			continue
		}
		mo, err := clock.ParseMonth(m.Month)
		if err != nil || seen[mo.Index()] {
			continue
		}
		if !m.Paid {
			r.Unpaid = append(r.Unpaid, mo)
			continue
		}
		seen[mo.Index()] = true
		r.bases = append(r.bases, monthBase{mo, m.Base})
		if !transTo.Before(mo) && !mo.Before(transFrom) {
			r.Transitional++
		}
	}
	r.Months = len(r.bases)
	if r.Months == 0 {
		return r
	}
	r.First, r.Last = r.bases[0].Month, r.bases[len(r.bases)-1].Month
	for i := 1; i < len(r.bases); i++ {
		prev, cur := r.bases[i-1].Month, r.bases[i].Month
		if cur.Sub(prev) > 1 {
			r.Gaps = append(r.Gaps, Gap{From: prev.Add(1), To: cur.Add(-1)})
		}
	}
	return r
}

// Index is the average contribution index Z with how it was reached.
type Index struct {
	Z       formula.PPM
	Periods []IndexPeriod
}

// IndexPeriod is one average-wage period of the index: the months paid in
// it, their mean base, the average wage and the clamped mean index.
type IndexPeriod struct {
	From, To clock.Month
	Months   int
	Wage     money.Fen
	Basis    string
	SumBase  money.Fen
	Index    *big.Rat // sum of clamped indices of the period's months
}

// IndexText shows the period's mean index.
func (p IndexPeriod) IndexText() string {
	return formula.Decimal(new(big.Rat).Quo(p.Index, big.NewRat(int64(p.Months), 1)), 4, 4)
}

// averageIndex computes Z: each paid month's base over the average wage in
// force in that month, clamped to [0.6, 3], averaged over the months and
// rounded half-up to 4 decimals. A month without an average wage rule is
// an Invalid error naming the year to add under 政策参数.
func averageIndex(ctx context.Context, pol *policy.Service, r Record) (Index, error) {
	if len(r.bases) == 0 {
		return Index{}, errs.New(errs.Invalid, "no_contributions", "该人员没有已缴费的养老保险月份，无法计算平均缴费指数")
	}
	var out Index
	sum := new(big.Rat)
	lo, hi := big.NewRat(int64(pension.ZMin), 1_000_000), big.NewRat(int64(pension.ZMax), 1_000_000)
	var cur *IndexPeriod
	for _, b := range r.bases {
		day := b.Month.First()
		if cur == nil || cur.To.Before(b.Month) || b.Month.Before(cur.From) {
			p, err := wagePeriod(ctx, pol, day)
			if err != nil {
				return Index{}, err
			}
			out.Periods = append(out.Periods, p)
			cur = &out.Periods[len(out.Periods)-1]
		}
		idx := new(big.Rat).SetFrac64(int64(b.Base), int64(cur.Wage))
		if idx.Cmp(lo) < 0 {
			idx = lo
		} else if idx.Cmp(hi) > 0 {
			idx = hi
		}
		cur.Months++
		cur.SumBase += b.Base
		cur.Index.Add(cur.Index, idx)
		sum.Add(sum, idx)
	}
	mean := sum.Quo(sum, big.NewRat(int64(len(r.bases)), 1))
	out.Z = formula.PPM(formula.FenOf(new(big.Rat).Mul(mean, big.NewRat(10_000, 1)))) * 100
	return out, nil
}

// wagePeriod returns the average wage in force on day and the months it
// covers (clipped to what the rule says).
func wagePeriod(ctx context.Context, pol *policy.Service, day time.Time) (IndexPeriod, error) {
	wage, rule, err := pol.Amount(ctx, policy.KeyAvgWage, "", day)
	if err != nil {
		if errs.KindOf(err) == errs.NotFound {
			return IndexPeriod{}, errs.New(errs.Invalid, "avg_wage_missing", fmt.Sprintf(
				"缺少 %s 适用的全省职工月平均工资，请在“政策参数”中补充该年度的社平工资后再核定", clock.MonthOf(day).Chinese()))
		}
		return IndexPeriod{}, err
	}
	p := IndexPeriod{From: clock.MonthOf(rule.From), To: clock.Month{Year: 9999, Mon: 12}, Wage: wage, Basis: rule.Explain(), Index: new(big.Rat)}
	if rule.To != nil {
		p.To = clock.MonthOf(*rule.To)
	}
	return p, nil
}

// Package transfer holds the rules of moving a pension record between
// regions (转移接续): the pooled-fund amount that moves with the person
// (docs/rules.md §27). Pure functions; the case handling
// of transfers builds on them.
package transfer

import (
	"fmt"

	"shebao/internal/errs"
	"shebao/internal/formula"
	"shebao/internal/money"
)

// BasisPooled cites the pooled-fund transfer rule.
const BasisPooled = "国办发〔2009〕66号 第五条：统筹基金按 1998 年 1 月 1 日后各年度实际缴费工资的 12% 转移，不计利息"

// PooledShare is the share of the contribution wage that moves (12%).
var PooledShare = money.MustPercent("12")

// YearWage is the actual contribution wage of one year since 1998 (a part
// year counts the months actually paid).
type YearWage struct {
	Year  int // 0 when unknown (the calculator takes a plain list)
	Wages money.Fen
}

// Pooled is the pooled-fund amount of a transfer.
type Pooled struct {
	Years  []YearWage
	Shares []money.Fen // 12% of each year, half-up to the fen
	Total  money.Fen
}

// PooledFund computes 12% of each year's actual contribution wage, each
// half-up to the fen, and their sum. At most 100 years; no negative wage.
func PooledFund(years []YearWage) (Pooled, error) {
	var f errs.Fields
	if len(years) == 0 || len(years) > 100 {
		f.Add("wages_fen", "请按年度填写 1998 年以来的实际缴费工资（1 至 100 个年度）")
	}
	for i, y := range years {
		if y.Wages < 0 || y.Wages > 10_000_000_000 {
			f.Add(fmt.Sprintf("wages_fen[%d]", i), "年度缴费工资不能为负数，且不超过 1 亿元")
		}
		if y.Year != 0 && y.Year < 1998 {
			f.Add(fmt.Sprintf("wages_fen[%d]", i), "只计算 1998 年 1 月 1 日以后的年度")
		}
	}
	if err := f.Err(); err != nil {
		return Pooled{}, err
	}
	p := Pooled{Years: years}
	for _, y := range years {
		s := y.Wages.Apply(PooledShare)
		p.Shares = append(p.Shares, s)
		p.Total += s
	}
	return p, nil
}

// Explain returns the steps that produced p.
func (p Pooled) Explain() formula.Trace {
	var t formula.Trace
	t.Param(formula.Param{Key: "pooled_share", Name: "统筹基金转移比例", Value: PooledShare.String(), Basis: BasisPooled})
	var sum money.Fen
	for i, y := range p.Years {
		name := fmt.Sprintf("第 %d 个年度", i+1)
		if y.Year != 0 {
			name = fmt.Sprintf("%d 年", y.Year)
		}
		t.Step(BasisPooled, "%s：实际缴费工资 %s × 12%% = %s", name, y.Wages, formula.Yuan(p.Shares[i]))
		sum += y.Wages
	}
	t.Step(BasisPooled, "合计：缴费工资 %s，统筹基金转移额 %s（不计利息）", formula.Yuan(sum), formula.Yuan(p.Total))
	return t
}

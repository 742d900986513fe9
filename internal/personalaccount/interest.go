// Package personalaccount keeps the personal pension accounts (个人账户):
// the year-end interest by the annual method and the closing balance
// (docs/rules.md §24, pure functions taking the year's rate with its
// basis), and the ledger of every person's account (account_entries:
// credits posted when a bill is paid, opening balances imported,
// corrections, the year-end interest runs; docs/rules.md "Personal
// account ledger").
package personalaccount

import (
	"shebao/internal/errs"
	"shebao/internal/formula"
	"shebao/internal/money"
)

// BasisInterest cites the interest rule.
const BasisInterest = "社会保险法第十四条；人社部发〔2017〕31号（个人账户记账利率）；年度计息法：当年记账额按 1.083 ÷ 2 计息"

// InterestInput is one account's year: the opening balance, the year's
// credits and the account interest rate of the year.
type InterestInput struct {
	Opening   money.Fen
	Credits   money.Fen
	Rate      money.Rate // e.g. 3.97%
	RateBasis string
	Year      int // the year the rate is for (0 when the rate was given)
}

// Interest is the year-end interest of one account.
type Interest struct {
	In        InterestInput
	OnOpening money.Fen // opening × r
	OnCredits money.Fen // credits × r × 1.083 ÷ 2
	Interest  money.Fen
	Closing   money.Fen
}

// YearInterest computes interest = opening × r + credits × r × 1.083 ÷ 2,
// each part half-up to the fen, and closing = opening + credits +
// interest. Negative amounts or a rate outside 0–20% are Invalid.
func YearInterest(in InterestInput) (Interest, error) {
	var f errs.Fields
	if in.Opening < 0 || in.Opening > 100_000_000_000 {
		f.Add("opening_fen", "年初余额不能为负数，且不超过 10 亿元")
	}
	if in.Credits < 0 || in.Credits > 10_000_000_000 {
		f.Add("credits_fen", "当年记账额不能为负数，且不超过 1 亿元")
	}
	if in.Rate < 0 || in.Rate > 200_000 {
		f.Add("rate", "记账利率应在 0 至 20% 之间")
	}
	if err := f.Err(); err != nil {
		return Interest{}, err
	}
	i := Interest{In: in}
	i.OnOpening = in.Opening.Apply(in.Rate)
	// credits × r × 1.083 ÷ 2, with r in millionths.
	i.OnCredits = formula.Mul(in.Credits, formula.Ratio(int64(in.Rate)*1083, 2_000_000_000))
	i.Interest = i.OnOpening + i.OnCredits
	i.Closing = in.Opening + in.Credits + i.Interest
	return i, nil
}

// Explain returns the steps and parameters that produced i.
func (i Interest) Explain() formula.Trace {
	var t formula.Trace
	in := i.In
	t.Param(formula.Param{Key: "rate", Name: "个人账户记账利率", Value: in.Rate.String(), Basis: in.RateBasis})
	t.Step(BasisInterest, "年初余额计息 = %s × %s = %s", in.Opening, in.Rate, formula.Yuan(i.OnOpening))
	t.Step(BasisInterest, "当年记账额计息 = %s × %s × 1.083 ÷ 2 = %s", in.Credits, in.Rate, formula.Yuan(i.OnCredits))
	t.Step(BasisInterest, "当年利息 = %s + %s = %s", i.OnOpening, i.OnCredits, formula.Yuan(i.Interest))
	t.Step(BasisInterest, "年末余额 = 年初余额 %s + 当年记账额 %s + 利息 %s = %s", in.Opening, in.Credits, i.Interest, formula.Yuan(i.Closing))
	return t
}

package payroll

import (
	"fmt"
	"sort"
	"strings"

	"shebao/internal/clock"
	"shebao/internal/money"
)

// Version is the determined monthly amount from a month on.
type Version struct {
	No      int64
	From    clock.Month
	Monthly money.Fen
}

// Adjustment is a general adjustment (调待): from Effective, pensioners
// whose first month is before RetiredBefore get Rate of their amount plus
// Fixed a month. See docs/rules.md "Monthly pension payroll".
type Adjustment struct {
	ID            int64       `json:"id"`
	Effective     clock.Month `json:"-"`
	RetiredBefore clock.Month `json:"-"`
	Rate          money.Rate  `json:"rate_ppm"`
	Fixed         money.Fen   `json:"fixed_fen"`
	Basis         string      `json:"basis"`
}

// EffectiveText is the effective month in Chinese.
func (a *Adjustment) EffectiveText() string { return a.Effective.Chinese() }

// RetiredBeforeText is the cut-off month in Chinese.
func (a *Adjustment) RetiredBeforeText() string { return a.RetiredBefore.Chinese() }

// Owed is what a pensioner is owed for one month, and how.
type Owed struct {
	Month  clock.Month
	Amount money.Fen
	Note   string // 核定金额 + 调待…, in Chinese
}

// pensionState is what Due needs of a pensioner.
type pensionState struct {
	First    clock.Month
	Last     clock.Month // zero while in pay; the last month paid when stopped
	Versions []Version   // ascending by From
}

// Due computes the pension owed for month m: nothing before the first
// month or after the last; else the amount of the newest version whose
// first month is not after m
// plus each adjustment in force for which the pensioner qualifies, in the
// order of their effective months, each on the amount before it, rounded
// half-up to the fen.
func Due(p pensionState, adjs []Adjustment, m clock.Month) Owed {
	o := Owed{Month: m}
	if m.Before(p.First) || (!p.Last.IsZero() && p.Last.Before(m)) {
		return o
	}
	var base money.Fen
	var no int64
	for _, v := range p.Versions {
		if !m.Before(v.From) && v.No >= no {
			base, no = v.Monthly, v.No
		}
	}
	if base == 0 {
		return o
	}
	amt := base
	var parts []string
	for _, a := range adjs {
		if m.Before(a.Effective) || !p.First.Before(a.RetiredBefore) {
			continue
		}
		inc := amt.Apply(a.Rate) + a.Fixed
		amt += inc
		parts = append(parts, fmt.Sprintf("%s调整增加%s元", a.Effective.Chinese(), inc))
	}
	o.Amount = amt
	o.Note = "核定" + base.String() + "元"
	if len(parts) > 0 {
		o.Note += "，" + strings.Join(parts, "，")
	}
	return o
}

// sortAdjustments orders adjustments by effective month.
func sortAdjustments(a []Adjustment) {
	sort.Slice(a, func(i, j int) bool { return a[i].Effective.Before(a[j].Effective) })
}

func moneyRate(v int64) money.Rate { return money.Rate(v) }
func moneyFen(v int64) money.Fen   { return money.Fen(v) }

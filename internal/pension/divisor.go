package pension

import (
	"fmt"
	"math/big"

	"shebao/internal/errs"
	"shebao/internal/formula"
)

// BasisDivisor cites the months divisor table.
const BasisDivisor = "国发〔2005〕38号 附件《个人账户养老金计发月数表》；延迟退休后按月份插值（人社部 2024 年实施办法）"

// divisorTable is the months divisor by age at retirement, 40 to 70.
var divisorTable = [...]int64{
	233, 230, 226, 223, 220, 216, 212, 207, 204, 199, // 40–49
	195, 190, 185, 180, 175, 170, 164, 158, 152, 145, // 50–59
	139, 132, 125, 117, 109, 101, 93, 84, 75, 65, // 60–69
	56, // 70
}

const (
	divisorMinAge = 40
	divisorMaxAge = 70
)

// Divisor is the months divisor for a retirement at years and months of
// age, in tenths: M(y) − (M(y) − M(y+1)) × months ÷ 12, rounded half-up to
// 0.1. It returns an Invalid error outside ages 40 to 70.
func Divisor(years, months int) (tenths int64, err error) {
	if months < 0 || months > 11 || years < divisorMinAge || years > divisorMaxAge || (years == divisorMaxAge && months > 0) {
		return 0, errs.New(errs.Invalid, "divisor_age", fmt.Sprintf("计发月数表只适用于 %d 至 %d 周岁退休", divisorMinAge, divisorMaxAge))
	}
	m := divisorTable[years-divisorMinAge]
	if months == 0 {
		return m * 10, nil
	}
	next := divisorTable[years-divisorMinAge+1]
	return formula.DivRound(m*120-(m-next)*int64(months)*10, 12), nil
}

// divisorStep explains Divisor(years, months) = tenths.
func divisorStep(years, months int, tenths int64) formula.Step {
	m := divisorTable[years-divisorMinAge]
	if months == 0 {
		return formula.Step{Text: fmt.Sprintf("%d 周岁退休，计发月数 %d", years, m), Basis: BasisDivisor}
	}
	next := divisorTable[years-divisorMinAge+1]
	exact := new(big.Rat).Sub(big.NewRat(m, 1), big.NewRat((m-next)*int64(months), 12))
	return formula.Step{Basis: BasisDivisor, Text: fmt.Sprintf("%d 岁 %d 个月退休：计发月数 = %d − (%d − %d) × %d ÷ 12 = %s，保留一位小数为 %s",
		years, months, m, m, next, months, formula.Decimal(exact, 1, 4), tenthsText(tenths))}
}

func tenthsText(t int64) string { return formula.Decimal(big.NewRat(t, 10), 0, 1) }

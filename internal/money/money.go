// Package money holds exact amounts and rates: amounts are int64 fen (分),
// rates are int64 millionths (ppm), and every product is rounded half-up to
// the fen once, per line. No float64 anywhere.
package money

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"shebao/internal/errs"
)

// Fen is an amount of money in fen (0.01 yuan).
type Fen int64

// Yuan returns whole yuan as Fen.
func Yuan(y int64) Fen { return Fen(y * 100) }

// Rate is an exact rate in millionths: 16% = 160000, 0.05% = 500.
type Rate int64

// Percent builds a Rate from a percent string such as "16", "0.24" or
// "0.05"; at most four decimals (a millionth).
func Percent(s string) (Rate, error) {
	v, err := parseScaled(strings.TrimSuffix(strings.TrimSpace(s), "%"), 4)
	if err != nil {
		return 0, errs.New(errs.Invalid, "bad_rate", "费率格式不正确："+s+"（最多四位小数的百分数，如 16 或 0.24）")
	}
	return Rate(v), nil
}

// MustPercent is Percent for constants in tests and seed data.
func MustPercent(s string) Rate {
	r, err := Percent(s)
	if err != nil {
		panic(err)
	}
	return r
}

// String formats a rate as a percent, e.g. "0.24%".
func (r Rate) String() string { return formatScaled(int64(r), 4) + "%" }

// Mul returns r × k as a rate, for a float factor given in millionths
// (×1.2 = 1200000); the result is rounded half-up to a millionth.
func (r Rate) Mul(factorPPM int64) Rate {
	return Rate(divRound(big.NewInt(0).Mul(big.NewInt(int64(r)), big.NewInt(factorPPM)), 1_000_000))
}

// Apply returns amount × rate rounded half-up to the fen.
func (f Fen) Apply(r Rate) Fen {
	return Fen(divRound(big.NewInt(0).Mul(big.NewInt(int64(f)), big.NewInt(int64(r))), 1_000_000))
}

// ApplyDays returns amount × rate × days rounded half-up to the fen
// (simple interest, e.g. the late fee).
func (f Fen) ApplyDays(r Rate, days int64) Fen {
	p := big.NewInt(0).Mul(big.NewInt(int64(f)), big.NewInt(int64(r)))
	p.Mul(p, big.NewInt(days))
	return Fen(divRound(p, 1_000_000))
}

// MulFrac returns amount × num / den rounded half-up to the fen.
func (f Fen) MulFrac(num, den int64) Fen {
	if den == 0 {
		panic("money: zero denominator")
	}
	p := big.NewInt(0).Mul(big.NewInt(int64(f)), big.NewInt(num))
	if den < 0 {
		p.Neg(p)
		den = -den
	}
	return Fen(divRound(p, den))
}

// RoundYuan rounds half-up to whole yuan.
func (f Fen) RoundYuan() Fen { return Fen(divRound(big.NewInt(int64(f)), 100) * 100) }

// Clamp limits f to [lo, hi].
func (f Fen) Clamp(lo, hi Fen) Fen {
	if f < lo {
		return lo
	}
	if f > hi {
		return hi
	}
	return f
}

// String formats as yuan with two decimals and thousands separators:
// 197536 -> "1,975.36".
func (f Fen) String() string {
	neg := f < 0
	v := int64(f)
	if neg {
		v = -v
	}
	whole := strconv.FormatInt(v/100, 10)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	fmt.Fprintf(&b, ".%02d", v%100)
	return b.String()
}

// Plain formats as yuan with two decimals and no separators: "1975.36".
func (f Fen) Plain() string { return formatScaled(int64(f), 2) }

// ParseYuan parses an amount in yuan ("1975.36", "1,975.36", "¥12") into
// Fen. More than two decimals is an error, never silently rounded.
func ParseYuan(s string) (Fen, error) {
	t := strings.TrimSpace(s)
	t = strings.TrimPrefix(strings.TrimPrefix(t, "¥"), "￥")
	t = strings.ReplaceAll(t, ",", "")
	v, err := parseScaled(t, 2)
	if err != nil {
		return 0, errs.New(errs.Invalid, "bad_amount", fmt.Sprintf("金额“%s”格式不正确：应为元，最多两位小数", s))
	}
	return Fen(v), nil
}

// parseScaled parses a decimal string into an integer scaled by 10^scale,
// refusing more decimals than scale.
func parseScaled(s string, scale int) (int64, error) {
	if s == "" {
		return 0, fmt.Errorf("empty")
	}
	neg := false
	if s[0] == '-' || s[0] == '+' {
		neg = s[0] == '-'
		s = s[1:]
	}
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" && (!hasDot || frac == "") {
		return 0, fmt.Errorf("no digits")
	}
	if len(frac) > scale || (hasDot && frac == "") {
		return 0, fmt.Errorf("too many decimals")
	}
	for _, c := range intPart + frac {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("not a number")
		}
	}
	if len(intPart) > 13 {
		return 0, fmt.Errorf("too large")
	}
	frac += strings.Repeat("0", scale-len(frac))
	v, err := strconv.ParseInt(intPart+frac, 10, 64)
	if intPart == "" {
		v, err = strconv.ParseInt(frac, 10, 64)
	}
	if err != nil {
		return 0, err
	}
	if neg {
		v = -v
	}
	return v, nil
}

func formatScaled(v int64, scale int) string {
	neg := v < 0
	if neg {
		v = -v
	}
	p := int64(1)
	for i := 0; i < scale; i++ {
		p *= 10
	}
	s := strconv.FormatInt(v/p, 10)
	if frac := v % p; frac != 0 || scale == 2 {
		fs := fmt.Sprintf("%0*d", scale, frac)
		if scale != 2 {
			fs = strings.TrimRight(fs, "0")
		}
		s += "." + fs
	}
	if neg {
		s = "-" + s
	}
	return s
}

// divRound divides n by d (d > 0) rounding half away from zero.
func divRound(n *big.Int, d int64) int64 {
	q, r := big.NewInt(0).QuoRem(n, big.NewInt(d), big.NewInt(0))
	r2 := big.NewInt(0).Abs(r)
	r2.Mul(r2, big.NewInt(2))
	if r2.Cmp(big.NewInt(d)) >= 0 {
		if n.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q.Int64()
}

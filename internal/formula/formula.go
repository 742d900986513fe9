// Package formula holds what every benefit formula shares: exact decimal
// ratios, half-up rounding to the fen, and the trace of steps and
// parameters that lets an amount explain itself (docs/rules.md
// §20). The formulas themselves live in the domain packages that own
// them (pension, injury, transfer, …).
package formula

import (
	"fmt"
	"math/big"
	"strings"

	"shebao/internal/money"
)

// Step is one line of an explanation: what was computed, in Chinese, and
// the legal basis it rests on.
type Step struct {
	Text  string `json:"text"`
	Basis string `json:"basis,omitempty"`
}

// Param is one parameter a computation used, with where it came from.
type Param struct {
	Key   string `json:"key"`
	Name  string `json:"name"`
	Value string `json:"value"`
	Basis string `json:"basis,omitempty"`
	// Given is true when the caller supplied the value instead of the rule
	// in force.
	Given bool `json:"given"`
}

// Trace collects the steps and parameters of one computation.
type Trace struct {
	Steps  []Step  `json:"steps"`
	Params []Param `json:"params"`
}

// Step appends a step with its basis.
func (t *Trace) Step(basis, format string, args ...any) {
	t.Steps = append(t.Steps, Step{Text: fmt.Sprintf(format, args...), Basis: basis})
}

// Param records a parameter.
func (t *Trace) Param(p Param) { t.Params = append(t.Params, p) }

// Append adds the steps and parameters of another trace.
func (t *Trace) Append(o Trace) {
	t.Steps = append(t.Steps, o.Steps...)
	t.Params = append(t.Params, o.Params...)
}

// ParseRatio parses a non-negative decimal string with at most maxDec
// decimals ("0.8", "1.2345") into an exact ratio.
func ParseRatio(s string, maxDec int) (*big.Rat, error) {
	s = strings.TrimSpace(s)
	whole, frac, dot := strings.Cut(s, ".")
	if whole == "" || (dot && frac == "") || len(frac) > maxDec || len(whole) > 9 {
		return nil, fmt.Errorf("bad decimal %q", s)
	}
	for _, c := range whole + frac {
		if c < '0' || c > '9' {
			return nil, fmt.Errorf("bad decimal %q", s)
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return nil, fmt.Errorf("bad decimal %q", s)
	}
	return r, nil
}

// Ratio returns num/den exactly.
func Ratio(num, den int64) *big.Rat { return big.NewRat(num, den) }

// FenOf rounds an exact amount in fen half-up (half away from zero) to
// the fen.
func FenOf(r *big.Rat) money.Fen {
	return money.Fen(roundHalfUp(r, 1))
}

// Times returns f × r exactly (in fen).
func Times(f money.Fen, r *big.Rat) *big.Rat {
	return new(big.Rat).Mul(new(big.Rat).SetInt64(int64(f)), r)
}

// Mul rounds f × r half-up to the fen.
func Mul(f money.Fen, r *big.Rat) money.Fen { return FenOf(Times(f, r)) }

// MulFrac rounds f × num / den half-up to the fen.
func MulFrac(f money.Fen, num, den int64) money.Fen { return Mul(f, big.NewRat(num, den)) }

// RateRatio turns a money.Rate (millionths of a percent unit as stored:
// 1% = 10,000) into an exact ratio (0.01).
func RateRatio(r money.Rate) *big.Rat { return big.NewRat(int64(r), 1_000_000) }

// Decimal formats r rounded half-up to dec decimals, without trailing
// zeros beyond minDec ("22.75", "9", "136.7").
func Decimal(r *big.Rat, minDec, dec int) string {
	scale := int64(1)
	for range dec {
		scale *= 10
	}
	v := roundHalfUp(r, scale)
	neg := v < 0
	if neg {
		v = -v
	}
	s := fmt.Sprintf("%d", v/scale)
	if dec > 0 {
		frac := fmt.Sprintf("%0*d", dec, v%scale)
		for len(frac) > minDec && strings.HasSuffix(frac, "0") {
			frac = frac[:len(frac)-1]
		}
		if frac != "" {
			s += "." + frac
		}
	}
	if neg {
		s = "-" + s
	}
	return s
}

// roundHalfUp returns r × scale rounded half away from zero to an integer.
func roundHalfUp(r *big.Rat, scale int64) int64 {
	n := new(big.Int).Mul(r.Num(), big.NewInt(scale))
	d := r.Denom()
	neg := n.Sign() < 0
	n.Abs(n)
	q, m := new(big.Int).QuoRem(n, d, new(big.Int))
	if m.Mul(m, big.NewInt(2)).Cmp(d) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	if neg {
		q.Neg(q)
	}
	return q.Int64()
}

// Yuan shows an amount in fen as "1,234.56 元".
func Yuan(f money.Fen) string { return f.String() + " 元" }

// DivRound returns num ÷ den rounded half away from zero. den must be
// positive; callers keep num within int64 (amounts in fen times small
// factors).
func DivRound(num, den int64) int64 {
	if num < 0 {
		return -((-num + den/2) / den)
	}
	return (num + den/2) / den
}

// PPM is an exact ratio in millionths (0.8 = 800,000), for indices,
// factors and divisors given as decimal strings.
type PPM int64

// ParsePPM parses a non-negative decimal string with at most maxDec (≤ 6)
// decimals.
func ParsePPM(s string, maxDec int) (PPM, error) {
	r, err := ParseRatio(s, min(maxDec, 6))
	if err != nil {
		return 0, err
	}
	v := new(big.Rat).Mul(r, big.NewRat(1_000_000, 1))
	if !v.IsInt() || !v.Num().IsInt64() {
		return 0, fmt.Errorf("bad decimal %q", s)
	}
	return PPM(v.Num().Int64()), nil
}

// Text shows p with at least minDec and at most 6 decimals ("0.8", "1.2345").
func (p PPM) Text(minDec int) string { return Decimal(big.NewRat(int64(p), 1_000_000), minDec, 6) }

// Of rounds f × p half-up to the fen.
func (p PPM) Of(f money.Fen) money.Fen { return money.Fen(DivRound(int64(f)*int64(p), 1_000_000)) }

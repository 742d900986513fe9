package transfer

import (
	"testing"

	"shebao/internal/errs"
	"shebao/internal/money"
)

// The worked example: 36,000 + 40,000 + 44,000 + 48,000 + 26,000 → 23,280.00.
func TestPooledFundWorkedExample(t *testing.T) {
	var ys []YearWage
	for _, y := range []int64{36000, 40000, 44000, 48000, 26000} {
		ys = append(ys, YearWage{Wages: money.Yuan(y)})
	}
	p, err := PooledFund(ys)
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 2328000 || len(p.Explain().Steps) != 6 {
		t.Fatalf("total %d", p.Total)
	}
}

// Each year is rounded on its own: 0.05 × 12% = 0.006 → 0.01 per year.
func TestPooledFundRoundsPerYear(t *testing.T) {
	p, _ := PooledFund([]YearWage{{Wages: 5}, {Wages: 5}, {Wages: 5}})
	if p.Total != 3 {
		t.Fatalf("total %d, want 3 fen", p.Total)
	}
}

func TestPooledFundRejects(t *testing.T) {
	for _, ys := range [][]YearWage{nil, {{Wages: -1}}, {{Year: 1997, Wages: 1}}} {
		if _, err := PooledFund(ys); errs.KindOf(err) != errs.Invalid {
			t.Errorf("%v accepted", ys)
		}
	}
}

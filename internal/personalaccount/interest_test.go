package personalaccount

import (
	"testing"

	"shebao/internal/errs"
	"shebao/internal/money"
)

// The worked example: 50,000.00 opening, 7,680.00 credits, 3.97%.
func TestYearInterestWorkedExample(t *testing.T) {
	i, err := YearInterest(InterestInput{Opening: money.Yuan(50000), Credits: money.Yuan(7680), Rate: money.MustPercent("3.97")})
	if err != nil {
		t.Fatal(err)
	}
	if i.OnOpening != 198500 || i.OnCredits != 16510 || i.Interest != 215010 || i.Closing != 5983010 {
		t.Fatalf("got %+v", i)
	}
	if len(i.Explain().Steps) != 4 {
		t.Fatal("steps missing")
	}
}

// Half-up on each part, with amounts that do not divide evenly.
func TestYearInterestRounding(t *testing.T) {
	// 12,345.67 × 2.62% = 323.4565… → 323.46; 1,234.57 × 2.62% × 0.5415 = 17.515… → 17.52
	i, _ := YearInterest(InterestInput{Opening: 1234567, Credits: 123457, Rate: money.MustPercent("2.62")})
	if i.OnOpening != 32346 || i.OnCredits != 1752 {
		t.Fatalf("got %d %d", i.OnOpening, i.OnCredits)
	}
	// a rate with four decimals exercises the exact path
	j, _ := YearInterest(InterestInput{Opening: 0, Credits: 100001, Rate: money.MustPercent("1.2345")})
	// 1,000.01 × 1.2345% × 0.5415 = 6.684816… → 6.68
	if j.OnCredits != 668 {
		t.Fatalf("got %d", j.OnCredits)
	}
}

func TestYearInterestRejectsNegative(t *testing.T) {
	_, err := YearInterest(InterestInput{Opening: -1, Credits: -1, Rate: money.MustPercent("3")})
	if e := errs.As(err); e == nil || len(e.Fields) != 2 {
		t.Fatalf("got %v", err)
	}
}

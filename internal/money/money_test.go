package money

import "testing"

// docs/rules.md §3.4: the three employees X, Y, Z.
func TestWorkedExampleContributions(t *testing.T) {
	lo, hi := Yuan(4800), Yuan(24000)
	injury := MustPercent("0.2").Mul(1_200_000) // class 1 × 1.2
	if injury != MustPercent("0.24") {
		t.Fatalf("injury rate %v", injury)
	}
	cases := []struct {
		name                         string
		wage                         Fen
		base, p8, p16, u05, injuryFe Fen
	}{
		{"X", Yuan(3900), Yuan(4800), 38400, 76800, 2400, 1152},
		{"Y", 1234567, Yuan(12346), 98768, 197536, 6173, 2963},
		{"Z", Yuan(30000), Yuan(24000), 192000, 384000, 12000, 5760},
	}
	var employerBase, employerPension Fen
	for _, c := range cases {
		base := c.wage.RoundYuan().Clamp(lo, hi)
		got := []Fen{base, base.Apply(MustPercent("8")), base.Apply(MustPercent("16")), base.Apply(MustPercent("0.5")), base.Apply(injury)}
		want := []Fen{c.base, c.p8, c.p16, c.u05, c.injuryFe}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s column %d: got %s want %s", c.name, i, got[i], want[i])
			}
		}
		employerBase += base
		employerPension += got[2]
	}
	if employerBase != Yuan(41146) || employerPension != 658336 {
		t.Fatalf("employer base %s pension %s", employerBase, employerPension)
	}
	flex := Yuan(4800).Apply(MustPercent("20"))
	if flex != 96000 || Yuan(4800).Apply(MustPercent("8")) != 38400 {
		t.Fatalf("flexible worker %s", flex)
	}
}

// docs/rules.md §5.1: 6,583.36 overdue 45 days at 0.05% a day = 148.13.
func TestLateFeeExample(t *testing.T) {
	if got := Fen(658336).ApplyDays(MustPercent("0.05"), 45); got != 14813 {
		t.Fatalf("late fee %s", got)
	}
}

func TestHalfUp(t *testing.T) {
	// 12,346 × 0.5% = 61.73; 5 × 10% = 0.5 fen -> 1 fen; negative rounds away from zero.
	if Fen(1).Apply(MustPercent("50")) != 1 || Fen(-1).Apply(MustPercent("50")) != -1 || Fen(1).Apply(MustPercent("49.9999")) != 0 {
		t.Fatal("half-up rounding wrong")
	}
	if Fen(14999).RoundYuan() != 15000 || Fen(14949).RoundYuan() != 14900 {
		t.Fatal("RoundYuan")
	}
}

func TestParseAndFormat(t *testing.T) {
	good := map[string]Fen{"1975.36": 197536, "1,975.36": 197536, "¥12": 1200, "0.5": 50, "-3.10": -310, ".75": 75}
	for s, want := range good {
		got, err := ParseYuan(s)
		if err != nil || got != want {
			t.Errorf("ParseYuan(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for _, s := range []string{"", "1.234", "abc", "1.2.3", "12e3", "1.", "99999999999999"} {
		if _, err := ParseYuan(s); err == nil {
			t.Errorf("ParseYuan(%q) accepted", s)
		}
	}
	if s := Fen(123456789).String(); s != "1,234,567.89" {
		t.Errorf("String %s", s)
	}
	if s := Fen(-5).String(); s != "-0.05" {
		t.Errorf("String %s", s)
	}
	if s := MustPercent("0.24").String(); s != "0.24%" {
		t.Errorf("rate %s", s)
	}
	if MustPercent("16") != 160000 || MustPercent("0.05") != 500 {
		t.Error("Percent scale")
	}
	if _, err := Percent("0.00001"); err == nil {
		t.Error("5 decimals accepted")
	}
}

func TestMulFrac(t *testing.T) {
	// a fractional multiple: 19.25 × 2,818.50 = 54,256.125 -> 54,256.13
	if got := Fen(281850).MulFrac(1925, 100); got != 5425613 {
		t.Fatalf("relief %s", got)
	}
}

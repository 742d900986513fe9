package pension

import (
	"errors"
	"testing"
	"time"

	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/formula"
	"shebao/internal/money"
)

func month(t *testing.T, s string) clock.Month {
	t.Helper()
	m, err := clock.ParseMonth(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// The test vectors of the 2025 reform (docs/rules.md §21).
func TestRetirementAgeVectors(t *testing.T) {
	for _, c := range []struct {
		cat    Category
		birth  string
		delay  int
		retire string
	}{
		{Male, "1965-01", 1, "2025-02"},
		{Male, "1965-05", 2, ""},
		{Male, "1966-03", 4, "2026-07"},
		{Male, "1976-08", 35, ""},
		{Male, "1976-09", 36, ""},
		{Male, "1964-12", 0, "2024-12"},
		{FemaleCadre, "1971-04", 4, "2026-08"},
		{FemaleCadre, "1981-09", 36, ""},
		{FemaleWorker, "1975-01", 1, ""},
		{FemaleWorker, "1984-10", 59, ""},
		{FemaleWorker, "1984-11", 60, ""},
		{FemaleWorker, "1990-11", 60, "2045-11"},
	} {
		r, err := RetirementOf(c.cat, month(t, c.birth))
		if err != nil {
			t.Fatal(err)
		}
		if r.DelayMonths != c.delay {
			t.Errorf("%s %s: delay %d, want %d", c.cat, c.birth, r.DelayMonths, c.delay)
		}
		if c.retire != "" && r.Retire.String() != c.retire {
			t.Errorf("%s %s: retire %s, want %s", c.cat, c.birth, r.Retire, c.retire)
		}
		if got := r.Retire.Sub(r.Birth); got != r.AgeYears*12+r.AgeMonths {
			t.Errorf("%s %s: age %dy%dm does not match %d months", c.cat, c.birth, r.AgeYears, r.AgeMonths, got)
		}
		if len(r.Explain().Steps) == 0 {
			t.Errorf("%s %s: no steps", c.cat, c.birth)
		}
	}
}

func TestRetirementAgeMale1966(t *testing.T) {
	r, _ := RetirementOf(Male, month(t, "1966-03"))
	if r.AgeYears != 60 || r.AgeMonths != 4 || r.MinYearsText() != "15" {
		t.Fatalf("got %dy%dm min %s", r.AgeYears, r.AgeMonths, r.MinYearsText())
	}
	if r.FlexEarliest.String() != "2026-03" || r.FlexLatest.String() != "2029-07" {
		t.Fatalf("flexible window %s..%s", r.FlexEarliest, r.FlexLatest)
	}
}

func TestMinContributionYears(t *testing.T) {
	for year, want := range map[int]string{2024: "15", 2029: "15", 2030: "15.5", 2031: "16", 2035: "18", 2039: "20", 2050: "20"} {
		if got := YearsText(MinContributionMonths(year)); got != want {
			t.Errorf("%d: %s, want %s", year, got, want)
		}
	}
}

func TestDivisor(t *testing.T) {
	for _, c := range []struct {
		y, m int
		want string
	}{{60, 0, "139"}, {60, 1, "138.4"}, {50, 1, "194.6"}, {60, 4, "136.7"}, {55, 4, "168"}, {47, 0, "207"}, {70, 0, "56"}} {
		d, err := Divisor(c.y, c.m)
		if err != nil {
			t.Fatal(err)
		}
		if got := tenthsText(d); got != c.want {
			t.Errorf("%dy%dm: %s, want %s", c.y, c.m, got, c.want)
		}
	}
	for _, bad := range [][2]int{{39, 11}, {70, 1}, {71, 0}, {60, 12}} {
		if _, err := Divisor(bad[0], bad[1]); errs.KindOf(err) != errs.Invalid {
			t.Errorf("%v: want invalid, got %v", bad, err)
		}
	}
}

// Property: the divisor lies between its table neighbours and falls with
// every month of age.
func TestDivisorBetweenNeighbours(t *testing.T) {
	prev := int64(1 << 40)
	for y := divisorMinAge; y < divisorMaxAge; y++ {
		for m := 0; m < 12; m++ {
			d, err := Divisor(y, m)
			if err != nil {
				t.Fatal(err)
			}
			hi, lo := divisorTable[y-divisorMinAge]*10, divisorTable[y-divisorMinAge+1]*10
			if d > hi || d < lo {
				t.Fatalf("%dy%dm: %d outside [%d, %d]", y, m, d, lo, hi)
			}
			if d > prev {
				t.Fatalf("%dy%dm: %d rises above %d", y, m, d, prev)
			}
			prev = d
		}
	}
}

// The worked example: C 12,049, Z 0.8, 30 years, balance 150,000 at 60y4m,
// and the Beijing transitional example.
func TestPensionWorkedExample(t *testing.T) {
	p, err := Compute(PensionInput{CalcBase: money.Yuan(12049), AvgIndex: 800_000, ContributionMonths: 360,
		AccountBalance: money.Yuan(150000), AgeYears: 60, AgeMonths: 4})
	if err != nil {
		t.Fatal(err)
	}
	if p.Basic != 325323 || p.Account != 109729 || p.Total != 435052 || p.DivisorText() != "136.7" {
		t.Fatalf("basic %d account %d total %d divisor %s", p.Basic, p.Account, p.Total, p.DivisorText())
	}
	for age, want := range map[int]money.Fen{60: 107914, 63: 128205} {
		q, _ := Compute(PensionInput{CalcBase: money.Yuan(12049), AvgIndex: 800_000, ContributionMonths: 360, AccountBalance: money.Yuan(150000), AgeYears: age})
		if q.Account != want {
			t.Errorf("account pension at %d: %d, want %d", age, q.Account, want)
		}
	}
	tr, err := Compute(PensionInput{CalcBase: money.Yuan(12049), AvgIndex: 800_000, ContributionMonths: 360,
		AgeYears: 60, DeemedMonths: 66, TransitionalMonths: 24})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Deemed != 66270 || tr.Actual != 19278 || tr.Transitional != 85548 {
		t.Fatalf("transitional %d, want 85548", tr.Transitional)
	}
}

// Property: the pension grows with N and with Z.
func TestPensionMonotonic(t *testing.T) {
	in := PensionInput{CalcBase: 1188300, AvgIndex: 600_000, ContributionMonths: 180, AccountBalance: 9876543, AgeYears: 60}
	prev := money.Fen(-1)
	for n := 180; n <= 540; n += 7 {
		in.ContributionMonths = n
		p, err := Compute(in)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total < prev {
			t.Fatalf("N=%d: total %d below %d", n, p.Total, prev)
		}
		prev = p.Total
	}
	prev = -1
	for z := int64(60); z <= 300; z += 3 {
		in.AvgIndex = formula.PPM(z * 10_000)
		p, _ := Compute(in)
		if p.Total < prev {
			t.Fatalf("Z=%d%%: total %d below %d", z, p.Total, prev)
		}
		prev = p.Total
	}
}

func TestPensionRejectsBadInput(t *testing.T) {
	_, err := Compute(PensionInput{CalcBase: -1, AvgIndex: 3_100_000, ContributionMonths: 0, AgeYears: 60})
	var e *errs.Error
	if !errors.As(err, &e) || len(e.Fields) < 3 {
		t.Fatalf("want field errors, got %v", err)
	}
	if err := CheckAge(FemaleCadre, 54, 11); errs.KindOf(err) != errs.Invalid {
		t.Fatalf("below original age accepted: %v", err)
	}
	if err := CheckAge(FemaleCadre, 55, 0); err != nil {
		t.Fatal(err)
	}
}

func day(s string) time.Time {
	d, err := clock.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// The published case: I = 2,818.50, 28 years 9 months of contributions.
func TestDeathBenefitsWorkedExample(t *testing.T) {
	d, err := DeathBenefits(DeathInput{DeathDate: day("2024-03-01"), MonthlyIncome: 281850, ContributionMonths: 345, PensionMonths: 42})
	if err != nil {
		t.Fatal(err)
	}
	if d.FactorText() != "19.25" || d.Relief != 5425613 || d.Funeral != 563700 || d.Total != 5989313 {
		t.Fatalf("k %s relief %d funeral %d total %d", d.FactorText(), d.Relief, d.Funeral, d.Total)
	}
	d, _ = DeathBenefits(DeathInput{DeathDate: day("2024-03-01"), MonthlyIncome: 281850, ContributionMonths: 345, PensionMonths: 186})
	if d.FactorText() != "9" || d.Relief != 2536650 {
		t.Fatalf("floor: k %s relief %d", d.FactorText(), d.Relief)
	}
	d, _ = DeathBenefits(DeathInput{DeathDate: day("2024-03-01"), MonthlyIncome: 281850, ContributionMonths: 345})
	if d.FactorText() != "22.75" {
		t.Fatalf("not retired: k %s", d.FactorText())
	}
	if MonthlyIncome(3382200) != 281850 {
		t.Fatal("I = yearly ÷ 12")
	}
}

// Property: k is never above 24, and never below 9 for a retiree.
func TestReliefFactorBounds(t *testing.T) {
	for months := 180; months <= 720; months += 13 {
		for paid := 0; paid <= 600; paid += 17 {
			d, err := DeathBenefits(DeathInput{DeathDate: day("2025-06-30"), MonthlyIncome: 295250, ContributionMonths: months, PensionMonths: paid})
			if err != nil {
				t.Fatal(err)
			}
			if d.FactorTwelfs > 24*12 || d.FactorTwelfs < 9*12 {
				t.Fatalf("months %d paid %d: k %s", months, paid, d.FactorText())
			}
		}
	}
}

func TestDeathBeforeNationalRuleAsksForLegacyRule(t *testing.T) {
	_, err := DeathBenefits(DeathInput{DeathDate: day("2021-08-31"), MonthlyIncome: 281850, ContributionMonths: 345})
	if e := errs.As(err); e == nil || e.Code != "death_legacy_rule" {
		t.Fatalf("got %v", err)
	}
}

func BenchmarkRetirementAndPension1M(b *testing.B) {
	birth := clock.Month{Year: 1960, Mon: 1}
	z := formula.PPM(800_000)
	for b.Loop() {
		for i := range 1_000_000 {
			r, _ := RetirementOf(Male, birth.Add(i%240))
			_, _ = Compute(PensionInput{CalcBase: 1204900, AvgIndex: z, ContributionMonths: 360, AccountBalance: 15000000, AgeYears: r.AgeYears, AgeMonths: r.AgeMonths})
		}
	}
}

// People read contribution lengths in years and months, never "0.17 年".
func TestDurationText(t *testing.T) {
	for months, want := range map[int]string{0: "0 个月", 2: "2 个月", 12: "1 年", 183: "15 年 3 个月", 180: "15 年", 420: "35 年"} {
		if got := DurationText(months); got != want {
			t.Errorf("DurationText(%d) = %q, want %q", months, got, want)
		}
	}
}

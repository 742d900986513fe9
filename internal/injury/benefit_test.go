package injury

import (
	"testing"
	"time"

	"shebao/internal/errs"
	"shebao/internal/money"
)

// The worked example: area average 8,000; 12-month average 4,000.
func TestInjuryWorkedExample(t *testing.T) {
	wages := make([]money.Fen, 12)
	for i := range wages {
		wages[i] = money.Yuan(4000)
	}
	o, err := OwnWageOf(wages, money.Yuan(8000))
	if err != nil {
		t.Fatal(err)
	}
	if o.Own != money.Yuan(4800) || o.Clamped != "floor" {
		t.Fatalf("own wage %d (%s)", o.Own, o.Clamped)
	}
	d, err := DisabilityOf(5, o.Own, money.Yuan(8000), NursingPartial)
	if err != nil {
		t.Fatal(err)
	}
	if d.LumpSum != money.Yuan(86400) || d.Allowance != money.Yuan(3360) || d.NursingFee != money.Yuan(2400) {
		t.Fatalf("%+v", d)
	}
	w, err := WorkDeathOf(time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), money.Yuan(54188), money.Yuan(8000), o.Own,
		[]Dependant{{Kind: "spouse"}, {Kind: "child"}})
	if err != nil {
		t.Fatal(err)
	}
	if w.Subsidy != money.Yuan(1083760) || w.Funeral != money.Yuan(48000) || w.Monthly != money.Yuan(3360) {
		t.Fatalf("%+v", w)
	}
	if len(w.Explain().Steps) < 5 || len(d.Explain().Steps) < 3 {
		t.Fatal("steps missing")
	}
}

func TestOwnWageAveragesFewerMonthsAndCeiling(t *testing.T) {
	o, _ := OwnWageOf([]money.Fen{1000001, 1000000, 1000000}, money.Yuan(8000))
	if o.Average != 1000000 || o.Own != 1000000 || o.Clamped != "" {
		t.Fatalf("%+v", o)
	}
	o, _ = OwnWageOf([]money.Fen{money.Yuan(30000)}, money.Yuan(8000))
	if o.Own != money.Yuan(24000) || o.Clamped != "ceiling" {
		t.Fatalf("%+v", o)
	}
}

// The dependants' pensions never exceed the own wage, and are cut in
// proportion when they would.
func TestDependantsCappedAtOwnWage(t *testing.T) {
	deps := []Dependant{{Kind: "spouse"}, {Kind: "child", Lone: false}, {Kind: "parent", Lone: true}, {Kind: "child"}}
	w, err := WorkDeathOf(time.Now(), money.Yuan(54188), money.Yuan(8000), 500001, deps)
	if err != nil {
		t.Fatal(err)
	}
	if w.Monthly != 500001 {
		t.Fatalf("monthly %d, want capped at 500001", w.Monthly)
	}
	for i := range w.Paid {
		if w.Paid[i] > w.Shares[i] {
			t.Fatalf("dependant %d raised", i)
		}
	}
}

func TestInjuryRejects(t *testing.T) {
	if _, err := DisabilityOf(11, 1, 1, NursingNone); errs.KindOf(err) != errs.Invalid {
		t.Fatal("grade 11 accepted")
	}
	if _, err := DisabilityOf(3, 100, 100, Nursing("x")); errs.KindOf(err) != errs.Invalid {
		t.Fatal("bad nursing accepted")
	}
	if _, err := WorkDeathOf(time.Now(), 1, 1, 1, []Dependant{{Kind: "spouse", Lone: true}}); errs.KindOf(err) != errs.Invalid {
		t.Fatal("lone spouse accepted")
	}
	if _, err := OwnWageOf(nil, 1); errs.KindOf(err) != errs.Invalid {
		t.Fatal("no wages accepted")
	}
}

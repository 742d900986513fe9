package calc

import (
	"net/url"
	"testing"
	"time"

	"shebao/internal/errs"
	"shebao/internal/formula"
	"shebao/internal/injury"
	"shebao/internal/money"
)

func TestParseJSONTypesAndFieldErrors(t *testing.T) {
	v, err := injuryDeathCalc.ParseJSON([]byte(`{"death_date":"2024-01-20","own_wage_fen":480000,
		"dependants":["spouse",{"kind":"parent","lone":true},{"type":"child"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	deps := v["dependants"].([]injury.Dependant)
	if len(deps) != 3 || !deps[1].Lone || deps[2].Kind != "child" || v.fen("own_wage_fen") != 480000 {
		t.Fatalf("%+v", v)
	}
	_, err = injuryDeathCalc.ParseJSON([]byte(`{"death_date":"2024-13-01","own_wage_fen":1.5,"dependants":["cat"],"x":1}`))
	e := errs.As(err)
	if e == nil {
		t.Fatal("accepted")
	}
	for _, f := range []string{"death_date", "own_wage_fen", "dependants", "x"} {
		if !errs.Fields(e.Fields).Has(f) {
			t.Errorf("%s not named: %v", f, e.Fields)
		}
	}
	if _, err := pensionCalc.ParseJSON([]byte(`[1,2]`)); errs.KindOf(err) != errs.Invalid {
		t.Fatal("a JSON array accepted")
	}
}

func TestParseFormYuanRatiosAndRanges(t *testing.T) {
	v, err := pensionCalc.ParseForm(url.Values{"calc_base_fen": {"12,049.5"}, "avg_index": {"80%"},
		"contribution_months": {"360"}, "account_balance_fen": {"0"}, "age_years": {"60"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.fen("calc_base_fen") != 1204950 || v.ppm("avg_index") != 800_000 {
		t.Fatalf("%+v", v)
	}
	_, err = pensionCalc.ParseForm(url.Values{"calc_base_fen": {"1.234"}, "avg_index": {"x"}, "age_months": {"12"}})
	e := errs.As(err)
	for _, f := range []string{"calc_base_fen", "avg_index", "age_months", "contribution_months"} {
		if e == nil || !errs.Fields(e.Fields).Has(f) {
			t.Errorf("%s not named: %v", f, err)
		}
	}
}

func TestLimiterRefillsPerClient(t *testing.T) {
	l := newLimiter(2, 1)
	now := time.Now()
	if !l.allow("a", now) || !l.allow("a", now) || l.allow("a", now) {
		t.Fatal("burst of 2 not enforced")
	}
	if !l.allow("b", now) {
		t.Fatal("another client refused")
	}
	if !l.allow("a", now.Add(1100*time.Millisecond)) {
		t.Fatal("no refill after a second")
	}
}

func TestPPMAndRounding(t *testing.T) {
	if formula.PPM(136_700_000).Text(0) != "136.7" || formula.DivRound(-5, 2) != -3 || formula.DivRound(5, 2) != 3 {
		t.Fatal("formatting or rounding")
	}
	if formula.PPM(800_000).Of(money.Fen(1204900)) != 963920 {
		t.Fatal("C × Z")
	}
}

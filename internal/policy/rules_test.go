package policy_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/policy"
)

// bare returns a service on d without the shipped rules.
func bare(t *testing.T, d *db.DB) *policy.Service {
	c := clock.NewFixed(date(t, "2024-02-10"))
	return policy.NewService(d, c, audit.NewService(d, c))
}

func TestAddRuleClosesOpenPeriodAndRefusesOverlap(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := bare(t, d)
		wage := func(from, to, v string) policy.RuleInput {
			return policy.RuleInput{Key: policy.KeyAvgWage, From: from, To: to, Value: v, LegalBasis: "省人社厅通知（测试）"}
		}
		if _, err := s.AddRule(ctx, admin, wage("2024-07-01", "", "7428")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddRule(ctx, admin, wage("2025-07-01", "", "7646")); err != nil {
			t.Fatal(err)
		}
		// The open 2024 period was closed the day before.
		cases := []struct {
			day  string
			want money.Fen
		}{{"2024-07-01", 742800}, {"2025-06-30", 742800}, {"2025-07-01", 764600}, {"2031-01-01", 764600}}
		for _, c := range cases {
			got, r, err := s.Amount(ctx, policy.KeyAvgWage, "", date(t, c.day))
			if err != nil || got != c.want {
				t.Fatalf("%s: got %v %v, want %v", c.day, got, err, c.want)
			}
			if r.LegalBasis != "省人社厅通知（测试）" || !r.Covers(c.day) {
				t.Fatalf("%s: rule %+v", c.day, r)
			}
		}
		first, _ := s.InForce(ctx, policy.KeyAvgWage, "", date(t, "2025-01-01"))
		if first.ToDay() != "2025-06-30" || first.Period() != "2024-07-01 至 2025-06-30" {
			t.Fatalf("previous period not closed: %q", first.Period())
		}
		e := wantKind(t, func() error { _, err := s.InForce(ctx, policy.KeyAvgWage, "", date(t, "2024-06-30")); return err }(), errs.NotFound)
		if !strings.Contains(e.Message, "2024-06-30") || !strings.Contains(e.Message, "月平均工资") {
			t.Fatalf("not-found message: %s", e.Message)
		}

		// Overlaps are refused, naming the clashing period.
		refused := []struct {
			name string
			in   policy.RuleInput
			want string
		}{
			{"inside a closed period", wage("2025-01-01", "", "7500"), "2024-07-01 至 2025-06-30"},
			{"same start", wage("2025-07-01", "", "7700"), "2025-07-01 起"},
			{"open period before a later one", wage("2023-07-01", "", "7206"), "2024-07-01 至 2025-06-30"},
			{"end runs into the next", wage("2023-07-01", "2024-07-01", "7206"), "2024-07-01 至 2025-06-30"},
		}
		for _, c := range refused {
			_, err := s.AddRule(ctx, admin, c.in)
			e := wantKind(t, err, errs.Conflict)
			if e.Code != "rule_overlap" || !strings.Contains(e.Message, c.want) || len(e.Fields) == 0 {
				t.Fatalf("%s: %+v", c.name, e)
			}
		}
		// A closed period before the first one fits.
		if _, err := s.AddRule(ctx, admin, wage("2023-07-01", "2024-06-30", "7206")); err != nil {
			t.Fatal(err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM rule_values WHERE key = $1`, policy.KeyAvgWage); n != 3 {
			t.Fatalf("%d rows, want 3", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action IN ('policy.rule.add', 'policy.rule.close')`); n != 4 {
			t.Fatalf("%d audit entries, want 3 adds + 1 close", n)
		}
	})
}

func TestRuleInputValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := bare(t, d)
		cases := []struct {
			in    policy.RuleInput
			field string
		}{
			{policy.RuleInput{Key: "nope", From: "2024-01-01", Value: "1", LegalBasis: "x"}, "key"},
			{policy.RuleInput{Key: policy.KeyAvgWage, Scope: "3", From: "2024-01-01", Value: "1", LegalBasis: "x"}, "scope"},
			{policy.RuleInput{Key: policy.KeyInjuryClassRate, Scope: "9", From: "2024-01-01", Value: "1", LegalBasis: "x"}, "scope"},
			{policy.RuleInput{Key: policy.KeyAvgWage, From: "2024-02-30", Value: "1", LegalBasis: "x"}, "effective_from"},
			{policy.RuleInput{Key: policy.KeyAvgWage, From: "2024-02-01", To: "2024-01-31", Value: "1", LegalBasis: "x"}, "effective_to"},
			{policy.RuleInput{Key: policy.KeyAvgWage, From: "2024-02-01", Value: "7646.123", LegalBasis: "x"}, "value"},
			{policy.RuleInput{Key: policy.KeyPensionEmployerRate, From: "2024-02-01", Value: "16%%", LegalBasis: "x"}, "value"},
			{policy.RuleInput{Key: policy.KeyCollectionDueDay, From: "2024-02-01", Value: "1.5", LegalBasis: "x"}, "value"},
			{policy.RuleInput{Key: policy.KeyAvgWage, From: "2024-02-01", Value: "7646"}, "legal_basis"},
		}
		for _, c := range cases {
			_, err := s.AddRule(context.Background(), admin, c.in)
			e := wantKind(t, err, errs.Invalid)
			if !slices.ContainsFunc(e.Fields, func(f errs.FieldError) bool { return f.Field == c.field }) {
				t.Fatalf("%+v: fields %+v, want %s", c.in, e.Fields, c.field)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM rule_values`); n != 0 {
			t.Fatalf("invalid input stored %d rows", n)
		}
	})
}

func TestShippedRulesInForce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newService(t, d, "2024-02-10")
		rates := []struct {
			key, scope, day string
			want            string // percent, "" = none in force
		}{
			{policy.KeyPensionEmployerRate, "", "2019-04-30", ""},
			{policy.KeyPensionEmployerRate, "", "2019-05-01", "16%"},
			{policy.KeyPensionIndividualRate, "", "2024-02-10", "8%"},
			{policy.KeyUnemploymentEmployer, "", "2024-02-10", "0.5%"},
			{policy.KeyUnemploymentIndividual, "", "2024-02-10", "0.5%"},
			{policy.KeyInjuryClassRate, "1", "2024-02-10", "0.2%"},
			{policy.KeyInjuryClassRate, "5", "2024-02-10", "1.1%"},
			{policy.KeyInjuryClassRate, "8", "2024-02-10", "1.9%"},
			{policy.KeyInjuryClassRate, "9", "2024-02-10", ""},
			{policy.KeyFlexibleRate, "", "2024-02-10", "20%"},
			{policy.KeyFlexibleAccountShare, "", "2024-02-10", "8%"},
			{policy.KeyLateFeeDailyRate, "", "2024-03-16", "0.05%"},
			{policy.KeyAccountInterestRate, "", "2023-12-31", "3.97%"},
			{policy.KeyAccountInterestRate, "", "2024-01-01", "2.62%"},
			{policy.KeyAccountInterestRate, "", "2026-01-01", ""},
			{policy.KeyBaseFloorPct, "", "2024-02-10", "60%"},
			{policy.KeyBaseCeilingPct, "", "2024-02-10", "300%"},
		}
		for _, c := range rates {
			r, rule, err := s.Rate(ctx, c.key, c.scope, date(t, c.day))
			if c.want == "" {
				wantKind(t, err, errs.NotFound)
				continue
			}
			if err != nil || r.String() != c.want || rule.LegalBasis == "" {
				t.Errorf("%s/%s on %s: %v %v %q, want %s", c.key, c.scope, c.day, r, err, rule.LegalBasis, c.want)
			}
		}
		ints := []struct {
			key, day string
			want     int64
		}{
			{policy.KeyCollectionDueDay, "2024-02-10", 15},
			{policy.KeyMakeUpWindowMonths, "2024-02-10", 3},
			{policy.KeyAccidentReportHours, "2024-02-10", 24},
			{policy.KeyTransferStepDays, "2024-02-10", 15},
			{policy.KeyPensionProcessingDays, "2024-02-10", 20},
			{policy.KeyEmployerRegistration, "2024-02-10", 30},
		}
		for _, c := range ints {
			if n, _, err := s.Int(ctx, c.key, "", date(t, c.day)); err != nil || n != c.want {
				t.Errorf("%s: %d %v, want %d", c.key, n, err, c.want)
			}
		}
		amounts := []struct {
			key, day string
			want     money.Fen
		}{
			{policy.KeyAvgWage, "2024-06-30", money.Yuan(7206)},
			{policy.KeyAvgWage, "2024-07-01", money.Yuan(7428)},
			{policy.KeyPensionCalcBase, "2025-03-01", money.Yuan(12049)},
			{policy.KeyNationalUrbanIncome, "2025-03-01", money.Yuan(54188)},
			{policy.KeyNationalUrbanIncome, "2024-12-31", money.Yuan(51821)},
			{policy.KeyProvinceUrbanIncome, "2024-05-01", money.Yuan(33822)},
		}
		for _, c := range amounts {
			if n, _, err := s.Amount(ctx, c.key, "", date(t, c.day)); err != nil || n != c.want {
				t.Errorf("%s on %s: %v %v, want %v", c.key, c.day, n, err, c.want)
			}
		}
		// A getter of the wrong type is a bug, not a user error.
		if _, _, err := s.Rate(ctx, policy.KeyAvgWage, "", date(t, "2024-02-10")); errs.KindOf(err) != errs.Internal {
			t.Fatalf("Rate on a money rule: %v", err)
		}
		floats, _, err := s.InjuryFloats(ctx, "1", date(t, "2024-02-10"))
		if err != nil || !slices.Equal(floats, []int64{1_000_000, 1_200_000, 1_500_000}) {
			t.Fatalf("class 1 floats %v %v", floats, err)
		}
		if f5, _, _ := s.InjuryFloats(ctx, "5", date(t, "2024-02-10")); len(f5) != 5 || f5[0] != 500_000 {
			t.Fatalf("class 5 floats %v", f5)
		}
		// Class 1 × 1.2 = 0.24% (docs/rules.md §3.2).
		base, _, _ := s.Rate(ctx, policy.KeyInjuryClassRate, "1", date(t, "2024-02-10"))
		if got := base.Mul(floats[1]); got.String() != "0.24%" {
			t.Fatalf("0.2%% × 1.2 = %s", got)
		}
	})
}

func TestLimitsRoundToWholeYuan(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newService(t, d, "2024-02-10")
		cases := []struct {
			month        string
			floor, ceil  money.Fen
			wage, source string
		}{
			{"2025-07", money.Yuan(4588), money.Yuan(22938), "7646", "4,587.60 → 4,588.00"}, // docs/rules.md §2.1
			{"2024-02", money.Yuan(4324), money.Yuan(21618), "7206", "4,323.60 → 4,324.00"},
			{"2024-07", money.Yuan(4457), money.Yuan(22284), "7428", "4,456.80 → 4,457.00"},
		}
		for _, c := range cases {
			floor, ceil, info, err := s.Limits(ctx, c.month)
			if err != nil || floor != c.floor || ceil != c.ceil {
				t.Fatalf("%s: %v %v %v, want %v %v", c.month, floor, ceil, err, c.floor, c.ceil)
			}
			if policy.InputValue(info.Wage.Unit, info.Wage.Value) != c.wage+".00" || !strings.Contains(info.Explain(), c.source) {
				t.Fatalf("%s: explain %q", c.month, info.Explain())
			}
		}
		_, _, _, err := s.Limits(ctx, "2024-13")
		wantKind(t, err, errs.Invalid)
		_, _, _, err = s.Limits(ctx, "2022-06")
		wantKind(t, err, errs.NotFound)
	})
}

func TestRuleChangesAreForAdminsOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newService(t, d, "2024-02-10")
		in := policy.RuleInput{Key: policy.KeyAvgWage, From: "2026-07-01", Value: "8000", LegalBasis: "x"}
		_, err := s.AddRule(ctx, clerk, in)
		wantKind(t, err, errs.Forbidden)
		_, err = s.AddRule(ctx, nil, in)
		wantKind(t, err, errs.Unauthenticated)
		_, err = s.ListRules(ctx, boss, policy.RuleFilter{})
		wantKind(t, err, errs.Forbidden)
		_, err = s.LoadFile(ctx, clerk, 0)
		wantKind(t, err, errs.Forbidden)
		rs, err := s.ListRules(ctx, clerk, policy.RuleFilter{Key: policy.KeyAvgWage})
		if err != nil || len(rs) != 4 || rs[0].FromDay() != "2025-07-01" {
			t.Fatalf("clerk list: %d %v", len(rs), err)
		}
		rs, err = s.ListRules(ctx, clerk, policy.RuleFilter{Day: "2024-02-10"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rs {
			if !r.Covers("2024-02-10") {
				t.Fatalf("%s %s not in force on the day", r.Key, r.Period())
			}
		}
		if all, _ := s.RulesInForce(ctx, date(t, "2024-02-10")); len(all) != len(rs) || len(rs) < 30 {
			t.Fatalf("in force: %d vs %d", len(all), len(rs))
		}
	})
}

func TestUpdateRuleDetectsStaleVersion(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newService(t, d, "2024-02-10")
		r, err := s.InForce(ctx, policy.KeyCollectionDueDay, "", date(t, "2024-02-10"))
		if err != nil {
			t.Fatal(err)
		}
		in := policy.RuleInput{Value: "20", LegalBasis: r.LegalBasis, Note: "更正"}
		up, err := s.UpdateRule(ctx, admin, r.ID, r.Version, in)
		if err != nil || up.Value != "20" || up.Version != r.Version+1 {
			t.Fatalf("update: %+v %v", up, err)
		}
		if n, _, _ := s.Int(ctx, policy.KeyCollectionDueDay, "", date(t, "2024-02-10")); n != 20 {
			t.Fatalf("cache not refreshed after update: %d", n)
		}
		_, err = s.UpdateRule(ctx, admin, r.ID, r.Version, policy.RuleInput{Value: "25", LegalBasis: "x"})
		if e := wantKind(t, err, errs.Conflict); e.Code != "stale_version" {
			t.Fatalf("code %s", e.Code)
		}
		// Closing a period so that it would overlap nothing is fine; an end
		// before the start is refused.
		_, err = s.UpdateRule(ctx, admin, r.ID, up.Version, policy.RuleInput{Value: "20", To: "2018-01-01", LegalBasis: "x"})
		wantKind(t, err, errs.Invalid)
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = 'policy.rule.update' AND entity_id = $1`, strconv.FormatInt(r.ID, 10)); n != 1 {
			t.Fatalf("%d update audit entries", n)
		}
	})
}

// Two administrators adding overlapping periods at the same moment: the
// policy_state row lock serialises them, so exactly one wins.
func TestConcurrentOverlappingAddsOneWins(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for round := 0; round < 5; round++ {
			y := strconv.Itoa(2030 + round)
			ins := []policy.RuleInput{
				{Key: policy.KeyAvgWage, From: y + "-01-01", To: y + "-12-31", Value: "9000", LegalBasis: "甲"},
				{Key: policy.KeyAvgWage, From: y + "-06-01", To: y + "-12-31", Value: "9100", LegalBasis: "乙"},
			}
			errc := make(chan error, len(ins))
			for _, in := range ins {
				s := bare(t, d) // two servers
				go func() { _, err := s.AddRule(ctx, admin, in); errc <- err }()
			}
			var conflicts int
			for range ins {
				if err := <-errc; errs.KindOf(err) == errs.Conflict {
					conflicts++
				} else if err != nil {
					t.Fatal(err)
				}
			}
			if conflicts != 1 {
				t.Fatalf("round %d: %d conflicts, want 1", round, conflicts)
			}
		}
	})
}

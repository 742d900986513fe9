package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shebao/internal/app/apptest"
	"shebao/internal/db"
)

// calcJSON posts to a calculator and decodes the answer.
func calcJSON(t *testing.T, c *apptest.Client, name string, body any, status int) map[string]any {
	t.Helper()
	var out map[string]any
	c.PostJSON(t, "/api/v1/calc/"+name, body).WantStatus(t, status).JSON(t, &out)
	return out
}

func num(t *testing.T, m map[string]any, key string) int64 {
	t.Helper()
	v, ok := m[key].(float64)
	if !ok {
		t.Fatalf("%s missing in %v", key, m)
	}
	return int64(v)
}

// Every calculator answers the published worked examples through the
// public API, with Chinese steps and their bases.
func TestCalculatorsAPIWorkedExamples(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		anon := env.Anon(t)
		r := calcJSON(t, anon, "retirement-age", map[string]any{"category": "male", "birth_month": "1966-03"}, http.StatusOK)
		if r["retire_month"] != "2026-07" || num(t, r, "delay_months") != 4 || num(t, r, "age_months") != 4 || r["min_contribution_years"] != "15" {
			t.Fatalf("retirement-age: %v", r)
		}
		r = calcJSON(t, anon, "pension", map[string]any{"calc_base_fen": 1204900, "avg_index": "0.8", "contribution_months": 360,
			"account_balance_fen": 15000000, "category": "male", "birth_month": "1966-03"}, http.StatusOK)
		if num(t, r, "basic_fen") != 325323 || r["divisor"] != "136.7" || num(t, r, "account_fen") != 109729 || num(t, r, "total_fen") != 435052 {
			t.Fatalf("pension: %v", r)
		}
		steps := r["steps"].([]any)
		first := steps[0].(map[string]any)
		if !strings.Contains(fmt.Sprint(steps), "基础养老金") || first["basis"] == "" {
			t.Fatalf("pension steps: %v", steps)
		}
		r = calcJSON(t, anon, "pension", map[string]any{"calc_base_fen": 1204900, "avg_index": "0.8", "contribution_months": 360,
			"account_balance_fen": 0, "age_years": 60, "deemed_months": 66, "transitional_months": 24}, http.StatusOK)
		if num(t, r, "transitional_fen") != 85548 {
			t.Fatalf("transitional: %v", r)
		}
		r = calcJSON(t, anon, "death-benefit", map[string]any{"death_date": "2024-01-20", "monthly_income_fen": 281850,
			"contribution_months": 345, "pension_months": 42}, http.StatusOK)
		if r["relief_factor"] != "19.25" || num(t, r, "relief_fen") != 5425613 || num(t, r, "funeral_fen") != 563700 || num(t, r, "total_fen") != 5989313 {
			t.Fatalf("death-benefit: %v", r)
		}
		r = calcJSON(t, anon, "account-interest", map[string]any{"opening_fen": 5000000, "credits_fen": 768000, "rate": "0.0397"}, http.StatusOK)
		if num(t, r, "interest_fen") != 215010 || num(t, r, "closing_fen") != 5983010 {
			t.Fatalf("account-interest: %v", r)
		}
		// The year's published rate from the rules (2023: 3.97%).
		r = calcJSON(t, anon, "account-interest", map[string]any{"opening_fen": 5000000, "credits_fen": 768000, "year": 2023}, http.StatusOK)
		if num(t, r, "interest_fen") != 215010 {
			t.Fatalf("account-interest by year: %v", r)
		}
		r = calcJSON(t, anon, "transfer", map[string]any{"wages_fen": []int64{3600000, 4000000, 4400000, 4800000, 2600000}}, http.StatusOK)
		if num(t, r, "pooled_fen") != 2328000 {
			t.Fatalf("transfer: %v", r)
		}
		wages := make([]int64, 12)
		for i := range wages {
			wages[i] = 400000
		}
		r = calcJSON(t, anon, "injury-own-wage", map[string]any{"wages_fen": wages, "area_avg_wage_fen": 800000}, http.StatusOK)
		if num(t, r, "own_wage_fen") != 480000 {
			t.Fatalf("own wage: %v", r)
		}
		r = calcJSON(t, anon, "injury-disability", map[string]any{"grade": 5, "own_wage_fen": 480000, "area_avg_wage_fen": 800000, "nursing": "partial"}, http.StatusOK)
		if num(t, r, "lump_sum_fen") != 8640000 || num(t, r, "monthly_allowance_fen") != 336000 || num(t, r, "nursing_fen") != 240000 {
			t.Fatalf("disability: %v", r)
		}
		r = calcJSON(t, anon, "injury-death", map[string]any{"death_date": "2024-01-20", "national_income_fen": 5418800, "area_avg_wage_fen": 800000,
			"own_wage_fen": 480000, "dependants": []any{"spouse", map[string]any{"kind": "child"}}}, http.StatusOK)
		if num(t, r, "subsidy_fen") != 108376000 || num(t, r, "funeral_fen") != 4800000 || num(t, r, "monthly_fen") != 336000 {
			t.Fatalf("injury-death: %v", r)
		}
		// The 2024 rules: base 8,000 within the limits; 16%/8%, 0.5%/0.5%, class 1 × 1.0 = 0.2%.
		r = calcJSON(t, anon, "contribution", map[string]any{"month": "2024-01", "wage_fen": 800000, "injury_class": 1, "injury_float": "1.0"}, http.StatusOK)
		if num(t, r, "base_fen") != 800000 || len(r["lines"].([]any)) != 5 || num(t, r, "pension_employer_fen") != 128000 || num(t, r, "injury_employer_fen") != 1600 {
			t.Fatalf("contribution: %v", r)
		}
		r = calcJSON(t, anon, "flexible", map[string]any{"month": "2024-01", "base_fen": 480000}, http.StatusOK)
		if num(t, r, "due_fen") != 96000 || num(t, r, "account_fen") != 38400 {
			t.Fatalf("flexible: %v", r)
		}
		r = calcJSON(t, anon, "late-fee", map[string]any{"arrears_fen": 1000000, "due_on": "2024-01-15", "paid_on": "2024-01-25"}, http.StatusOK)
		if num(t, r, "days") != 10 || num(t, r, "days_waived") != 0 || num(t, r, "fee_fen") != 5000 {
			t.Fatalf("late-fee: %v", r)
		}
	})
}

// Bad input names each field in Chinese; inputs the rules forbid are
// answered with the rule.
func TestCalculatorsRejectBadInput(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		anon := env.Anon(t)
		fields := func(r map[string]any) string { return fmt.Sprint(r["error"]) }
		r := calcJSON(t, anon, "retirement-age", map[string]any{"category": "robot", "birth_month": "2099-01"}, http.StatusUnprocessableEntity)
		if !strings.Contains(fields(r), "category") {
			t.Fatalf("%v", r)
		}
		r = calcJSON(t, anon, "retirement-age", map[string]any{"category": "male", "birth_month": "2099-01"}, http.StatusUnprocessableEntity)
		if !strings.Contains(fields(r), "birth_month") || !strings.Contains(fields(r), "不能晚于") {
			t.Fatalf("%v", r)
		}
		r = calcJSON(t, anon, "injury-disability", map[string]any{"grade": 11, "own_wage_fen": -5, "area_avg_wage_fen": 1.5}, http.StatusUnprocessableEntity)
		for _, f := range []string{"grade", "own_wage_fen", "area_avg_wage_fen"} {
			if !strings.Contains(fields(r), f) {
				t.Fatalf("%s not named: %v", f, r)
			}
		}
		r = calcJSON(t, anon, "pension", map[string]any{"avg_index": "3.5", "contribution_months": 360, "account_balance_fen": 1, "age_years": 60, "calc_base_fen": 100}, http.StatusUnprocessableEntity)
		if !strings.Contains(fields(r), "avg_index") {
			t.Fatalf("%v", r)
		}
		r = calcJSON(t, anon, "pension", map[string]any{"avg_index": "1", "contribution_months": 360, "account_balance_fen": 1,
			"category": "female_cadre", "birth_month": "1975-01", "retire_month": "2029-12"}, http.StatusUnprocessableEntity)
		if !strings.Contains(fields(r), "弹性") {
			t.Fatalf("below the original age not refused by the rule: %v", r)
		}
		r = calcJSON(t, anon, "pension", map[string]any{"avg_index": "1", "contribution_months": 100, "account_balance_fen": 1,
			"category": "male", "birth_month": "1966-03"}, http.StatusUnprocessableEntity)
		if !strings.Contains(fields(r), "最低缴费年限") {
			t.Fatalf("minimum years not enforced: %v", r)
		}
		r = calcJSON(t, anon, "pension", map[string]any{"avg_index": "1", "contribution_months": 360, "account_balance_fen": 1, "age_years": 45}, http.StatusUnprocessableEntity)
		if !strings.Contains(fields(r), "原法定退休年龄") {
			t.Fatalf("%v", r)
		}
		r = calcJSON(t, anon, "pension", map[string]any{"nonsense": 1}, http.StatusUnprocessableEntity)
		if !strings.Contains(fields(r), "nonsense") || !strings.Contains(fields(r), "avg_index") {
			t.Fatalf("%v", r)
		}
		calcJSON(t, anon, "no-such", map[string]any{}, http.StatusNotFound)
	})
}

// The page computes from the form in 元 and shows the steps.
func TestCalculatorPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		anon := env.Anon(t)
		anon.Get(t, "/calc").WantStatus(t, http.StatusOK).WantBody(t, "养老金测算", "丧葬补助金和抚恤金测算", "转移接续统筹基金测算")
		q := url.Values{"run": {"1"}, "calc_base_fen": {"12,049"}, "avg_index": {"0.8"}, "contribution_months": {"360"},
			"account_balance_fen": {"150000"}, "category": {"male"}, "birth_month": {"1966-03"}}
		anon.Get(t, "/calc/pension?"+q.Encode()).WantStatus(t, http.StatusOK).
			WantBody(t, "4,350.52 元", "3,253.23 元", "136.7", "计算步骤", "国发〔2005〕38号")
		q.Set("avg_index", "9")
		anon.Get(t, "/calc/pension?"+q.Encode()).WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "平均缴费指数应在 0.6 至 3 之间")
		q = url.Values{"run": {"1"}, "death_date": {"2024-01-20"}, "contribution_months": {"345"}, "pension_months": {"42"}}
		// I from the rules in force: 33,822 ÷ 12 = 2,818.50.
		anon.Get(t, "/calc/death-benefit?"+q.Encode()).WantStatus(t, http.StatusOK).WantBody(t, "54,256.13 元", "人社部发〔2021〕18号")
		q = url.Values{"run": {"1"}, "death_date": {"2024-01-20"}, "own_wage_fen": {"4800"}, "dependants": {"配偶\n父母 孤寡"}}
		anon.Get(t, "/calc/injury-death?"+q.Encode()).WantStatus(t, http.StatusOK).WantBody(t, "孤寡老人或孤儿")
	})
}

// A client that floods the API is refused with 429 while others go on.
func TestCalculatorRateLimit(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	anon := env.Anon(t)
	body := map[string]any{"category": "male", "birth_month": "1970-01"}
	limited := 0
	for range 400 {
		w := anon.PostJSON(t, "/api/v1/calc/retirement-age", body)
		if w.Status == http.StatusTooManyRequests {
			limited++
		}
	}
	if limited == 0 {
		t.Fatal("400 requests in a burst were never limited")
	}
}

package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db/dbtest"
	"shebao/internal/policy"
)

var (
	policyAdmin = &access.Actor{UserID: 1, Username: "admin", Role: access.RoleAdmin, Sections: access.Sections}
	policyClerk = &access.Actor{UserID: 2, Username: "clerk", Role: access.RoleStaff, Sections: []access.Section{access.Fund}}
	policyBoss  = &access.Actor{UserID: 3, Username: "110105000001", Role: access.RoleEmployer, EmployerID: 1}
)

type policyTestServer struct {
	t   *testing.T
	s   *Server
	mux *http.ServeMux
}

// newPolicyTestServer serves the policy routes on a fresh SQLite database
// with the shipped rules, on 2024-02-10.
func newPolicyTestServer(t *testing.T) *policyTestServer {
	t.Helper()
	d := dbtest.SQLite(t)
	c := clock.NewFixed(time.Date(2024, 2, 10, 1, 0, 0, 0, time.UTC))
	au := audit.NewService(d, c)
	pol := policy.NewService(d, c, au)
	if err := pol.SeedDefaults(context.Background()); err != nil {
		t.Fatal(err)
	}
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Deps: Deps{DB: d, Clock: c, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Audit: au, Policy: pol}, pages: pages}
	mux := testMux(s.policyRoutes(), s.policyAPIRoutes())
	return &policyTestServer{t: t, s: s, mux: mux}
}

// page sends a GET (form nil) or a form POST as actor a.
func (ts *policyTestServer) page(a *access.Actor, method, target string, form url.Values) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil {
		form.Set("_csrf", "token")
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, target, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r = r.WithContext(withCSRF(withActor(r.Context(), a), "token"))
	w := httptest.NewRecorder()
	ts.mux.ServeHTTP(w, r)
	return w
}

// api sends a JSON request as actor a and decodes the answer into out.
func (ts *policyTestServer) api(a *access.Actor, method, target, body string, out any) int {
	ts.t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r = r.WithContext(withCSRF(withActor(r.Context(), a), "token"))
	w := httptest.NewRecorder()
	ts.mux.ServeHTTP(w, r)
	if out != nil {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			ts.t.Fatalf("%s %s: %d %s", method, target, w.Code, w.Body)
		}
	}
	return w.Code
}

func wantPage(t *testing.T, w *httptest.ResponseRecorder, status int, contains ...string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d: %.600s", w.Code, status, w.Body)
	}
	for _, c := range contains {
		if !strings.Contains(w.Body.String(), c) {
			t.Fatalf("page lacks %q: %.2000s", c, w.Body)
		}
	}
}

func TestPolicyRulePages(t *testing.T) {
	ts := newPolicyTestServer(t)
	wantPage(t, ts.page(policyClerk, "GET", "/admin/policy", nil), 200, "养老保险单位费率", "国办发〔2019〕13号", "16%")
	wantPage(t, ts.page(policyClerk, "GET", "/admin/policy?key=avg_wage&date=2024-02-10", nil), 200,
		"在 2024-02-10 日有效的规则", "7,206.00 元", "2023-07-01 至 2024-06-30", "共 1 条")
	wantPage(t, ts.page(policyClerk, "GET", "/admin/policy?date=2024-02-30", nil), 422, "日期格式不正确")
	if w := ts.page(nil, "GET", "/admin/policy", nil); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
		t.Fatalf("anonymous: %d %s", w.Code, w.Header().Get("Location"))
	}
	wantPage(t, ts.page(policyBoss, "GET", "/admin/policy", nil), 403)
	wantPage(t, ts.page(policyClerk, "GET", "/admin/policy/new", nil), 403)
	wantPage(t, ts.page(policyAdmin, "GET", "/admin/policy/new?key=avg_wage", nil), 200, `value="avg_wage" selected`)

	add := url.Values{"key": {"avg_wage"}, "effective_from": {"2026-07-01"}, "value": {"7900"}, "legal_basis": {"省人社厅 2026 年通知"}}
	wantPage(t, ts.page(policyClerk, "POST", "/admin/policy", add), 403)
	w := ts.page(policyAdmin, "POST", "/admin/policy", add)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/policy?key=avg_wage" {
		t.Fatalf("add: %d %s %s", w.Code, w.Header().Get("Location"), w.Body)
	}
	add.Set("effective_from", "2026-01-01")
	wantPage(t, ts.page(policyAdmin, "POST", "/admin/policy", add), 409, "重叠", "2025-07-01 至 2026-06-30")
	add.Set("value", "七千")
	wantPage(t, ts.page(policyAdmin, "POST", "/admin/policy", add), 422, "金额格式不正确", `value="七千"`)

	rule, err := ts.s.Policy.InForce(context.Background(), policy.KeyAvgWage, "", time.Date(2026, 8, 1, 0, 0, 0, 0, clock.Shanghai))
	if err != nil {
		t.Fatal(err)
	}
	edit := "/admin/policy/rules/" + strconv.FormatInt(rule.ID, 10)
	wantPage(t, ts.page(policyAdmin, "GET", edit, nil), 200, `value="7900.00"`, `name="version" value="1"`)
	fix := url.Values{"value": {"7950"}, "legal_basis": {"省人社厅 2026 年通知（更正）"}, "version": {"1"}}
	if w := ts.page(policyAdmin, "POST", edit, fix); w.Code != http.StatusSeeOther {
		t.Fatalf("correct: %d %s", w.Code, w.Body)
	}
	wantPage(t, ts.page(policyAdmin, "POST", edit, fix), 409, "已被他人修改")
}

func TestEmergencyPagesDeclareAndEnd(t *testing.T) {
	ts := newPolicyTestServer(t)
	wantPage(t, ts.page(policyAdmin, "GET", "/admin/emergencies/new", nil), 200, `name="measures" value="cash_refused" checked`)
	wantPage(t, ts.page(policyClerk, "GET", "/admin/emergencies/new", nil), 403)
	form := url.Values{"title": {"疫情防控应急期"}, "start": {"2024-01-23"}, "scope": {"全区"}, "legal_basis": {"人社厅明电〔2024〕7号"},
		"measures":   {"collection_extended", "late_fee_waived", "makeup_allowed", "deferred_originals"},
		"fee_months": {"2024-01，2024-02"}, "collection_due": {"2024-03-31"}, "originals_days": {"30"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("collection_due", "")
	wantPage(t, ts.page(policyAdmin, "POST", "/admin/emergencies", bad), 422, "延长后的征收截止日", `value="疫情防控应急期"`)
	w := ts.page(policyAdmin, "POST", "/admin/emergencies", form)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/emergencies/1" {
		t.Fatalf("declare: %d %s %s", w.Code, w.Header().Get("Location"), w.Body)
	}
	// Every page now carries the banner.
	wantPage(t, ts.page(policyClerk, "GET", "/admin/emergencies", nil), 200, `class="banner"`,
		"2024年1月、2月社保费征收期延长至2024年3月31日", "免收滞纳金", "进行中")
	wantPage(t, ts.page(policyClerk, "GET", "/admin/emergencies/1", nil), 200, "结束日期确定后计算")
	if strings.Contains(ts.page(policyClerk, "GET", "/admin/emergencies/1", nil).Body.String(), "/end/confirm") {
		t.Fatal("a clerk is shown the set-end form")
	}

	// Set the end: the confirm step shows the recomputed deadlines and stores nothing.
	w = ts.page(policyAdmin, "POST", "/admin/emergencies/1/end/confirm", url.Values{"end": {"2024-03-31"}})
	wantPage(t, w, 200, "2024-06-30", "2024-04-30", `name="end" value="2024-03-31"`, `name="version" value="1"`)
	if e, _ := ts.s.Policy.EmergencyByID(context.Background(), 1); e.End != nil {
		t.Fatal("the confirm step stored the end date")
	}
	wantPage(t, ts.page(policyAdmin, "POST", "/admin/emergencies/1/end/confirm", url.Values{"end": {"2024-01-01"}}), 422, "不能早于开始日期")
	wantPage(t, ts.page(policyClerk, "POST", "/admin/emergencies/1/end", url.Values{"end": {"2024-03-31"}, "version": {"1"}}), 403)
	w = ts.page(policyAdmin, "POST", "/admin/emergencies/1/end", url.Values{"end": {"2024-03-31"}, "version": {"1"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("end: %d %s", w.Code, w.Body)
	}
	wantPage(t, ts.page(policyAdmin, "GET", "/admin/emergencies/1", nil), 200, "2024-06-30", "（版本 2）")
	wantPage(t, ts.page(policyAdmin, "POST", "/admin/emergencies/1/end", url.Values{"end": {"2024-04-30"}, "version": {"1"}}), 409, "已被他人修改")
	wantPage(t, ts.page(policyAdmin, "GET", "/admin/emergencies/99", nil), 404)
}

func TestCalendarPage(t *testing.T) {
	ts := newPolicyTestServer(t)
	wantPage(t, ts.page(policyClerk, "GET", "/admin/calendar?year=2024", nil), 200, "2024-02-18", "春节调休上班", "国办发明电〔2023〕7号")
	wantPage(t, ts.page(policyClerk, "POST", "/admin/calendar", url.Values{"day": {"2026-01-01"}, "kind": {"holiday"}, "name": {"元旦"}}), 403)
	wantPage(t, ts.page(policyAdmin, "POST", "/admin/calendar", url.Values{"day": {"2026-13-01"}, "kind": {"holiday"}, "name": {"元旦"}}), 422, "日期格式不正确")
	w := ts.page(policyAdmin, "POST", "/admin/calendar", url.Values{"day": {"2026-01-01"}, "kind": {"holiday"}, "name": {"元旦"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/calendar?year=2026" {
		t.Fatalf("add day: %d %s", w.Code, w.Header().Get("Location"))
	}
	wantPage(t, ts.page(policyClerk, "GET", "/admin/calendar?year=2026", nil), 200, "2026-01-01", "元旦")
}

func TestPolicyAPI(t *testing.T) {
	ts := newPolicyTestServer(t)
	var rules struct {
		Date  string     `json:"date"`
		Rules []ruleJSON `json:"rules"`
	}
	if code := ts.api(nil, "GET", "/api/v1/policy/rules?key=pension_employer_rate&date=2024-02-10", "", &rules); code != 200 ||
		len(rules.Rules) != 1 || rules.Rules[0].Value != "160000" || rules.Rules[0].Display != "16%" || rules.Rules[0].LegalBasis != "国办发〔2019〕13号" {
		t.Fatalf("rule: %d %+v", code, rules)
	}
	if code := ts.api(nil, "GET", "/api/v1/policy/rules?key=injury_class_rate&scope=5", "", &rules); code != 200 || rules.Date != "2024-02-10" || rules.Rules[0].Display != "1.1%" {
		t.Fatalf("today's class 5: %d %+v", code, rules)
	}
	if code := ts.api(nil, "GET", "/api/v1/policy/rules?date=2024-02-10", "", &rules); code != 200 || len(rules.Rules) < 30 {
		t.Fatalf("all in force: %d %d", code, len(rules.Rules))
	}
	var e apiError
	if code := ts.api(nil, "GET", "/api/v1/policy/rules?key=account_interest_rate&date=2026-02-10", "", &e); code != 404 || e.Error.Code != "rule_not_found" {
		t.Fatalf("none in force: %d %+v", code, e)
	}
	if code := ts.api(nil, "GET", "/api/v1/policy/rules?date=10/02/2024", "", &e); code != 422 {
		t.Fatalf("bad date: %d", code)
	}

	body := `{"title":"疫情防控应急期","start":"2024-01-23","scope":"全区","legal_basis":"人社厅明电〔2024〕7号",
		"measures":["collection_extended","late_fee_waived","makeup_allowed"],"fee_months":["2024-01","2024-02"],"collection_due":"2024-03-31"}`
	if code := ts.api(policyClerk, "POST", "/api/v1/policy/emergencies", body, &e); code != 403 {
		t.Fatalf("clerk declares: %d", code)
	}
	if code := ts.api(nil, "POST", "/api/v1/policy/emergencies", body, &e); code != 401 {
		t.Fatalf("anonymous declares: %d", code)
	}
	if code := ts.api(policyAdmin, "POST", "/api/v1/policy/emergencies", `{"title":""}`, &e); code != 422 || len(e.Error.Fields) == 0 {
		t.Fatalf("invalid declare: %d %+v", code, e)
	}
	var em emergencyJSON
	if code := ts.api(policyAdmin, "POST", "/api/v1/policy/emergencies", body, &em); code != 201 || em.ID == 0 || !em.Active ||
		em.Measures[0].Description != "2024年1月、2月社保费征收期延长至2024年3月31日" || em.End != nil {
		t.Fatalf("declare: %d %+v", code, em)
	}
	if code := ts.api(policyAdmin, "POST", "/api/v1/policy/emergencies/1/end", `{"end":"2024-03-31","version":1}`, &em); code != 200 ||
		*em.End != "2024-03-31" || *em.MakeUpUntil != "2024-06-30" || em.Version != 2 {
		t.Fatalf("end: %d %+v", code, em)
	}
	if code := ts.api(policyAdmin, "POST", "/api/v1/policy/emergencies/1/end", `{"end":"2024-04-30","version":1}`, &e); code != 409 || e.Error.Code != "stale_version" {
		t.Fatalf("stale end: %d %+v", code, e)
	}
	if code := ts.api(policyAdmin, "POST", "/api/v1/policy/emergencies/1/end", `{"end":"2024-04-30"}`, &e); code != 422 {
		t.Fatalf("missing version: %d", code)
	}
	var list struct {
		Emergencies []emergencyJSON `json:"emergencies"`
	}
	if code := ts.api(nil, "GET", "/api/v1/policy/emergencies", "", &list); code != 200 || len(list.Emergencies) != 1 || *list.Emergencies[0].End != "2024-03-31" {
		t.Fatalf("list: %d %+v", code, list)
	}
}

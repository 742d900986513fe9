package web

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"shebao/internal/clock"
	"shebao/internal/policy"
)

// TestRuleFormSpeaksYuanAndChinese: the admin's rule form names units in
// Chinese, takes amounts in 元 with thousands separators exactly, refuses
// a third decimal in Chinese, and shows the rounding rule by its label.
func TestRuleFormSpeaksYuanAndChinese(t *testing.T) {
	ts := newPolicyTestServer(t)
	form := ts.page(policyAdmin, "GET", "/admin/policy/new", nil)
	wantPage(t, form, 200, "（金额，元）", "（比例，%）", "（天数）")
	for _, code := range []string{"（fen）", "（rate_ppm）", "（text）", "（int）", "（days）"} {
		if strings.Contains(form.Body.String(), code) {
			t.Errorf("rule form shows %s", code)
		}
	}
	add := url.Values{"key": {"avg_wage"}, "effective_from": {"2026-07-01"}, "value": {"7,946.505"}, "legal_basis": {"省人社厅 2026 年通知"}}
	wantPage(t, ts.page(policyAdmin, "POST", "/admin/policy", add), 422, "最多两位小数")
	add.Set("value", "1,234,567.89")
	if w := ts.page(policyAdmin, "POST", "/admin/policy", add); w.Code != 303 {
		t.Fatalf("add: %d %s", w.Code, w.Body)
	}
	r, err := ts.s.Policy.InForce(context.Background(), policy.KeyAvgWage, "", time.Date(2026, 8, 1, 0, 0, 0, 0, clock.Shanghai))
	if err != nil || r.Value != "123456789" {
		t.Fatalf("stored %q, %v; want 123456789 fen", r.Value, err)
	}
	wantPage(t, ts.page(policyClerk, "GET", "/admin/policy?key=avg_wage", nil), 200, "1,234,567.89 元")

	list := ts.page(policyClerk, "GET", "/admin/policy?key=base_rounding", nil)
	wantPage(t, list, 200, "按元取整")
	if strings.Contains(list.Body.String(), "yuan") {
		t.Error("rounding rule shown as its code")
	}
}

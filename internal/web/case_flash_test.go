package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// TestCaseTransitionFlashReadsOnce: after a clerk accepts a case the page
// says which state it is now in, without doubling 已 ("已已受理").
func TestCaseTransitionFlashReadsOnce(t *testing.T) {
	env := apptest.New(t, "sqlite")
	clerk := env.LoginAs(t, apptest.Staff(access.Injury))
	r := clerk.PostForm(t, "/staff/cases/new", url.Values{"type": {"injury_medical_claim"}, "channel": {"phone"},
		"applicant_kind": {"anonymous"}, "applicant_name": {"某建筑工地"}, "title": {"电话申请：医疗费用报销"}})
	loc := r.WantRedirect(t, "/staff/cases/").Location()
	no := strings.TrimPrefix(loc, "/staff/cases/")
	clerk.PostForm(t, loc+"/claim", url.Values{"version": {"1"}}).WantRedirect(t, loc)
	page := clerk.PostForm(t, "/cases/"+no+"/transition", url.Values{"version": {"2"}, "to": {"accepted"}})
	if page.Status != http.StatusSeeOther {
		t.Fatalf("transition: %d %s", page.Status, page.Body)
	}
	body := clerk.Get(t, page.Location()).WantStatus(t, http.StatusOK).WantBody(t, "案件状态已改为“已受理”").Body
	if strings.Contains(body, "已已") {
		t.Error("flash doubles 已")
	}
}

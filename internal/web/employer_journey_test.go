package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/ident"
)

var (
	empAppNo    = regexp.MustCompile(`DJ20240210-\d{4}`)
	empDetail   = regexp.MustCompile(`href="/staff/registrations/(\d+)"`)
	empVersion  = regexp.MustCompile(`name="version" value="(\d+)"`)
	empPassword = regexp.MustCompile(`<code>([^<]+)</code>`)
	empNumber   = regexp.MustCompile(`<strong>(110105\d{6})</strong>`)
)

func empRegistration(uscc string) url.Values {
	return url.Values{
		"uscc": {uscc}, "name": {"北京丙示例餐饮管理有限公司"}, "legal_rep": {"孙立"},
		"address": {"北京市朝阳区望京街10号"}, "contact_name": {"吴霞"}, "contact_phone": {"010-65001234"},
		"industry": {"餐饮业"}, "risk_class": {"2"}, "bank_name": {"中国建设银行望京支行"},
		"bank_account": {"11050100000012345678"}, "established_on": {"2024-02-05"}, "agree": {"1"},
	}
}

// TestRegistrationJourney walks the whole registration through the real
// app, sessions and CSRF: apply → clerk approves → employer logs in.
func TestRegistrationJourney(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		uscc := ident.MakeUSCC("91", "110105", "MA03JY7C")
		anon := env.Anon(t)
		anon.Get(t, "/register").WantStatus(t, http.StatusOK).WantBody(t, "企业参保登记")
		forged := empRegistration(uscc)
		forged.Set("_csrf", "forged-token-forged-token-forged-token")
		anon.PostForm(t, "/register", forged).WantStatus(t, http.StatusForbidden)
		done := anon.PostForm(t, "/register", empRegistration(uscc)).WantStatus(t, http.StatusOK).WantBody(t, "登记申请已受理")
		appNo := empAppNo.FindString(done.Body)

		clerk := env.LoginAs(t, apptest.Staff(access.Coordination))
		queue := clerk.Get(t, "/staff/registrations").WantStatus(t, http.StatusOK).WantBody(t, appNo)
		detailURL := "/staff/registrations/" + empDetail.FindStringSubmatch(queue.Body)[1]
		detail := clerk.Get(t, detailURL).WantStatus(t, http.StatusOK)
		version := empVersion.FindStringSubmatch(detail.Body)[1]
		approved := clerk.PostForm(t, detailURL+"/approve", url.Values{"version": {version}}).
			WantStatus(t, http.StatusOK).WantBody(t, "此密码只显示一次")
		number := empNumber.FindStringSubmatch(approved.Body)[1]
		password := empPassword.FindStringSubmatch(approved.Body)[1]

		// A second clerk acting on the same page is told it is done.
		admin := env.LoginAs(t, apptest.Admin)
		admin.PostForm(t, detailURL+"/return", url.Values{"version": {version}, "reasons": {"材料不全"}}).
			WantStatus(t, http.StatusConflict).WantBody(t, "已由其他经办人员处理（已通过）")

		anon.Get(t, "/register/status?app_no="+appNo+"&uscc="+uscc).WantStatus(t, http.StatusOK).WantBody(t, "已通过", number)

		// The employer logs in with its number and the initial password.
		emp, r := loginForm(t, env, number, password, "/employer")
		r.WantRedirect(t, "/account/password")
		page := emp.Get(t, "/account/password").WantStatus(t, http.StatusOK)
		emp.CSRF = formCSRF.FindStringSubmatch(page.Body)[1]
		emp.PostForm(t, "/account/password", url.Values{"old_password": {password}, "new_password": {"Bing2024new"},
			"confirm_password": {"Bing2024new"}}).WantRedirect(t, "/employer")
		home := emp.Get(t, "/employer").WantStatus(t, http.StatusOK).WantBody(t, number, "北京丙示例餐饮管理有限公司", "010-65001234")
		if strings.Contains(home.Body, "北京甲测试科技有限公司") {
			t.Fatal("new employer sees employer A")
		}
		var me struct {
			ID         int64  `json:"id"`
			EmployerNo string `json:"employer_no"`
		}
		emp.Get(t, "/api/v1/employers/me").WantStatus(t, http.StatusOK).JSON(t, &me)
		if me.EmployerNo != number || me.ID == env.User(t, apptest.EmployerA).EmployerID {
			t.Fatalf("me = %+v", me)
		}
	})
}

// TestEmployerRoutesByRole walks the employer area's pages with every role.
func TestEmployerRoutesByRole(t *testing.T) {
	env := apptest.New(t, "sqlite")
	const (
		ok        = http.StatusOK
		forbidden = http.StatusForbidden
		login     = http.StatusSeeOther
	)
	routes := []struct {
		path string
		want map[string]int // by user key; "" = anonymous
	}{
		{"/register", map[string]int{"": ok, apptest.EmployerA: ok, apptest.Staff(access.Injury): ok}},
		{"/register/status", map[string]int{"": ok, apptest.PersonA: ok}},
		{"/staff/registrations", map[string]int{"": login, apptest.EmployerA: forbidden, apptest.PersonA: forbidden,
			apptest.Staff(access.Injury): forbidden, apptest.Staff(access.Coordination): ok, apptest.Admin: ok}},
		{"/staff/registrations/new", map[string]int{"": login, apptest.EmployerB: forbidden,
			apptest.Staff(access.Fund): forbidden, apptest.Staff(access.Coordination): ok}},
		{"/staff/employer-changes", map[string]int{"": login, apptest.EmployerA: forbidden,
			apptest.Staff(access.Audit): forbidden, apptest.Staff(access.Coordination): ok}},
		{"/employer", map[string]int{"": login, apptest.EmployerA: ok, apptest.EmployerB: ok,
			apptest.PersonA: forbidden, apptest.Staff(access.Coordination): forbidden}},
		{"/employer/changes/new", map[string]int{"": login, apptest.EmployerA: ok, apptest.PersonB: forbidden}},
	}
	clients := map[string]*apptest.Client{"": env.Anon(t)}
	for _, rt := range routes {
		for key, want := range rt.want {
			c, ok := clients[key]
			if !ok {
				c = env.LoginAs(t, key)
				clients[key] = c
			}
			if got := c.Get(t, rt.path).Status; got != want {
				t.Errorf("GET %s as %q: %d, want %d", rt.path, key, got, want)
			}
		}
	}
	// API keys of hospitals and banks have no business in registration review.
	hosp := env.LoginAs(t, apptest.APIHospital)
	hosp.Get(t, "/api/v1/employer-applications").WantStatus(t, http.StatusForbidden)
	hosp.Get(t, "/api/v1/employers/me").WantStatus(t, http.StatusForbidden)
}

package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

var onceSecret = regexp.MustCompile(`(?s)class="once".*?<code>([^<]+)</code>`)

func secretOf(t *testing.T, r *apptest.Response) string {
	t.Helper()
	m := onceSecret.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no .once secret in %.600s", r.Body)
	}
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Error("page with a secret is cacheable")
	}
	return m[1]
}

func TestAdminManagesStaff(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		admin := env.LoginAs(t, apptest.Admin)
		admin.Get(t, "/admin").WantStatus(t, http.StatusOK).WantBody(t, "/admin/users", "/admin/api-clients", "/admin/policy", "/admin/emergencies", "/staff/audit")

		bad := admin.PostForm(t, "/admin/users", url.Values{"username": {"Bad Name"}, "display_name": {""}, "sections": {"fund"}})
		bad.WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "工号只能包含", "请填写姓名", `value="fund" checked`)

		r := admin.PostForm(t, "/admin/users", url.Values{"username": {"chen.jing"}, "display_name": {"陈静"},
			"sections": {"injury", "welfare"}})
		r.WantStatus(t, http.StatusOK).WantBody(t, "经办人员账户已创建", "chen.jing")
		initial := secretOf(t, r)

		// The new clerk must change the initial password first.
		c, lr := loginForm(t, env, "chen.jing", initial, "")
		lr.WantRedirect(t, "/account/password")
		c.Get(t, "/staff").WantRedirect(t, "/account/password")

		list := admin.Get(t, "/admin/users?q=CHEN").WantStatus(t, http.StatusOK).WantBody(t, "陈静", "工伤保险待遇科、保险福利科", "待改初始密码")
		m := regexp.MustCompile(`/admin/users/(\d+)"`).FindStringSubmatch(list.Body)
		id := m[1]
		// Persons are listed with masked ID numbers.
		persons := admin.Get(t, "/admin/users?role=person").WantStatus(t, http.StatusOK)
		if strings.Contains(persons.Body, env.User(t, apptest.PersonA).Username) {
			t.Fatal("clear ID number in the user list")
		}

		// Sections: stale version is refused, the current one saved.
		admin.Get(t, "/admin/users/"+id).WantStatus(t, http.StatusOK).WantBody(t, `value="injury" checked`)
		admin.PostForm(t, "/admin/users/"+id+"/sections", url.Values{"version": {"0"}, "sections": {"fund"}}).
			WantStatus(t, http.StatusConflict)
		admin.PostForm(t, "/admin/users/"+id+"/sections", url.Values{"version": {"1"}, "sections": {"fund"}}).
			WantRedirect(t, "/admin/users/"+id)

		// Reset asks first, then shows the new password once.
		admin.Get(t, "/admin/users/"+id+"/reset").WantStatus(t, http.StatusOK).WantBody(t, "确认重置")
		fresh := secretOf(t, admin.PostForm(t, "/admin/users/"+id+"/reset", nil).WantStatus(t, http.StatusOK))
		if fresh == initial {
			t.Fatal("reset kept the password")
		}
		_, lr = loginForm(t, env, "chen.jing", initial, "")
		lr.WantStatus(t, http.StatusUnauthorized)

		// Disable with confirmation; the version on the confirmation page is current.
		conf := admin.Get(t, "/admin/users/"+id+"/disable").WantStatus(t, http.StatusOK).WantBody(t, "确认停用")
		v := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(conf.Body)[1]
		admin.PostForm(t, "/admin/users/"+id+"/disable", url.Values{"version": {v}}).WantRedirect(t, "/admin/users/"+id)
		_, lr = loginForm(t, env, "chen.jing", fresh, "")
		lr.WantStatus(t, http.StatusForbidden).WantBody(t, "该账户已停用")
		admin.PostForm(t, "/admin/users/"+id+"/enable", url.Values{"version": {v}}).WantStatus(t, http.StatusConflict)
		admin.Get(t, "/admin/users/"+id+"/explode").WantStatus(t, http.StatusNotFound)
		admin.Get(t, "/admin/users/999999").WantStatus(t, http.StatusNotFound)
	})
}

func TestAdminCreatesAPIClientKeyShownOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		admin := env.LoginAs(t, apptest.Admin)
		admin.PostForm(t, "/admin/api-clients", url.Values{"name": {""}, "kind": {"bank"}}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "请填写接口客户端名称")
		key := secretOf(t, admin.PostForm(t, "/admin/api-clients", url.Values{"name": {"某某银行"}, "kind": {"bank"}}).
			WantStatus(t, http.StatusOK))
		list := admin.Get(t, "/admin/api-clients").WantStatus(t, http.StatusOK).WantBody(t, "某某银行")
		if strings.Contains(list.Body, key) {
			t.Fatal("key shown again in the list")
		}
		c := env.Anon(t)
		c.Bearer = key
		c.Get(t, "/api/v1/me").WantStatus(t, http.StatusOK).WantBody(t, `"client_kind":"bank"`)
	})
}

func TestStaffConsoleHome(t *testing.T) {
	env := apptest.New(t, "sqlite")
	coord := env.LoginAs(t, apptest.Staff(access.Coordination)).Get(t, "/staff").WantStatus(t, http.StatusOK)
	coord.WantBody(t, "统筹科", `href="/staff/registrations"`, "企业参保登记审核", `href="/staff/employer-changes"`)
	// The clerk is greeted by name, not by the login name.
	coord.WantBody(t, "统筹科经办人，您所在的科室")
	if strings.Contains(coord.Body, "审计日志") {
		t.Error("coordination clerk sees the audit section")
	}
	env.LoginAs(t, apptest.Staff(access.Audit)).Get(t, "/staff").WantBody(t, `href="/staff/audit"`)
	// Every section now has at least its case queue (the catalog's types).
	welfare := env.LoginAs(t, apptest.Staff(access.Welfare)).Get(t, "/staff").WantBody(t, "保险福利科",
		`href="/staff/cases?section=welfare"`, `href="/staff/lookup"`)
	if strings.Contains(welfare.Body, "建设中") {
		t.Error("the welfare section is still shown as under construction")
	}
	env.LoginAs(t, apptest.Staff(access.Injury)).Get(t, "/staff").WantBody(t, `href="/staff/injury/reports/new"`)
	all := env.LoginAs(t, apptest.Admin).Get(t, "/staff").WantStatus(t, http.StatusOK)
	for _, x := range access.Sections {
		if !strings.Contains(all.Body, fmt.Sprintf("<h2>%s</h2>", x.Name())) {
			t.Errorf("admin console lacks %s", x.Name())
		}
	}
}

// TestPasswordsNeverLogged runs every path that handles a password and
// then searches the whole log for them.
func TestPasswordsNeverLogged(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		u := env.User(t, apptest.Staff(access.Welfare))
		secrets := []string{u.Password, "Wrong-Secret-77", "Changed2024pw"}
		loginForm(t, env, u.Username, "Wrong-Secret-77", "")
		c, _ := loginForm(t, env, u.Username, u.Password, "")
		c = env.Login(t, u.Username, u.Password)
		c.PostJSON(t, "/api/v1/account/password", map[string]string{"old_password": u.Password, "new_password": "Changed2024pw"}).
			WantStatus(t, http.StatusOK)
		admin := env.LoginAs(t, apptest.Admin)
		r := admin.PostForm(t, "/admin/users", url.Values{"username": {"logcheck"}, "display_name": {"日志"}, "sections": {"fund"}})
		secrets = append(secrets, secretOf(t, r))
		secrets = append(secrets, secretOf(t, admin.PostForm(t, "/admin/api-clients", url.Values{"name": {"医院"}, "kind": {"hospital"}})))
		logs := env.Logs.String()
		if !strings.Contains(logs, "/api/v1/account/password") {
			t.Fatal("requests were not logged at all")
		}
		for _, s := range secrets {
			if strings.Contains(logs, s) {
				t.Errorf("secret %q in the log", s)
			}
		}
		if strings.Contains(logs, c.Cookie("shebao_session")) {
			t.Error("session token in the log")
		}
	})
}

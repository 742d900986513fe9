package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app/apptest"
)

var formCSRF = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// loginForm logs in through the HTML form like a browser.
func loginForm(t *testing.T, env *apptest.Env, username, password, next string) (*apptest.Client, *apptest.Response) {
	t.Helper()
	c := env.Anon(t)
	page := c.Get(t, "/login").WantStatus(t, http.StatusOK)
	m := formCSRF.FindStringSubmatch(page.Body)
	if m == nil || m[1] != c.CSRF {
		t.Fatalf("login form token %v, cookie %q", m, c.CSRF)
	}
	form := url.Values{"username": {username}, "password": {password}}
	if next != "" {
		form.Set("next", next)
	}
	return c, c.PostForm(t, "/login", form)
}

func TestLoginRedirectsEachRoleHome(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		for key, home := range map[string]string{apptest.EmployerA: "/employer", apptest.PersonA: "/person",
			apptest.Staff(access.Fund): "/staff", apptest.Admin: "/admin"} {
			u := env.User(t, key)
			c, r := loginForm(t, env, u.Username, u.Password, "")
			r.WantRedirect(t, home)
			if r.Location() != home {
				t.Errorf("%s went to %s", key, r.Location())
			}
			set := strings.Join(r.Header.Values("Set-Cookie"), "\n")
			for _, want := range []string{"shebao_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
				if !strings.Contains(set, want) {
					t.Errorf("session cookie lacks %s: %s", want, set)
				}
			}
			if strings.Contains(set, "Secure") {
				t.Error("Secure cookie without TLS")
			}
			c.Get(t, home).WantStatus(t, http.StatusOK)
			// The login page sends a logged-in visitor home.
			c.Get(t, "/login").WantRedirect(t, home)
		}
	})
}

func TestLoginNextIsLocalOnly(t *testing.T) {
	env := apptest.New(t, "sqlite")
	u := env.User(t, apptest.Staff(access.Coordination))
	cases := map[string]string{
		"/staff/registrations?status=all": "/staff/registrations?status=all",
		"//evil.example/x":                "/staff",
		"https://evil.example/":           "/staff",
		"/\\evil.example":                 "/staff",
		"javascript:alert(1)":             "/staff",
	}
	for next, want := range cases {
		_, r := loginForm(t, env, u.Username, u.Password, next)
		if r.Status != http.StatusSeeOther || r.Location() != want {
			t.Errorf("next %q: %d to %q, want %q", next, r.Status, r.Location(), want)
		}
	}
	// A line break (header injection) is refused at the edge, naming the field.
	_, r := loginForm(t, env, u.Username, u.Password, "/staff\r\nSet-Cookie: x=y")
	r.WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "「跳转地址」")
	// A login redirect carries the page asked for.
	anon := env.Anon(t)
	anon.Get(t, "/admin/users?q=li").WantRedirect(t, "/login?next=%2Fadmin%2Fusers%3Fq%3Dli")
}

func TestLoginErrorsOnPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		u := env.User(t, apptest.EmployerA)
		_, r := loginForm(t, env, u.Username, "Wrong-Passw0rd-xyz", "")
		r.WantStatus(t, http.StatusUnauthorized).WantBody(t, "用户名或密码错误", `value="`+u.Username+`"`)
		if strings.Contains(r.Body, "Wrong-Passw0rd-xyz") {
			t.Fatal("password echoed into the page")
		}
		_, r2 := loginForm(t, env, "440300999999", "Wrong-Passw0rd-xyz", "")
		r2.WantStatus(t, http.StatusUnauthorized).WantBody(t, "用户名或密码错误")
		for i := 0; i < 4; i++ {
			_, r = loginForm(t, env, u.Username, "Wrong-Passw0rd-xyz", "")
			r.WantStatus(t, http.StatusUnauthorized)
		}
		// Five failures from this address: the next attempt waits a second,
		// whoever the username belongs to.
		_, r = loginForm(t, env, u.Username, u.Password, "")
		r.WantStatus(t, http.StatusTooManyRequests).WantBody(t, "登录尝试过于频繁，请 1 秒后再试", `value="`+u.Username+`"`)
		if got := r.Header.Get("Retry-After"); got != "1" {
			t.Errorf("Retry-After %q", got)
		}
		env.Clock.Advance(time.Second)
		_, r = loginForm(t, env, u.Username, u.Password, "")
		r.WantRedirect(t, "/employer")
	})
}

func TestForcedPasswordChange(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		emp := env.User(t, apptest.EmployerB)
		u := env.AddLogin(t, account.NewAccount{Role: access.RoleEmployer, Username: "440300777777", EmployerID: emp.EmployerID}, true)
		c, r := loginForm(t, env, u.Username, u.Password, "/employer")
		r.WantRedirect(t, "/account/password")
		for _, p := range []string{"/employer", "/", "/staff", "/employer/changes/new"} {
			c.Get(t, p).WantRedirect(t, "/account/password")
		}
		page := c.Get(t, "/account/password").WantStatus(t, http.StatusOK).WantBody(t, "首次登录请先修改初始密码", "您正在使用初始密码")
		c.CSRF = formCSRF.FindStringSubmatch(page.Body)[1]
		c.Get(t, "/static/site.css").WantStatus(t, http.StatusOK)
		var apiErr struct{ Error struct{ Code string } }
		c.Get(t, "/api/v1/employers/me").WantStatus(t, http.StatusForbidden).JSON(t, &apiErr)
		if apiErr.Error.Code != "password_change_required" {
			t.Fatalf("code %q", apiErr.Error.Code)
		}
		c.PostForm(t, "/account/password", url.Values{"old_password": {u.Password}, "new_password": {"Fresh2024x"},
			"confirm_password": {"Fresh2024y"}}).WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "两次输入的新密码不一致")
		c.PostForm(t, "/account/password", url.Values{"old_password": {u.Password}, "new_password": {"short1"},
			"confirm_password": {"short1"}}).WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "新密码至少需要 8 位")
		r = c.PostForm(t, "/account/password", url.Values{"old_password": {u.Password}, "new_password": {"Fresh2024x"},
			"confirm_password": {"Fresh2024x"}})
		r.WantRedirect(t, "/employer")
		c.Get(t, "/employer").WantStatus(t, http.StatusOK).WantBody(t, "密码已修改")
	})
}

func TestSessionEndsAfterIdleTimeout(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		c := env.LoginAs(t, apptest.Staff(access.Audit))
		c.Get(t, "/staff").WantStatus(t, http.StatusOK)
		env.Clock.Advance(29 * time.Minute)
		c.Get(t, "/staff").WantStatus(t, http.StatusOK)
		env.Clock.Advance(30 * time.Minute)
		r := c.Get(t, "/staff").WantRedirect(t, "/login?next=%2Fstaff")
		if !strings.Contains(strings.Join(r.Header.Values("Set-Cookie"), ";"), "shebao_session=;") {
			t.Errorf("ended session cookie not cleared: %v", r.Header.Values("Set-Cookie"))
		}
		c.Get(t, "/api/v1/me").WantStatus(t, http.StatusUnauthorized)
	})
}

func TestLogout(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		c := env.LoginAs(t, apptest.PersonA)
		c.PostForm(t, "/logout", nil).WantRedirect(t, "/")
		c.Get(t, "/person").WantRedirect(t, "/login")
		// JSON logout.
		j := env.LoginAs(t, apptest.PersonA)
		j.SendJSON(t, http.MethodDelete, "/api/v1/session", nil).WantStatus(t, http.StatusNoContent)
		j.Get(t, "/api/v1/me").WantStatus(t, http.StatusUnauthorized)
	})
}

func TestJSONLoginAndPasswordChange(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		u := env.User(t, apptest.Staff(access.Office))
		c := env.Login(t, u.Username, u.Password)
		var me struct {
			Role     string `json:"role"`
			Sections []struct{ Code, Name string }
			CSRF     string `json:"csrf_token"`
		}
		c.Get(t, "/api/v1/me").WantStatus(t, http.StatusOK).JSON(t, &me)
		if me.Role != "staff" || len(me.Sections) != 1 || me.Sections[0].Name != "办公室" || me.CSRF != c.CSRF {
			t.Fatalf("me %+v", me)
		}
		var apiErr struct {
			Error struct {
				Code   string
				Fields []struct{ Field, Message string }
			}
		}
		c.PostJSON(t, "/api/v1/account/password", map[string]string{"old_password": u.Password, "new_password": "abc"}).
			WantStatus(t, http.StatusUnprocessableEntity).JSON(t, &apiErr)
		if len(apiErr.Error.Fields) != 1 || apiErr.Error.Fields[0].Field != "new_password" {
			t.Fatalf("%+v", apiErr)
		}
		old := c.CSRF
		r := c.PostJSON(t, "/api/v1/account/password", map[string]string{"old_password": u.Password, "new_password": "NewOffice2024"})
		r.WantStatus(t, http.StatusOK).JSON(t, &me)
		if me.CSRF == "" || me.CSRF == old {
			t.Fatal("no fresh session after the change")
		}
		// Wrong credentials answer 401 JSON with the generic message.
		anon := env.Anon(t)
		anon.CSRF = ""
		anon.PostJSON(t, "/api/v1/session", map[string]string{"username": u.Username, "password": u.Password}).
			WantStatus(t, http.StatusUnauthorized).WantBody(t, "用户名或密码错误")
	})
}

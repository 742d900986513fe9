package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

const csrfMessage = "页面已过期或请求来源无效，请刷新页面后重试"

func TestCSRFAnonymousDoubleSubmit(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		u := env.User(t, apptest.EmployerA)
		login := url.Values{"username": {u.Username}, "password": {u.Password}}
		with := func(token string) url.Values {
			v := url.Values{}
			for k, x := range login {
				v[k] = x
			}
			v["_csrf"] = []string{token}
			return v
		}
		c := env.Anon(t)
		cookie := c.CSRF
		cases := []struct {
			name string
			form url.Values
		}{
			{"missing", with("")},
			{"forged", with(strings.Repeat("A", len(cookie)))},
			{"another visitor's", with(env.Anon(t).CSRF)},
		}
		for _, tc := range cases {
			c.PostForm(t, "/login", tc.form).WantStatus(t, http.StatusForbidden).WantBody(t, csrfMessage)
		}
		// A visitor without the cookie cannot post even a well-formed token.
		fresh := env.Anon(t)
		fresh.HTTP.Jar = nil
		fresh.PostForm(t, "/login", with(cookie)).WantStatus(t, http.StatusForbidden)
		// The header works as well as the field; the right token gets through.
		h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "X-CSRF-Token": {cookie}}
		c.Do(t, http.MethodPost, "/login", strings.NewReader(login.Encode()), h).WantRedirect(t, "/employer")
	})
}

func TestCSRFSessionToken(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		c := env.LoginAs(t, apptest.Staff(access.Coordination))
		token := c.CSRF
		anonToken := env.Anon(t).CSRF
		for _, bad := range []string{"", "x", anonToken, token[:len(token)-1] + "A"} {
			if bad == token {
				continue
			}
			c.PostForm(t, "/logout", url.Values{"_csrf": {bad}}).WantStatus(t, http.StatusForbidden).WantBody(t, csrfMessage)
		}
		c.Get(t, "/staff").WantStatus(t, http.StatusOK) // still logged in
		// JSON: the header is required, and the error is JSON.
		c.CSRF = ""
		var e struct {
			Error struct{ Code, Message string }
		}
		c.SendJSON(t, http.MethodDelete, "/api/v1/session", nil).WantStatus(t, http.StatusForbidden).JSON(t, &e)
		if e.Error.Code != "csrf_invalid" || e.Error.Message != csrfMessage {
			t.Fatalf("%+v", e)
		}
		c.CSRF = token
		c.PostForm(t, "/logout", nil).WantRedirect(t, "/")
		c.Get(t, "/staff").WantRedirect(t, "/login")
	})
}

func TestCSRFJSONLoginNeedsJSONContentType(t *testing.T) {
	env := apptest.New(t, "sqlite")
	u := env.User(t, apptest.PersonA)
	c := env.Anon(t)
	c.CSRF = ""
	form := url.Values{"username": {u.Username}, "password": {u.Password}}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	c.Do(t, http.MethodPost, "/api/v1/session", strings.NewReader(form.Encode()), h).WantStatus(t, http.StatusForbidden)
	h = http.Header{"Content-Type": {"text/plain"}}
	c.Do(t, http.MethodPost, "/api/v1/session", strings.NewReader(`{"username":"`+u.Username+`","password":"`+u.Password+`"}`), h).
		WantStatus(t, http.StatusForbidden)
}

func TestAPIKeyAuthentication(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		hosp := env.LoginAs(t, apptest.APIHospital)
		var me struct {
			Role string `json:"role"`
			Kind string `json:"client_kind"`
			CSRF string `json:"csrf_token"`
		}
		hosp.Get(t, "/api/v1/me").WantStatus(t, http.StatusOK).JSON(t, &me)
		if me.Role != "api" || me.Kind != "hospital" || me.CSRF != "" {
			t.Fatalf("me %+v", me)
		}
		// Bearer requests need no CSRF token: this one reaches the service,
		// which refuses a password change for an API client.
		var e struct{ Error struct{ Code string } }
		hosp.PostJSON(t, "/api/v1/account/password", map[string]string{"old_password": "x", "new_password": "y"}).
			WantStatus(t, http.StatusForbidden).JSON(t, &e)
		if e.Error.Code != "forbidden" {
			t.Fatalf("code %q", e.Error.Code)
		}
		// Keys count on /api/ only; pages treat the client as anonymous.
		hosp.Get(t, "/staff").WantRedirect(t, "/login")

		bad := env.Anon(t)
		bad.Bearer = env.User(t, apptest.APIHospital).APIKey + "x"
		bad.Get(t, "/api/v1/me").WantStatus(t, http.StatusUnauthorized).JSON(t, &e)
		if e.Error.Code != "bad_api_key" {
			t.Fatalf("code %q", e.Error.Code)
		}

		// The administrator revokes the key through the pages (with a confirmation).
		admin := env.LoginAs(t, apptest.Admin)
		admin.Get(t, "/admin/api-clients").WantStatus(t, http.StatusOK).WantBody(t, "北京市测试医院", "中国测试银行北京分行")
		clients, err := env.App.Accounts.ListAPIClients(context.Background(), env.Actor(t, apptest.Admin))
		if err != nil {
			t.Fatal(err)
		}
		var link string
		for _, c := range clients {
			if c.Kind == "hospital" {
				link = fmt.Sprintf("/admin/api-clients/%d/revoke", c.ID)
			}
		}
		admin.Get(t, link).WantStatus(t, http.StatusOK).WantBody(t, "确认吊销")
		admin.PostForm(t, link, nil).WantRedirect(t, "/admin/api-clients")
		admin.Get(t, "/admin/api-clients").WantBody(t, "已吊销")
		hosp.Get(t, "/api/v1/me").WantStatus(t, http.StatusUnauthorized)
		env.LoginAs(t, apptest.APIBank).Get(t, "/api/v1/me").WantStatus(t, http.StatusOK)
	})
}

// An anonymous JSON request has no credential to abuse and needs no token;
// the same request from a logged-in browser session does.
func TestCSRFAnonymousJSONExemptSessionJSONNot(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		anon := env.Anon(t)
		anon.HTTP.Jar = nil
		h := http.Header{"Content-Type": {"application/json"}}
		body := `{"uscc":"bad"}`
		res := anon.Do(t, http.MethodPost, "/api/v1/employer-applications", strings.NewReader(body), h)
		if res.Status == http.StatusForbidden {
			t.Fatalf("anonymous JSON request refused by CSRF: %s", res.Body)
		}
		res.WantStatus(t, http.StatusUnprocessableEntity)
		// Same path as a form post without a token: refused.
		anon.Do(t, http.MethodPost, "/api/v1/employer-applications", strings.NewReader("uscc=bad"),
			http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}).WantStatus(t, http.StatusForbidden)
		// A logged-in employer's JSON without the header: refused.
		emp := env.LoginAs(t, apptest.EmployerA)
		emp.Do(t, http.MethodPost, "/api/v1/employers/me/change-requests", strings.NewReader(`{"reason":"x"}`), h).
			WantStatus(t, http.StatusForbidden).WantBody(t, "csrf_invalid")
	})
}

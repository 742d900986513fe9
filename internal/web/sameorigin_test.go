package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

const crossOriginMessage = "请求来自其他网站，已被拒绝"

// TestForeignOriginRefused: a state-changing request with a valid session
// and CSRF token is still refused when the browser says it comes from
// another site; the site's own origin and clients without Origin pass.
func TestForeignOriginRefused(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		c := env.LoginAs(t, apptest.Staff(access.Injury))
		own := env.Server.URL // http://127.0.0.1:port
		post := func(h http.Header) *apptest.Response {
			form := url.Values{"_csrf": {c.CSRF}, "text": {"好"}}
			h.Set("Content-Type", "application/x-www-form-urlencoded")
			return c.Do(t, http.MethodPost, "/cases/GS20240210-9999/comment", strings.NewReader(form.Encode()), h)
		}
		for name, h := range map[string]http.Header{
			"foreign origin":  {"Origin": {"https://evil.example"}},
			"other port":      {"Origin": {strings.TrimSuffix(own, own[strings.LastIndexByte(own, ':'):]) + ":1"}},
			"other scheme":    {"Origin": {strings.Replace(own, "http://", "https://", 1)}},
			"null origin":     {"Origin": {"null"}},
			"cross-site":      {"Sec-Fetch-Site": {"cross-site"}},
			"cross-site, own": {"Sec-Fetch-Site": {"cross-site"}, "Origin": {own}},
		} {
			r := post(h)
			if r.Status != http.StatusForbidden || !strings.Contains(r.Body, crossOriginMessage) {
				t.Errorf("%s: %d %.200s", name, r.Status, r.Body)
			}
		}
		// The case does not exist: past the origin and CSRF checks.
		post(http.Header{"Origin": {own}, "Sec-Fetch-Site": {"same-origin"}}).WantStatus(t, http.StatusNotFound)
		post(http.Header{"Sec-Fetch-Site": {"same-site"}}).WantStatus(t, http.StatusNotFound)
		post(http.Header{}).WantStatus(t, http.StatusNotFound)
		// Reading is not refused.
		c.Do(t, http.MethodGet, "/staff/cases", nil, http.Header{"Origin": {"https://evil.example"}}).WantStatus(t, http.StatusOK)

		// The JSON API answers in JSON; API keys without Origin are unaffected.
		h := http.Header{"Content-Type": {"application/json"}, "X-CSRF-Token": {c.CSRF}, "Origin": {"https://evil.example"}}
		c.Do(t, http.MethodPost, "/api/v1/cases/GS20240210-9999/comments", strings.NewReader(`{"text":"好"}`), h).
			WantStatus(t, http.StatusForbidden).WantBody(t, `"code":"cross_origin"`)
		bank := env.LoginAs(t, apptest.APIBank)
		bank.PostJSON(t, "/api/v1/cases/GS20240210-9999/comments", map[string]string{"text": "好"}).WantStatus(t, http.StatusNotFound)
		// Logging in from a foreign page is refused too (login CSRF).
		anon := env.Anon(t)
		u := env.User(t, apptest.EmployerA)
		form := url.Values{"_csrf": {anon.CSRF}, "username": {u.Username}, "password": {u.Password}}
		anon.Do(t, http.MethodPost, "/login", strings.NewReader(form.Encode()), http.Header{
			"Content-Type": {"application/x-www-form-urlencoded"}, "Origin": {"https://evil.example"}}).
			WantStatus(t, http.StatusForbidden).WantBody(t, crossOriginMessage)
	})
}

// TestClientRequestIDOnlyIfSafe: a short ID of a safe alphabet is kept;
// anything else is replaced, so it cannot reach logs or the audit log.
func TestClientRequestIDOnlyIfSafe(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		c := env.Anon(t)
		get := func(id string) string {
			return c.Do(t, http.MethodGet, "/login", nil, http.Header{"X-Request-ID": {id}}).Header.Get("X-Request-ID")
		}
		for _, ok := range []string{"abc-123_X.9", strings.Repeat("a", 64)} {
			if got := get(ok); got != ok {
				t.Errorf("X-Request-ID %q replaced by %q", ok, got)
			}
		}
		for _, bad := range []string{strings.Repeat("a", 65), "a b", `a"b`, "a\tb", "张三", "\xff\xfe", "a/../b", "<script>"} {
			got := get(bad)
			if got == bad || len(got) != 16 || strings.Trim(got, "0123456789abcdef") != "" {
				t.Errorf("X-Request-ID %q answered with %q", bad, got)
			}
		}
		// An audited change with bytes that are not UTF-8 as its ID: the
		// audit record gets a fresh ID (PostgreSQL refused the raw bytes: 500).
		emp := env.LoginAs(t, apptest.EmployerA)
		body := `{"old_password":"` + apptest.Password + `","new_password":"Another-pass-2024"}`
		r := emp.Do(t, http.MethodPost, "/api/v1/account/password", strings.NewReader(body), http.Header{
			"Content-Type": {"application/json"}, "X-CSRF-Token": {emp.CSRF}, "X-Request-ID": {"\xd6\xd0\xce\xc4"}})
		r.WantStatus(t, http.StatusOK)
		var stored string
		err := env.App.DB.R.QueryRow(`SELECT request_id FROM audit_log WHERE action = 'account.password.change'`).Scan(&stored)
		if err != nil || stored != r.Header.Get("X-Request-ID") || len(stored) != 16 {
			t.Errorf("audit request_id %q (answer %q): %v", stored, r.Header.Get("X-Request-ID"), err)
		}
	})
}

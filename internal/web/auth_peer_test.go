package web_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app"
	"shebao/internal/app/apptest"
)

// TestTwoServersShareSessionsAndThrottles runs two Shebao processes on one
// database: a session made on one works on the other, a logout on the
// other ends it, and a delay earned on one holds on the other.
func TestTwoServersShareSessionsAndThrottles(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.Env) {
		b := a.Peer(t)
		onA := a.LoginAs(t, apptest.Staff(access.Coordination))
		onB := onA.Via(t, b)
		onB.Get(t, "/staff").WantStatus(t, http.StatusOK)
		onB.PostForm(t, "/logout", nil).WantRedirect(t, "/")
		onA.Get(t, "/staff").WantRedirect(t, "/login")

		u := a.User(t, apptest.EmployerA)
		for i := 0; i < account.FreeAttempts; i++ {
			loginForm(t, a, u.Username, "Wrong-1234x", "")
		}
		_, r := loginForm(t, b, u.Username, u.Password, "")
		r.WantStatus(t, http.StatusTooManyRequests).WantBody(t, "登录尝试过于频繁")
	})
}

// TestParallelLoginsOnTwoServers sends 200 wrong JSON logins for one
// account from one address at once, half to each of two servers on one
// database: only FreeAttempts passwords are checked (each a 401); every
// other answer is 429 with Retry-After and the same message.
func TestParallelLoginsOnTwoServers(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.Env) {
		servers := []string{a.Server.URL, a.Peer(t).Server.URL}
		u := a.User(t, apptest.EmployerA)
		body := fmt.Sprintf(`{"username":%q,"password":"Wrong-1234x"}`, u.Username)
		var mu sync.Mutex
		var wg sync.WaitGroup
		answers := map[string]int{}
		start := make(chan struct{})
		for i := 0; i < 200; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				got := "error"
				res, err := http.Post(servers[i%2]+"/api/v1/session", "application/json", bytes.NewBufferString(body))
				if err == nil {
					var b bytes.Buffer
					b.ReadFrom(res.Body)
					res.Body.Close()
					got = fmt.Sprintf("%d retry=%q %s", res.StatusCode, res.Header.Get("Retry-After"), strings.TrimSpace(b.String()))
				}
				mu.Lock()
				answers[got]++
				mu.Unlock()
			}()
		}
		close(start)
		wg.Wait()
		want := map[string]int{
			`401 retry="" {"error":{"code":"bad_credentials","message":"用户名或密码错误"}}`:           account.FreeAttempts,
			`429 retry="1" {"error":{"code":"login_throttled","message":"登录尝试过于频繁，请 1 秒后再试"}}`: 200 - account.FreeAttempts,
		}
		if fmt.Sprint(answers) != fmt.Sprint(want) {
			t.Fatalf("answers\n got %v\nwant %v", answers, want)
		}
	})
}

// TestAdminUnlocksStaffAccount: a staff account locked by failed logins
// is listed on the administrator's home page and unlocked there, once.
func TestAdminUnlocksStaffAccount(t *testing.T) {
	apptest.EachWith(t, func(c *app.Config) { c.StaffLockAfter = 3 }, func(t *testing.T, env *apptest.Env) {
		staff := env.User(t, apptest.Staff(access.Fund))
		for i := 0; i < 3; i++ {
			_, r := loginForm(t, env, staff.Username, "Wrong-1234x", "")
			r.WantStatus(t, http.StatusUnauthorized)
		}
		_, r := loginForm(t, env, staff.Username, staff.Password, "")
		r.WantStatus(t, http.StatusForbidden).WantBody(t, "该账户登录失败次数过多，已被锁定，请联系系统管理员解锁")

		admin := env.LoginAs(t, apptest.Admin)
		home := admin.Get(t, "/admin").WantStatus(t, http.StatusOK).WantBody(t, "须解锁的账户", staff.Username)
		link := fmt.Sprintf("/admin/users/%d/unlock", staff.ID)
		if !strings.Contains(home.Body, link) {
			t.Fatalf("no unlock link on /admin")
		}
		admin.Get(t, fmt.Sprintf("/admin/users/%d", staff.ID)).WantBody(t, "登录失败过多已锁定", link)
		admin.Get(t, link).WantStatus(t, http.StatusOK).WantBody(t, "确认解除")
		admin.PostForm(t, link, url.Values{}).WantRedirect(t, fmt.Sprintf("/admin/users/%d", staff.ID))
		admin.PostForm(t, link, url.Values{}).WantStatus(t, http.StatusConflict).WantBody(t, "已由他人解锁")
		if strings.Contains(admin.Get(t, "/admin").Body, "须解锁的账户") {
			t.Error("unlocked account still listed")
		}
		_, r = loginForm(t, env, staff.Username, staff.Password, "")
		r.WantRedirect(t, "/staff")
	})
}

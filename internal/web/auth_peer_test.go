package web_test

import (
	"net/http"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// TestTwoServersShareSessionsAndLockouts runs two Shebao processes on one
// database: a session made on one works on the other, a logout on the
// other ends it, and a lockout earned on one holds on the other.
func TestTwoServersShareSessionsAndLockouts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, a *apptest.Env) {
		b := a.Peer(t)
		onA := a.LoginAs(t, apptest.Staff(access.Coordination))
		onB := onA.Via(t, b)
		onB.Get(t, "/staff").WantStatus(t, http.StatusOK)
		onB.PostForm(t, "/logout", nil).WantRedirect(t, "/")
		onA.Get(t, "/staff").WantRedirect(t, "/login")

		u := a.User(t, apptest.EmployerA)
		for i := 0; i < 5; i++ {
			loginForm(t, a, u.Username, "Wrong-1234x", "")
		}
		_, r := loginForm(t, b, u.Username, u.Password, "")
		r.WantStatus(t, http.StatusTooManyRequests).WantBody(t, "账户已临时锁定")
	})
}

package web_test

import (
	"net/http"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// TestBadPageNumberIsRefused: a page number that is not a positive whole
// number is named as the field to fix, not read as the first page.
func TestBadPageNumberIsRefused(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		welfare := env.LoginAs(t, apptest.Staff(access.Welfare))
		welfare.Get(t, "/staff/retirement/upcoming?page=abc").WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "页码应为正整数")
		welfare.Get(t, "/staff/retirement/upcoming?page=2").WantStatus(t, http.StatusOK)
		accounts := env.LoginAs(t, apptest.Staff(access.Account))
		accounts.Get(t, "/staff/transfers?page=abc").WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "页码")
		accounts.Get(t, "/staff/transfers?page=2").WantStatus(t, http.StatusOK)
	})
}

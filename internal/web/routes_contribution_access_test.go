package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// TestSelfEmployedSectionOpensFlexibleWorkersBills: the service lets
// 个体参保科 see flexible workers' bills, and the staff bill page asks the
// service instead of deciding on its own (it used to allow only 统筹科 and
// 基金管理科, so 个体参保科 got 403 for a bill it may see). Employers' bills
// stay hidden from it, and the correction buttons stay 统筹科's.
func TestSelfEmployedSectionOpensFlexibleWorkersBills(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		pb := env.LoginAs(t, apptest.PersonB)
		pb.PostForm(t, "/person/flexible/register", url.Values{"category": {"flexible"}, "flex_base": {"4800"},
			"flex_since": {"2024-02"}}).WantRedirect(t, "/person/flexible")
		pb.PostForm(t, "/person/flexible/bills", url.Values{"month": {"2024-02"}, "plan": {"monthly"}}).WantRedirect(t, "/person/flexible")
		var flex int64
		if err := env.App.DB.W.QueryRow(`SELECT id FROM bills WHERE payer_kind = 'flexible' ORDER BY id LIMIT 1`).Scan(&flex); err != nil {
			t.Fatal(err)
		}
		employerBill := insertBill(t, env, "2024-01", "draft", "", "", 100000)

		self := env.LoginAs(t, apptest.Staff(access.SelfEmployed))
		page := "/staff/bills/" + strconv.FormatInt(flex, 10)
		body := self.Get(t, page).WantStatus(t, http.StatusOK).WantBody(t, "缴费核定单").Body
		if strings.Contains(body, "/reassess") || strings.Contains(body, "/reject") {
			t.Error("个体参保科 is offered 统筹科's correction buttons")
		}
		self.Get(t, page+"/lines.xlsx").WantStatus(t, http.StatusOK)
		self.Get(t, "/staff/bills/"+strconv.FormatInt(employerBill, 10)).WantStatus(t, http.StatusNotFound)

		env.LoginAs(t, apptest.Staff(access.Fund)).Get(t, page).WantStatus(t, http.StatusOK)
		env.LoginAs(t, apptest.Staff(access.Injury)).Get(t, page).WantStatus(t, http.StatusForbidden)
	})
}

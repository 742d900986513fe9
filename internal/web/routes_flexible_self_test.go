package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/person"
)

func TestFlexibleSelfRegistrationPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		pb := env.LoginAs(t, apptest.PersonB)
		pb.Get(t, "/person/flexible").WantStatus(t, http.StatusOK).
			WantBody(t, "本人登记为灵活就业人员", `action="/person/flexible/register"`, `name="_csrf"`, "个体工商户", "失业人员", "2024-03")
		form := url.Values{"category": {"self_employed"}, "flex_base": {"1000"}, "flex_since": {"2024-02"}}
		pb.PostForm(t, "/person/flexible/register", form).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "缴费基数须在", "2024-02 的上下限")
		form.Set("flex_base", "4800")
		form.Set("flex_since", "2024-01")
		pb.PostForm(t, "/person/flexible/register", form).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "开始缴费月份只能选本月（2024-02）或下月（2024-03）")
		form.Set("flex_since", "2024-02")
		pb.PostForm(t, "/person/flexible/register", form).WantRedirect(t, "/person/flexible")
		pb.PostForm(t, "/person/flexible/bills", url.Values{"month": {"2024-02"}, "plan": {"monthly"}}).WantRedirect(t, "/person/flexible")
		pb.Get(t, "/person/flexible").WantStatus(t, http.StatusOK).WantBody(t, "以灵活就业人员身份参保", "960.00", "384.00")
		pb.PostForm(t, "/person/flexible/register", form).WantStatus(t, http.StatusConflict).WantBody(t, "无需重复登记")

		b := env.User(t, apptest.PersonB)
		self := env.LoginAs(t, apptest.Staff(access.SelfEmployed))
		list := self.Get(t, "/staff/flexible").WantStatus(t, http.StatusOK).WantBody(t, "本人网上登记的灵活就业人员", "个体工商户", "4,800.00")
		if strings.Contains(list.Body, b.Username) {
			t.Fatal("the staff list shows the ID number in clear")
		}
		// Staff cannot use the person's route, even for someone else.
		self.PostForm(t, "/person/flexible/register", form).WantStatus(t, http.StatusForbidden)
		env.LoginAs(t, apptest.EmployerA).PostForm(t, "/person/flexible/register", form).WantStatus(t, http.StatusForbidden)
	})
}

func TestFlexibleSelfRegistrationAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		a, emp := env.User(t, apptest.PersonA), env.User(t, apptest.EmployerA)
		m := &person.Employment{PersonID: a.PersonID, EmployerID: emp.EmployerID, StartMonth: "2023-09", Base: 600000}
		if err := person.InsertEmployment(t.Context(), env.App.DB.W, m, env.Clock.Now()); err != nil {
			t.Fatal(err)
		}
		in := map[string]any{"category": "flexible", "base_fen": 480000, "since": "2024-03"}
		pa := env.LoginAs(t, apptest.PersonA)
		pa.PostJSON(t, "/api/v1/person/flexible/register", in).WantStatus(t, http.StatusConflict).
			WantBody(t, "您目前由单位参保（2023-09起）", "离职减员后可在此登记")
		pb := env.LoginAs(t, apptest.PersonB)
		pb.PostJSON(t, "/api/v1/person/flexible/register", map[string]any{"category": "flexible", "base_fen": 99900000, "since": "2024-03"}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "flex_base", "缴费基数须在")
		// An id in the body is not part of the input: the request is rejected, nothing is registered for A.
		pb.PostJSON(t, "/api/v1/person/flexible/register", map[string]any{"person_id": a.PersonID, "category": "flexible",
			"base_fen": 480000, "since": "2024-03"}).WantStatus(t, http.StatusUnprocessableEntity)
		var got struct {
			PersonID int64  `json:"person_id"`
			Kind     string `json:"kind"`
			BaseFen  int64  `json:"base_fen"`
			Since    string `json:"since"`
		}
		pb.PostJSON(t, "/api/v1/person/flexible/register", in).WantStatus(t, http.StatusCreated).JSON(t, &got)
		b := env.User(t, apptest.PersonB)
		if got.PersonID != b.PersonID || got.Kind != "flexible" || got.BaseFen != 480000 || got.Since != "2024-03" {
			t.Fatalf("registered %+v", got)
		}
		pb.PostJSON(t, "/api/v1/person/flexible/bills", map[string]string{"month": "2024-03", "plan": "monthly"}).
			WantStatus(t, http.StatusCreated).WantBody(t, `"total_fen":96000`, `"account_fen":38400`)
		for _, who := range []string{apptest.Staff(access.SelfEmployed), apptest.Admin, apptest.EmployerA} {
			env.LoginAs(t, who).PostJSON(t, "/api/v1/person/flexible/register", in).WantStatus(t, http.StatusForbidden)
		}
		p, err := person.Load(t.Context(), env.App.DB.W, a.PersonID)
		if err != nil || p.Kind != person.Employee {
			t.Fatalf("person A changed: %+v %v", p, err)
		}
	})
}

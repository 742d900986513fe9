package web_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/ident"
	"shebao/internal/person"
)

func TestPersonPortal(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		a := env.User(t, apptest.PersonA)
		b := env.User(t, apptest.PersonB)
		// Give person A an employment at employer A so the page has a period to show.
		emp := env.User(t, apptest.EmployerA)
		err := person.InsertEmployment(t.Context(), env.App.DB.W, &person.Employment{PersonID: a.PersonID,
			EmployerID: emp.EmployerID, StartMonth: "2021-04", Base: 812300}, env.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}

		ca := env.LoginAs(t, apptest.PersonA)
		r := ca.Get(t, "/person").WantStatus(t, http.StatusOK)
		// The person sees their own number in full (the menu masks it, as it does everywhere).
		r.WantBody(t, "张伟", "<dd>"+a.Username+"</dd>", "当前参保单位", "2021-04 至 今", "8,123.00", emp.Username)
		if strings.Contains(r.Body, "李娜") {
			t.Fatal("person page shows another person")
		}
		var pr struct {
			Person      person.Person       `json:"person"`
			Current     *person.Employment  `json:"current_employment"`
			Employments []person.Employment `json:"employments"`
		}
		ca.Get(t, "/api/v1/person").WantStatus(t, http.StatusOK).JSON(t, &pr)
		if pr.Person.ID != a.PersonID || pr.Person.IDNumber != a.Username || pr.Current == nil || len(pr.Employments) != 1 {
			t.Fatalf("API profile %+v", pr)
		}

		env.LoginAs(t, apptest.PersonB).Get(t, "/person").WantStatus(t, http.StatusOK).WantBody(t, "李娜", "暂无通过单位参保的记录")
		env.Anon(t).Get(t, "/person").WantRedirect(t, "/login")
		env.LoginAs(t, apptest.EmployerA).Get(t, "/person").WantStatus(t, http.StatusForbidden)
		env.LoginAs(t, apptest.Staff(access.Fund)).Get(t, "/api/v1/person").WantStatus(t, http.StatusForbidden)

		// Staff look a person up by ID number and see masked numbers.
		staff := env.LoginAs(t, apptest.Staff(access.Coordination))
		staff.Get(t, "/staff/persons?id_number="+b.Username).WantRedirect(t, "/staff/persons/"+strconv.FormatInt(b.PersonID, 10))
		r = staff.Get(t, "/staff/persons/"+strconv.FormatInt(b.PersonID, 10)).WantStatus(t, http.StatusOK)
		r.WantBody(t, "李娜", ident.MaskID(b.Username))
		if strings.Contains(r.Body, b.Username) {
			t.Fatal("staff page shows the full ID number")
		}
		bad := b.Username[:17] + map[bool]string{true: "0", false: "1"}[b.Username[17] != '0']
		staff.Get(t, "/staff/persons?id_number="+bad).WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "校验")
		staff.Get(t, "/staff/persons/999999").WantStatus(t, http.StatusNotFound)
		var masked struct {
			Person person.Person `json:"person"`
		}
		staff.Get(t, "/api/v1/persons/"+strconv.FormatInt(b.PersonID, 10)).WantStatus(t, http.StatusOK).JSON(t, &masked)
		if masked.Person.IDNumber != ident.MaskID(b.Username) {
			t.Fatalf("staff API shows %q", masked.Person.IDNumber)
		}
		ca.Get(t, "/staff/persons/"+strconv.FormatInt(b.PersonID, 10)).WantStatus(t, http.StatusForbidden)
		ca.Get(t, "/api/v1/persons/"+strconv.FormatInt(b.PersonID, 10)).WantStatus(t, http.StatusForbidden)
	})
}

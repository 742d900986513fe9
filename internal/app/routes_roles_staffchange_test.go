package app_test

import (
	"net/url"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// staffChangeRouteCases: employers' staff increases and decreases (their
// own staff only: another employer's record is not found) and 统筹科's
// conflict queue.
func staffChangeRouteCases() []routeCase {
	none := url.Values{}
	emps := []string{apptest.EmployerA, apptest.EmployerB}
	coord := []string{apptest.Staff(access.Coordination), apptest.Admin}
	empsNotFound := func(m map[string]outcome) map[string]outcome {
		return with(m, apptest.EmployerA, notFound, apptest.EmployerB, notFound)
	}
	coordNotFound := func(m map[string]outcome) map[string]outcome {
		return with(m, apptest.Staff(access.Coordination), notFound, apptest.Admin, notFound)
	}
	remove := url.Values{"end_month": {"2024-02"}, "reason": {"离职"}, "confirm": {"1"}}
	return []routeCase{
		{method: "GET", path: "/employer/staff", want: page(emps...)},
		{method: "GET", path: "/employer/staff?q=%E5%BC%A0&all=1&page=2", want: page(emps...)},
		{method: "GET", path: "/employer/staff/add", want: page(emps...)},
		{method: "POST", path: "/employer/staff/add", form: none, want: post(emps...)},
		{method: "GET", path: "/employer/staff/template.xlsx", want: page(emps...)},
		{method: "GET", path: "/employer/staff/import", want: page(emps...)},
		{method: "POST", path: "/employer/staff/import", form: none, want: post(emps...)},
		{method: "GET", path: "/employer/staff/import/999999/report.xlsx", want: empsNotFound(page(emps...))},
		{method: "GET", path: "/employer/staff/999999", want: empsNotFound(page(emps...))},
		{method: "GET", path: "/employer/staff/999999/remove", want: empsNotFound(page(emps...))},
		{method: "POST", path: "/employer/staff/999999/remove", form: remove, want: empsNotFound(post(emps...))},
		{method: "GET", path: "/employer/staff/999999/base", want: empsNotFound(page(emps...))},
		{method: "POST", path: "/employer/staff/999999/base", form: none, want: empsNotFound(post(emps...))},
		{method: "GET", path: "/staff/staff-conflicts", want: page(coord...)},
		{method: "GET", path: "/staff/staff-conflicts?status=all", want: page(coord...)},
		{method: "GET", path: "/staff/staff-conflicts/999999", want: coordNotFound(page(coord...))},
		{method: "POST", path: "/staff/staff-conflicts/999999/resolve", form: none, want: coordNotFound(post(coord...))},
		{method: "POST", path: "/staff/staff-conflicts/999999/reject", form: none, want: coordNotFound(post(coord...))},
		{method: "GET", path: "/api/v1/employers/me/staff", want: api(emps...)},
		{method: "POST", path: "/api/v1/employers/me/staff", json: map[string]string{}, want: api(emps...)},
		{method: "POST", path: "/api/v1/employers/me/staff/999999/remove", json: map[string]string{"end_month": "2024-02", "reason": "离职"},
			want: empsNotFound(api(emps...))},
		{method: "POST", path: "/api/v1/employers/me/staff/import", json: map[string]string{}, want: api(emps...)},
	}
}

package app_test

import (
	"net/url"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// policyRouteCases: dated rules, emergency periods and the calendar. Staff
// read the admin pages, administrators change them, and the JSON reads of
// rules and emergencies are public.
func policyRouteCases() []routeCase {
	none := url.Values{}
	staffNotFound := func(m map[string]outcome) map[string]outcome {
		m[apptest.Admin] = notFound
		for _, x := range access.Sections {
			m[apptest.Staff(x)] = notFound
		}
		return m
	}
	return []routeCase{
		{method: "GET", path: "/admin/policy", want: page(staffAll)},
		{method: "GET", path: "/admin/policy?key=avg_wage&date=2024-02-10", want: page(staffAll)},
		{method: "GET", path: "/admin/policy/new", want: page(apptest.Admin)},
		{method: "POST", path: "/admin/policy", form: none, want: post(apptest.Admin)},
		{method: "GET", path: "/admin/policy/rules/1", want: page(apptest.Admin)},
		{method: "GET", path: "/admin/policy/rules/999999", want: with(page(apptest.Admin), apptest.Admin, notFound)},
		{method: "POST", path: "/admin/policy/rules/1", form: url.Values{"version": {"1"}}, want: post(apptest.Admin)},
		{method: "GET", path: "/admin/emergencies", want: page(staffAll)},
		{method: "GET", path: "/admin/emergencies/new", want: page(apptest.Admin)},
		{method: "POST", path: "/admin/emergencies", form: none, want: post(apptest.Admin)},
		{method: "GET", path: "/admin/emergencies/999999", want: staffNotFound(page(staffAll))},
		{method: "POST", path: "/admin/emergencies/999999/end/confirm", form: url.Values{"end": {"2024-03-31"}},
			want: with(post(apptest.Admin), apptest.Admin, notFound)},
		{method: "POST", path: "/admin/emergencies/999999/end", form: url.Values{"end": {"2024-03-31"}, "version": {"1"}},
			want: with(post(apptest.Admin), apptest.Admin, notFound)},
		{method: "GET", path: "/admin/calendar?year=2024", want: page(staffAll)},
		{method: "POST", path: "/admin/calendar", form: none, want: post(apptest.Admin)},
		{method: "GET", path: "/api/v1/policy/rules?key=pension_employer_rate&date=2024-02-10", want: with(api(), all(allowed)...)},
		{method: "GET", path: "/api/v1/policy/emergencies", want: with(api(), all(allowed)...)},
		{method: "POST", path: "/api/v1/policy/emergencies", json: map[string]string{}, want: api(apptest.Admin)},
		{method: "POST", path: "/api/v1/policy/emergencies/999999/end", json: map[string]any{"end": "2024-03-31", "version": 1},
			want: with(api(apptest.Admin), apptest.Admin, notFound)},
	}
}

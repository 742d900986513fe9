package app_test

import (
	"net/url"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// staffMissing is a staff page of a record that does not exist: every
// staff member gets 404, others as page().
func staffMissing(m map[string]outcome) map[string]outcome {
	for k := range expand([]string{staffAll}) {
		m[k] = notFound
	}
	return m
}

// oversightRouteCases: the emergency recovery register (every section
// reads its own items; 审计科 and 办公室 refresh it).
func oversightRouteCases() []routeCase {
	auditor, office := apptest.Staff(access.Audit), apptest.Staff(access.Office)
	return []routeCase{
		{method: "GET", path: "/staff/deferred", want: page(staffAll)},
		{method: "GET", path: "/staff/deferred?status=overdue&kind=employer_bill&q=abc", want: page(staffAll)},
		{method: "GET", path: "/staff/deferred/export.xlsx", want: page(staffAll)},
		{method: "POST", path: "/staff/deferred/refresh", form: url.Values{}, want: post(auditor, office, apptest.Admin)},
		{method: "GET", path: "/staff/deferred/999999", want: staffMissing(page(staffAll))},
		{method: "POST", path: "/staff/deferred/999999/resolve", form: url.Values{"version": {"1"}, "note": {"已处理"}},
			want: staffMissing(post(staffAll))},
		{method: "GET", path: "/staff/dashboard", want: page(staffAll)},
		{method: "GET", path: "/staff/dashboard?section=fund&days=90&months=24",
			want: page(apptest.Staff(access.Fund), auditor, office, apptest.Admin)},
		{method: "GET", path: "/staff/dashboard/export.xlsx", want: page(staffAll)},
		{method: "POST", path: "/staff/dashboard/refresh", form: url.Values{}, want: post(auditor, office, apptest.Admin)},
		{method: "GET", path: "/staff/sampling", want: page(auditor, apptest.Admin)},
		{method: "GET", path: "/staff/sampling?month=2024-01", want: page(auditor, apptest.Admin)},
		{method: "POST", path: "/staff/sampling", form: url.Values{"month": {"2023-12"}, "rate": {"5"}}, want: post(auditor, apptest.Admin)},
		{method: "POST", path: "/staff/sampling/items/999999/check", form: url.Values{"version": {"1"}, "confirmed": {"complete"}},
			want: with(post(auditor, apptest.Admin), auditor, allowed, apptest.Admin, allowed)},
		// Staff and hall protection: every clerk checks in and logs rounds for himself; only 办公室 reads the day's health data.
		{method: "GET", path: "/staff/health", want: page(staffAll)},
		{method: "POST", path: "/staff/health", form: url.Values{"temperature": {"36.5"}}, want: post(staffAll)},
		{method: "GET", path: "/staff/health/day", want: page(office, apptest.Admin)},
		{method: "GET", path: "/staff/health/day?date=2024-01-15", want: page(office, apptest.Admin)},
		{method: "GET", path: "/staff/hall-duty", want: page(staffAll)},
		{method: "POST", path: "/staff/hall-duty", form: url.Values{"kind": {"disinfection"}, "area": {"一楼大厅"}}, want: post(staffAll)},
		{method: "POST", path: "/staff/appointments/NOPE/screen", form: url.Values{"temperature": {"36.5"}}, want: staffMissing(post(staffAll))},
		{method: "POST", path: "/staff/sampling/items/999999/rectify", form: url.Values{"version": {"1"}, "note": {"已整改"}},
			want: with(post(auditor, apptest.Admin), auditor, notFound, apptest.Admin, notFound)},
	}
}

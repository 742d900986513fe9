package app_test

import (
	"net/url"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// injuryBenefitRouteCases: the work-injury benefit line. Hospitals (API
// keys) settle and file continued-treatment forms and read their own;
// 工伤保险待遇科 reads all; the bureau (not in the walked roles) or a clerk
// records recognitions.
func injuryBenefitRouteCases() []routeCase {
	injuryStaff := staffOf(access.Injury)
	hospitalAndSection := append([]string{apptest.APIHospital}, injuryStaff...)
	empty := map[string]string{}
	return []routeCase{
		{method: "POST", path: "/api/v1/injury/recognitions", json: empty, want: api(injuryStaff...)},
		{method: "POST", path: "/api/v1/injury/settlements", json: empty, want: api(apptest.APIHospital)},
		{method: "GET", path: "/api/v1/injury/settlements", want: api(hospitalAndSection...)},
		{method: "GET", path: "/api/v1/injury/settlements/JS000000000000", want: notFoundFor(api(hospitalAndSection...))},
		{method: "POST", path: "/api/v1/injury/continued-treatments", json: empty, want: api(apptest.APIHospital)},
		{method: "GET", path: "/api/v1/injury/continued-treatments", want: api(hospitalAndSection...)},
		{method: "GET", path: "/api/v1/injury/payouts", want: api(hospitalAndSection...)},
	}
}

// hospitalWebCases: a hospital's web users (医院经办人员) have their own
// pages; the administrator opens their logins.
func hospitalWebCases() []routeCase {
	hosp := apptest.HospitalWeb
	return []routeCase{
		{method: "GET", path: "/hospital", want: page(hosp)},
		{method: "GET", path: "/hospital/continued", want: page(hosp)},
		{method: "POST", path: "/hospital/continued", form: url.Values{}, want: post(hosp)},
		{method: "GET", path: "/hospital/settlements", want: page(hosp)},
		{method: "GET", path: "/hospital/payments", want: page(hosp)},
		{method: "POST", path: "/admin/hospital-users", form: url.Values{}, want: post(apptest.Admin)},
	}
}

// injuryBenefitPageCases: the section's pages (empty forms are refused as
// invalid, past authorization; a record that does not exist is not found),
// 统筹科 also sees the uninsured list, employers file claims, and anyone
// checks a decision letter's code.
func injuryBenefitPageCases() []routeCase {
	injuryStaff := staffOf(access.Injury)
	none := url.Values{}
	v1 := url.Values{"version": {"1"}}
	const missing = "/staff/injury/claims/999999"
	return []routeCase{
		{method: "GET", path: "/staff/injury/benefits", want: page(injuryStaff...)},
		{method: "GET", path: "/staff/injury/recognitions/new", want: page(injuryStaff...)},
		{method: "POST", path: "/staff/injury/recognitions/new", form: none, want: post(injuryStaff...)},
		{method: "GET", path: "/staff/injury/recognitions/999999", want: notFoundFor(page(injuryStaff...))},
		{method: "POST", path: "/staff/injury/recognitions/999999/appraisals", form: none, want: notFoundFor(post(injuryStaff...))},
		{method: "POST", path: "/staff/injury/appraisals/999999/reappraisal", form: none, want: notFoundFor(post(injuryStaff...))},
		{method: "POST", path: "/staff/injury/recognitions/999999/own-wage", form: none, want: notFoundFor(post(injuryStaff...))},
		{method: "POST", path: "/staff/injury/recognitions/999999/claims", form: none, want: notFoundFor(post(injuryStaff...))},
		{method: "GET", path: missing, want: notFoundFor(page(injuryStaff...))},
		{method: "POST", path: missing + "/review", form: v1, want: notFoundFor(post(injuryStaff...))},
		{method: "POST", path: missing + "/items", form: v1, want: notFoundFor(post(injuryStaff...))},
		{method: "POST", path: missing + "/complete", form: v1, want: notFoundFor(post(injuryStaff...))},
		{method: "POST", path: missing + "/check", form: v1, want: notFoundFor(post(injuryStaff...))},
		{method: "POST", path: missing + "/stop", form: url.Values{"version": {"1"}, "confirm": {"1"}}, want: notFoundFor(post(injuryStaff...))},
		{method: "GET", path: "/staff/injury/continued", want: page(injuryStaff...)},
		{method: "GET", path: "/staff/injury/settlements", want: page(injuryStaff...)},
		{method: "GET", path: "/staff/injury/covid-items", want: page(injuryStaff...)},
		{method: "POST", path: "/staff/injury/covid-items", form: none, want: post(injuryStaff...)},
		{method: "POST", path: "/staff/injury/covid-items/999999/end", form: url.Values{"confirm": {"1"}, "valid_to": {"2024-01-01"}}, want: notFoundFor(post(injuryStaff...))},
		{method: "GET", path: "/staff/injury/uninsured", want: page(staffOf(access.Injury, access.Coordination)...)},
		// 工伤保险待遇科 or 基金管理科 registers a hospital's receiving account.
		{method: "GET", path: "/staff/injury/hospitals", want: page(staffOf(access.Injury, access.Fund)...)},
		{method: "GET", path: "/staff/injury/hospitals/999999", want: notFoundFor(page(staffOf(access.Injury, access.Fund)...))},
		{method: "POST", path: "/staff/injury/hospitals/999999/account", form: none, want: notFoundFor(post(staffOf(access.Injury, access.Fund)...))},
		// An empty claim form is refused before the draft is looked up.
		{method: "POST", path: "/staff/cases/YJ20240210-9999/confirm-claim", form: v1, want: post(injuryStaff...)},
		{method: "GET", path: "/employer/injury/claims", want: page(employers...)},
		{method: "GET", path: "/employer/injury/claims/new", want: page(employers...)},
		{method: "POST", path: "/employer/injury/claims/new", form: none, want: post(employers...)},
		// The worker's own claims and letters.
		{method: "GET", path: "/person/injury/claims", want: page(persons...)},
		{method: "GET", path: "/injury/claims/999999/letter.pdf", want: notFoundFor(page(staffAll, apptest.EmployerA, apptest.EmployerB, apptest.PersonA, apptest.PersonB))},
		{method: "GET", path: "/injury/letters/check", want: with(page(), all(allowed)...)},
	}
}

// hospitalWebElsewhere sets what a hospital's web user gets from other
// areas' routes where it is not the default refusal (403): records that
// do not exist are not found before the role matters (appointments, cases,
// receipts, letters), the case forms check their input first, every
// account has its messages, and the hospital's JSON endpoints answer its
// web session as they answer its key (its own records only).
func hospitalWebElsewhere(cases []routeCase) {
	over := map[string]outcome{
		"GET /appointments/NOPE/cancel": notFound, "POST /appointments/NOPE/cancel": notFound,
		"GET /api/v1/appointments/NOPE": notFound, "POST /api/v1/appointments/NOPE/cancel": notFound,
		"DELETE /api/v1/appointments/NOPE": notFound,
		"GET /cases/GS20240210-9999":       notFound, "POST /cases/GS20240210-9999/transition": notFound,
		"POST /cases/GS20240210-9999/comment": allowed, "POST /cases/GS20240210-9999/documents": allowed,
		"POST /cases/GS20240210-9999/commit": allowed, "GET /cases/GS20240210-9999/documents/1": notFound,
		"GET /api/v1/cases/GS20240210-9999":              notFound,
		"POST /api/v1/cases/GS20240210-9999/transitions": notFound, "POST /api/v1/cases/GS20240210-9999/comments": notFound,
		"POST /api/v1/cases/GS20240210-9999/commitments": notFound,
		"GET /api/v1/messages":                           allowed, "POST /api/v1/messages/read": allowed,
		"GET /employer/payments/999999/receipt": notFound, "GET /employer/payments/999999/receipt.pdf": notFound,
		"POST /employer/payments/999999/invoice": notFound,
		"GET /api/v1/injury/settlements":         allowed, "GET /api/v1/injury/settlements/JS000000000000": notFound,
		"POST /api/v1/injury/continued-treatments": allowed, "GET /api/v1/injury/continued-treatments": allowed,
		"GET /api/v1/injury/payouts": allowed, "GET /injury/claims/999999/letter.pdf": notFound,
	}
	for _, c := range cases {
		if o, ok := over[c.method+" "+c.path]; ok {
			c.want[apptest.HospitalWeb] = o
		}
	}
}

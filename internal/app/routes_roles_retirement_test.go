package app_test

import (
	"net/url"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// retirementRouteCases: the about-to-retire list and the qualification
// queue for 保险福利科 and 个体参保科; the determination pages answer 404
// for a case that has none; the letter for whoever may see it; the
// approver role for the administrator; the employer's and the person's
// own pages.
func retirementRouteCases() []routeCase {
	none := url.Values{}
	section := staffOf(access.Welfare, access.SelfEmployed)
	return []routeCase{
		{method: "GET", path: "/staff/retirement/upcoming", want: page(section...)},
		{method: "GET", path: "/staff/retirement/upcoming?months=12&category=male&page=2", want: page(section...)},
		{method: "GET", path: "/staff/retirement/qualifications", want: page(section...)},
		{method: "GET", path: "/staff/retirement/qualifications?status=submitted", want: page(section...)},
		{method: "GET", path: "/staff/retirement/qualifications/TX20240210-9999", want: notFoundFor(page(staffAll))},
		{method: "POST", path: "/staff/retirement/qualifications/TX20240210-9999/decide", form: url.Values{"decision": {"approve"}, "version": {"1"}}, want: notFoundFor(post(staffAll))},
		{method: "POST", path: "/staff/retirement/qualifications/TX20240210-9999/open", form: url.Values{"channel": {"phone"}}, want: notFoundFor(post(staffOf(access.Welfare)...))},
		{method: "GET", path: "/staff/retirement/qualifications/new", want: page(staffOf(access.Welfare)...)},
		{method: "POST", path: "/staff/retirement/qualifications/new", form: none, want: post(staffOf(access.Welfare)...)},
		{method: "GET", path: "/staff/retirement/selfemployed/new", want: page(staffOf(access.SelfEmployed)...)},
		{method: "GET", path: "/staff/retirement/selfemployed/new?draft=YJ20240210-9999", want: notFoundFor(page(staffOf(access.SelfEmployed)...))},
		{method: "POST", path: "/staff/retirement/selfemployed/new", form: none, want: with(post(staffAll), forbiddenStaffExcept(access.SelfEmployed)...)},
		{method: "GET", path: "/staff/retirement/selfemployed/sample.eml", want: notFoundFor(page(staffOf(access.SelfEmployed)...))},
		{method: "GET", path: "/staff/retirement/cases/TD20240210-9999", want: notFoundFor(page(staffAll))},
		{method: "POST", path: "/staff/retirement/cases/TD20240210-9999/compute", form: none, want: notFoundFor(post(staffAll))},
		{method: "GET", path: "/retirement/cases/TD20240210-9999/letter.pdf", want: notFoundFor(page(everyone...))},
		{method: "GET", path: "/retirement/letters/check", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/retirement/letters/check?code=ABCD-EFGH", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/admin/retirement/approvers", want: page(apptest.Admin)},
		{method: "POST", path: "/admin/retirement/approvers", form: url.Values{"user_id": {"999999"}, "grant": {"1"}}, want: with(post(apptest.Admin), apptest.Admin, notFound)},
		{method: "GET", path: "/employer/retirement", want: page(employers...)},
		{method: "GET", path: "/employer/retirement/new", want: page(employers...)},
		{method: "POST", path: "/employer/retirement/new", form: none, want: post(employers...)},
		{method: "GET", path: "/staff/deaths", want: page(staffOf(access.Welfare)...)},
		{method: "GET", path: "/staff/deaths?recovery=open", want: page(staffOf(access.Welfare)...)},
		{method: "GET", path: "/staff/deaths/new", want: page(staffAll)},
		{method: "POST", path: "/staff/deaths/new", form: none, want: with(post(staffAll), forbiddenStaffExcept(access.Welfare)...)},
		{method: "GET", path: "/staff/deaths/999999", want: notFoundFor(page(staffOf(access.Welfare)...))},
		{method: "POST", path: "/staff/deaths/999999/heirs", form: url.Values{"heir_name": {"王小"}, "heir_id": {"110105199001010035"}, "heir_rel": {"子女"}}, want: notFoundFor(post(staffOf(access.Welfare)...))},
		{method: "POST", path: "/staff/death-claims/SD20240210-9999/review", form: url.Values{"version": {"1"}}, want: notFoundFor(post(staffOf(access.Welfare)...))},
		{method: "GET", path: "/staff/deaths/civil", want: page(staffOf(access.Welfare)...)},
		{method: "GET", path: "/staff/deaths/civil/sample.csv", want: notFoundFor(page(staffOf(access.Welfare)...))},
		{method: "POST", path: "/staff/deaths/civil", form: none, want: post(staffOf(access.Welfare)...)},
		{method: "POST", path: "/staff/deaths/civil/999999/resolve", form: url.Values{"note": {"核实"}}, want: notFoundFor(post(staffOf(access.Welfare)...))},
		{method: "GET", path: "/staff/deaths/reports", want: page(staffOf(access.Welfare)...)},
		{method: "GET", path: "/staff/deaths/reports/SB20240210-9999", want: notFoundFor(page(staffAll))},
		{method: "GET", path: "/staff/deaths/reports/SB20240210-9999/scan", want: notFoundFor(page(staffAll))},
		{method: "POST", path: "/staff/deaths/reports/SB20240210-9999/accept", form: url.Values{"version": {"1"}}, want: notFoundFor(post(staffOf(access.Welfare)...))},
		{method: "POST", path: "/staff/deaths/reports/SB20240210-9999/reject", form: url.Values{"version": {"1"}, "reason": {"不清晰"}}, want: notFoundFor(post(staffOf(access.Welfare)...))},
		{method: "GET", path: "/person/death-reports", want: page(persons...)},
		{method: "POST", path: "/person/death-reports", form: none, want: post(persons...)},
		{method: "POST", path: "/api/v1/civil/deaths", json: map[string]any{"records": []any{}}, want: api()},
		{method: "GET", path: "/person/retirement", want: page(persons...)},
		{method: "POST", path: "/person/retirement/plan", form: none, want: post(persons...)},
		{method: "GET", path: "/person/retirement/apply", want: page(persons...)},
		{method: "POST", path: "/person/retirement/apply", form: none, want: post(persons...)},
		{method: "GET", path: "/staff/retirement/certification", want: page(staffOf(access.Welfare)...)},
		{method: "POST", path: "/staff/retirement/certification/civil", form: none, want: post(staffOf(access.Welfare)...)},
		{method: "GET", path: "/person/certification", want: page(persons...)},
		{method: "POST", path: "/person/certification", form: url.Values{"confirm": {"1"}}, want: notFoundFor(post(persons...))},
	}
}

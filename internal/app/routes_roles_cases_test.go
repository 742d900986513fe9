package app_test

import (
	"net/url"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// caseRouteCases: cases of every section, the accident report, deferred
// originals and commitments. A case number that is not the caller's is
// "not found" for everyone, so nobody learns another's case exists.
func caseRouteCases() []routeCase {
	none := url.Values{}
	v1 := url.Values{"version": {"1"}}
	const no = "GS20240210-9999"
	loggedIn := []string{staffAll, apptest.EmployerA, apptest.EmployerB, apptest.PersonA, apptest.PersonB}
	return []routeCase{
		{method: "GET", path: "/employer/injury/reports", want: page(employers...)},
		{method: "GET", path: "/employer/injury/reports/new", want: page(employers...)},
		{method: "POST", path: "/employer/injury/reports/new", form: none, want: post(employers...)},
		{method: "GET", path: "/cases/" + no, want: notFoundFor(page(loggedIn...))},
		{method: "POST", path: "/cases/" + no + "/transition", form: v1, want: notFoundFor(post(loggedIn...))},
		// Empty forms are refused as invalid (422) before the case is looked up: past authorization.
		{method: "POST", path: "/cases/" + no + "/comment", form: none, want: post(loggedIn...)},
		{method: "POST", path: "/cases/" + no + "/documents", form: none, want: post(loggedIn...)},
		{method: "POST", path: "/cases/" + no + "/commit", form: v1, want: post(loggedIn...)},
		{method: "POST", path: "/cases/" + no + "/recognition", form: v1, want: post(employers...)},
		{method: "GET", path: "/cases/" + no + "/documents/1", want: notFoundFor(page(loggedIn...))},
		{method: "GET", path: "/staff/cases", want: page(staffAll)},
		{method: "GET", path: "/staff/cases?section=injury&view=overdue", want: page(staffOf(access.Injury)...)},
		{method: "GET", path: "/staff/cases/new", want: page(staffAll)},
		{method: "POST", path: "/staff/cases/new", form: none, want: post(staffAll)},
		{method: "GET", path: "/staff/cases/" + no, want: notFoundFor(page(staffAll))},
		{method: "GET", path: "/staff/cases/" + no + "/documents/1", want: notFoundFor(page(staffAll))},
		{method: "POST", path: "/staff/cases/" + no + "/claim", form: v1, want: notFoundFor(post(staffAll))},
		{method: "POST", path: "/staff/cases/" + no + "/release", form: v1, want: notFoundFor(post(staffAll))},
		{method: "POST", path: "/staff/cases/" + no + "/accept-missing", form: url.Values{"version": {"1"}, "items": {"原件"}}, want: notFoundFor(post(staffAll))},
		{method: "POST", path: "/staff/cases/" + no + "/confirm", form: v1, want: notFoundFor(post(staffAll))},
		// Filing a draft as an accident report, and recording one taken by phone: 工伤保险待遇科 only.
		{method: "POST", path: "/staff/cases/" + no + "/confirm-injury", form: v1, want: notFoundFor(post(staffOf(access.Injury)...))},
		{method: "GET", path: "/staff/injury/reports/new", want: page(staffOf(access.Injury)...)},
		{method: "GET", path: "/staff/injury/reports/new?kind=employer&q=" + url.QueryEscape("测试"), want: page(staffOf(access.Injury)...)},
		{method: "POST", path: "/staff/injury/reports/new", form: none, want: post(staffOf(access.Injury)...)},
		// Finding persons and employers (masked, audited): staff only.
		{method: "GET", path: "/staff/lookup", want: page(staffAll)},
		{method: "GET", path: "/staff/lookup?kind=person&q=" + url.QueryEscape("张伟"), want: page(staffAll)},
		{method: "GET", path: "/staff/lookup?kind=employer&q=" + url.QueryEscape("测试") + "&page=2", want: page(staffAll)},
		// Every section sees its own cases' owed originals; 审计科 sees all (scoped in the service).
		{method: "GET", path: "/staff/originals", want: page(staffAll)},
		{method: "POST", path: "/staff/originals/999999/receive", form: url.Values{"via": {"post"}}, want: notFoundFor(post(staffAll))},
		{method: "GET", path: "/staff/commitments", want: page(staffAll)},
		// The flag is set by the case's section or 审计科 (checked on the record, so: not found).
		{method: "POST", path: "/staff/commitments/999999/false", form: url.Values{"note": {"x"}}, want: notFoundFor(post(staffAll))},
		{method: "GET", path: "/api/v1/cases", want: api(apptest.Admin, apptest.EmployerA, apptest.EmployerB, apptest.PersonA, apptest.PersonB)},
		{method: "GET", path: "/api/v1/cases?section=injury&view=all", want: api(append(staffOf(access.Injury), apptest.EmployerA, apptest.EmployerB, apptest.PersonA, apptest.PersonB)...)},
		// Applicants (employers, persons, hospitals and banks through the API) open cases; clerks on their behalf.
		{method: "POST", path: "/api/v1/cases", json: map[string]string{}, want: api(apiAll...)},
		{method: "GET", path: "/api/v1/cases/" + no, want: notFoundFor(api(apiAll...))},
		{method: "POST", path: "/api/v1/cases/" + no + "/transitions", json: map[string]any{"version": 1, "to": "accepted"}, want: notFoundFor(api(apiAll...))},
		{method: "POST", path: "/api/v1/cases/" + no + "/comments", json: map[string]any{"text": "x"}, want: notFoundFor(api(apiAll...))},
		{method: "POST", path: "/api/v1/cases/" + no + "/claim", json: map[string]any{"version": 1}, want: notFoundFor(api(staffAll))},
		{method: "POST", path: "/api/v1/cases/" + no + "/release", json: map[string]any{"version": 1}, want: notFoundFor(api(staffAll))},
		{method: "POST", path: "/api/v1/cases/" + no + "/accept-missing", json: map[string]any{"version": 1, "items": []string{"原件"}}, want: notFoundFor(api(staffAll))},
		// Only the employer that reported the accident records its recognition application.
		{method: "POST", path: "/api/v1/cases/" + no + "/recognition", json: map[string]any{"version": 1}, want: api(employers...)},
		{method: "POST", path: "/api/v1/injury/reports", json: map[string]string{}, want: api(employers...)},
		{method: "POST", path: "/api/v1/cases/" + no + "/commitments", json: map[string]any{"item": "原件"}, want: notFoundFor(api(apiAll...))},
		{method: "POST", path: "/api/v1/cases/" + no + "/confirm", json: map[string]any{"version": 1, "type": "injury_report"}, want: notFoundFor(api(staffAll))},
		{method: "GET", path: "/api/v1/originals", want: api(staffAll)},
		{method: "POST", path: "/api/v1/originals/999999/receive", json: map[string]any{"via": "post"}, want: notFoundFor(api(staffAll))},
		{method: "GET", path: "/api/v1/commitments/false", want: api(staffAll)},
		{method: "POST", path: "/api/v1/commitments/999999/false", json: map[string]any{"note": "x"}, want: notFoundFor(api(staffAll))},
	}
}

// channelRouteCases: the portal inbox, the outbox and the mail quarantine.
func channelRouteCases() []routeCase {
	office := staffOf(access.Office)
	return []routeCase{
		{method: "GET", path: "/api/v1/messages", want: api(apiAll...)},
		{method: "POST", path: "/api/v1/messages/read", json: map[string]string{}, want: api(apiAll...)},
		{method: "GET", path: "/api/v1/outbox", want: api(office...)},
		{method: "POST", path: "/api/v1/outbox/999999/retry", json: map[string]string{}, want: notFoundFor(api(office...))},
		{method: "GET", path: "/staff/mail/quarantine", want: page(office...)},
		{method: "GET", path: "/staff/mail/quarantine/999999", want: notFoundFor(page(office...))},
		{method: "POST", path: "/staff/mail/quarantine/999999/release", form: url.Values{}, want: notFoundFor(post(office...))},
		{method: "POST", path: "/staff/mail/quarantine/999999/delete", form: url.Values{}, want: notFoundFor(post(office...))},
	}
}

package app_test

import (
	"net/url"
	"slices"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// staffOf lists the staff keys of some sections (the admin is added by page/api/post via staffAll
// only, so callers add apptest.Admin themselves).
func staffOf(sections ...access.Section) []string {
	out := []string{apptest.Admin}
	for _, x := range sections {
		out = append(out, apptest.Staff(x))
	}
	return out
}

// notFoundFor turns the allowed roles of m into 404: the route is theirs,
// but the record does not exist.
func notFoundFor(m map[string]outcome) map[string]outcome {
	for k, v := range m {
		if v == allowed {
			m[k] = notFound
		}
	}
	return m
}

// forbiddenStaffExcept gives role/outcome pairs (for with) refusing the
// staff of every section but those named.
func forbiddenStaffExcept(keep ...access.Section) []any {
	var kv []any
	for _, x := range access.Sections {
		if !slices.Contains(keep, x) {
			kv = append(kv, apptest.Staff(x), forbidden)
		}
	}
	return kv
}

var (
	employers = []string{apptest.EmployerA, apptest.EmployerB}
	persons   = []string{apptest.PersonA, apptest.PersonB}
	bookers   = []string{apptest.EmployerA, apptest.EmployerB, apptest.PersonA, apptest.PersonB}
	apiAll    = []string{staffAll, apptest.EmployerA, apptest.EmployerB, apptest.PersonA, apptest.PersonB, apptest.APIHospital, apptest.APIBank}
)

// publicRouteCases: pages anyone may open.
func publicRouteCases() []routeCase {
	return []routeCase{
		{method: "GET", path: "/", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/healthz", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/certificate/check", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/api/v1/openapi.json", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/help/api", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/help/api?for=key", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/notices", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/notices/1", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/notices/999999", want: with(page(), all(notFound)...)},
		{method: "GET", path: "/api/v1/notices", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/api/v1/notices/1", want: with(page(), all(allowed)...)},
	}
}

// employerRouteCases: registration, the review queue, the employer portal.
func employerRouteCases() []routeCase {
	none := url.Values{}
	v1 := url.Values{"version": {"1"}}
	coord := staffOf(access.Coordination)
	return []routeCase{
		{method: "GET", path: "/register", want: with(page(), all(allowed)...)},
		{method: "POST", path: "/register", form: none, want: with(post(everyone...), anon, allowed)},
		{method: "GET", path: "/register/status", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/register/status?app_no=DJ20240210-9999&uscc=91350200776049653A", want: with(page(), all(notFound)...)},
		{method: "GET", path: "/staff/registrations", want: page(coord...)},
		{method: "GET", path: "/staff/registrations?status=returned&q=北京&page=2", want: page(coord...)},
		{method: "GET", path: "/staff/registrations/new", want: page(coord...)},
		{method: "POST", path: "/staff/registrations/new", form: none, want: post(coord...)},
		{method: "GET", path: "/staff/registrations/999999", want: notFoundFor(page(coord...))},
		{method: "POST", path: "/staff/registrations/999999/approve", form: v1, want: notFoundFor(post(coord...))},
		{method: "POST", path: "/staff/registrations/999999/return", form: url.Values{"version": {"1"}, "reasons": {"材料不全"}}, want: notFoundFor(post(coord...))},
		{method: "GET", path: "/employer", want: page(employers...)},
		{method: "GET", path: "/employer/changes/new", want: page(employers...)},
		{method: "POST", path: "/employer/changes/new", form: none, want: post(employers...)},
		{method: "GET", path: "/staff/employer-changes", want: page(coord...)},
		{method: "GET", path: "/staff/employer-changes/999999", want: notFoundFor(page(coord...))},
		{method: "POST", path: "/staff/employer-changes/999999/approve", form: v1, want: notFoundFor(post(coord...))},
		{method: "POST", path: "/staff/employer-changes/999999/reject", form: v1, want: notFoundFor(post(coord...))},
		// Anyone may apply; staff record applications only in 统筹科.
		{method: "POST", path: "/api/v1/employer-applications", json: map[string]string{},
			want: with(api(), append(all(allowed), forbiddenStaffExcept(access.Coordination)...)...)},
		{method: "GET", path: "/api/v1/employer-applications/status?app_no=DJ20240210-9999&uscc=91350200776049653A", want: with(api(), all(notFound)...)},
		{method: "GET", path: "/api/v1/employer-applications", want: api(coord...)},
		{method: "GET", path: "/api/v1/employer-applications/999999", want: notFoundFor(api(coord...))},
		{method: "POST", path: "/api/v1/employer-applications/999999/approve", json: map[string]int{"version": 1}, want: notFoundFor(api(coord...))},
		{method: "POST", path: "/api/v1/employer-applications/999999/return", json: map[string]any{"version": 1, "reasons": "x"}, want: notFoundFor(api(coord...))},
		{method: "GET", path: "/api/v1/employers/me", want: api(employers...)},
		{method: "GET", path: "/api/v1/employers/me/change-requests", want: api(employers...)},
		{method: "POST", path: "/api/v1/employers/me/change-requests", json: map[string]string{}, want: api(employers...)},
		{method: "GET", path: "/api/v1/employer-change-requests", want: api(coord...)},
		{method: "POST", path: "/api/v1/employer-change-requests/999999/approve", json: map[string]int{"version": 1}, want: notFoundFor(api(coord...))},
		{method: "POST", path: "/api/v1/employer-change-requests/999999/reject", json: map[string]any{"version": 1, "reason": "x"}, want: notFoundFor(api(coord...))},
	}
}

// auditPersonRouteCases: the audit log and person records.
func auditPersonRouteCases() []routeCase {
	audit := staffOf(access.Audit)
	return []routeCase{
		{method: "GET", path: "/staff/audit", want: page(audit...)},
		{method: "GET", path: "/staff/audit?action=account&from=2024-01-01&to=2024-12-31", want: page(audit...)},
		{method: "GET", path: "/staff/audit/999999", want: notFoundFor(page(audit...))},
		{method: "POST", path: "/staff/audit/verify", form: url.Values{}, want: post(audit...)},
		{method: "GET", path: "/api/v1/audit", want: api(audit...)},
		{method: "GET", path: "/api/v1/audit/999999", want: notFoundFor(api(audit...))},
		{method: "POST", path: "/api/v1/audit/verify", json: map[string]string{}, want: api(audit...)},
		{method: "GET", path: "/person", want: page(persons...)},
		{method: "GET", path: "/api/v1/person", want: api(persons...)},
		{method: "GET", path: "/staff/persons", want: page(staffAll)},
		{method: "GET", path: "/staff/persons/{person:person-a}", want: page(staffAll)},
		{method: "GET", path: "/staff/persons/999999", want: notFoundFor(page(staffAll))},
		{method: "GET", path: "/api/v1/persons/{person:person-a}", want: api(staffAll)},
	}
}

// officeRouteCases: notices, appointments, messages and the outbox.
func officeRouteCases() []routeCase {
	none := url.Values{}
	office := staffOf(access.Office)
	return []routeCase{
		{method: "GET", path: "/staff/notices", want: page(office...)},
		{method: "GET", path: "/staff/notices/new", want: page(office...)},
		{method: "POST", path: "/staff/notices", form: none, want: post(office...)},
		{method: "GET", path: "/staff/notices/999999", want: notFoundFor(page(office...))},
		{method: "POST", path: "/staff/notices/999999", form: url.Values{"version": {"1"}}, want: notFoundFor(post(office...))},
		{method: "GET", path: "/staff/notices/999999/publish", want: notFoundFor(page(office...))},
		{method: "POST", path: "/staff/notices/999999/withdraw", form: url.Values{"version": {"1"}}, want: notFoundFor(post(office...))},
		{method: "GET", path: "/appointments", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/appointments/mine", want: with(page(), all(allowed)...)},
		// Staff are sent on to the counter's booking list (303), not refused.
		{method: "GET", path: "/appointments/book?service=stamped_certificate", want: page(append(bookers, staffAll)...)},
		{method: "POST", path: "/appointments", form: none, want: post(bookers...)},
		// A booking code that is not the caller's is "not found" for everyone: no one learns it exists.
		{method: "GET", path: "/appointments/NOPE/cancel", want: notFoundFor(page(staffAll, apptest.EmployerA, apptest.EmployerB, apptest.PersonA, apptest.PersonB))},
		{method: "POST", path: "/appointments/NOPE/cancel", form: none, want: notFoundFor(post(staffAll, apptest.EmployerA, apptest.EmployerB, apptest.PersonA, apptest.PersonB))},
		{method: "GET", path: "/staff/appointments", want: page(staffAll)},
		{method: "POST", path: "/staff/appointments/NOPE/mark", form: url.Values{"status": {"attended"}}, want: notFoundFor(post(staffAll))},
		{method: "GET", path: "/staff/appointments/slots", want: page(office...)},
		{method: "POST", path: "/staff/appointments/slots", form: none, want: post(office...)},
		{method: "POST", path: "/staff/appointments/slots/999999/capacity", form: url.Values{"capacity": {"3"}, "version": {"1"}}, want: notFoundFor(post(office...))},
		{method: "GET", path: "/api/v1/appointments/services", want: with(api(), all(allowed)...)},
		{method: "GET", path: "/api/v1/appointments/slots?service=stamped_certificate", want: with(api(), all(allowed)...)},
		{method: "POST", path: "/api/v1/appointments", json: map[string]string{}, want: api(bookers...)},
		{method: "GET", path: "/api/v1/appointments/mine", want: api(bookers...)},
		{method: "GET", path: "/api/v1/appointments/NOPE", want: notFoundFor(api(apiAll...))},
		{method: "POST", path: "/api/v1/appointments/NOPE/cancel", json: map[string]string{}, want: notFoundFor(api(apiAll...))},
		{method: "DELETE", path: "/api/v1/appointments/NOPE", want: notFoundFor(api(apiAll...))},
		{method: "GET", path: "/api/v1/staff/appointments", want: api(staffAll)},
		{method: "POST", path: "/api/v1/staff/appointments/slots", json: map[string]string{}, want: api(office...)},
		{method: "GET", path: "/messages", want: page(everyone...)},
		{method: "POST", path: "/messages/read", form: none, want: post(everyone...)},
		{method: "GET", path: "/account/notices", want: page(apptest.EmployerA, apptest.EmployerB, apptest.PersonA, apptest.PersonB)},
		{method: "POST", path: "/account/notices", form: none, want: post(apptest.EmployerA, apptest.EmployerB, apptest.PersonA, apptest.PersonB)},
		{method: "GET", path: "/staff/outbox", want: page(office...)},
		{method: "POST", path: "/staff/outbox/999999/retry", form: none, want: notFoundFor(post(office...))},
	}
}

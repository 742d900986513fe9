package app_test

import (
	"net/url"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// complaintRouteCases: the public complaint form and tracking lookup, a
// reporter's own complaints, and 审计科's queue and steps. Complaint 999999
// does not exist.
func complaintRouteCases() []routeCase {
	none := url.Values{}
	v1 := url.Values{"version": {"1"}}
	reporters := []string{apptest.EmployerA, apptest.EmployerB, apptest.PersonA, apptest.PersonB}
	recorders := staffOf(access.Audit, access.Office)
	return []routeCase{
		{method: "GET", path: "/complaints/new", want: with(page(), all(allowed)...)},
		{method: "POST", path: "/complaints/new", form: none, want: with(post(append(reporters, recorders...)...), anon, allowed)},
		{method: "POST", path: "/my/complaints/new", form: none, want: post(append(reporters, recorders...)...)},
		{method: "GET", path: "/complaints/track", want: with(page(), all(allowed)...)},
		{method: "POST", path: "/complaints/track", form: none, want: with(post(everyone...), anon, allowed)},
		{method: "POST", path: "/complaints/track/feedback", form: none, want: with(post(everyone...), anon, allowed)},
		{method: "POST", path: "/complaints/track/answer.pdf", form: none, want: with(post(everyone...), anon, allowed)},
		{method: "POST", path: "/api/v1/complaints", json: map[string]string{}, want: with(api(append(reporters, recorders...)...), anon, allowed)},
		{method: "POST", path: "/api/v1/complaints/track", json: map[string]string{}, want: with(api(), all(allowed)...)},
		{method: "GET", path: "/api/v1/complaints/mine", want: api(reporters...)},
		{method: "GET", path: "/api/v1/complaints/999999", want: notFoundFor(api(reporters...))},
		{method: "POST", path: "/api/v1/complaints/track/feedback", json: map[string]string{}, want: with(api(), all(allowed)...)},
		{method: "POST", path: "/api/v1/complaints/999999/feedback", json: map[string]string{}, want: notFoundFor(api(reporters...))},
		{method: "GET", path: "/my/complaints/999999/answer.pdf", want: notFoundFor(page(reporters...))},
		{method: "GET", path: "/staff/complaints/999999/answer.pdf", want: notFoundFor(page(staffAll))},
		{method: "GET", path: "/my/complaints", want: page(reporters...)},
		{method: "GET", path: "/my/complaints/999999", want: notFoundFor(page(reporters...))},
		{method: "POST", path: "/my/complaints/999999/feedback", form: none, want: notFoundFor(post(reporters...))},
		{method: "GET", path: "/staff/complaints", want: page(staffAll)},
		{method: "GET", path: "/staff/complaints?status=received&category=fraud&q=公司&overdue=1&page=2", want: page(staffAll)},
		{method: "GET", path: "/staff/complaints/new", want: page(recorders...)},
		{method: "POST", path: "/staff/complaints/new", form: none, want: post(recorders...)},
		{method: "GET", path: "/staff/complaints/999999", want: notFoundFor(page(staffAll))},
		{method: "GET", path: "/staff/complaints/999999/documents/1", want: notFoundFor(page(staffAll))},
		{method: "POST", path: "/staff/complaints/999999/accept", form: v1, want: notFoundFor(post(staffOf(access.Audit)...))},
		{method: "GET", path: "/api/v1/staff/complaints", want: api(staffAll)},
		{method: "GET", path: "/api/v1/staff/complaints?status=received&category=fraud&q=公司&overdue=1&page=2", want: api(staffAll)},
		{method: "GET", path: "/api/v1/staff/complaints/999999", want: notFoundFor(api(staffAll))},
		{method: "POST", path: "/api/v1/staff/complaints/999999/triage", json: map[string]any{"action": "accept", "version": 1,
			"section": "coordination"}, want: notFoundFor(api(staffOf(access.Audit)...))},
		{method: "POST", path: "/api/v1/staff/complaints/999999/assign", json: map[string]any{"version": 1, "section": "coordination"},
			want: notFoundFor(api(staffOf(access.Audit)...))},
		{method: "POST", path: "/api/v1/staff/complaints/999999/answer", json: map[string]any{"version": 1, "text": "经调查，情况属实，已责令整改。"},
			want: notFoundFor(api(staffOf(access.Audit)...))},
		{method: "POST", path: "/staff/complaints/999999/note", form: url.Values{"note": {"现场核查"}}, want: notFoundFor(post(staffAll))},
	}
}

// sensitiveRouteCases: sensitive matters (any staff flags; the service
// decides who reads and acknowledges) and the administrator's posts.
// Matter 999999 does not exist.
func sensitiveRouteCases() []routeCase {
	none := url.Values{}
	return []routeCase{
		{method: "GET", path: "/staff/sensitive", want: page(staffAll)},
		{method: "GET", path: "/staff/sensitive?status=closed", want: page(staffAll)},
		{method: "GET", path: "/staff/sensitive/new", want: page(staffAll)},
		{method: "GET", path: "/staff/sensitive/new?kind=case&ref=GS2024000001", want: page(staffAll)},
		{method: "POST", path: "/staff/sensitive/new", form: none, want: post(staffAll)},
		{method: "GET", path: "/staff/sensitive/999999", want: notFoundFor(page(staffAll))},
		{method: "POST", path: "/staff/sensitive/999999/acknowledge", form: url.Values{"version": {"1"}, "instruction": {"同意"}},
			want: notFoundFor(post(staffAll))},
		{method: "GET", path: "/admin/posts", want: page(apptest.Admin)},
		{method: "POST", path: "/admin/posts", form: url.Values{"user_id": {"999999"}, "post": {"office_head"}, "grant": {"1"}},
			want: with(post(apptest.Admin), apptest.Admin, notFound)},
	}
}

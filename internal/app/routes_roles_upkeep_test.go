package app_test

import (
	"net/url"

	"shebao/internal/access"
)

// upkeepRouteCases: retiree record upkeep — the queue and batches for
// 个人账户科 and 保险福利科, raising directly and processing batches for
// 个人账户科 only, raising from a case for 保险福利科, the retiree's page.
func upkeepRouteCases() []routeCase {
	none := url.Values{}
	both := staffOf(access.Account, access.Welfare)
	acct := staffOf(access.Account)
	return []routeCase{
		{method: "GET", path: "/staff/upkeep", want: page(both...)},
		{method: "GET", path: "/staff/upkeep?status=applied&q=%E5%BC%A0&page=2", want: page(both...)},
		{method: "GET", path: "/staff/upkeep/new", want: page(acct...)},
		{method: "GET", path: "/staff/upkeep/new?case=TD20240210-9999", want: page(staffOf(access.Welfare)...)},
		{method: "POST", path: "/staff/upkeep/new", form: none, want: post(acct...)},
		{method: "POST", path: "/staff/upkeep/new", form: url.Values{"case_no": {"TD20240210-9999"}}, want: notFoundFor(post(staffOf(access.Welfare)...))},
		{method: "GET", path: "/staff/upkeep/corrections/999999", want: notFoundFor(page(both...))},
		{method: "GET", path: "/staff/upkeep/corrections/999999/evidence/1", want: notFoundFor(page(both...))},
		{method: "GET", path: "/staff/upkeep/batches", want: page(both...)},
		{method: "GET", path: "/staff/upkeep/batches?page=2", want: page(both...)},
		{method: "POST", path: "/staff/upkeep/batches", form: none, want: post(acct...)},
		{method: "GET", path: "/staff/upkeep/batches/999999", want: notFoundFor(page(both...))},
		{method: "POST", path: "/staff/upkeep/batches/999999/check", form: url.Values{"version": {"1"}}, want: notFoundFor(post(acct...))},
		{method: "POST", path: "/staff/upkeep/batches/999999/apply", form: url.Values{"version": {"1"}}, want: notFoundFor(post(acct...))},
		{method: "POST", path: "/staff/upkeep/batches/999999/dissolve", form: url.Values{"version": {"1"}}, want: notFoundFor(post(acct...))},
		{method: "GET", path: "/person/record-corrections", want: page(persons...)},
	}
}

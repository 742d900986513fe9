package app_test

import (
	"net/url"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// payoutRouteCases: the fund section (基金管理科) approves payouts, makes
// batches and bank files, imports returns and runs the payroll; the
// sections that prepare payouts (保险福利科, 工伤保险待遇科, 个人账户科) see
// and cancel the lines of their benefits; a person sees their own pension.
func payoutRouteCases() []routeCase {
	fund := apptest.Staff(access.Fund)
	welfare := apptest.Staff(access.Welfare)
	none := url.Values{}
	injury, acct := apptest.Staff(access.Injury), apptest.Staff(access.Account)
	return []routeCase{
		{method: "GET", path: "/staff/payouts", want: page(apptest.Admin, fund, welfare, injury, acct)},
		{method: "POST", path: "/staff/payouts/approve", form: none, want: post(apptest.Admin, fund)},
		{method: "POST", path: "/staff/payouts/reject", form: none, want: post(apptest.Admin, fund)},
		{method: "GET", path: "/staff/payouts/999999", want: with(page(apptest.Admin, fund), apptest.Admin, notFound, fund, notFound,
			welfare, notFound, injury, notFound, acct, notFound)},
		{method: "POST", path: "/staff/payouts/999999/cancel", form: url.Values{"confirm": {"1"}, "reason": {"错误"}, "version": {"1"}},
			want: with(post(apptest.Admin, fund), apptest.Admin, notFound, fund, notFound, welfare, notFound, injury, notFound, acct, notFound)},
		{method: "POST", path: "/staff/payouts/999999/reissue", form: none, want: with(post(apptest.Admin, fund), apptest.Admin, notFound, fund, notFound)},
		{method: "GET", path: "/staff/payout-batches", want: page(apptest.Admin, fund)},
		{method: "POST", path: "/staff/payout-batches", form: none, want: post(apptest.Admin, fund)},
		{method: "GET", path: "/staff/payout-batches/999999", want: with(page(apptest.Admin, fund), apptest.Admin, notFound, fund, notFound)},
		{method: "GET", path: "/staff/payout-batches/999999/file", want: with(page(apptest.Admin, fund), apptest.Admin, notFound, fund, notFound)},
		{method: "GET", path: "/staff/payout-batches/999999/print.pdf", want: with(page(apptest.Admin, fund), apptest.Admin, notFound, fund, notFound)},
		{method: "POST", path: "/staff/payout-batches/999999/return", form: none, want: with(post(apptest.Admin, fund), apptest.Admin, notFound, fund, notFound)},
		{method: "GET", path: "/staff/payroll", want: page(apptest.Admin, fund)},
		{method: "POST", path: "/staff/payroll", form: url.Values{"month": {"2999-01"}}, want: post(apptest.Admin, fund)},
		{method: "GET", path: "/staff/payroll/runs/999999", want: with(page(apptest.Admin, fund), apptest.Admin, notFound, fund, notFound)},
		{method: "GET", path: "/staff/fund-report", want: page(apptest.Admin, fund)},
		{method: "GET", path: "/staff/cards", want: page(apptest.Admin, fund)},
		{method: "GET", path: "/staff/payroll/adjustments", want: page(apptest.Admin, fund, welfare)},
		{method: "POST", path: "/staff/payroll/adjustments", form: none, want: post(apptest.Admin, fund, welfare)},
		{method: "GET", path: "/staff/payroll/deductions", want: page(apptest.Admin, fund, welfare)},
		{method: "POST", path: "/staff/payroll/deductions", form: none, want: post(apptest.Admin, fund, welfare)},
		{method: "POST", path: "/staff/cards/lists", form: none, want: post(apptest.Admin, fund)},
		{method: "GET", path: "/staff/cards/lists/999999/file", want: with(page(apptest.Admin, fund), apptest.Admin, notFound, fund, notFound)},
		{method: "POST", path: "/staff/cards/lists/999999/answer", form: none, want: with(post(apptest.Admin, fund), apptest.Admin, notFound, fund, notFound)},
		{method: "POST", path: "/staff/cards/activate", form: none, want: post(apptest.Admin, fund)},
		{method: "POST", path: "/staff/cards/999999/activate", form: none, want: with(post(apptest.Admin, fund), apptest.Admin, notFound, fund, notFound)},
		{method: "GET", path: "/person/pension", want: page(apptest.PersonA, apptest.PersonB)},
	}
}

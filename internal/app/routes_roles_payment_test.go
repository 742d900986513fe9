package app_test

import (
	"net/url"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// paymentRouteCases: the fund section (基金管理科) imports statements,
// settles the queue, records card payments, reads the ledger and mails
// invoices; payers read their payments and receipts; a bank API client
// may post a statement.
func paymentRouteCases() []routeCase {
	none := url.Values{}
	fund := apptest.Staff(access.Fund)
	payers := []string{apptest.EmployerA, apptest.EmployerB, apptest.PersonA, apptest.PersonB}
	loggedIn := append([]string{staffAll}, payers...)
	missing := func(m map[string]outcome) map[string]outcome { // everyone logged in: no such payment
		for r := range expand(loggedIn) {
			m[r] = notFound
		}
		return m
	}
	return []routeCase{
		{method: "GET", path: "/staff/statements", want: page(apptest.Admin, fund)},
		{method: "POST", path: "/staff/statements", form: none, want: post(apptest.Admin, fund)},
		{method: "GET", path: "/staff/payments/queue", want: page(apptest.Admin, fund)},
		{method: "POST", path: "/staff/payments/999999/settle", form: url.Values{"action": {"refund"}, "note": {"退回"}, "version": {"1"}},
			want: with(post(apptest.Admin, fund), apptest.Admin, notFound, fund, notFound)},
		{method: "GET", path: "/staff/payments/refunds", want: page(apptest.Admin, fund)},
		{method: "GET", path: "/staff/payments/refunds?code=NOSUCHCODE", want: with(page(apptest.Admin, fund), apptest.Admin, notFound, fund, notFound)},
		{method: "POST", path: "/staff/payments/999999/refund", form: url.Values{"reason": {"重复缴费"}, "confirm": {"1"}, "version": {"1"}},
			want: with(post(apptest.Admin, fund), apptest.Admin, notFound, fund, notFound)},
		{method: "POST", path: "/staff/payments/999999/refund-account", form: url.Values{"account_kind": {"corporate"},
			"account_name": {"某公司"}, "account_no": {"110022334455"}, "bank_name": {"中国工商银行"}},
			want: with(post(apptest.Admin, fund), apptest.Admin, notFound, fund, notFound)},
		{method: "GET", path: "/staff/payments/card", want: page(apptest.Admin, fund)},
		{method: "POST", path: "/staff/payments/card", form: none, want: post(apptest.Admin, fund)},
		{method: "GET", path: "/staff/ledger", want: page(apptest.Admin, fund)},
		{method: "GET", path: "/staff/invoices", want: page(apptest.Admin, fund)},
		{method: "POST", path: "/staff/invoices/999999/mailed", form: url.Values{"courier": {"EMS"}, "tracking_no": {"EA123456789CN"}, "version": {"1"}},
			want: with(post(apptest.Admin, fund), apptest.Admin, notFound, fund, notFound)},
		{method: "GET", path: "/employer/payments", want: page(payers...)},
		{method: "GET", path: "/employer/payments/999999/receipt", want: missing(page())},
		{method: "GET", path: "/employer/payments/999999/receipt.pdf", want: missing(page())},
		{method: "POST", path: "/employer/payments/999999/invoice", form: none, want: missing(post())},
		{method: "GET", path: "/receipts/check?code=AAAAAAAAAAAAAAAA", want: with(page(), all(notFound)...)},
		{method: "POST", path: "/api/v1/statements", json: map[string]string{}, want: api(apptest.Admin, fund, apptest.APIBank)},
		{method: "GET", path: "/api/v1/employers/me/payments", want: api(payers...)},
		{method: "POST", path: "/api/v1/payments/card", json: map[string]string{}, want: api(apptest.Admin, fund)},
	}
}

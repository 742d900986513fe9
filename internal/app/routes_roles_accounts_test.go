package app_test

import (
	"net/url"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// personalAccountRouteCases: the person's own account, and 个人账户科's
// account pages, opening-balance import and interest runs. Run 999999
// does not exist.
func personalAccountRouteCases() []routeCase {
	acct := apptest.Staff(access.Account)
	persons := []string{apptest.PersonA, apptest.PersonB}
	return []routeCase{
		{method: "GET", path: "/person/account", want: page(persons...)},
		{method: "GET", path: "/api/v1/person/account", want: api(persons...)},
		{method: "GET", path: "/staff/accounts", want: page(acct, apptest.Admin)},
		{method: "GET", path: "/staff/accounts?id_number=110105197001010000", want: page(acct, apptest.Admin)},
		{method: "GET", path: "/staff/accounts/persons/{person:" + apptest.PersonA + "}", want: page(acct, apptest.Admin)},
		{method: "GET", path: "/staff/accounts/persons/999999", want: with(page(acct, apptest.Admin), acct, notFound, apptest.Admin, notFound)},
		{method: "POST", path: "/staff/accounts/persons/{person:" + apptest.PersonA + "}/corrections", form: url.Values{},
			want: post(acct, apptest.Admin)},
		{method: "GET", path: "/staff/accounts/openings", want: page(acct, apptest.Admin)},
		{method: "POST", path: "/staff/accounts/openings", form: url.Values{}, want: post(acct, apptest.Admin)},
		{method: "GET", path: "/staff/accounts/openings/template.xlsx", want: page(acct, apptest.Admin)},
		{method: "GET", path: "/staff/accounts/interest", want: page(acct, apptest.Admin)},
		{method: "POST", path: "/staff/accounts/interest", form: url.Values{"year": {"2099"}}, want: post(acct, apptest.Admin)},
		{method: "GET", path: "/staff/accounts/interest/999999", want: with(page(acct, apptest.Admin), acct, notFound, apptest.Admin, notFound)},
		{method: "GET", path: "/staff/accounts/interest/999999/status", want: with(page(acct, apptest.Admin),
			acct, notFound, apptest.Admin, notFound, anon, unauth, apptest.APIHospital, unauth, apptest.APIBank, unauth)},
		{method: "GET", path: "/staff/accounts/statements", want: page(acct, apptest.Admin)},
		{method: "POST", path: "/staff/accounts/statements", form: url.Values{"year": {"2099"}}, want: post(acct, apptest.Admin)},
		{method: "GET", path: "/staff/accounts/statements/999999", want: with(page(acct, apptest.Admin), acct, notFound, apptest.Admin, notFound)},
		{method: "GET", path: "/staff/accounts/statements/999999/status", want: with(page(acct, apptest.Admin),
			acct, notFound, apptest.Admin, notFound, anon, unauth, apptest.APIHospital, unauth, apptest.APIBank, unauth)},
		{method: "GET", path: "/staff/accounts/statements/999999/statements.zip", want: with(page(acct, apptest.Admin), acct, notFound, apptest.Admin, notFound)},
		{method: "GET", path: "/person/statements", want: page(persons...)},
		{method: "GET", path: "/statements/999999/statement.pdf", want: nobodysStatement()},
		{method: "GET", path: "/staff/transfers", want: page(acct, apptest.Admin)},
		{method: "GET", path: "/staff/transfers?direction=in&all=1", want: page(acct, apptest.Admin)},
		{method: "POST", path: "/staff/transfers/in", form: url.Values{}, want: post(acct, apptest.Admin)},
		{method: "POST", path: "/staff/transfers/out", form: url.Values{}, want: post(acct, apptest.Admin)},
		{method: "GET", path: "/staff/transfers/999999", want: with(page(acct, apptest.Admin), acct, notFound, apptest.Admin, notFound)},
		{method: "POST", path: "/staff/transfers/999999/step", form: url.Values{"action": {"merge"}, "version": {"1"}},
			want: with(post(acct, apptest.Admin), acct, notFound, apptest.Admin, notFound)},
		{method: "GET", path: "/staff/transfers/999999/document.pdf", want: with(page(acct, apptest.Admin), acct, notFound, apptest.Admin, notFound)},
		{method: "POST", path: "/staff/transfers/999999/form-file", form: url.Values{"version": {"1"}},
			want: with(post(acct, apptest.Admin), acct, notFound, apptest.Admin, notFound)},
		{method: "GET", path: "/staff/transfers/form-template.xlsx", want: page(acct, apptest.Admin)},
		{method: "GET", path: "/person/transfers", want: page(persons...)},
		{method: "POST", path: "/person/transfers", form: url.Values{}, want: post(persons...)},
		{method: "GET", path: "/staff/consultations", want: page(acct, apptest.Admin)},
		{method: "POST", path: "/staff/consultations", form: url.Values{}, want: post(acct, apptest.Admin)},
	}
}

// nobodysStatement: a statement that does not exist is 404 to every
// signed-in user.
func nobodysStatement() map[string]outcome {
	m := page(everyone...)
	for _, r := range roles() {
		if m[r] == allowed {
			m[r] = notFound
		}
	}
	return m
}

package app_test

import (
	"net/url"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// certificateRouteCases: payment certificates, the public check, the
// contribution history, flexible workers and the audit list of deferred
// items. Record 999999 does not exist: those past authorization get 404.
func certificateRouteCases() []routeCase {
	coord, self := apptest.Staff(access.Coordination), apptest.Staff(access.SelfEmployed)
	none := url.Values{}
	persons := []string{apptest.PersonA, apptest.PersonB}
	employers := []string{apptest.EmployerA, apptest.EmployerB}
	// Another's (or no) certificate: every logged-in user gets 404.
	certPage := func() map[string]outcome {
		m := page(everyone...)
		for _, r := range roles() {
			if m[r] == allowed {
				m[r] = notFound
			}
		}
		return m
	}
	return []routeCase{
		{method: "GET", path: "/certificate/check?code=ABCD", want: with(page(), all(allowed)...)},
		{method: "GET", path: "/api/v1/certificates/check?code=ABCD", want: with(api(), all(allowed)...)},
		{method: "GET", path: "/person/certificates", want: page(persons...)},
		{method: "POST", path: "/person/certificates", form: url.Values{"from": {"2024-01"}}, want: post(persons...)},
		{method: "POST", path: "/api/v1/person/certificates", json: map[string]string{}, want: api(persons...)},
		{method: "GET", path: "/employer/certificates", want: page(employers...)},
		{method: "POST", path: "/employer/certificates", form: none, want: post(employers...)},
		{method: "GET", path: "/certificates/999999", want: certPage()},
		{method: "GET", path: "/certificates/999999/certificate.pdf", want: certPage()},
		{method: "GET", path: "/certificates/999999/certificate.html", want: certPage()},
		{method: "GET", path: "/staff/certificates", want: page(coord, apptest.Admin)},
		{method: "GET", path: "/staff/certificates?code=ABCD", want: page(coord, apptest.Admin)},
		{method: "POST", path: "/staff/certificates/999999/revoke", form: url.Values{"version": {"1"}, "reason": {"错误"}},
			want: with(post(coord, apptest.Admin), coord, notFound, apptest.Admin, notFound)},
		{method: "GET", path: "/person/history", want: page(persons...)},
		{method: "GET", path: "/api/v1/person/history", want: api(persons...)},
		{method: "GET", path: "/person/flexible", want: page(persons...)},
		{method: "POST", path: "/person/flexible/bills", form: none, want: post(persons...)},
		{method: "GET", path: "/api/v1/person/flexible/bills", want: api(persons...)},
		{method: "POST", path: "/api/v1/person/flexible/bills", json: map[string]string{}, want: api(persons...)},
		{method: "POST", path: "/person/flexible/register", form: none, want: post(persons...)},
		{method: "POST", path: "/api/v1/person/flexible/register", json: map[string]string{}, want: api(persons...)},
		{method: "GET", path: "/staff/flexible", want: page(self, apptest.Admin)},
		{method: "POST", path: "/staff/flexible/999999/register", form: none,
			want: with(post(self, apptest.Admin), self, notFound, apptest.Admin, notFound)},
		{method: "POST", path: "/staff/flexible/999999/bills", form: none,
			want: with(post(self, apptest.Admin), self, notFound, apptest.Admin, notFound)},
	}
}

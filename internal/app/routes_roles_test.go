package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app/apptest"
)

// outcome is the class of answer a role gets from a route.
type outcome string

const (
	allowed   outcome = "allowed"    // 2xx/3xx (not to /login), or 409/422: past authorization
	toLogin   outcome = "login"      // 303 to /login
	unauth    outcome = "401"        // 401 (JSON, or a page POST without login)
	forbidden outcome = "403"        // 403 (authorization or CSRF)
	notFound  outcome = "404"        // 404 (no such record, or another actor's)
	other     outcome = "unexpected" // anything else (500 …)
)

func classify(r *apptest.Response) outcome {
	switch {
	case r.Status == http.StatusSeeOther && strings.HasPrefix(r.Location(), "/login"):
		return toLogin
	case r.Status == http.StatusUnauthorized:
		return unauth
	case r.Status == http.StatusForbidden:
		return forbidden
	case r.Status == http.StatusNotFound:
		return notFound
	case r.Status < 400, r.Status == http.StatusConflict, r.Status == http.StatusUnprocessableEntity:
		return allowed
	}
	return other
}

// anon is the role key of a visitor who is not logged in (with the
// anonymous CSRF cookie, so refusals are about identity, not CSRF).
const anon = "anon"

// roles lists every role the table walks: anonymous, each seeded user.
func roles() []string {
	out := []string{anon, apptest.Admin, apptest.EmployerA, apptest.EmployerB, apptest.PersonA, apptest.PersonB,
		apptest.APIHospital, apptest.APIBank, apptest.HospitalWeb}
	for _, x := range access.Sections {
		out = append(out, apptest.Staff(x))
	}
	return out
}

// routeCase is one route and what each role gets. Path placeholders:
// {uid:KEY} a user's ID, {emp:KEY} an employer ID, {person:KEY} a person
// ID, {client:KIND} an API client ID. Roles missing from want get others.
type routeCase struct {
	method, path string
	form         url.Values // page POST body (the client adds _csrf)
	json         any        // API body (the client adds X-CSRF-Token)
	fresh        bool       // log in anew for this case (it ends or changes the session)
	want         map[string]outcome
}

// Expectation builders. staffAll stands for every staff member and the admin.
const staffAll = "staff:*"

func expand(keys []string) map[string]bool {
	m := map[string]bool{}
	for _, k := range keys {
		if k == staffAll {
			m[apptest.Admin] = true
			for _, x := range access.Sections {
				m[apptest.Staff(x)] = true
			}
			continue
		}
		m[k] = true
	}
	return m
}

// page: a GET page the keys may see; anonymous visitors and API clients
// (whose keys count on /api/ only) go to the login page, others get 403.
func page(keys ...string) map[string]outcome {
	ok := expand(keys)
	m := map[string]outcome{}
	for _, r := range roles() {
		switch {
		case ok[r]:
			m[r] = allowed
		case r == anon || r == apptest.APIHospital || r == apptest.APIBank:
			m[r] = toLogin
		default:
			m[r] = forbidden
		}
	}
	return m
}

// post: a page POST the keys may make; anonymous visitors get 401, API
// clients 403 (no CSRF token on pages), others 403.
func post(keys ...string) map[string]outcome {
	m := page(keys...)
	if m[anon] == toLogin {
		m[anon] = unauth
	}
	m[apptest.APIHospital], m[apptest.APIBank] = forbidden, forbidden
	return m
}

// api: a JSON endpoint the keys may call; anonymous callers get 401,
// everyone else (API clients included) 403.
func api(keys ...string) map[string]outcome {
	ok := expand(keys)
	m := map[string]outcome{}
	for _, r := range roles() {
		switch {
		case ok[r]:
			m[r] = allowed
		case r == anon:
			m[r] = unauth
		default:
			m[r] = forbidden
		}
	}
	return m
}

// with overrides some roles of an expectation.
func with(m map[string]outcome, kv ...any) map[string]outcome {
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1].(outcome)
	}
	return m
}

var everyone = []string{staffAll, apptest.EmployerA, apptest.EmployerB, apptest.PersonA, apptest.PersonB, apptest.HospitalWeb}

// accountRouteCases: login, sessions, the staff console and administration.
// Other areas append their own lists in routeCases.
func accountRouteCases() []routeCase {
	none := url.Values{}
	return []routeCase{
		{method: "GET", path: "/login", want: with(page(), all(allowed)...)},
		{method: "POST", path: "/login", form: none, want: with(post(everyone...), anon, allowed)},
		{method: "POST", path: "/logout", fresh: true, want: with(post(everyone...), anon, allowed)},
		{method: "GET", path: "/account/password", want: page(everyone...)},
		{method: "POST", path: "/account/password", form: none, want: post(everyone...)},
		{method: "GET", path: "/staff", want: page(staffAll)},
		{method: "GET", path: "/admin", want: page(apptest.Admin)},
		{method: "GET", path: "/admin/users", want: page(apptest.Admin)},
		{method: "GET", path: "/admin/users?q=staff&role=staff&page=2", want: page(apptest.Admin)},
		{method: "POST", path: "/admin/users", form: none, want: post(apptest.Admin)},
		{method: "GET", path: "/admin/users/{uid:victim}", want: page(apptest.Admin)},
		{method: "GET", path: "/admin/users/999999", want: with(page(apptest.Admin), apptest.Admin, notFound)},
		{method: "GET", path: "/admin/users/{uid:victim}/reset", want: page(apptest.Admin)},
		{method: "GET", path: "/admin/users/{uid:victim}/disable", want: page(apptest.Admin)},
		{method: "GET", path: "/admin/users/{uid:victim}/unlock", want: page(apptest.Admin)},
		{method: "POST", path: "/admin/users/{uid:victim}/sections", form: url.Values{"version": {"0"}}, want: post(apptest.Admin)},
		{method: "POST", path: "/admin/users/{uid:victim}/disable", form: url.Values{"version": {"0"}}, want: post(apptest.Admin)},
		{method: "POST", path: "/admin/users/{uid:victim}/enable", form: url.Values{"version": {"0"}}, want: post(apptest.Admin)},
		{method: "POST", path: "/admin/users/{uid:victim}/unlock", form: none, want: post(apptest.Admin)},
		{method: "POST", path: "/admin/users/{uid:victim}/reset", form: none, want: post(apptest.Admin)},
		{method: "GET", path: "/admin/api-clients", want: page(apptest.Admin)},
		{method: "POST", path: "/admin/api-clients", form: none, want: post(apptest.Admin)},
		{method: "GET", path: "/admin/api-clients/{client:bank}/revoke", want: page(apptest.Admin)},
		{method: "POST", path: "/admin/api-clients/999999/revoke", form: none, want: with(post(apptest.Admin), apptest.Admin, notFound)},
		{method: "GET", path: "/api/v1/me", want: api(append(everyone, apptest.APIHospital, apptest.APIBank)...)},
		{method: "POST", path: "/api/v1/session", json: map[string]string{}, want: with(api(), all(allowed)...)},
		{method: "DELETE", path: "/api/v1/session", fresh: true, want: with(api(), all(allowed)...)},
		{method: "POST", path: "/api/v1/account/password", json: map[string]string{}, want: api(everyone...)},
	}
}

// all returns role/outcome pairs setting every role to o (for with).
func all(o outcome) []any {
	var kv []any
	for _, r := range roles() {
		kv = append(kv, r, o)
	}
	return kv
}

// routeCases is every route the table walks; areas add theirs here.
func routeCases() []routeCase {
	var out []routeCase
	for _, area := range [][]routeCase{accountRouteCases(), policyRouteCases(), publicRouteCases(),
		employerRouteCases(), auditPersonRouteCases(), officeRouteCases(), caseRouteCases(), channelRouteCases(), staffChangeRouteCases(), contributionRouteCases(),
		certificateRouteCases(), paymentRouteCases(), payoutRouteCases(), faqRouteCases(), calcRouteCases(), downloadRouteCases(), retirementRouteCases(), upkeepRouteCases(),
		injuryBenefitRouteCases(), injuryBenefitPageCases(), hospitalWebCases(),
		personalAccountRouteCases(), oversightRouteCases(), complaintRouteCases(), sensitiveRouteCases()} {
		out = append(out, area...)
	}
	hospitalWebElsewhere(out)
	return out
}

var placeholder = regexp.MustCompile(`\{(uid|emp|person|client):([^}]+)\}`)

func resolve(t *testing.T, env *apptest.Env, path string) string {
	return placeholder.ReplaceAllStringFunc(path, func(p string) string {
		m := placeholder.FindStringSubmatch(p)
		switch m[1] {
		case "uid":
			return strconv.FormatInt(env.User(t, m[2]).ID, 10)
		case "emp":
			return strconv.FormatInt(env.User(t, m[2]).EmployerID, 10)
		case "person":
			return strconv.FormatInt(env.User(t, m[2]).PersonID, 10)
		case "client":
			list, err := env.App.Accounts.ListAPIClients(context.Background(), env.Actor(t, apptest.Admin))
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range list {
				if c.Kind == m[2] {
					return strconv.FormatInt(c.ID, 10)
				}
			}
		}
		t.Fatalf("cannot resolve %s", p)
		return ""
	})
}

// TestRouteRoleTable walks every route with every role and checks the
// class of the answer: who may, who is sent to log in, who is refused.
func TestRouteRoleTable(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.Users["victim"] = env.AddLogin(t, account.NewAccount{Role: access.RoleStaff, Username: "victim",
			Sections: []access.Section{access.Office}}, false)
		clients := map[string]*apptest.Client{}
		client := func(role string, fresh bool) *apptest.Client {
			if c, ok := clients[role]; ok && !fresh {
				return c
			}
			var c *apptest.Client
			if role == anon {
				c = env.Anon(t)
			} else {
				c = env.LoginAs(t, role)
			}
			if !fresh {
				clients[role] = c
			}
			return c
		}
		for _, rc := range routeCases() {
			path := resolve(t, env, rc.path)
			for _, role := range roles() {
				want, ok := rc.want[role]
				if !ok {
					t.Fatalf("%s %s: no expectation for %s", rc.method, rc.path, role)
				}
				c := client(role, rc.fresh)
				var r *apptest.Response
				switch {
				case rc.form != nil:
					r = c.PostForm(t, path, cloneForm(rc.form))
				case rc.json != nil || rc.method != "GET":
					r = c.SendJSON(t, rc.method, path, rc.json)
				default:
					r = c.Get(t, path)
				}
				if got := classify(r); got != want {
					t.Errorf("%-6s %-45s %-20s got %-10s want %-10s (%d %s)", rc.method, rc.path, role, got, want,
						r.Status, firstLine(r))
				}
			}
		}
	})
}

func cloneForm(v url.Values) url.Values {
	out := url.Values{}
	for k, x := range v {
		out[k] = append([]string(nil), x...)
	}
	return out
}

func firstLine(r *apptest.Response) string {
	if l := r.Location(); l != "" {
		return "→ " + l
	}
	return fmt.Sprintf("%.80s", strings.ReplaceAll(r.Body, "\n", " "))
}

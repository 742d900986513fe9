package app_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app/apptest"
	"shebao/internal/appointment"
	"shebao/internal/casework"
	"shebao/internal/employer"
	"shebao/internal/injury"
	"shebao/internal/payment"
	"shebao/internal/policy"
	"shebao/internal/staffchange"
)

// badTexts are the bytes PostgreSQL refuses in text and SQLite would store
// raw: NUL, invalid UTF-8, GBK-encoded 中文, C0 controls and DEL.
var badTexts = []struct{ name, raw, json string }{
	{"NUL", "张\x00三", `张\u0000三`},
	{"invalid UTF-8", "\xff\xfe", "\xff\xfe"},
	{"GBK", "\xd6\xd0\xce\xc4", "\xd6\xd0\xce\xc4"},
	{"C0", "a\x01\x1b[31m\x7fb", `a\u0001\u001b[31m` + "\x7fb"},
}

// fuzzFormFields are the text fields of the site's forms and searches; every
// fuzzed page request carries all of them (the route's own values aside).
var fuzzFormFields = []string{
	"q", "name", "text", "comment", "body", "note", "reason", "reasons", "summary", "title", "what",
	"address", "legal_rep", "contact_name", "contact_phone", "contact_email", "phone", "display_name",
	"username", "password", "id_number", "uscc", "worker_id_number", "subject_id_number", "applicant_name",
	"applicant_phone", "applicant_email", "applicant_kind", "reference", "decision_no", "legal_basis",
	"bank_name", "bank_account", "account_no", "bill_no", "case_no", "app_no", "tracking_no", "courier",
	"terminal_ref", "recipient", "place", "item", "items", "kind", "type", "category", "industry", "state",
	"status", "section", "role", "scope", "view", "channel", "action", "actor", "entity", "via", "to", "from",
	"month", "start_month", "end_month", "date", "service", "outcome", "injury", "hospital", "accident_at",
	"key", "value", "code", "next",
}

// fuzzJSONBodies are the JSON request bodies of the API routes that take
// text: every empty string in them is replaced by the bad bytes.
func fuzzJSONBodies() map[string]any {
	applicant := casework.Applicant{}
	return map[string]any{
		"POST /api/v1/session":                           map[string]string{"username": "", "password": ""},
		"POST /api/v1/account/password":                  map[string]string{"old_password": "", "new_password": ""},
		"POST /api/v1/appointments":                      appointment.BookInput{},
		"POST /api/v1/staff/appointments/slots":          appointment.SlotsInput{},
		"POST /api/v1/cases":                             map[string]any{"type": "", "title": "", "summary": "", "subject_id_number": "", "applicant": applicant},
		"POST /api/v1/cases/*/transitions":               map[string]any{"version": 1, "to": "", "comment": ""},
		"POST /api/v1/cases/*/comments":                  map[string]any{"text": ""},
		"POST /api/v1/cases/*/commitments":               map[string]any{"item": ""},
		"POST /api/v1/cases/*/confirm":                   map[string]any{"version": 1, "type": "", "subject_id_number": "", "applicant": applicant},
		"POST /api/v1/cases/*/accept-missing":            map[string]any{"version": 1, "items": []string{""}, "comment": ""},
		"POST /api/v1/cases/*/recognition":               map[string]any{"version": 1, "reference": "", "applied_on": "", "outcome": "", "decision_no": ""},
		"POST /api/v1/originals/*/receive":               map[string]any{"via": ""},
		"POST /api/v1/commitments/*/false":               map[string]any{"note": ""},
		"POST /api/v1/injury/reports":                    injury.ReportInput{},
		"POST /api/v1/employer-applications":             employer.ApplicationInput{},
		"POST /api/v1/employer-applications/*/return":    map[string]any{"version": 1, "reasons": ""},
		"POST /api/v1/employers/me/change-requests":      map[string]any{"changes": map[string]string{"address": ""}, "reason": ""},
		"POST /api/v1/employer-change-requests/*/reject": map[string]any{"version": 1, "reason": ""},
		"POST /api/v1/payments/card":                     payment.CardInput{},
		"POST /api/v1/policy/emergencies":                policy.DeclareInput{},
		"POST /api/v1/employers/me/staff":                staffchange.AddInput{},
		"POST /api/v1/employers/me/staff/*/remove":       staffchange.RemoveInput{},
		"POST /api/v1/person/flexible/register":          map[string]any{"category": "", "since": ""},
		"POST /api/v1/person/certificates":               map[string]any{"from": "", "to": ""},
		"POST /api/v1/person/flexible/bills":             map[string]any{"month": "", "plan": ""},
		"POST /api/v1/bills/*/correction":                map[string]any{"version": 1, "reason": ""},
		"POST /api/v1/bills/*/reject-correction":         map[string]any{"version": 1, "reason": ""},
	}
}

// fuzzJSONBody returns the JSON body for a route with every empty string
// set to the (raw, possibly invalid) JSON string content bad.
func fuzzJSONBody(t *testing.T, rc routeCase, bad string) ([]byte, bool) {
	t.Helper()
	var tmpl any
	for route, v := range fuzzJSONBodies() {
		method, pattern, _ := strings.Cut(route, " ")
		if method == rc.method && patternMatches(strings.ReplaceAll(pattern, "*", "{x}"), rc.path) {
			tmpl = v
		}
	}
	if tmpl == nil {
		tmpl = rc.json
	}
	if tmpl == nil {
		return nil, false
	}
	b, err := json.Marshal(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	const mark = "\"FUZZ\""
	var generic any
	if err := json.Unmarshal(b, &generic); err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(fillEmpty(generic))
	if !bytes.Contains(b, []byte(mark)) {
		return nil, false
	}
	return bytes.ReplaceAll(b, []byte(mark), []byte(`"`+bad+`"`)), true
}

// fillEmpty replaces every empty string of a decoded JSON value by "FUZZ".
func fillEmpty(v any) any {
	switch x := v.(type) {
	case string:
		if x == "" {
			return "FUZZ"
		}
	case map[string]any:
		for k, e := range x {
			x[k] = fillEmpty(e)
		}
	case []any:
		for i, e := range x {
			x[i] = fillEmpty(e)
		}
	}
	return v
}

// fuzzRole picks a role that gets past authorization on the route.
func fuzzRole(rc routeCase) string {
	for _, r := range roles() {
		if o := rc.want[r]; o == allowed || o == notFound {
			return r
		}
	}
	return ""
}

// fuzzRequest is one request the fuzz test sends.
type fuzzRequest struct {
	label, method, path string
	body                []byte
	header              http.Header
}

func fuzzRequests(t *testing.T, rc routeCase, path string, raw, jsonBad string) []fuzzRequest {
	var out []fuzzRequest
	base, query, _ := strings.Cut(path, "?")
	switch {
	case rc.method == "GET":
		q, _ := url.ParseQuery(query)
		for k := range q {
			q.Set(k, raw)
		}
		for _, f := range fuzzFormFields {
			q.Set(f, raw)
		}
		out = append(out, fuzzRequest{label: "query", method: "GET", path: base + "?" + q.Encode()})
	case rc.form != nil:
		form := url.Values{}
		for _, f := range fuzzFormFields {
			form.Set(f, raw)
		}
		for k, v := range rc.form {
			form[k] = v
		}
		out = append(out, fuzzRequest{label: "form", method: rc.method, path: path, body: []byte(form.Encode()),
			header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
		body, ct := fuzzMultipart(t, form, raw)
		out = append(out, fuzzRequest{label: "multipart", method: rc.method, path: path, body: body,
			header: http.Header{"Content-Type": {ct}}})
	default:
		if b, ok := fuzzJSONBody(t, rc, jsonBad); ok {
			out = append(out, fuzzRequest{label: "json", method: rc.method, path: path, body: b,
				header: http.Header{"Content-Type": {"application/json"}}})
		}
	}
	return out
}

// fuzzMultipart encodes form as multipart with a file whose name is bad.
func fuzzMultipart(t *testing.T, form url.Values, bad string) ([]byte, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range form[k] {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Control characters cannot be sent in a part header at all (the body
	// would not parse as multipart); invalid UTF-8 can, in the file name.
	name := bad + ".pdf"
	if strings.ContainsFunc(bad, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
		name = "材料.pdf"
	}
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte("%PDF-1.4\n%%EOF\n"))
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

// TestRoutesRefuseBadText drives every route of the route × role table,
// as a role allowed to call it, with NUL, invalid UTF-8, GBK bytes and
// control characters in its query, form, multipart or JSON fields. No
// answer may be a 5xx, and each is refused at the edge with 422.
func TestRoutesRefuseBadText(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.Users["victim"] = env.AddLogin(t, account.NewAccount{Role: access.RoleStaff, Username: "victim",
			Sections: []access.Section{access.Office}}, false)
		start := time.Now()
		clients := map[string]*apptest.Client{}
		client := func(role string, fresh bool) *apptest.Client {
			if c, ok := clients[role]; ok && !fresh {
				return c
			}
			c := env.Anon(t)
			if role != anon {
				c = env.LoginAs(t, role)
			}
			if !fresh {
				clients[role] = c
			}
			return c
		}
		sent, failed := 0, 0
		for _, rc := range routeCases() {
			role := fuzzRole(rc)
			if role == "" || rc.path == "/healthz" { // the health check reads no input
				continue
			}
			path := resolve(t, env, rc.path)
			for _, bad := range badTexts {
				for _, fr := range fuzzRequests(t, rc, path, bad.raw, bad.json) {
					c := client(role, rc.fresh)
					h := fr.header.Clone()
					if h == nil {
						h = http.Header{}
					}
					if c.CSRF != "" {
						h.Set("X-CSRF-Token", c.CSRF)
					}
					r := c.Do(t, fr.method, fr.path, bytes.NewReader(fr.body), h)
					sent++
					if r.Status >= 500 || r.Status != http.StatusUnprocessableEntity {
						failed++
						t.Errorf("%s %s as %s, %s in %s: %d %s", rc.method, rc.path, role, bad.name, fr.label, r.Status, firstLine(r))
					}
				}
			}
		}
		t.Logf("%d requests, %d not refused with 422, in %s", sent, failed, time.Since(start).Round(time.Millisecond))
		if sent < 500 {
			t.Fatalf("only %d requests sent: the route table walk is broken", sent)
		}
	})
}

package web

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

var refRe = regexp.MustCompile(`"\$ref":\s*"#/components/schemas/([^"]+)"`)

// openAPIDoc is the part of the OpenAPI document the tests read.
type openAPIDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas         map[string]json.RawMessage `json:"schemas"`
		SecuritySchemes map[string]json.RawMessage `json:"securitySchemes"`
	} `json:"components"`
}

func TestOpenAPIDocumentsRoutes(t *testing.T) {
	ts := newEmployerTestServer(t)
	w := ts.do(nil, "GET", "/api/v1/openapi.json", nil)
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	var doc openAPIDoc
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	// Every JSON route of each area that keeps a list is documented.
	var routes []route
	routes = append(routes, ts.s.employerAPIRoutes()...)
	routes = append(routes, ts.s.auditAPIRoutes()...)
	routes = append(routes, ts.s.policyAPIRoutes()...)
	routes = append(routes, ts.s.accountAPIRoutes()...)
	routes = append(routes, ts.s.channelAPIRoutes()...)
	for _, r := range routes {
		method, path, _ := strings.Cut(r.pattern, " ")
		ops, ok := doc.Paths[path]
		if !ok {
			t.Errorf("%s is not in openapi.json", r.pattern)
			continue
		}
		if _, ok := ops[strings.ToLower(method)]; !ok {
			t.Errorf("%s: method not documented", r.pattern)
		}
	}
	for _, s := range []string{"cookieSession", "csrfHeader", "bearerKey"} {
		if _, ok := doc.Components.SecuritySchemes[s]; !ok {
			t.Errorf("security scheme %s missing", s)
		}
	}
	var errSchema struct {
		Properties struct {
			Error struct {
				Required   []string                   `json:"required"`
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"error"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(doc.Components.Schemas["Error"], &errSchema); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"code", "message", "fields"} {
		if _, ok := errSchema.Properties.Error.Properties[f]; !ok {
			t.Errorf("error schema lacks %s", f)
		}
	}
	// Every $ref points at a defined schema.
	for _, m := range refRe.FindAllStringSubmatch(w.Body.String(), -1) {
		if _, ok := doc.Components.Schemas[m[1]]; !ok {
			t.Errorf("dangling $ref %s", m[1])
		}
	}
}

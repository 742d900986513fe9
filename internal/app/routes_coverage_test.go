package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"shebao/internal/app/apptest"
	"shebao/internal/db"
)

// Routes with their own dedicated tests instead of a row in the table.
var coveredElsewhere = map[string]string{
	"GET /static/": "static files, no authorization",
	"GET /metrics": "loopback or token only: internal/web/ops_test.go",
}

// registeredRoutes is the route table of the running server.
func registeredRoutes(t *testing.T, env *apptest.Env) []string {
	out := env.App.Web.Routes()
	if len(out) < 50 {
		t.Fatalf("found only %d routes: the route table is broken", len(out))
	}
	return out
}

// patternMatches reports whether a concrete path matches a ServeMux pattern.
func patternMatches(pattern, path string) bool {
	path, _, _ = strings.Cut(path, "?")
	if pattern == "/{$}" {
		return path == "/"
	}
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(xs) {
		return false
	}
	for i := range ps {
		if strings.HasPrefix(ps[i], "{") {
			continue
		}
		if ps[i] != xs[i] {
			return false
		}
	}
	return true
}

// TestRouteRoleTableCoversEveryRoute fails when a route is registered that
// the route × role table does not walk, so no page or endpoint escapes the
// authorization check.
func TestRouteRoleTableCoversEveryRoute(t *testing.T) {
	cases := routeCases()
	for _, route := range registeredRoutes(t, apptest.New(t, db.SQLite)) {
		if _, ok := coveredElsewhere[route]; ok {
			continue
		}
		method, pattern, _ := strings.Cut(route, " ")
		found := false
		for _, rc := range cases {
			p := placeholder.ReplaceAllString(rc.path, "1")
			if rc.method == method && patternMatches(pattern, p) {
				found = true
				break
			}
		}
		if !found {
			t.Errorf("route %s has no row in the route × role table (internal/app/routes_roles_*_test.go)", route)
		}
	}
}

// TestOpenAPIDocumentsEveryAPIRoute fails when an /api/v1 route is
// registered that the served OpenAPI document does not describe (the
// file internal/web/openapi.json plus the parts generated from code, such
// as the calculators').
func TestOpenAPIDocumentsEveryAPIRoute(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	b := []byte(env.Anon(t).Get(t, "/api/v1/openapi.json").WantStatus(t, 200).Body)
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	for _, route := range registeredRoutes(t, env) {
		method, pattern, _ := strings.Cut(route, " ")
		if !strings.HasPrefix(pattern, "/api/v1/") || pattern == "/api/v1/openapi.json" {
			continue
		}
		ops, ok := doc.Paths[strings.TrimPrefix(pattern, "/api/v1")]
		if !ok {
			ops, ok = doc.Paths[pattern]
		}
		if _, has := ops[strings.ToLower(method)]; !ok || !has {
			t.Errorf("%s %s is not in internal/web/openapi.json", method, pattern)
		}
	}
}

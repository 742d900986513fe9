package app_test

import (
	"net/http"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app/apptest"
)

// publicCacheable are the GET routes that may be cached: they hold no
// personal or money data and no token.
var publicCacheable = map[string]bool{
	"/api/v1/openapi.json": true,
}

// TestNoStoreOnEveryPage walks every GET route of the route × role table as
// a role allowed to see it: each answer (pages, JSON, downloads, errors)
// says Cache-Control: no-store, so no browser or proxy keeps personal or
// money data; static files stay cacheable.
func TestNoStoreOnEveryPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		env.Users["victim"] = env.AddLogin(t, account.NewAccount{Role: access.RoleStaff, Username: "victim",
			Sections: []access.Section{access.Office}}, false)
		clients := map[string]*apptest.Client{}
		n := 0
		for _, rc := range routeCases() {
			role := fuzzRole(rc)
			if rc.method != "GET" || role == "" || publicCacheable[rc.path] {
				continue
			}
			c, ok := clients[role]
			if !ok {
				c = env.Anon(t)
				if role != anon {
					c = env.LoginAs(t, role)
				}
				clients[role] = c
			}
			r := c.Get(t, resolve(t, env, rc.path))
			n++
			if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
				t.Errorf("GET %s as %s: %d, Cache-Control %q", rc.path, role, r.Status, cc)
			}
		}
		if n < 80 {
			t.Fatalf("only %d GET routes walked", n)
		}
		r := env.Anon(t).Get(t, "/static/site.css")
		if r.Status != http.StatusOK || strings.Contains(r.Header.Get("Cache-Control"), "no-store") {
			t.Errorf("static file: %d, Cache-Control %q", r.Status, r.Header.Get("Cache-Control"))
		}
	})
}

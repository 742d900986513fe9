package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"shebao/internal/app/apptest"
)

// TestAPIReferencePage: the public 接口说明 page shows every endpoint of the
// served OpenAPI document (the generated calculator and injury parts too)
// in Chinese — what it is for, who may call it, fields, an example, the
// answers — with no code-like word outside code; "for=key" keeps only what
// an API key may call; the partners' downloads page links it.
func TestAPIReferencePage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		anon := env.Anon(t)
		var doc struct {
			Paths map[string]map[string]struct {
				Summary  string           `json:"summary"`
				Security []map[string]any `json:"security"`
			} `json:"paths"`
		}
		if err := json.Unmarshal([]byte(anon.Get(t, "/api/v1/openapi.json").WantStatus(t, http.StatusOK).Body), &doc); err != nil {
			t.Fatal(err)
		}
		all := anon.Get(t, "/help/api").WantStatus(t, http.StatusOK).
			WantBody(t, "接口说明", "接口密钥", "错误应答", "请求示例", "应答示例", "成功应答的字段", "Authorization: Bearer").Body
		keyOnly := anon.Get(t, "/help/api?for=key").WantStatus(t, http.StatusOK).Body
		n, keyed := 0, 0
		for path, ops := range doc.Paths {
			for method, op := range ops {
				n++
				head := "<code class=\"api-method\">" + strings.ToUpper(method) + " " + path + "</code>"
				// The summary's words up to the first code (codes are set as code).
				words, _, _ := strings.Cut(strings.TrimLeft(op.Summary, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz "), "（")
				if !strings.Contains(all, head) || !strings.Contains(all, words) {
					t.Errorf("the reference lacks %s %s (%s)", method, path, op.Summary)
				}
				withKey := len(op.Security) == 0
				for _, alt := range op.Security {
					_, key := alt["bearerKey"]
					withKey = withKey || key || len(alt) == 0
				}
				if withKey != strings.Contains(keyOnly, head) {
					t.Errorf("%s %s: callable with a key %v, in the key-only list %v", method, path, withKey, !withKey)
				}
				if withKey {
					keyed++
				}
			}
		}
		if n < 80 || keyed == 0 || keyed == n {
			t.Fatalf("%d endpoints, %d with a key", n, keyed)
		}
		for _, page := range []string{all, keyOnly} {
			if w := codeWords(visibleText(page, false), nil); len(w) > 0 {
				t.Errorf("code-like words outside code: %v", w)
			}
		}
		if strings.Contains(all, "（Forbidden）") || strings.Contains(all, "Unauthenticated") {
			t.Error("error kinds' English names on the page")
		}
		anon.Get(t, "/downloads/partner").WantBody(t, `href="/help/api"`, "接口说明")
	})
}

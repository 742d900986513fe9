package web_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/audit"
)

// TestAuditThroughTheWholeStack walks the audit pages through the real
// middleware (sessions, CSRF, request IDs, the masking log handler).
func TestAuditThroughTheWholeStack(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		// A change made through the API carries its request ID into the log.
		emp := env.LoginAs(t, apptest.EmployerA)
		body, _ := json.Marshal(map[string]string{"old_password": apptest.Password, "new_password": "Shebao-2024-new"})
		emp.Do(t, "POST", "/api/v1/account/password", bytes.NewReader(body), http.Header{
			"Content-Type": {"application/json"}, "X-CSRF-Token": {emp.CSRF}, "X-Request-ID": {"e2e-req-1"},
		}).WantStatus(t, http.StatusOK)

		auditor := env.LoginAs(t, apptest.Staff(access.Audit))
		var list struct {
			Items []audit.Record `json:"items"`
			Total int64          `json:"total"`
		}
		auditor.Get(t, "/api/v1/audit?action=account.password.change").WantStatus(t, http.StatusOK).JSON(t, &list)
		if list.Total != 1 || list.Items[0].RequestID != "e2e-req-1" || list.Items[0].ActorUsername != emp.User.Username {
			t.Fatalf("password change entry = %+v", list)
		}

		page := auditor.Get(t, "/staff/audit?limit=200").WantStatus(t, http.StatusOK).WantBody(t, "审计日志", "account.password.change", "校验哈希链")
		all := auditor.Get(t, "/api/v1/audit?limit=200").WantStatus(t, http.StatusOK)
		for _, key := range []string{apptest.PersonA, apptest.PersonB} {
			id := env.User(t, key).Username // persons log in with their ID number
			if strings.Contains(page.Body, id) || strings.Contains(all.Body, id) {
				t.Errorf("audit page or API shows the ID number of %s in clear", key)
			}
		}

		auditor.PostForm(t, "/staff/audit/verify", nil).WantStatus(t, http.StatusOK).WantBody(t, "哈希链完整")
		auditor.PostForm(t, "/staff/audit/verify", url.Values{"_csrf": {"forged"}}).WantStatus(t, http.StatusForbidden)

		env.LoginAs(t, apptest.Staff(access.Coordination)).Get(t, "/staff/audit").WantStatus(t, http.StatusForbidden)
		env.LoginAs(t, apptest.APIBank).Get(t, "/api/v1/audit").WantStatus(t, http.StatusForbidden)
		env.Anon(t).Get(t, "/staff/audit").WantRedirect(t, "/login")
		env.LoginAs(t, apptest.Admin).Get(t, "/staff/audit/1").WantStatus(t, http.StatusOK).WantBody(t, "变更前后对照")

		// The process logger masks what a careless line would write.
		id := env.User(t, apptest.PersonA).Username
		env.App.Log.Info("careless", "id_number", id, "phone", "13800138000")
		if logs := env.Logs.String(); strings.Contains(logs, id) || strings.Contains(logs, "13800138000") {
			t.Fatal("the app log holds an ID or phone number in clear")
		}
	})
}

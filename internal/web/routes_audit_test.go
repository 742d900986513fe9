package web

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

var (
	auditStaff = &access.Actor{UserID: 9, Username: "shenji01", Role: access.RoleStaff, Sections: []access.Section{access.Audit}}
	coordStaff = &access.Actor{UserID: 7, Username: "tongchou01", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
)

// auditTestServer serves only the audit routes, with the actor of each
// request taken from the test (the session middleware is another area's).
func auditTestServer(t *testing.T, d *db.DB) (*Server, func(a *access.Actor, method, target string) *httptest.ResponseRecorder) {
	t.Helper()
	c := clock.NewFixed(time.Date(2024, 2, 10, 1, 0, 0, 0, time.UTC))
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Deps: Deps{DB: d, Clock: c, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Audit: audit.NewService(d, c)}, pages: pages}
	mux := testMux(s.auditRoutes(), s.auditAPIRoutes())
	do := func(a *access.Actor, method, target string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, target, nil)
		r = r.WithContext(withCSRF(withActor(r.Context(), a), "token"))
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w
	}
	ctx := audit.WithRequestID(context.Background(), "req-1")
	for _, e := range []audit.Entry{
		{Action: "employer.register.submit", Entity: "employer_application", EntityID: "1", After: map[string]any{"status": "submitted"}, Note: "网上申报"},
		{Action: "employer.register.approve", Entity: "employer_application", EntityID: "1",
			Before: map[string]any{"status": "submitted", "contact_phone": "13812345678"},
			After:  map[string]any{"status": "approved", "contact_phone": "13812345678"}, Note: "联系人 13812345678 已核实"},
		{Action: "policy.rule.update", Entity: "policy_rule", EntityID: "4", Note: "调整费率"},
	} {
		if err := d.WithTx(ctx, func(tx *sql.Tx) error { return s.Audit.Record(ctx, tx, coordStaff, e) }); err != nil {
			t.Fatal(err)
		}
	}
	return s, do
}

func TestAuditPages(t *testing.T) {
	tests := []struct {
		name     string
		actor    *access.Actor
		method   string
		target   string
		status   int
		contains []string
		absent   []string
	}{
		{"list", auditStaff, "GET", "/staff/audit", 200,
			[]string{"审计日志", "共 3 条记录", `href="/staff/audit/3"`, "<td>更正政策参数取值</td>", "经办人员", "校验哈希链", `name="_csrf" value="token"`, "联系人 138****5678 已核实"},
			[]string{"13812345678", "<code>policy.rule.update</code>"}},
		{"filtered", auditStaff, "GET", "/staff/audit?action=employer.register&from=2024-02-10&to=2024-02-10", 200,
			[]string{"共 2 条记录", `value="employer.register" selected`}, []string{"<td>更正政策参数取值</td>"}},
		{"nothing found", auditStaff, "GET", "/staff/audit?actor=nobody", 200, []string{"没有符合条件的记录"}, nil},
		{"bad date", auditStaff, "GET", "/staff/audit?from=2024-13-01", 422, []string{"日期格式应为", `value="2024-13-01"`}, nil},
		{"to before from", auditStaff, "GET", "/staff/audit?from=2024-02-10&to=2024-02-01", 422, []string{"结束日期不能早于开始日期"}, nil},
		{"anonymous sent to login", nil, "GET", "/staff/audit", 303, nil, nil},
		{"other section forbidden", coordStaff, "GET", "/staff/audit", 403, []string{"无权"}, []string{"policy.rule.update"}},
		{"other section with bad query still forbidden", coordStaff, "GET", "/staff/audit?from=x", 403, nil, nil},
		{"detail side by side", auditStaff, "GET", "/staff/audit/2", 200,
			[]string{"第 2 条", "变更前后对照", "联系电话", `&#34;138****5678&#34;`, `&#34;submitted&#34;`, `&#34;approved&#34;`, "已变更", "req-1",
				`href="/staff/audit?entity=employer_application&amp;entity_id=1"`},
			[]string{"13812345678"}},
		{"detail missing", auditStaff, "GET", "/staff/audit/99", 404, []string{"没有第 99 条审计记录"}, nil},
		{"detail bad seq", auditStaff, "GET", "/staff/audit/abc", 404, nil, nil},
		{"detail forbidden", coordStaff, "GET", "/staff/audit/1", 403, nil, []string{"网上申报"}},
		{"verify", auditStaff, "POST", "/staff/audit/verify", 200, []string{"哈希链完整", "共校验 3 条记录"}, nil},
		{"verify forbidden", coordStaff, "POST", "/staff/audit/verify", 403, nil, nil},
	}
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		_, do := auditTestServer(t, d)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				w := do(tt.actor, tt.method, tt.target)
				body := w.Body.String()
				if w.Code != tt.status {
					t.Fatalf("status %d, want %d\n%s", w.Code, tt.status, body)
				}
				for _, s := range tt.contains {
					if !strings.Contains(body, s) {
						t.Errorf("page lacks %q\n%s", s, body)
					}
				}
				for _, s := range tt.absent {
					if strings.Contains(body, s) {
						t.Errorf("page shows %q", s)
					}
				}
			})
		}
	})
}

func TestAuditVerifyPageShowsBrokenChain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		_, do := auditTestServer(t, d)
		q := `DROP TRIGGER audit_log_no_update`
		if d.Dialect == db.Postgres {
			q = `ALTER TABLE audit_log DISABLE TRIGGER USER`
		}
		for _, stmt := range []string{q, `UPDATE audit_log SET note = '无事发生' WHERE seq = 2`} {
			if _, err := d.W.Exec(stmt); err != nil {
				t.Fatal(err)
			}
		}
		w := do(auditStaff, "POST", "/staff/audit/verify")
		if w.Code != 200 || !strings.Contains(w.Body.String(), "第 2 条记录校验未通过") {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	})
}

func TestAuditAPI(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		_, do := auditTestServer(t, d)

		w := do(auditStaff, "GET", "/api/v1/audit?action=employer.&limit=1&offset=1")
		var res struct {
			Items []audit.Record `json:"items"`
			Total int64          `json:"total"`
			Limit int            `json:"limit"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || w.Code != 200 {
			t.Fatalf("%d %s %v", w.Code, w.Body, err)
		}
		if res.Total != 2 || res.Limit != 1 || len(res.Items) != 1 || res.Items[0].Seq != 1 {
			t.Fatalf("search = %+v", res)
		}

		w = do(auditStaff, "GET", "/api/v1/audit/2")
		if w.Code != 200 || strings.Contains(w.Body.String(), "13812345678") ||
			!strings.Contains(w.Body.String(), `"before":{"contact_phone":"138****5678","status":"submitted"}`) {
			t.Fatalf("get: %d %s", w.Code, w.Body)
		}

		w = do(auditStaff, "POST", "/api/v1/audit/verify")
		if w.Code != 200 || !strings.Contains(w.Body.String(), `"checked":3,"first_bad":0`) {
			t.Fatalf("verify: %d %s", w.Code, w.Body)
		}

		for _, tc := range []struct {
			actor  *access.Actor
			target string
			status int
			body   string
		}{
			{nil, "/api/v1/audit", 401, `"code":"login_required"`},
			{coordStaff, "/api/v1/audit", 403, `"code":"forbidden"`},
			{coordStaff, "/api/v1/audit?to=bad", 403, `"code":"forbidden"`},
			{auditStaff, "/api/v1/audit?to=bad&limit=-1", 422, `"field":"to"`},
			{auditStaff, "/api/v1/audit/7", 404, `"code":"not_found"`},
		} {
			w := do(tc.actor, "GET", tc.target)
			if w.Code != tc.status || !strings.Contains(w.Body.String(), tc.body) {
				t.Errorf("%s: %d %s, want %d with %s", tc.target, w.Code, w.Body, tc.status, tc.body)
			}
		}
	})
}

func TestRequestIDReachesAudit(t *testing.T) {
	s := &Server{}
	var got string
	h := s.requestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = audit.RequestID(r.Context())
	}))
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("X-Request-ID", "abc123")
	h.ServeHTTP(httptest.NewRecorder(), r)
	if got != "abc123" {
		t.Fatalf("audit request id = %q", got)
	}
}

func TestAuditVerifyPageWarnsWithoutKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		_, do := auditTestServer(t, d)
		w := do(auditStaff, "POST", "/staff/audit/verify")
		for _, want := range []string{"哈希链完整", "未设检查点", "截断链尾", "本校验无法发现", "生成签名密钥"} {
			if !strings.Contains(w.Body.String(), want) {
				t.Errorf("page lacks %q", want)
			}
		}
	})
}

// TestAuditVerifyPageShowsTruncatedTail deletes the newest rows after a
// checkpoint (bypassing the triggers as a database superuser would) and
// expects the page to name the missing rows.
func TestAuditVerifyPageShowsTruncatedTail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, do := auditTestServer(t, d)
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		s.Audit = audit.NewAnchored(d, s.Clock, audit.NewAnchor(priv, t.TempDir()))
		if _, _, err := s.Audit.Checkpoint(context.Background()); err != nil {
			t.Fatal(err)
		}
		if w := do(auditStaff, "POST", "/staff/audit/verify"); !strings.Contains(w.Body.String(), "已与 1 个签名检查点核对") {
			t.Fatalf("before the attack: %s", w.Body)
		}
		ctx := context.Background()
		conn, err := d.W.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		stmts := []string{`DROP TRIGGER audit_log_no_delete`}
		if d.Dialect == db.Postgres {
			stmts = []string{`SET session_replication_role = replica`}
		}
		stmts = append(stmts, `DELETE FROM audit_log WHERE seq > 1`,
			`UPDATE audit_head SET seq = 1, last_hash = (SELECT hash FROM audit_log WHERE seq = 1)`)
		for _, q := range stmts {
			if _, err := conn.ExecContext(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		w := do(auditStaff, "POST", "/staff/audit/verify")
		if w.Code != 200 || !strings.Contains(w.Body.String(), "链尾被截断：第 2 条至第 3 条记录缺失") ||
			!strings.Contains(w.Body.String(), "已被破坏") {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	})
}

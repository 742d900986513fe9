package web

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db/dbtest"
	"shebao/internal/employer"
	"shebao/internal/ident"
	"shebao/internal/policy"
)

// employerTestServer serves the employer routes and the API document, with
// the actor of each request taken from the test (sessions and CSRF are
// the account area's middleware, tested there).
type employerTestServer struct {
	t   *testing.T
	s   *Server
	mux *http.ServeMux
}

func newEmployerTestServer(t *testing.T) *employerTestServer {
	t.Helper()
	d := dbtest.SQLite(t)
	c := clock.NewFixed(time.Date(2024, 2, 10, 1, 0, 0, 0, time.UTC))
	au := audit.NewService(d, c)
	acc := account.NewService(d, c, au)
	pol := policy.NewService(d, c, au)
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Deps: Deps{DB: d, Clock: c, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Audit: au,
		Accounts: acc, Policy: pol, Employers: employer.NewService(d, c, au, acc, pol)}, pages: pages}
	mux := testMux(s.employerRoutes(), s.employerAPIRoutes(), s.apiDocRoutes())
	return &employerTestServer{t: t, s: s, mux: mux}
}

// form posts (or gets, when form is nil and method is GET) as actor a.
func (ts *employerTestServer) do(a *access.Actor, method, target string, form url.Values) *httptest.ResponseRecorder {
	var body io.Reader
	if form != nil {
		form.Set("_csrf", "token")
		body = strings.NewReader(form.Encode())
	}
	r := httptest.NewRequest(method, target, body)
	if form != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	r = r.WithContext(withCSRF(withActor(r.Context(), a), "token"))
	w := httptest.NewRecorder()
	ts.mux.ServeHTTP(w, r)
	return w
}

// json sends a JSON body as actor a and decodes the answer into out.
func (ts *employerTestServer) json(a *access.Actor, method, target, body string, out any) int {
	ts.t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r = r.WithContext(withCSRF(withActor(r.Context(), a), "token"))
	w := httptest.NewRecorder()
	ts.mux.ServeHTTP(w, r)
	if out != nil {
		if err := json.Unmarshal(w.Body.Bytes(), out); err != nil {
			ts.t.Fatalf("%s %s: %d %s", method, target, w.Code, w.Body)
		}
	}
	return w.Code
}

// testUSCC is a valid unified social credit code.
const testUSCC = "91350200776049653A"

func registrationForm() url.Values {
	return url.Values{
		"uscc": {testUSCC}, "name": {"厦门示例贸易有限公司"}, "legal_rep": {"陈海"},
		"address": {"北京市朝阳区建国路88号"}, "contact_name": {"李丽"}, "contact_phone": {"138 0013 8000"},
		"contact_email": {""}, "industry": {"批发业"}, "risk_class": {"2"}, "bank_name": {"中国银行朝阳支行"},
		"bank_account": {"6222021234567890"}, "established_on": {"2024-02-01"}, "agree": {"1"},
	}
}

func wantBody(t *testing.T, w *httptest.ResponseRecorder, status int, contains ...string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status %d, want %d: %s", w.Code, status, w.Body)
	}
	for _, c := range contains {
		if !strings.Contains(w.Body.String(), c) {
			t.Fatalf("body lacks %q:\n%s", c, w.Body)
		}
	}
}

var (
	injuryStaff = &access.Actor{UserID: 8, Username: "gongshang01", Role: access.RoleStaff, Sections: []access.Section{access.Injury}}
	appNoRe     = regexp.MustCompile(`DJ20240210-\d{4}`)
)

func TestRegistrationPages(t *testing.T) {
	ts := newEmployerTestServer(t)
	wantBody(t, ts.do(nil, "GET", "/register", nil), 200, `name="_csrf" value="token"`, "统一社会信用代码", "登记须知")

	// Field errors are shown next to the fields, the input is kept.
	bad := registrationForm()
	bad.Set("risk_class", "9")
	bad.Set("contact_phone", "12345")
	bad.Del("agree")
	wantBody(t, ts.do(nil, "POST", "/register", bad), 422, "请阅读并确认登记须知")
	bad.Set("agree", "1")
	wantBody(t, ts.do(nil, "POST", "/register", bad), 422, "工伤保险行业风险类别", "联系电话", `value="厦门示例贸易有限公司"`)

	w := ts.do(nil, "POST", "/register", registrationForm())
	wantBody(t, w, 200, "登记申请已受理", "个工作日内审核")
	appNo := appNoRe.FindString(w.Body.String())
	if appNo == "" {
		t.Fatalf("no application number:\n%s", w.Body)
	}
	wantBody(t, ts.do(nil, "POST", "/register", registrationForm()), 409, "已有待审核的登记申请", appNo)

	wantBody(t, ts.do(nil, "GET", "/register/status?app_no="+appNo+"&uscc="+testUSCC, nil), 200, "待审核")
	wantBody(t, ts.do(nil, "GET", "/register/status?app_no="+appNo+"&uscc=91110105000000001X", nil), 404, "未找到")

	// The queue: anonymous visitors go to login, other sections are refused.
	if w := ts.do(nil, "GET", "/staff/registrations", nil); w.Code != http.StatusSeeOther {
		t.Fatalf("anonymous queue: %d", w.Code)
	}
	wantBody(t, ts.do(injuryStaff, "GET", "/staff/registrations", nil), 403)
	wantBody(t, ts.do(coordStaff, "GET", "/staff/registrations", nil), 200, appNo, "138****8000", "待审核（1）")
	wantBody(t, ts.do(coordStaff, "GET", "/staff/registrations?q=示例贸易&status=all", nil), 200, appNo)
	wantBody(t, ts.do(coordStaff, "GET", "/staff/registrations?q=没有这家", nil), 200, "没有符合条件")

	app := ts.firstApp()
	detail := "/staff/registrations/" + itoa64(app.ID)
	wantBody(t, ts.do(coordStaff, "GET", detail, nil), 200, `name="version" value="1"`, "13800138000", "审核通过")
	wantBody(t, ts.do(coordStaff, "POST", detail+"/return", url.Values{"version": {"1"}, "reasons": {" "}}), 422, "请填写退回原因")

	w = ts.do(coordStaff, "POST", detail+"/approve", url.Values{"version": {"1"}})
	wantBody(t, w, 200, "110105000001", "此密码只显示一次", `class="once"`)
	if w.Header().Get("Cache-Control") != "no-store" {
		t.Fatal("password page may be cached")
	}
	// The second clerk is told, on the same page, that it is done.
	wantBody(t, ts.do(coordStaff, "POST", detail+"/return", url.Values{"version": {"1"}, "reasons": {"材料不全"}}), 409, "已由其他经办人员处理（已通过）")
	wantBody(t, ts.do(nil, "GET", "/register/status?app_no="+appNo+"&uscc="+testUSCC, nil), 200, "已通过", "110105000001")
	wantBody(t, ts.do(coordStaff, "GET", "/staff/registrations/99999", nil), 404)
	wantBody(t, ts.do(coordStaff, "GET", "/staff/registrations/abc", nil), 404)
}

// firstApp returns the oldest application.
func (ts *employerTestServer) firstApp() employer.Application {
	apps, _, err := ts.s.Employers.Queue(ts.t.Context(), coordStaff, employer.Filter{}, 1, 1)
	if err != nil || len(apps) == 0 {
		ts.t.Fatalf("queue: %v", err)
	}
	return apps[len(apps)-1]
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

func TestClerkRecordsPhoneApplication(t *testing.T) {
	ts := newEmployerTestServer(t)
	wantBody(t, ts.do(coordStaff, "GET", "/staff/registrations/new", nil), 200, "受理渠道", "电话")
	wantBody(t, ts.do(injuryStaff, "GET", "/staff/registrations/new", nil), 403)
	f := registrationForm()
	wantBody(t, ts.do(coordStaff, "POST", "/staff/registrations/new", f), 422, "请选择受理渠道")
	f.Set("channel", "phone")
	w := ts.do(coordStaff, "POST", "/staff/registrations/new", f)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/staff/registrations/") {
		t.Fatalf("clerk record: %d %s", w.Code, w.Body)
	}
	if app := ts.firstApp(); app.Channel != employer.ChannelPhone || app.RecordedBy != coordStaff.UserID {
		t.Fatalf("recorded %+v", app)
	}
	wantBody(t, ts.do(coordStaff, "GET", "/staff/registrations?channel=phone", nil), 200, "电话")
}

// approvedEmployer registers and approves one employer, returning its actor.
func (ts *employerTestServer) approvedEmployer(uscc, name string) (*access.Actor, *employer.Employer) {
	ts.t.Helper()
	f := registrationForm()
	f.Set("uscc", uscc)
	f.Set("name", name)
	if w := ts.do(nil, "POST", "/register", f); w.Code != 200 {
		ts.t.Fatalf("register: %d %s", w.Code, w.Body)
	}
	apps, _, _ := ts.s.Employers.Queue(ts.t.Context(), coordStaff, employer.Filter{Q: uscc}, 1, 1)
	ap, err := ts.s.Employers.Approve(ts.t.Context(), coordStaff, apps[0].ID, apps[0].Version)
	if err != nil {
		ts.t.Fatal(err)
	}
	e := ap.Employer
	return &access.Actor{UserID: 500 + e.ID, Username: e.EmployerNo, Role: access.RoleEmployer, EmployerID: e.ID}, e
}

func TestEmployerPortalAndChanges(t *testing.T) {
	ts := newEmployerTestServer(t)
	actA, ea := ts.approvedEmployer(testUSCC, "甲公司有限责任公司")
	actB, _ := ts.approvedEmployer(ident.MakeUSCC("91", "110105", "77604966"), "乙公司有限责任公司")

	// /employer shows the actor's own record; there is no id to change.
	wantBody(t, ts.do(actA, "GET", "/employer", nil), 200, ea.EmployerNo, "甲公司有限责任公司")
	w := ts.do(actB, "GET", "/employer?id="+itoa64(ea.ID), nil)
	wantBody(t, w, 200, "乙公司有限责任公司")
	if strings.Contains(w.Body.String(), "甲公司") {
		t.Fatal("employer B sees A")
	}
	wantBody(t, ts.do(coordStaff, "GET", "/employer", nil), 403, "单位社保编号登录")

	wantBody(t, ts.do(actA, "GET", "/employer/changes/new", nil), 200, `value="北京市朝阳区建国路88号"`)
	form := url.Values{"address": {"北京市朝阳区建国路88号"}, "reason": {""}}
	wantBody(t, ts.do(actA, "POST", "/employer/changes/new", form), 422, "请填写变更原因")
	form.Set("reason", "核对")
	wantBody(t, ts.do(actA, "POST", "/employer/changes/new", form), 422, "没有任何变更")
	form = url.Values{"address": {"北京市朝阳区光华路1号"}, "contact_phone": {"13800138000"}, "reason": {"搬迁"}}
	if w := ts.do(actA, "POST", "/employer/changes/new", form); w.Code != http.StatusSeeOther {
		t.Fatalf("change request: %d %s", w.Code, w.Body)
	}
	wantBody(t, ts.do(actA, "GET", "/employer", nil), 200, "单位地址：北京市朝阳区光华路1号", "待审核")

	wantBody(t, ts.do(injuryStaff, "GET", "/staff/employer-changes", nil), 403)
	wantBody(t, ts.do(coordStaff, "GET", "/staff/employer-changes", nil), 200, ea.EmployerNo, "单位地址")
	list, _, _ := ts.s.Employers.ChangeQueue(t.Context(), coordStaff, employer.ChangePending, 1, 10)
	page := "/staff/employer-changes/" + itoa64(list[0].ID)
	wantBody(t, ts.do(coordStaff, "GET", page, nil), 200, "北京市朝阳区建国路88号", "北京市朝阳区光华路1号")
	wantBody(t, ts.do(actB, "GET", page, nil), 403)
	wantBody(t, ts.do(coordStaff, "POST", page+"/reject", url.Values{"version": {"1"}}), 422, "请填写不予变更的原因")
	if w := ts.do(coordStaff, "POST", page+"/approve", url.Values{"version": {"1"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("approve change: %d %s", w.Code, w.Body)
	}
	wantBody(t, ts.do(coordStaff, "POST", page+"/approve", url.Values{"version": {"1"}}), 409, "已由其他经办人员处理")
	wantBody(t, ts.do(actA, "GET", "/employer", nil), 200, "北京市朝阳区光华路1号", "已通过")
}

package web

import (
	"encoding/json"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/employer"
)

// apiErr is the JSON error body.
type apiErr struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Fields  []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"fields"`
	} `json:"error"`
}

func applicationJSON(uscc string) string {
	b, _ := json.Marshal(map[string]any{
		"uscc": uscc, "name": "厦门示例贸易有限公司", "legal_rep": "陈海", "address": "北京市朝阳区建国路88号",
		"contact_name": "李丽", "contact_phone": "13800138000", "industry": "批发业", "risk_class": 2,
		"bank_name": "中国银行朝阳支行", "bank_account": "6222021234567890", "established_on": "2023-10-01",
	})
	return string(b)
}

func TestEmployerAPI(t *testing.T) {
	ts := newEmployerTestServer(t)
	person := &access.Actor{UserID: 77, Username: "110105199001011234", Role: access.RolePerson, PersonID: 3}

	var e apiErr
	if code := ts.json(nil, "POST", "/api/v1/employer-applications", `{"uscc":"123","risk_class":0}`, &e); code != 422 {
		t.Fatalf("invalid: %d", code)
	}
	fields := map[string]bool{}
	for _, f := range e.Error.Fields {
		fields[f.Field] = true
	}
	for _, f := range []string{"uscc", "name", "risk_class", "bank_account", "established_on"} {
		if !fields[f] {
			t.Errorf("field %s not reported: %+v", f, e.Error.Fields)
		}
	}
	if code := ts.json(nil, "POST", "/api/v1/employer-applications", `{"unknown":1}`, &e); code != 422 || e.Error.Code != "bad_json" {
		t.Fatalf("unknown field: %d %+v", code, e)
	}

	var app employer.Application
	if code := ts.json(person, "POST", "/api/v1/employer-applications", applicationJSON(testUSCC), &app); code != 201 {
		t.Fatalf("submit: %d", code)
	}
	if app.Channel != employer.ChannelWeb || !app.Late || app.AppNo == "" {
		t.Fatalf("submitted %+v", app)
	}
	if code := ts.json(nil, "POST", "/api/v1/employer-applications", applicationJSON(testUSCC), &e); code != 409 || e.Error.Code != "application_pending" {
		t.Fatalf("duplicate: %d %+v", code, e)
	}

	var st employer.StatusView
	if code := ts.json(nil, "GET", "/api/v1/employer-applications/status?app_no="+app.AppNo+"&uscc="+testUSCC, "", &st); code != 200 || st.Status != employer.StatusSubmitted {
		t.Fatalf("status: %d %+v", code, st)
	}
	if code := ts.json(nil, "GET", "/api/v1/employer-applications/status?app_no="+app.AppNo+"&uscc=X", "", &e); code != 404 {
		t.Fatalf("status mismatch: %d", code)
	}

	for _, a := range []*access.Actor{nil, person, injuryStaff} {
		want := 403
		if a == nil {
			want = 401
		}
		if code := ts.json(a, "GET", "/api/v1/employer-applications", "", &e); code != want {
			t.Fatalf("queue as %s: %d", a.Name(), code)
		}
		if code := ts.json(a, "POST", "/api/v1/employer-applications/"+itoa64(app.ID)+"/approve", `{"version":1}`, &e); code != want {
			t.Fatalf("approve as %s: %d", a.Name(), code)
		}
	}
	var list listResponse[employer.Application]
	if code := ts.json(coordStaff, "GET", "/api/v1/employer-applications?late=1", "", &list); code != 200 || list.Total != 1 {
		t.Fatalf("queue: %d %+v", code, list)
	}
	if list.Items[0].ContactPhone != "138****8000" {
		t.Fatalf("phone in list not masked: %s", list.Items[0].ContactPhone)
	}

	if code := ts.json(coordStaff, "POST", "/api/v1/employer-applications/"+itoa64(app.ID)+"/return", `{"version":1}`, &e); code != 422 || e.Error.Fields[0].Field != "reasons" {
		t.Fatalf("return without reasons: %d %+v", code, e)
	}
	var ap employer.Approval
	if code := ts.json(coordStaff, "POST", "/api/v1/employer-applications/"+itoa64(app.ID)+"/approve", `{"version":1}`, &ap); code != 200 {
		t.Fatalf("approve: %d", code)
	}
	if ap.Employer == nil || ap.Employer.EmployerNo != "110105000001" || strings.Contains(ap.Notice, "密码：") {
		t.Fatalf("approval %+v", ap)
	}
	if code := ts.json(coordStaff, "POST", "/api/v1/employer-applications/"+itoa64(app.ID)+"/approve", `{"version":1}`, &e); code != 409 || e.Error.Code != "already_decided" {
		t.Fatalf("second approve: %d %+v", code, e)
	}

	emp := &access.Actor{UserID: 900, Username: ap.Employer.EmployerNo, Role: access.RoleEmployer, EmployerID: ap.Employer.ID}
	var me employer.Employer
	if code := ts.json(emp, "GET", "/api/v1/employers/me", "", &me); code != 200 || me.ID != ap.Employer.ID {
		t.Fatalf("me: %d %+v", code, me)
	}
	if code := ts.json(person, "GET", "/api/v1/employers/me", "", &e); code != 403 {
		t.Fatalf("me as person: %d", code)
	}
	if code := ts.json(emp, "POST", "/api/v1/employers/me/change-requests", `{"changes":{"uscc":"x"},"reason":"更正"}`, &e); code != 422 || e.Error.Fields[0].Field != "uscc" {
		t.Fatalf("uscc change: %d %+v", code, e)
	}
	var cr employer.ChangeRequest
	if code := ts.json(emp, "POST", "/api/v1/employers/me/change-requests", `{"changes":{"contact_name":"王芳"},"reason":"联系人离职"}`, &cr); code != 201 || cr.Fields["contact_name"] != "王芳" {
		t.Fatalf("change: %d %+v", code, cr)
	}
	if code := ts.json(emp, "POST", "/api/v1/employers/me/change-requests", `{"changes":{"contact_name":"张三"},"reason":"再改"}`, &e); code != 409 {
		t.Fatalf("second pending change: %d", code)
	}
	var changes listResponse[employer.ChangeRequest]
	if code := ts.json(coordStaff, "GET", "/api/v1/employer-change-requests?status=pending", "", &changes); code != 200 || changes.Total != 1 {
		t.Fatalf("change queue: %d %+v", code, changes)
	}
	if code := ts.json(coordStaff, "POST", "/api/v1/employer-change-requests/"+itoa64(cr.ID)+"/approve", `{"version":7}`, &e); code != 409 || e.Error.Code != "stale_version" {
		t.Fatalf("stale: %d %+v", code, e)
	}
	if code := ts.json(coordStaff, "POST", "/api/v1/employer-change-requests/"+itoa64(cr.ID)+"/approve", `{"version":1}`, &me); code != 200 || me.ContactName != "王芳" {
		t.Fatalf("approve change: %d %+v", code, me)
	}
	if code := ts.json(emp, "GET", "/api/v1/employers/me/change-requests", "", &changes); code != 200 || changes.Items[0].Status != employer.ChangeApproved {
		t.Fatalf("own changes: %d %+v", code, changes)
	}
}

package web_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"shebao/internal/app/apptest"
)

type apiErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Fields  []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"fields"`
	} `json:"error"`
}

func decodeAPIError(t *testing.T, r *apptest.Response) apiErrorBody {
	t.Helper()
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q, body %q", ct, r.Body)
	}
	var e apiErrorBody
	if err := json.Unmarshal([]byte(r.Body), &e); err != nil {
		t.Fatalf("not the error shape: %v: %q", err, r.Body)
	}
	return e
}

// noEnglishInternals fails when a page or message shows Go's English texts.
func noEnglishInternals(t *testing.T, body string) {
	t.Helper()
	for _, bad := range []string{"404 page not found", "Method Not Allowed", "json:", "Go struct", "cannot unmarshal", "unknown field", "invalid character"} {
		if strings.Contains(body, bad) {
			t.Errorf("answer shows %q: %s", bad, body)
		}
	}
}

func TestUnknownPagesAnswerInChineseInTheLayout(t *testing.T) {
	env := apptest.New(t, "sqlite")
	anon := env.Anon(t)
	r := anon.Get(t, "/no-such-page").WantStatus(t, http.StatusNotFound)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("404 page Content-Type %q", r.Header.Get("Content-Type"))
	}
	r.WantBody(t, "页面不存在", "社保不见面服务", `href="/login"`)
	noEnglishInternals(t, r.Body)

	emp := env.LoginAs(t, apptest.EmployerA)
	r = emp.Get(t, "/employer/no-such-thing").WantStatus(t, http.StatusNotFound)
	r.WantBody(t, "页面不存在", `href="/employer"`)
	noEnglishInternals(t, r.Body)

	// A page route asked with the wrong method: 405, Allow, Chinese page.
	r = emp.PostForm(t, "/notices", nil).WantStatus(t, http.StatusMethodNotAllowed)
	if allow := r.Header.Get("Allow"); !strings.Contains(allow, "GET") {
		t.Errorf("405 page Allow %q", allow)
	}
	r.WantBody(t, "请求方式不支持", "社保不见面服务")
	noEnglishInternals(t, r.Body)

	// Missing static files and the static folder itself: the same page, no listing.
	for _, p := range []string{"/static/no-such.css", "/static/"} {
		r = anon.Get(t, p).WantStatus(t, http.StatusNotFound).WantBody(t, "页面不存在")
		noEnglishInternals(t, r.Body)
		if strings.Contains(r.Body, "site.css</a>") {
			t.Errorf("%s lists the folder", p)
		}
	}
	anon.Get(t, "/static/site.css").WantStatus(t, http.StatusOK)

	// Known routes keep working.
	emp.Get(t, "/employer").WantStatus(t, http.StatusOK)
}

func TestUnknownAPIRoutesAnswerTheJSONErrorShape(t *testing.T) {
	env := apptest.New(t, "sqlite")
	emp := env.LoginAs(t, apptest.EmployerA)

	r := emp.Get(t, "/api/v1/no-such-thing").WantStatus(t, http.StatusNotFound)
	e := decodeAPIError(t, r)
	if e.Error.Code != "not_found" || !strings.Contains(e.Error.Message, "接口不存在") {
		t.Errorf("404 body %+v", e)
	}
	noEnglishInternals(t, r.Body)

	r = emp.SendJSON(t, http.MethodDelete, "/api/v1/bills/1", nil).WantStatus(t, http.StatusMethodNotAllowed)
	if allow := r.Header.Get("Allow"); !strings.Contains(allow, "GET") || strings.Contains(allow, "DELETE") {
		t.Errorf("405 Allow %q", allow)
	}
	e = decodeAPIError(t, r)
	if e.Error.Code != "method_not_allowed" || !strings.Contains(e.Error.Message, "DELETE") {
		t.Errorf("405 body %+v", e)
	}
	noEnglishInternals(t, r.Body)
}

func TestInvalidJSONBodiesNameTheFieldInChinese(t *testing.T) {
	env := apptest.New(t, "sqlite")
	emp := env.LoginAs(t, apptest.EmployerA)
	const staff = "/api/v1/employers/me/staff"
	cases := []struct {
		name, path, body, field, message string
	}{
		{"number for text", staff, `{"id_number": 110105199001011234, "name": "张三"}`, "id_number", "应为文本"},
		{"array for text", staff, `{"wage": [9000]}`, "wage", "收到的是数组"},
		{"text for integer", "/api/v1/bills/1/confirm", `{"version": "3"}`, "version", "应为整数"},
		{"unknown field", staff, `{"idnumber": "x"}`, "idnumber", "不认识"},
		{"syntax", staff, `{"id_number": "1",}`, "", "语法错误"},
		{"empty", staff, ``, "", "请求体为空"},
		{"truncated", staff, `{"id_number": "1"`, "", "不完整"},
		{"two values", staff, `{} {}`, "", "多余内容"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{"Content-Type": {"application/json"}, "X-Csrf-Token": {emp.CSRF}}
			r := emp.Do(t, http.MethodPost, c.path, strings.NewReader(c.body), h).WantStatus(t, http.StatusUnprocessableEntity)
			noEnglishInternals(t, r.Body)
			e := decodeAPIError(t, r)
			if e.Error.Code != "bad_json" {
				t.Fatalf("code %q: %s", e.Error.Code, r.Body)
			}
			if c.message != "" && !strings.Contains(e.Error.Message, c.message) {
				t.Errorf("message %q lacks %q", e.Error.Message, c.message)
			}
			if c.field != "" {
				if len(e.Error.Fields) != 1 || e.Error.Fields[0].Field != c.field || !strings.Contains(e.Error.Message, c.field) {
					t.Errorf("field %q not named: %s", c.field, r.Body)
				}
			}
		})
	}
}

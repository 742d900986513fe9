package web_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// TestBadTextRefusedAtTheEdge: NUL, invalid UTF-8 (GBK) and control
// characters get 422 naming the field (in Chinese on pages, in the field
// list on the API) on both engines; line breaks pass in multi-line fields.
func TestBadTextRefusedAtTheEdge(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		admin := env.LoginAs(t, apptest.Admin)
		// A search with GBK bytes: PostgreSQL answered 500 to this.
		admin.Get(t, "/admin/users?q=%D6%D0%CE%C4").WantStatus(t, http.StatusUnprocessableEntity).
			WantBody(t, "「搜索关键词」", "无法识别的字符")
		admin.Get(t, "/staff/cases?q=a%0Ab").WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "「搜索关键词」")
		admin.Get(t, "/staff/cases?q=%E4%B8%AD%E6%96%87").WantStatus(t, http.StatusOK)

		// The API names the field: raw invalid UTF-8 (which Go's decoder
		// would silently turn into U+FFFD) and an escaped NUL.
		staff := env.LoginAs(t, apptest.Staff(access.Injury))
		h := http.Header{"Content-Type": {"application/json"}, "X-CSRF-Token": {staff.CSRF}}
		for _, body := range []string{"{\"text\":\"\xff\xfe\"}", `{"text":"张\u0000三"}`, `{"public":true,"text":"a\u001bb"}`} {
			r := staff.Do(t, http.MethodPost, "/api/v1/cases/GS20240210-9999/comments", strings.NewReader(body), h).
				WantStatus(t, http.StatusUnprocessableEntity)
			var e struct {
				Error struct {
					Code   string `json:"code"`
					Fields []struct{ Field, Message string }
				}
			}
			r.JSON(t, &e)
			if e.Error.Code != "bad_text" || len(e.Error.Fields) != 1 || e.Error.Fields[0].Field != "text" ||
				!strings.HasPrefix(e.Error.Fields[0].Message, "留言") {
				t.Errorf("body %q: got %+v", body, e.Error)
			}
		}
		// Nested JSON fields are named by their path.
		r := staff.Do(t, http.MethodPost, "/api/v1/cases", strings.NewReader(`{"applicant":{"name":"\u0000"}}`), h).
			WantStatus(t, http.StatusUnprocessableEntity)
		r.WantBody(t, `"field":"applicant.name"`)
		// Line breaks are fine in a comment (the case then does not exist) …
		multi, _ := json.Marshal(map[string]string{"text": "第一行\r\n\t第二行"})
		staff.Do(t, http.MethodPost, "/api/v1/cases/GS20240210-9999/comments", strings.NewReader(string(multi)), h).
			WantStatus(t, http.StatusNotFound)
		// … and in a page form's comment, but not in a single-line field.
		form := url.Values{"text": {"第一行\n第二行"}}
		staff.PostForm(t, "/cases/GS20240210-9999/comment", form).WantStatus(t, http.StatusNotFound)
		form = url.Values{"text": {"好"}, "item": {"身份证\n原件"}}
		staff.PostForm(t, "/cases/GS20240210-9999/comment", form).WantStatus(t, http.StatusUnprocessableEntity).
			WantBody(t, "「材料项目」")
		// A file name in GBK is refused before any importer sees it.
		emp := env.LoginAs(t, apptest.EmployerA)
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "\xd6\xd0\xce\xc4.xlsx")
		fw.Write([]byte("PK"))
		mw.Close()
		up := http.Header{"Content-Type": {mw.FormDataContentType()}, "X-CSRF-Token": {emp.CSRF}}
		emp.Do(t, http.MethodPost, "/employer/staff/import", &buf, up).WantStatus(t, http.StatusUnprocessableEntity).
			WantBody(t, "「文件」")
		anon := env.Anon(t)
		anon.PostForm(t, "/login", url.Values{"username": {"\xd6\xd0"}, "password": {"x"}}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "「用户名」")
		// The path itself: a case number with a NUL.
		staff.Get(t, "/cases/GS%00").WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "「网址」")
	})
}

package injury_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"regexp"
	"testing"

	"shebao/internal/app/apptest"
)

// TestCaseDocumentUploadWays: a document is added to a case by a browser
// (the _csrf form field) and by a script sending the token in the
// X-CSRF-Token header, and both documents are listed on the case; a form
// without a file is refused naming what to choose.
func TestCaseDocumentUploadWays(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		workerID := employ(t, env)
		boss := env.LoginAs(t, apptest.EmployerA)
		no := caseNoRe.FindStringSubmatch(reportForm(t, boss, accident(workerID),
			map[string][]byte{"a.png": pngBytes(t)}).WantStatus(t, http.StatusSeeOther).Location())[1]
		docs := regexp.MustCompile(`/cases/` + no + `/documents/\d+"`)
		before := len(docs.FindAllString(boss.Get(t, "/cases/"+no).Body, -1))
		send := func(tokenInField bool, file []byte) *apptest.Response {
			var b bytes.Buffer
			mw := multipart.NewWriter(&b)
			h := http.Header{}
			if tokenInField {
				mw.WriteField("_csrf", boss.CSRF)
			} else {
				h.Set("X-CSRF-Token", boss.CSRF)
			}
			if file != nil {
				fw, _ := mw.CreateFormFile("file", "诊断证明.png")
				fw.Write(file)
			}
			mw.Close()
			h.Set("Content-Type", mw.FormDataContentType())
			return boss.Do(t, http.MethodPost, "/cases/"+no+"/documents", &b, h)
		}
		send(true, append(pngBytes(t), 1)).WantRedirect(t, "/cases/"+no)
		send(false, append(pngBytes(t), 2)).WantRedirect(t, "/cases/"+no)
		if after := len(docs.FindAllString(boss.Get(t, "/cases/"+no).Body, -1)); after != before+2 {
			t.Fatalf("documents listed: %d, want %d", after, before+2)
		}
		send(false, nil).WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "请选择要上传的文件")
	})
}

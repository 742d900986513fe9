package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
)

// uploadNamed posts data as the "file" part named name.
func uploadNamed(t *testing.T, c *apptest.Client, path, name string, data []byte) *apptest.Response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("_csrf", c.CSRF)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return c.Do(t, http.MethodPost, path, &b, http.Header{"Content-Type": {mw.FormDataContentType()}})
}

// TestRecordImportPageNamesImportsByFile: the list of recent imports of
// historical contribution records names each by its file and time, not by
// the record's number.
func TestRecordImportPageNamesImportsByFile(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	person := env.User(t, apptest.PersonA)
	var idn, name string
	if err := env.App.DB.R.QueryRow(`SELECT id_number, name FROM persons WHERE id = $1`, person.PersonID).Scan(&idn, &name); err != nil {
		t.Fatal(err)
	}
	csv := "公民身份号码,姓名,费款所属期,险种,缴费类型,缴费单位名称,单位社保编号,缴费基数（元）,单位缴费（元）,个人缴费（元）,是否到账\n" +
		idn + "," + name + ",2002-03,养老,单位,北京第二机床厂,,1200.00,240.00,72.00,是\n"
	clerk := env.LoginAs(t, apptest.Staff(access.Coordination))
	uploadNamed(t, clerk, "/staff/contribution-records", "历史.csv", []byte(csv)).WantStatus(t, http.StatusOK).WantBody(t, "导入成功")
	page := clerk.Get(t, "/staff/contribution-records").WantStatus(t, http.StatusOK).WantBody(t, "<td>历史.csv</td><td>2024-02-10 09:00</td>")
	if strings.Contains(page.Body, "<th>编号</th>") {
		t.Error("the list of imports shows their numbers")
	}
}

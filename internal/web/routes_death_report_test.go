package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/ident"
)

var certPNG = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{9}, 300)...)

// postScan posts the relative's report form with the certificate's scan.
func postScan(t *testing.T, c *apptest.Client, fields url.Values, name string, data []byte) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fields.Set("_csrf", c.CSRF)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	if data != nil {
		fw, _ := mw.CreateFormFile("scan", name)
		fw.Write(data)
	}
	mw.Close()
	return c.Do(t, "POST", "/person/death-reports", &body, http.Header{"Content-Type": {mw.FormDataContentType()}})
}

// TestRelativeDeathReportHTTP: a relative files a death report with the
// certificate's scan on the portal; a file that is not an image or a PDF
// by its bytes is refused with the field named and nothing filed; the
// report waits in 保险福利科's queue with the scan (shown to that section
// only), the person still alive; a rejection needs a reason and the
// relative sees it; a report filed again and accepted records the death.
func TestRelativeDeathReportHTTP(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		w := env.App.DB.W
		idn := ident.MakeID("110105", time.Date(1950, 4, 4, 0, 0, 0, 0, time.UTC), 91, true)
		var pid int64
		if err := w.QueryRow(`INSERT INTO persons (id_number, name, gender, birth_date, kind, phone, created_at, updated_at)
			VALUES ($1, '钱老汉', 'M', '1950-04-04', 'retiree', '13800138000', $2, $2) RETURNING id`, idn, env.Clock.Now()).Scan(&pid); err != nil {
			t.Fatal(err)
		}
		day := env.Clock.Now().AddDate(0, 0, -3).Format("2006-01-02")
		form := func() url.Values {
			return url.Values{"relationship": {"子女"}, "id_number": {idn}, "date": {day}, "certificate_no": {"SZ-77"}, "phone": {"13912345678"}}
		}
		rel := env.LoginAs(t, apptest.PersonA)
		rel.Get(t, "/person").WantBody(t, `href="/person/death-reports"`)
		rel.Get(t, "/person/death-reports").WantStatus(t, http.StatusOK).WantBody(t, "亲属死亡申报", "死亡证明扫描件", "您还没有提交过死亡申报")
		postScan(t, rel, form(), "证明.png", []byte("plain text, not a scan")).WantStatus(t, http.StatusUnprocessableEntity).
			WantBody(t, "死亡证明扫描件：")
		postScan(t, rel, form(), "", nil).WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "请上传死亡证明")
		var n int
		if err := w.QueryRow(`SELECT COUNT(*) FROM death_reports`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d reports filed from bad input (%v)", n, err)
		}
		postScan(t, rel, form(), "证明.png", certPNG).WantStatus(t, http.StatusSeeOther)
		mine := rel.Get(t, "/person/death-reports").WantBody(t, "待保险福利科审核", ident.MaskID(idn))
		if strings.Contains(mine.Body, idn) {
			t.Error("the relative's list shows the full ID number")
		}
		var no string
		if err := w.QueryRow(`SELECT no FROM death_reports`).Scan(&no); err != nil {
			t.Fatal(err)
		}

		clerk := env.LoginAs(t, apptest.Staff(access.Welfare))
		clerk.Get(t, "/staff/deaths/reports").WantStatus(t, http.StatusOK).WantBody(t, no)
		clerk.Get(t, "/staff/deaths/reports/"+no).WantStatus(t, http.StatusOK).WantBody(t, "钱老汉", "SZ-77", "子女", `id="scan"`)
		scan := clerk.Get(t, "/staff/deaths/reports/"+no+"/scan").WantStatus(t, http.StatusOK)
		if scan.Header.Get("Content-Type") != "image/png" || scan.Body != string(certPNG) {
			t.Errorf("scan %q, %d bytes", scan.Header.Get("Content-Type"), len(scan.Body))
		}
		env.LoginAs(t, apptest.Staff(access.Fund)).Get(t, "/staff/deaths/reports/"+no+"/scan").WantStatus(t, http.StatusNotFound)
		var status string
		if err := w.QueryRow(`SELECT status FROM persons WHERE id = $1`, pid).Scan(&status); err != nil || status != "active" {
			t.Fatalf("a report under review changed the person to %q (%v)", status, err)
		}

		clerk.PostForm(t, "/staff/deaths/reports/"+no+"/reject", url.Values{"version": {"1"}, "reason": {""}}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "请写明不予受理的原因")
		clerk.PostForm(t, "/staff/deaths/reports/"+no+"/reject", url.Values{"version": {"1"}, "reason": {"证明编号与扫描件不一致"}}).
			WantStatus(t, http.StatusSeeOther)
		rel.Get(t, "/person/death-reports").WantBody(t, "未通过审核：证明编号与扫描件不一致")
		rel.Get(t, "/messages").WantBody(t, "死亡申报未通过审核")

		postScan(t, rel, form(), "证明.png", certPNG).WantStatus(t, http.StatusSeeOther)
		if err := w.QueryRow(`SELECT no FROM death_reports WHERE status = 'submitted'`).Scan(&no); err != nil {
			t.Fatal(err)
		}
		res := clerk.PostForm(t, "/staff/deaths/reports/"+no+"/accept", url.Values{"version": {"1"}}).WantRedirect(t, "/staff/deaths/")
		clerk.Get(t, res.Location()).WantStatus(t, http.StatusOK).WantBody(t, "亲属网上申报", "子女")
		if err := w.QueryRow(`SELECT status FROM persons WHERE id = $1`, pid).Scan(&status); err != nil || status != "deceased" {
			t.Fatalf("accepted report left the person %q (%v)", status, err)
		}
		rel.Get(t, "/person/death-reports").WantBody(t, "已受理，已登记死亡")
	})
}

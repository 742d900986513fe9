package web_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/download"
	"shebao/internal/errs"
	"shebao/internal/manual"
)

// TestDownloads: a page per kind of user with its forms, the staff import
// template linked for employers, each form an Excel workbook.
func TestDownloads(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		anon := env.Anon(t)
		anon.Get(t, "/").WantBody(t, `<a href="/downloads">常用下载</a>`)
		anon.Get(t, "/downloads").WantStatus(t, http.StatusOK).WantBody(t, "《工伤事故报告表》", "《企业职工正常退休资格确认表》",
			"《工伤职工继续治疗申请表》", "《灵活就业人员和个体工商户退休申请书》", "《基本养老保险关系转移申请表》",
			`href="/employer/staff/template.xlsx"`)
		emp := anon.Get(t, "/downloads/employer").WantStatus(t, http.StatusOK).
			WantBody(t, "常用下载（用人单位）", "《工伤事故报告表》", `href="/employer/injury/reports/new"`, "人员增减导入模板").Body
		if strings.Contains(emp, "个体工商户退休申请书") {
			t.Fatal("the self-employed form on the employers' page")
		}
		per := anon.Get(t, "/downloads/person").WantBody(t, "《灵活就业人员和个体工商户退休申请书》", "个体参保科").Body
		if strings.Contains(per, "《工伤事故报告表》") || strings.Contains(per, "template.xlsx") {
			t.Fatal("employer downloads on the persons' page")
		}
		anon.Get(t, "/downloads/partner").WantBody(t, "《工伤职工继续治疗申请表》")
		anon.Get(t, "/downloads/nobody").WantStatus(t, http.StatusNotFound)
		anon.Get(t, "/downloads/forms/nope.xlsx").WantStatus(t, http.StatusNotFound)
		anon.Get(t, "/downloads/forms/accident-report").WantStatus(t, http.StatusNotFound)

		r := anon.Get(t, "/downloads/forms/accident-report.xlsx").WantStatus(t, http.StatusOK)
		if !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") ||
			!strings.Contains(r.Header.Get("Content-Disposition"), "%E5%B7%A5%E4%BC%A4") {
			t.Fatalf("headers %v", r.Header)
		}
		x, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		if v, _ := x.GetCellValue(x.GetSheetName(0), "A1"); v != "工伤事故报告表" {
			t.Fatalf("title %q", v)
		}
		// The template itself still needs an employer's login.
		anon.Get(t, "/employer/staff/template.xlsx").WantRedirect(t, "/login")
	})
}

// uploadFile posts a multipart form with one file as c.
func uploadFile(t *testing.T, c *apptest.Client, path string, fields url.Values, name string, data []byte) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fields.Set("_csrf", c.CSRF)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	return c.Do(t, "POST", path, &body, http.Header{"Content-Type": {mw.FormDataContentType()}})
}

// TestOfficeDownloads: 办公室 adds a file for some users, attached to a
// notice; a same name and version, and a file that is not PDF, Excel or
// an image whatever its name, are refused with the field named and nothing
// stored; a new version supersedes the old one, whose link still opens
// and says so; a retired download leaves the list but its link still works.
func TestOfficeDownloads(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		office := env.LoginAs(t, apptest.Staff(access.Office))
		pdf1 := []byte("%PDF-1.4\n% first\n")
		form := func(label string) url.Values {
			return url.Values{"title": {"应急期间单位办事须知"}, "label": {label}, "issued_on": {"2024-02-01"},
				"audiences": {"employer", "partner"}, "notice": {"1"}, "note": {"打印张贴用"}}
		}
		// Not a PDF, Excel workbook or image, though named .pdf.
		uploadFile(t, office, "/staff/downloads", form("2024版"), "须知.pdf", []byte("<html><script>alert(1)</script>")).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "只能上传 PDF、Excel 工作簿（.xlsx）或 JPEG、PNG 图片", `value="应急期间单位办事须知"`)
		// A zip that is no workbook.
		uploadFile(t, office, "/staff/downloads", form("2024版"), "a.xlsx", []byte("PK\x03\x04garbage")).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "不是可以打开的 Excel 工作簿")
		env.Anon(t).Get(t, "/downloads").WantStatus(t, http.StatusOK)
		if strings.Contains(env.Anon(t).Get(t, "/downloads").Body, "应急期间单位办事须知") {
			t.Fatal("a refused upload was published")
		}
		// Other staff may not add.
		uploadFile(t, env.LoginAs(t, apptest.Staff(access.Coordination)), "/staff/downloads", form("2024版"), "a.pdf", pdf1).
			WantStatus(t, http.StatusForbidden)

		r := uploadFile(t, office, "/staff/downloads", form("2024版"), "须知.pdf", pdf1).WantStatus(t, http.StatusSeeOther)
		item := r.Location()
		page := office.Get(t, item).WantStatus(t, http.StatusOK).WantBody(t, "当前版本", "2024-02-01").Body
		v1 := regexp.MustCompile(`/downloads/v/(\d+)`).FindString(page)
		if strings.Contains(page, ">/downloads/v/") {
			t.Fatal("the staff page shows a raw address as link text")
		}
		// Same name and version again: refused, saying so.
		uploadFile(t, office, "/staff/downloads", form("2024版"), "须知.pdf", pdf1).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "已有版本“2024版”，同一名称和版本不能发布两次")
		uploadFile(t, office, "/staff/downloads", form("2025版"), "须知.pdf", pdf1).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "替换为新版本")

		anon := env.Anon(t)
		emp := anon.Get(t, "/downloads/employer").WantBody(t, "《应急期间单位办事须知》", "下载（PDF）").Body
		if strings.Contains(anon.Get(t, "/downloads/person").Body, "应急期间单位办事须知") || !strings.Contains(emp, v1) {
			t.Fatal("the download shown to the wrong users or without its version link")
		}
		anon.Get(t, "/notices/1").WantBody(t, "附件", "《应急期间单位办事须知》（PDF，2024版）")
		f := anon.Get(t, v1+"/file").WantStatus(t, http.StatusOK)
		if f.Body != string(pdf1) || f.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("file %q %v", f.Body, f.Header)
		}

		// A new version (an Excel workbook this time), same version refused.
		var wb bytes.Buffer
		fm, _ := download.FormByKey("accident-report")
		fm.Write(&wb, time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC))
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page)[1]
		id := strings.TrimPrefix(item, "/staff/downloads/")
		uploadFile(t, office, item+"/versions", url.Values{"version": {version}, "label": {"2024版"}}, "x.xlsx", wb.Bytes()).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "同一名称和版本不能发布两次")
		uploadFile(t, office, item+"/versions", url.Values{"version": {version}, "label": {"2024版第二次修订"}, "issued_on": {"2024-02-09"}},
			"x.xlsx", wb.Bytes()).WantStatus(t, http.StatusSeeOther)
		anon.Get(t, v1).WantStatus(t, http.StatusOK).WantBody(t, "已被新版本取代", "2024版第二次修订（2024-02-09 发布）")
		cur := regexp.MustCompile(`/downloads/v/(\d+)`).FindString(anon.Get(t, "/downloads/partner").WantBody(t, "下载（Excel）").Body)
		if cur == v1 || strings.Contains(anon.Get(t, cur).Body, "已被新版本取代") {
			t.Fatal("the list does not offer the current version, or the current one says superseded")
		}
		anon.Get(t, v1+"/file").WantStatus(t, http.StatusOK) // the old file is kept

		// Retire: gone from the list, links still answer.
		page = office.Get(t, item).Body
		version = regexp.MustCompile(`/retire"><input type="hidden" name="_csrf" value="[^"]*"><input type="hidden" name="version" value="(\d+)"`).FindStringSubmatch(page)[1]
		office.PostForm(t, "/staff/downloads/"+id+"/retire", url.Values{"version": {version}}).WantStatus(t, http.StatusSeeOther)
		if strings.Contains(anon.Get(t, "/downloads").Body, "应急期间单位办事须知") {
			t.Fatal("a retired download is still listed")
		}
		anon.Get(t, cur).WantStatus(t, http.StatusOK).WantBody(t, "已停止提供")
	})
}

// TestPublishedManual: a generated manual published as a download version
// is offered to its users with its PDF and its web page (in a sandbox);
// publishing the same version twice is refused; a manual generated from
// another source is marked out of date for 办公室.
func TestPublishedManual(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		g := download.Generated{Key: "manual-employer", Title: "单位网上服务使用手册", Audiences: []download.Audience{download.Employer},
			Label: "1.0-aaaa", IssuedOn: "2024-02-10", SourceHash: manual.SourceHash(),
			PDF: []byte("%PDF-1.4 manual"), HTML: []byte("<!DOCTYPE html><title>手册</title><p>第一章</p>")}
		if _, err := env.App.Downloads.Publish(ctx, access.System, g); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Downloads.Publish(ctx, access.System, g); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("same version published twice: %v", err)
		}
		if _, err := env.App.Downloads.Publish(ctx, env.Actor(t, apptest.Staff(access.Coordination)), g); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("a clerk of another section published: %v", err)
		}
		anon := env.Anon(t)
		page := anon.Get(t, "/downloads/employer").WantBody(t, "《单位网上服务使用手册》", "1.0-aaaa", "下载（PDF）", "在线阅读").Body
		if strings.Contains(anon.Get(t, "/downloads/person").Body, "单位网上服务使用手册") {
			t.Fatal("the employer manual on the persons' page")
		}
		v := regexp.MustCompile(`/downloads/v/\d+`).FindString(page)
		web := anon.Get(t, v+"/web").WantStatus(t, http.StatusOK).WantBody(t, "第一章")
		if csp := web.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") {
			t.Fatalf("web manual served without a sandbox: %q", csp)
		}
		anon.Get(t, v+"/file").WantStatus(t, http.StatusOK).WantBody(t, "%PDF-1.4 manual")
		office := env.LoginAs(t, apptest.Staff(access.Office))
		if strings.Contains(office.Get(t, "/staff/downloads").Body, "手册源文本已更新") {
			t.Fatal("a current manual marked out of date")
		}
		g.Label, g.SourceHash = "0.9-old", "0000"
		g.IssuedOn = "2024-02-11"
		if _, err := env.App.Downloads.Publish(ctx, access.System, g); err != nil {
			t.Fatal(err)
		}
		office.Get(t, "/staff/downloads").WantBody(t, "手册源文本已更新，请重新生成发布")
	})
}

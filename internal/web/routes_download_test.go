package web_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"shebao/internal/app/apptest"
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

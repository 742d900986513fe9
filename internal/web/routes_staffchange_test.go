package web_test

import (
	"bytes"
	"fmt"
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
	"shebao/internal/ident"
	"shebao/internal/staffchange"
)

// upload posts data as the "file" part of a multipart form (with the CSRF
// field and header).
func upload(t *testing.T, c *apptest.Client, path string, data []byte) *apptest.Response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("_csrf", c.CSRF)
	fw, _ := mw.CreateFormFile("file", "人员.xlsx")
	fw.Write(data)
	mw.Close()
	h := http.Header{"Content-Type": {mw.FormDataContentType()}, "X-CSRF-Token": {c.CSRF}}
	return c.Do(t, http.MethodPost, path, &b, h)
}

// fillTemplate writes rows into the downloaded template's data sheet.
func fillTemplate(t *testing.T, tpl []byte, rows [][]any) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(tpl))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if err := f.SetSheetRow(staffchange.DataSheet, fmt.Sprintf("A%d", i+2), &r); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

var staffLink = regexp.MustCompile(`/employer/staff/([0-9]+)"`)

func TestStaffChangePages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ca := env.LoginAs(t, apptest.EmployerA)
		tpl := ca.Get(t, "/employer/staff/template.xlsx").WantStatus(t, http.StatusOK)
		if !strings.HasPrefix(tpl.Body, "PK") || !strings.Contains(tpl.Header.Get("Content-Type"), "spreadsheetml") {
			t.Fatalf("template is not an xlsx: %q", tpl.Header.Get("Content-Type"))
		}
		x := ident.MakeID("110105", time.Date(1988, 3, 4, 0, 0, 0, 0, time.UTC), 21, true)
		y := ident.MakeID("110105", time.Date(1990, 7, 8, 0, 0, 0, 0, time.UTC), 22, false)
		bad := fillTemplate(t, []byte(tpl.Body), [][]any{
			{"增员", x, "赵一", "2024-02", "3900", "", "", ""},
			{"增员", y, "钱二", "2024-02", "8000.555", "", "", ""},
		})
		r := upload(t, ca, "/employer/staff/import", bad).WantStatus(t, http.StatusUnprocessableEntity)
		r.WantBody(t, "导入未成功：共 1 处错误", "E 列（月工资（元））", "report.xlsx")
		id := regexp.MustCompile(`/employer/staff/import/([0-9]+)/report.xlsx`).FindStringSubmatch(r.Body)[1]
		rep := ca.Get(t, "/employer/staff/import/"+id+"/report.xlsx").WantStatus(t, http.StatusOK)
		if !strings.HasPrefix(rep.Body, "PK") {
			t.Fatal("report is not an xlsx")
		}
		env.LoginAs(t, apptest.EmployerB).Get(t, "/employer/staff/import/"+id+"/report.xlsx").WantStatus(t, http.StatusNotFound)

		good := fillTemplate(t, []byte(tpl.Body), [][]any{{"增员", x, "赵一", "2024-02", "3900", "", "", ""}})
		upload(t, ca, "/employer/staff/import", good).WantStatus(t, http.StatusOK).WantBody(t, "导入成功：增员 1 人", "低于下限")
		upload(t, ca, "/employer/staff/import", good).WantStatus(t, http.StatusConflict).WantBody(t, "该文件已于")
		upload(t, ca, "/employer/staff/import", []byte("not excel")).WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "不是有效的 Excel")

		list := ca.Get(t, "/employer/staff").WantStatus(t, http.StatusOK).WantBody(t, "赵一", ident.MaskID(x))
		if strings.Contains(list.Body, x) {
			t.Fatal("staff list shows the full ID number")
		}
		emp := staffLink.FindStringSubmatch(list.Body)[1]
		// The change is named by the import's file and time, not by its number.
		detail := ca.Get(t, "/employer/staff/"+emp).WantStatus(t, http.StatusOK).WantBody(t, x, "批量导入（人员.xlsx，2024-02-10 09:00 上传）")
		if strings.Contains(detail.Body, "批量导入 #") {
			t.Error("the staff page names the import by its number")
		}
		imports := ca.Get(t, "/employer/staff/import").WantStatus(t, http.StatusOK).WantBody(t, "人员.xlsx")
		if strings.Contains(imports.Body, "<td>"+id+"</td>") || strings.Contains(imports.Body, "<th>编号</th>") {
			t.Error("the import list shows the imports' numbers")
		}
		cb := env.LoginAs(t, apptest.EmployerB)
		cb.Get(t, "/employer/staff/"+emp).WantStatus(t, http.StatusNotFound)
		cb.PostForm(t, "/employer/staff/"+emp+"/remove", url.Values{"end_month": {"2024-02"}, "reason": {"离职"}, "confirm": {"1"}}).
			WantStatus(t, http.StatusNotFound)

		// B adds A's employee: told only that another employer insures
		// them (no name, no start month) and that 统筹科 resolves it.
		add := url.Values{"id_number": {x}, "name": {"赵一"}, "start_month": {"2024-03"}, "wage": {"9000"}}
		held := cb.PostForm(t, "/employer/staff/add", add).WantStatus(t, http.StatusConflict).
			WantBody(t, "该人员目前已由其他单位参保", "向统筹科申请协调，由统筹科核实处理")
		// B (北京乙…) is named in its own page header: look for the holder A.
		for _, leak := range []string{"北京甲", "甲测试", "2024-02 起", "科技有限公司"} {
			if strings.Contains(held.Body, leak) {
				t.Errorf("the refusal tells B %q about the holder", leak)
			}
		}
		add.Set("coordinate", "1")
		add.Set("note", "2月底离职")
		cb.PostForm(t, "/employer/staff/add", add).WantRedirect(t, "/employer/staff")
		coord := env.LoginAs(t, apptest.Staff(access.Coordination))
		q := coord.Get(t, "/staff/staff-conflicts").WantStatus(t, http.StatusOK).WantBody(t, "北京甲测试科技有限公司", "赵一")
		cid := regexp.MustCompile(`/staff/staff-conflicts/([0-9]+)"`).FindStringSubmatch(q.Body)[1]
		if strings.Contains(q.Body, ">"+cid+"</a>") {
			t.Error("the conflict list shows the request's number")
		}
		cp := coord.Get(t, "/staff/staff-conflicts/"+cid).WantStatus(t, http.StatusOK).WantBody(t, "2月底离职", `value="2024-02"`,
			"<h1>协调申请：赵一（北京乙")
		if strings.Contains(cp.Body, "#"+cid) {
			t.Error("the conflict page shows the request's number")
		}
		env.LoginAs(t, apptest.Staff(access.Fund)).Get(t, "/staff/staff-conflicts/"+cid).WantStatus(t, http.StatusForbidden)
		coord.PostForm(t, "/staff/staff-conflicts/"+cid+"/resolve", url.Values{"version": {"1"}, "end_month": {"2024-02"}, "note": {"核实已离职"}}).
			WantRedirect(t, "/staff/staff-conflicts/"+cid)
		bl := cb.Get(t, "/employer/staff").WantStatus(t, http.StatusOK).WantBody(t, "赵一", "已协调", "其他单位")
		if strings.Contains(bl.Body, "甲测试") || strings.Contains(bl.Body, "北京***") {
			t.Error("B's list of coordination requests names the holder")
		}

		// Removal has a confirmation step.
		lb := staffLink.FindStringSubmatch(cb.Get(t, "/employer/staff").Body)[1]
		form := url.Values{"end_month": {"2024-03"}, "reason": {"离职"}}
		cb.PostForm(t, "/employer/staff/"+lb+"/remove", form).WantStatus(t, http.StatusOK).WantBody(t, "请确认", "确认减员")
		form.Set("confirm", "1")
		cb.PostForm(t, "/employer/staff/"+lb+"/remove", form).WantRedirect(t, "/employer/staff")
		cb.Get(t, "/employer/staff").WantBody(t, "共 0 人")

		// JSON: list and import.
		var page struct {
			Items []staffchange.Staff `json:"items"`
			Total int                 `json:"total"`
		}
		ca.Get(t, "/api/v1/employers/me/staff?all=1").WantStatus(t, http.StatusOK).JSON(t, &page)
		if page.Total != 1 || page.Items[0].IDNumber != ident.MaskID(x) || page.Items[0].EndMonth != "2024-02" {
			t.Errorf("API list = %+v", page)
		}
		var ir staffchange.ImportReport
		upload(t, ca, "/api/v1/employers/me/staff/import", bad).WantStatus(t, http.StatusUnprocessableEntity).JSON(t, &ir)
		// Row 2 now clashes with B's period (2024-03), row 3 is malformed.
		if ir.Status != staffchange.ImportRejected || len(ir.Problems) != 2 || ir.Problems[0].Row != 2 ||
			!strings.Contains(ir.Problems[0].Message, "已由其他单位参保") || strings.Contains(ir.Problems[0].Message, "工程") ||
			ir.Problems[1].Row != 3 {
			t.Errorf("API import report = %+v", ir)
		}
	})
}

package web_test

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/ident"
)

// lineRows counts the bill lines a page shows (one "怎么算的" per line).
func lineRows(body string) int { return strings.Count(body, "<summary>怎么算的</summary>") }

// TestLargeBillShowsActionsFirstAndPagesItsLines: a bill of 567 lines
// shows its totals and the confirm and correction forms before 50 lines,
// pages the rest, finds lines by name, by the visible digits of the masked
// ID number or by scheme, and downloads all of them as Excel.
func TestLargeBillShowsActionsFirstAndPagesItsLines(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		hires, billID := env.SeedBill(t, apptest.EmployerA, 189)
		emp := env.LoginAs(t, apptest.EmployerA)
		path := "/employer/bills/" + strconv.FormatInt(billID, 10)

		r := emp.Get(t, path).WantStatus(t, http.StatusOK).WantBody(t, "共 567 行", "第 1 / 12 页", "189 人")
		if n := lineRows(r.Body); n != 50 {
			t.Fatalf("first page shows %d lines, want 50", n)
		}
		total, confirm, correction, lines := strings.Index(r.Body, "应缴合计"), strings.Index(r.Body, `action="`+path+`/confirm"`),
			strings.Index(r.Body, `action="`+path+`/correction"`), strings.Index(r.Body, `id="lines"`)
		if total < 0 || confirm < 0 || correction < 0 || !(total < confirm && confirm < lines && correction < lines) {
			t.Fatalf("totals %d, confirm %d, correction %d must come before the lines %d", total, confirm, correction, lines)
		}
		if strings.Contains(r.Body, "yuan") || !strings.Contains(r.Body, "按元取整") {
			t.Error("the bill shows the rounding code instead of 按元取整")
		}
		if len(r.Body) > 120_000 {
			t.Errorf("first page is %d bytes", len(r.Body))
		}
		last := emp.Get(t, path+"?page=12").WantStatus(t, http.StatusOK).WantBody(t, "第 12 / 12 页", "上一页")
		if n := lineRows(last.Body); n != 567-11*50 {
			t.Errorf("last page shows %d lines", n)
		}

		h := hires[120]
		masked := ident.MaskID(h.IDNumber)
		for q, want := range map[string]int{h.Name: 3, masked: 3, "none-such": 0} {
			r := emp.Get(t, path+"?q="+urlEscape(q)).WantStatus(t, http.StatusOK)
			if n := lineRows(r.Body); n != want {
				t.Errorf("search %q shows %d lines, want %d", q, n, want)
			}
		}
		// Hidden digits of the ID number find nothing: the search sees what the page shows.
		if n := lineRows(emp.Get(t, path+"?q="+h.IDNumber[6:14]).Body); n != 0 {
			t.Errorf("search by hidden digits found %d lines", n)
		}
		inj := emp.Get(t, path+"?scheme=injury").WantStatus(t, http.StatusOK).WantBody(t, "找到 189 行", "第 1 / 4 页")
		if n := lineRows(inj.Body); n != 50 || strings.Contains(inj.Body[strings.Index(inj.Body, `id="lines"`):], "<td>养老保险</td>") {
			t.Errorf("injury filter shows %d lines or other schemes", n)
		}
		emp.Get(t, path+"?scheme=medical").WantStatus(t, http.StatusUnprocessableEntity)

		x := emp.Get(t, path+"/lines.xlsx").WantStatus(t, http.StatusOK)
		checkLinesXLSX(t, x, 567, hires[0])
		env.LoginAs(t, apptest.EmployerB).Get(t, path+"/lines.xlsx").WantStatus(t, http.StatusNotFound)
		staff := env.LoginAs(t, apptest.Staff(access.Coordination))
		checkLinesXLSX(t, staff.Get(t, "/staff/bills/"+strconv.FormatInt(billID, 10)+"/lines.xlsx").WantStatus(t, http.StatusOK), 567, hires[0])
	})
}

// checkLinesXLSX opens the download and checks it has every line, masked
// ID numbers and exact amounts in 元.
func checkLinesXLSX(t *testing.T, r *apptest.Response, lines int, first apptest.Hire) {
	t.Helper()
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/vnd.openxmlformats") {
		t.Fatalf("Content-Type %q", r.Header.Get("Content-Type"))
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows("核定明细", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != lines+2 || rows[1][0] != "姓名" {
		t.Fatalf("xlsx has %d rows, header %v", len(rows), rows[1])
	}
	if strings.Contains(r.Body, first.IDNumber) {
		t.Error("xlsx holds a clear ID number")
	}
	// The first hire (wage 5,000) has the first three lines: pension base
	// 5,000.00, employer 16% = 800.00.
	row := rows[2]
	if row[0] != first.Name || row[1] != ident.MaskID(first.IDNumber) || row[2] != "养老保险" || row[4] != "5000.00" || row[6] != "800.00" {
		t.Errorf("first line %q", row)
	}
	if typ, _ := f.GetCellType("核定明细", "G3"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("amounts are not numbers in Excel: cell type %v", typ)
	}
}

func urlEscape(s string) string { return strings.NewReplacer("*", "%2A", " ", "+").Replace(s) }

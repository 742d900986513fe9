package build

import (
	"fmt"
	"os"
	"time"

	"github.com/xuri/excelize/v2"

	"shebao/internal/app"
	"shebao/internal/clock"
	"shebao/internal/ident"
	"shebao/internal/staffchange"
)

// NewHire is a row of the example staff file.
type NewHire struct {
	ID, Name, Wage string
}

// ExampleHires are the three new staff the manual's Excel step adds.
func ExampleHires() []NewHire {
	return []NewHire{
		{ident.MakeID("110105", time.Date(1991, 5, 6, 0, 0, 0, 0, time.UTC), 317, true), "王建军", "8000"},
		{ident.MakeID("110108", time.Date(1996, 11, 23, 0, 0, 0, 0, time.UTC), 428, false), "刘芳", "12345.67"},
		{ident.MakeID("110101", time.Date(1989, 1, 2, 0, 0, 0, 0, time.UTC), 539, true), "陈小明", "9500"},
	}
}

// staffHeaders are the headers of the staff template's data sheet.
var staffHeaders = []any{"变动类型", "公民身份号码", "姓名", "参保起始月份", "月工资（元）", "手机号码", "终止月份", "减员原因"}

// StaffFixture returns the maker of the example staff file: a workbook
// laid out as the template the employer downloads, filled with
// ExampleHires starting this month, saved at path.
func StaffFixture(a *app.App, path string) func() (string, error) {
	return func() (string, error) {
		f := excelize.NewFile()
		defer f.Close()
		if err := f.SetSheetName("Sheet1", staffchange.DataSheet); err != nil {
			return "", err
		}
		if err := f.SetSheetRow(staffchange.DataSheet, "A1", &staffHeaders); err != nil {
			return "", err
		}
		month := clock.Today(a.Clock).Format("2006-01")
		for i, h := range ExampleHires() {
			row := []any{"增员", h.ID, h.Name, month, h.Wage, fmt.Sprintf("1391234567%d", i), "", ""}
			if err := f.SetSheetRow(staffchange.DataSheet, fmt.Sprintf("A%d", i+2), &row); err != nil {
				return "", err
			}
		}
		os.Remove(path)
		return path, f.SaveAs(path)
	}
}

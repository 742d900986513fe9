package download

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// TestFormsOpenInExcel: every form is a workbook with its title, each
// field in its own row with a blank cell to fill in, and its section.
func TestFormsOpenInExcel(t *testing.T) {
	seen := map[string]bool{}
	for _, f := range Forms("") {
		if seen[f.Key] || len(f.Audiences) == 0 || !f.Section.Valid() || len(f.Fields) < 5 {
			t.Fatalf("form %q: duplicate key, no audience, section or too few fields", f.Key)
		}
		seen[f.Key] = true
		var b bytes.Buffer
		if err := f.Write(&b, time.Date(2024, 2, 10, 9, 0, 0, 0, time.UTC)); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&b)
		if err != nil {
			t.Fatalf("%s: %v", f.Key, err)
		}
		sheet := x.GetSheetName(0)
		if v, _ := x.GetCellValue(sheet, "A1"); v != f.Title {
			t.Fatalf("%s: title %q", f.Key, v)
		}
		for i, fl := range f.Fields {
			a, _ := x.GetCellValue(sheet, fmt.Sprintf("A%d", i+4))
			b, _ := x.GetCellValue(sheet, fmt.Sprintf("B%d", i+4))
			if a != fl.Label || b != "" {
				t.Fatalf("%s row %d: %q %q, want %q and a blank", f.Key, i+4, a, b, fl.Label)
			}
		}
		foot, _ := x.GetCellValue(sheet, fmt.Sprintf("A%d", len(f.Fields)+5))
		if want := "负责科室：" + f.Section.Name(); !bytes.Contains([]byte(foot), []byte(want)) || !bytes.Contains([]byte(foot), []byte("2024-02-10")) {
			t.Fatalf("%s footer %q", f.Key, foot)
		}
		x.Close()
	}
	for _, k := range []string{"accident-report", "retirement-confirmation", "continued-treatment", "self-employed-retirement", "pension-transfer"} {
		if !seen[k] {
			t.Fatalf("form %s missing", k)
		}
	}
	if _, ok := FormByKey("../x"); ok {
		t.Fatal("unknown key found")
	}
}

// TestAudiences: each kind of user sees its own forms.
func TestAudiences(t *testing.T) {
	has := func(a Audience, key string) bool {
		for _, f := range Forms(a) {
			if f.Key == key {
				return true
			}
		}
		return false
	}
	if !has(Employer, "accident-report") || has(Person, "accident-report") || !has(Person, "self-employed-retirement") ||
		has(Employer, "self-employed-retirement") || !has(Partner, "continued-treatment") {
		t.Fatal("forms given to the wrong users")
	}
}

// TestSniffByContent: the type comes from the bytes, never the name; only
// PDF, .xlsx workbooks, JPEG and PNG pass.
func TestSniffByContent(t *testing.T) {
	var wb bytes.Buffer
	f, _ := FormByKey("accident-report")
	if err := f.Write(&wb, time.Now()); err != nil {
		t.Fatal(err)
	}
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
	jpeg := []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
	for data, want := range map[string]string{"%PDF-1.7\n": "application/pdf", wb.String(): xlsxType,
		string(png): "image/png", string(jpeg): "image/jpeg"} {
		if got, err := Sniff([]byte(data)); got != want || err != nil {
			t.Errorf("sniff %q: %q %v, want %q", data[:8], got, err, want)
		}
	}
	for _, bad := range []string{"", "<html>", "PK\x03\x04 not a workbook", "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old xls", "GIF89a"} {
		if _, err := Sniff([]byte(bad)); err == nil {
			t.Errorf("sniff %q accepted", bad)
		}
	}
}

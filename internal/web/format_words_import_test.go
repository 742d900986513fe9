package web_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
)

var (
	formatCode   = regexp.MustCompile(`(?i)(^|[^.a-z/])(csv|xlsx)\b`)
	encodingCode = regexp.MustCompile(`(?i)utf-?8|gbk`)
	innerParens  = regexp.MustCompile(`（[^（）]*）`)
)

// formatCodes returns what a reader of text would see of file formats as
// codes: CSV or XLSX not written as a file extension (.csv), and an
// encoding (UTF-8, GBK) other than in a parenthesis that says 编码.
func formatCodes(text string) []string {
	var out []string
	for _, m := range formatCode.FindAllStringSubmatch(text, -1) {
		out = append(out, m[2])
	}
	for {
		groups := innerParens.FindAllString(text, -1)
		if len(groups) == 0 {
			break
		}
		for _, g := range groups {
			if encodingCode.MatchString(g) && !strings.Contains(g, "编码") {
				out = append(out, g)
			}
		}
		text = innerParens.ReplaceAllString(text, " ")
	}
	return append(out, encodingCode.FindAllString(text, -1)...)
}

func TestFormatCodes(t *testing.T) {
	for text, bad := range map[string]bool{
		"（CSV，UTF-8 或 GBK 编码；或 XLSX）":                     true,
		"（Excel .xlsx，或表头相同的 CSV）":                        true,
		"UTF-8 编码的文件":                                     true,
		"Excel 表格（.xlsx），或逗号分隔文本（.csv，编码 UTF-8 或 GBK 均可）": false,
		"（Excel 表格（.xlsx），或表头相同的逗号分隔文本（.csv））":            false,
	} {
		if got := formatCodes(text); (len(got) > 0) != bad {
			t.Errorf("%s: %v", text, got)
		}
	}
}

// TestImportPagesNameFormatsInChinese: every import page says which files
// it takes in words a clerk reads (Excel 表格, 逗号分隔文本), with the
// extension and the encoding only in parentheses, never CSV, XLSX, UTF-8
// or GBK as the description.
func TestImportPagesNameFormatsInChinese(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	pages := []struct {
		who, path string
		want      []string
	}{
		{apptest.Staff(access.Coordination), "/staff/contribution-records", []string{"Excel 表格（.xlsx）", "逗号分隔文本（.csv）"}},
		{apptest.Staff(access.Account), "/staff/accounts/openings", []string{"Excel 表格（.xlsx）", "逗号分隔文本（.csv）"}},
		{apptest.Staff(access.Fund), "/staff/statements", []string{"Excel 表格（.xlsx）", "逗号分隔文本（.csv，编码 UTF-8 或 GBK 均可）"}},
		{apptest.Staff(access.Welfare), "/staff/deaths/civil", []string{"Excel 表格 .xlsx", "逗号分隔文本 .csv"}},
		{apptest.EmployerA, "/employer/staff/import", []string{"Excel 表格（.xlsx）"}},
	}
	for _, p := range pages {
		body := env.LoginAs(t, p.who).Get(t, p.path).WantStatus(t, http.StatusOK).WantBody(t, p.want...).Body
		text := html.UnescapeString(anyTag.ReplaceAllString(scriptOrStyle.ReplaceAllString(body, " "), " "))
		if codes := formatCodes(text); len(codes) > 0 {
			t.Errorf("%s names file formats as codes: %v", p.path, codes)
		}
	}
}

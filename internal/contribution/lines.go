package contribution

import (
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"
)

// LinesPerPage is how many lines a bill page shows at once.
const LinesPerPage = 50

// LineFilter selects the lines of a bill an employer or clerk looks for:
// Q matches the person's name or what is visible of the masked ID number
// (its first and last digits, or the masked form as shown, e.g.
// 3401**********5849); Scheme keeps one scheme ("" keeps all).
type LineFilter struct {
	Q      string
	Scheme Scheme
}

// ParseScheme reads a scheme from a form or query value: "" is every
// scheme; anything not in Schemes is false.
func ParseScheme(s string) (Scheme, bool) {
	if s == "" {
		return "", true
	}
	for _, x := range Schemes {
		if string(x) == s {
			return x, true
		}
	}
	return "", false
}

// Match reports whether line l is selected. The line's ID number must
// already be masked (as Get returns it), so a search never reveals the
// hidden digits.
func (f LineFilter) Match(l *Line) bool {
	if f.Scheme != "" && l.Scheme != f.Scheme {
		return false
	}
	q := strings.ToUpper(strings.TrimSpace(f.Q))
	return q == "" || strings.Contains(l.PersonName, q) || strings.Contains(l.IDNumber, q)
}

// FilterLines returns the lines of b that f selects, in bill order.
func (b *Bill) FilterLines(f LineFilter) []Line {
	var out []Line
	for i := range b.Lines {
		if f.Match(&b.Lines[i]) {
			out = append(out, b.Lines[i])
		}
	}
	return out
}

// lineColumns are the header of the Excel download, in order.
var lineColumns = []string{"姓名", "身份证号", "险种", "申报基数（元）", "缴费基数（元）", "单位费率", "单位缴纳（元）",
	"个人费率", "个人缴纳（元）", "计算过程"}

// WriteLinesXLSX writes every line of b (loaded by Get) as an Excel
// workbook: a summary row, then one row per person and scheme, amounts as
// numbers in 元 with two decimals (written from their exact decimal text).
func WriteLinesXLSX(w io.Writer, b *Bill) error {
	f := excelize.NewFile()
	defer f.Close()
	const sh = "核定明细"
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return err
	}
	title := fmt.Sprintf("缴费核定单 %s　%s　费款所属期 %s　参保 %d 人　应缴合计 %s 元", b.BillNo, b.EmployerName, b.FeeMonth,
		b.Persons, b.Total)
	if err := f.SetCellStr(sh, "A1", title); err != nil {
		return err
	}
	head := make([]any, len(lineColumns))
	for i, c := range lineColumns {
		head[i] = c
	}
	if err := f.SetSheetRow(sh, "A2", &head); err != nil {
		return err
	}
	for i := range b.Lines {
		if err := writeLineRow(f, sh, i+3, &b.Lines[i]); err != nil {
			return err
		}
	}
	if err := styleLineSheet(f, sh, len(b.Lines)+2); err != nil {
		return err
	}
	return f.Write(w)
}

// writeLineRow writes one line at row n.
func writeLineRow(f *excelize.File, sh string, n int, l *Line) error {
	texts := map[string]string{"A": l.PersonName, "B": l.IDNumber, "C": l.SchemeName, "F": l.EmployerRate.String(),
		"H": l.IndividualRate.String(), "J": l.Explain}
	for col, v := range texts {
		if err := f.SetCellStr(sh, fmt.Sprintf("%s%d", col, n), v); err != nil {
			return err
		}
	}
	amounts := map[string]string{"D": l.DeclaredBase.Plain(), "E": l.Base.Plain(), "G": l.Employer.Plain(), "I": l.Individual.Plain()}
	for col, v := range amounts {
		if err := f.SetCellDefault(sh, fmt.Sprintf("%s%d", col, n), v); err != nil {
			return err
		}
	}
	return nil
}

// styleLineSheet sets column widths, a bold header and the 1,234.56
// number format on the amount columns down to row last.
func styleLineSheet(f *excelize.File, sh string, last int) error {
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	yuan, err := f.NewStyle(&excelize.Style{NumFmt: 4}) // #,##0.00
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(sh, "A2", "J2", bold); err != nil {
		return err
	}
	for _, col := range []string{"D", "E", "G", "I"} {
		if last > 2 {
			if err := f.SetCellStyle(sh, col+"3", fmt.Sprintf("%s%d", col, last), yuan); err != nil {
				return err
			}
		}
	}
	_ = f.SetColWidth(sh, "A", "C", 12)
	_ = f.SetColWidth(sh, "B", "B", 22)
	_ = f.SetColWidth(sh, "D", "I", 14)
	_ = f.SetColWidth(sh, "J", "J", 80)
	return nil
}

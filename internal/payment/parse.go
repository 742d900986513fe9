package payment

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/sheet"
)

// Line is one credit of a bank statement.
type Line struct {
	No           int    // line number in the file (1-based), or XLSX row
	Date         string // YYYY-MM-DD
	Serial       string // 交易流水号
	PayerName    string
	PayerAccount string
	Amount       money.Fen
	Remark       string
}

// LineError says what is wrong with one line of a statement.
type LineError struct {
	Line    int    `json:"line"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// parsed is a decoded statement.
type parsed struct {
	Format  string // csv-utf8 | csv-gbk | xlsx
	Lines   []Line
	Skipped int         // debit (outgoing) lines and totals
	Errors  []LineError // the first maxListedErrors
	// ErrorCount counts every error, listed or not.
	ErrorCount int
}

// Column header spellings Chinese banks use.
var headerAliases = map[string][]string{
	"date":    {"交易日期", "记账日期", "入账日期", "交易时间", "日期"},
	"serial":  {"交易流水号", "流水号", "银行流水号", "交易流水", "凭证号", "交易序号"},
	"name":    {"对方户名", "付款人名称", "付款方户名", "付款人户名", "对方名称", "付款人", "对方单位"},
	"account": {"对方账号", "付款人账号", "付款方账号", "对方账户", "付款账号"},
	"credit":  {"贷方金额", "收入金额", "贷方发生额", "收入", "转入金额", "贷方"},
	"debit":   {"借方金额", "支出金额", "借方发生额", "支出", "借方"},
	"remark":  {"附言", "摘要", "用途", "备注", "交易附言", "汇款附言"},
}

var columnLabels = map[string]string{"date": "交易日期", "serial": "交易流水号", "name": "对方户名",
	"account": "对方账号", "credit": "贷方金额", "debit": "借方金额", "remark": "附言"}

// MaxStatementBytes is the largest statement file accepted (32 MB).
const MaxStatementBytes = 32 << 20

// parseStatement decodes a CSV (UTF-8 with or without BOM, else GBK) or
// XLSX statement. today bounds the dates (no future credits). Rows are
// parsed as they are read; none is kept but the credits.
func parseStatement(data []byte, today string) (*parsed, error) {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return parseXLSX(data, today)
	}
	format := "csv-utf8"
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		dec, err := simplifiedchinese.GBK.NewDecoder().Bytes(data)
		if err != nil {
			return nil, unreadableMsg("文件既不是 UTF-8 也不是 GBK 编码的 CSV")
		}
		data, format = dec, "csv-gbk"
	}
	rp := newRowParser(format, today, false)
	c := sheet.NewCSV(data, statementLimits)
	for c.Next() {
		rp.row(c.Line(), c.Record())
	}
	if err := c.Err(); err != nil {
		return nil, unreadable(err)
	}
	return rp.done(), nil
}

// statementLimits bound a statement while it is read. An Excel statement
// is read about ten times slower than the same CSV, so its worksheet is
// held to the default 16 MB (about 40,000 lines); a CSV may fill the
// whole upload.
var statementLimits = sheet.Limits{MaxFileBytes: MaxStatementBytes, MaxRows: 200_000, MaxCols: 64, MaxCellBytes: 1024}

// xlsxLimits are the limits of an Excel statement.
var xlsxLimits = sheet.Limits{MaxRows: statementLimits.MaxRows, MaxCols: 64, MaxCellBytes: 1024}

// parseXLSX parses the first worksheet, row by row (row numbers as
// Excel shows them).
func parseXLSX(data []byte, today string) (*parsed, error) {
	book, err := sheet.Open(data, xlsxLimits)
	if err != nil {
		return nil, unreadable(err)
	}
	defer book.Close()
	names := book.Sheets()
	if len(names) == 0 {
		return nil, unreadableMsg("Excel 文件没有工作表")
	}
	r, err := book.Rows(names[0])
	if err != nil {
		return nil, unreadable(err)
	}
	defer r.Close()
	rp := newRowParser("xlsx", today, true)
	for r.Next() {
		rp.row(r.Row(), r.Cells())
	}
	if err := r.Err(); err != nil {
		return nil, unreadable(err)
	}
	return rp.done(), nil
}

// unreadableMsg is the Invalid error of a statement that cannot be read.
func unreadableMsg(msg string) error {
	return errs.New(errs.Invalid, "statement_unreadable", msg)
}

// unreadable passes on a problem the sheet reader found, pointing a
// too-large Excel statement to CSV, which is read with far less work.
func unreadable(err error) error {
	e := errs.As(err)
	switch {
	case e == nil || e.Kind != errs.Invalid:
		return errs.Wrap(err, "read statement")
	case e.Code == sheet.CodeTooLarge && strings.Contains(e.Message, "Excel"):
		return unreadableMsg(e.Message + "；行数较多的对账单请导出为 CSV 格式（32MB 以内）")
	}
	return unreadableMsg(e.Message)
}

// maxListedErrors is how many line errors a refused statement lists; the
// rest are only counted, so a file of bad lines cannot make the answer as
// big as the file.
const maxListedErrors = 200

// fail records line errors: counted all, listed up to maxListedErrors.
func (p *parsed) fail(e ...LineError) {
	p.ErrorCount += len(e)
	p.Errors = append(p.Errors, e[:min(len(e), max(0, maxListedErrors-len(p.Errors)))]...)
}

// headerRows is how many rows the header is looked for in.
const headerRows = 30

// rowParser finds the header among the first rows and then reads the
// credits, one row at a time. XLSX rows (short) may be shorter than the
// header (empty trailing cells).
type rowParser struct {
	p     *parsed
	today string
	short bool
	rows  int            // rows seen
	cols  map[string]int // header columns; nil until the header is found
	width int
	seen  map[string]int // serial -> line
}

func newRowParser(format, today string, short bool) *rowParser {
	return &rowParser{p: &parsed{Format: format}, today: today, short: short, seen: map[string]int{}}
}

// row takes the row on line no of the file.
func (rp *rowParser) row(no int, rec []string) {
	rp.rows++
	if rp.cols == nil {
		if rp.rows <= headerRows {
			rp.cols = headerColumns(rec)
			rp.width = len(rec)
		}
		return
	}
	p := rp.p
	if blank(rec) || strings.HasPrefix(strings.TrimSpace(rec[0]), "合计") || strings.HasPrefix(strings.TrimSpace(rec[0]), "总计") {
		return
	}
	if len(rec) > rp.width || (len(rec) < rp.width && !rp.short) {
		p.fail(LineError{Line: no, Column: "", Message: fmt.Sprintf("列数不符：应为 %d 列，实为 %d 列", rp.width, len(rec))})
		return
	}
	l, skip, errs := readLine(rec, rp.cols, no, rp.today)
	switch {
	case skip:
		p.Skipped++
	case len(errs) > 0:
		p.fail(errs...)
	case rp.seen[l.Serial] > 0:
		p.fail(LineError{Line: no, Column: "交易流水号", Message: fmt.Sprintf("流水号与第 %d 行重复", rp.seen[l.Serial])})
	default:
		rp.seen[l.Serial] = no
		p.Lines = append(p.Lines, l)
	}
}

// done ends the file: without a header it is one error on line 1.
func (rp *rowParser) done() *parsed {
	if rp.cols == nil {
		rp.p.fail(LineError{Line: 1, Column: "表头", Message: "未找到表头：需要交易日期、交易流水号、对方户名、贷方金额（或收入金额）等列"})
	}
	return rp.p
}

func headerColumns(rec []string) map[string]int {
	cols := map[string]int{}
	for i, h := range rec {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		h = strings.TrimSuffix(strings.TrimSuffix(h, "(元)"), "（元）")
		for key, names := range headerAliases {
			for _, n := range names {
				if h == n {
					if _, dup := cols[key]; !dup {
						cols[key] = i
					}
				}
			}
		}
	}
	for _, k := range []string{"date", "serial", "name", "credit"} {
		if _, ok := cols[k]; !ok {
			return nil
		}
	}
	return cols
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func cell(rec []string, cols map[string]int, key string) string {
	i, ok := cols[key]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// readLine reads one data row; skip is true for debit lines.
func readLine(rec []string, cols map[string]int, no int, today string) (Line, bool, []LineError) {
	var out []LineError
	bad := func(key, msg string) { out = append(out, LineError{Line: no, Column: columnLabels[key], Message: msg}) }
	l := Line{No: no, Serial: cell(rec, cols, "serial"), PayerName: cell(rec, cols, "name"),
		PayerAccount: cell(rec, cols, "account"), Remark: cell(rec, cols, "remark")}
	for _, key := range []string{"serial", "name", "account", "remark"} {
		if !cleanText(cell(rec, cols, key)) {
			bad(key, columnLabels[key]+"含有无法识别的字符或不可见的控制字符，请检查导出的文件")
		}
	}
	credit := cell(rec, cols, "credit")
	if credit == "" || credit == "-" {
		if d := cell(rec, cols, "debit"); d != "" && d != "0" && d != "0.00" {
			return l, true, nil
		}
		bad("credit", "贷方金额为空")
	} else if a, err := money.ParseYuan(credit); err != nil {
		bad("credit", "金额“"+credit+"”格式不正确：应为元，最多两位小数")
	} else if a < 0 {
		bad("credit", "贷方金额不能为负数")
	} else if a == 0 {
		if d := cell(rec, cols, "debit"); d != "" && d != "0" && d != "0.00" {
			return l, true, nil
		}
		bad("credit", "贷方金额为零")
	} else {
		l.Amount = a
	}
	if d, ok := parseDay(cell(rec, cols, "date")); !ok {
		bad("date", "交易日期“"+cell(rec, cols, "date")+"”无法识别，应为 2024-03-15 之类")
	} else if d > today {
		bad("date", "交易日期 "+d+" 晚于今天")
	} else {
		l.Date = d
	}
	if l.Serial == "" {
		bad("serial", "交易流水号为空")
	}
	if l.PayerName == "" {
		bad("name", "对方户名为空")
	}
	return l, false, out
}

// cleanText reports whether a cell is valid UTF-8 without control
// characters (which PostgreSQL refuses to store and a page cannot show).
func cleanText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) {
			return false
		}
	}
	return true
}

// parseDay reads the date spellings bank exports use.
func parseDay(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if f := strings.Fields(s); len(f) > 0 {
		s = f[0]
	}
	for _, layout := range []string{"2006-01-02", "2006/01/02", "20060102", "2006年1月2日", "2006-1-2", "2006/1/2", "2006.01.02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	if n, err := strconv.ParseFloat(s, 64); err == nil && n > 20000 && n < 80000 {
		if t, err := excelize.ExcelDateToTime(n, false); err == nil {
			return t.Format("2006-01-02"), true
		}
	}
	return "", false
}

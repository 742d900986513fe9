package payment

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"shebao/internal/money"
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
	Skipped int // debit (outgoing) lines and totals
	Errors  []LineError
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

// maxStatementBytes bounds an uploaded statement.
const maxStatementBytes = 32 << 20

// parseStatement decodes a CSV (UTF-8 with or without BOM, else GBK) or
// XLSX statement. today bounds the dates (no future credits).
func parseStatement(data []byte, today string) (*parsed, error) {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		rows, err := xlsxRows(data)
		if err != nil {
			return nil, err
		}
		return parseRows("xlsx", rows, today, true), nil
	}
	format := "csv-utf8"
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		dec, err := simplifiedchinese.GBK.NewDecoder().Bytes(data)
		if err != nil {
			return nil, fmt.Errorf("文件既不是 UTF-8 也不是 GBK 编码的 CSV")
		}
		data, format = dec, "csv-gbk"
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var rows [][]string
	var lines []int
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("CSV 无法读取：%v", err)
		}
		l, _ := r.FieldPos(0)
		rows = append(rows, rec)
		lines = append(lines, l)
	}
	p := parseRows(format, rows, today, false)
	for i := range p.Lines {
		p.Lines[i].No = lines[p.Lines[i].No-1]
	}
	for i := range p.Errors {
		if p.Errors[i].Line > 0 && p.Errors[i].Line <= len(lines) {
			p.Errors[i].Line = lines[p.Errors[i].Line-1]
		}
	}
	return p, nil
}

func xlsxRows(data []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("不是有效的 Excel（xlsx）文件")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, fmt.Errorf("Excel 文件没有工作表")
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		return nil, fmt.Errorf("Excel 工作表无法读取")
	}
	return rows, nil
}

// parseRows finds the header among the first rows and reads the credits.
// Row numbers are 1-based indexes into rows. XLSX rows may be shorter
// than the header (empty trailing cells).
func parseRows(format string, rows [][]string, today string, short bool) *parsed {
	p := &parsed{Format: format}
	hdr, cols := -1, map[string]int{}
	for i := 0; i < len(rows) && i < 30 && hdr < 0; i++ {
		if c := headerColumns(rows[i]); c != nil {
			hdr, cols = i, c
		}
	}
	if hdr < 0 {
		p.Errors = append(p.Errors, LineError{Line: 1, Column: "表头", Message: "未找到表头：需要交易日期、交易流水号、对方户名、贷方金额（或收入金额）等列"})
		return p
	}
	width := len(rows[hdr])
	seen := map[string]int{}
	for i := hdr + 1; i < len(rows); i++ {
		rec, no := rows[i], i+1
		if blank(rec) || strings.HasPrefix(strings.TrimSpace(rec[0]), "合计") || strings.HasPrefix(strings.TrimSpace(rec[0]), "总计") {
			continue
		}
		if len(rec) > width || (len(rec) < width && !short) {
			p.Errors = append(p.Errors, LineError{Line: no, Column: "", Message: fmt.Sprintf("列数不符：应为 %d 列，实为 %d 列", width, len(rec))})
			continue
		}
		l, skip, errs := readLine(rec, cols, no, today)
		if skip {
			p.Skipped++
			continue
		}
		if len(errs) > 0 {
			p.Errors = append(p.Errors, errs...)
			continue
		}
		if prev, dup := seen[l.Serial]; dup {
			p.Errors = append(p.Errors, LineError{Line: no, Column: "交易流水号", Message: fmt.Sprintf("流水号与第 %d 行重复", prev)})
			continue
		}
		seen[l.Serial] = no
		p.Lines = append(p.Lines, l)
	}
	return p
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

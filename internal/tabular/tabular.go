// Package tabular is what Shebao's row-by-row file imports share: a
// template's columns with Chinese headers, reading an uploaded Excel
// (.xlsx) or CSV file into rows keyed by column (the header row finds the
// columns, whatever their order), the row-and-column problems of an
// all-or-nothing import, and the downloadable template and result report.
// Each import keeps its own validation and its own transaction.
package tabular

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"shebao/internal/errs"
	"shebao/internal/sheet"
)

// Column is one column of a template: its key in code and its header.
type Column struct{ Key, Header string }

// Columns are a template's columns in order.
type Columns []Column

// Label names the column of a key for people, e.g. "B 列（公民身份号码）";
// "" for an unknown key.
func (cs Columns) Label(key string) string {
	for i, c := range cs {
		if c.Key == key {
			name, _ := excelize.ColumnNumberToName(i + 1)
			return name + " 列（" + c.Header + "）"
		}
	}
	return ""
}

// Headers are the header cells in order.
func (cs Columns) Headers() []any {
	out := make([]any, len(cs))
	for i, c := range cs {
		out[i] = c.Header
	}
	return out
}

// Row is one data row of an uploaded file.
type Row struct {
	Row   int               // row (or CSV line) number in the file; the header is 1
	Cells map[string]string // trimmed, by column key
}

// Problem is one thing wrong (or worth telling) about a row of a file.
type Problem struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Message string `json:"message"`
}

// FileError is an Invalid error on the upload field "file".
func FileError(msg string) error {
	var f errs.Fields
	f.Add("file", msg)
	return f.Err()
}

// Limits bound one kind of upload.
type Limits struct {
	MaxBytes int    // the file itself
	MaxRows  int    // data rows (empty rows are skipped and not counted)
	Sheet    string // the worksheet holding the rows; the first one when absent
	XLSXOnly bool   // refuse CSV files
}

// Read reads an uploaded .xlsx or CSV (UTF-8, with or without BOM, or GBK)
// file into its non-empty data rows. Size, format, a wrong header and an
// empty file are Invalid errors on field "file" saying what to do.
func Read(data []byte, cols Columns, lim Limits) ([]Row, error) {
	switch {
	case len(data) == 0:
		return nil, FileError("上传的文件是空的，请选择填写好的模板文件")
	case len(data) > lim.MaxBytes:
		return nil, FileError(fmt.Sprintf("文件过大（%.1f MB），请不超过 %d MB；数据较多时请分成几个文件导入",
			float64(len(data))/(1<<20), lim.MaxBytes>>20))
	}
	var src source
	isZip := bytes.HasPrefix(data, []byte("PK\x03\x04"))
	if lim.XLSXOnly && !isZip {
		return nil, FileError("文件不是有效的 Excel（.xlsx）文件，请下载模板填写后上传（不支持 .xls、.csv 或改了扩展名的文件）")
	}
	if isZip {
		x, err := openXLSX(data, lim.Sheet, lim)
		if err != nil {
			return nil, err
		}
		defer x.close()
		src = x
	} else {
		c, err := openCSV(data, lim)
		if err != nil {
			return nil, err
		}
		src = c
	}
	return scan(src, cols, lim.MaxRows)
}

// source yields the rows of a file: its number and cells.
type source interface {
	next() (row int, cells []string, ok bool, err error)
}

// scan reads the header and the data rows.
func scan(src source, cols Columns, maxRows int) ([]Row, error) {
	var index map[string]int
	var out []Row
	for {
		n, cells, ok, err := src.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if index == nil {
			if index, err = headerIndex(cells, cols); err != nil {
				return nil, err
			}
			continue
		}
		r := Row{Row: n, Cells: make(map[string]string, len(cols))}
		empty := true
		for key, i := range index {
			if i < len(cells) {
				v := strings.TrimSpace(cells[i])
				r.Cells[key] = v
				empty = empty && v == ""
			}
		}
		if empty {
			continue
		}
		if len(out) >= maxRows {
			return nil, FileError(fmt.Sprintf("数据超过 %d 行，请分成几个文件导入", maxRows))
		}
		out = append(out, r)
	}
	if index == nil {
		return nil, FileError("文件是空的：没有表头和数据，请使用模板填写")
	}
	if len(out) == 0 {
		return nil, FileError("文件中没有数据行，请从第2行起填写")
	}
	return out, nil
}

// normHeader folds full-width brackets, spaces and required-marks so that
// 缴费基数(元) and 缴费基数（元） match.
func normHeader(s string) string {
	return strings.NewReplacer(" ", "", "\u3000", "", "(", "（", ")", "）", "*", "", "\ufeff", "").Replace(strings.TrimSpace(s))
}

// headerIndex maps column keys to positions, refusing a wrong template.
func headerIndex(cells []string, cols Columns) (map[string]int, error) {
	seen := map[string]int{}
	for i, c := range cells {
		seen[normHeader(c)] = i
	}
	index := map[string]int{}
	var missing []string
	for _, c := range cols {
		i, ok := seen[normHeader(c.Header)]
		if !ok {
			missing = append(missing, "“"+c.Header+"”")
			continue
		}
		index[c.Key] = i
	}
	if len(missing) > 0 {
		return nil, FileError("模板不正确：第1行缺少列 " + strings.Join(missing, "、") + "。请下载最新模板，勿修改表头")
	}
	return index, nil
}

// sheetLimits are what sheet checks while reading a file of lim: the
// data rows plus room for blank rows (empty rows count: half as many
// again, at least 1,000), up to 64 columns of at most 1 KB, a worksheet
// of up to 40 MB unzipped.
func sheetLimits(lim Limits) sheet.Limits {
	return sheet.Limits{MaxFileBytes: int64(lim.MaxBytes), MaxSheetBytes: 40 << 20, MaxTotalBytes: 48 << 20,
		MaxRows: lim.MaxRows + max(lim.MaxRows/2, 1000) + 1, MaxCols: 64, MaxCellBytes: 1024}
}

// sheetError puts a problem sheet found on the upload field.
func sheetError(err error) error {
	if e := errs.As(err); e != nil && e.Kind == errs.Invalid {
		return FileError(e.Message)
	}
	return errs.Wrap(err, "read upload")
}

// xlsxSource streams the rows of one worksheet.
type xlsxSource struct {
	book *sheet.Book
	rows *sheet.Rows
}

// openXLSX opens a workbook through sheet, which bounds what it unpacks.
func openXLSX(data []byte, name string, lim Limits) (*xlsxSource, error) {
	book, err := sheet.Open(data, sheetLimits(lim))
	if err != nil {
		return nil, sheetError(err)
	}
	if name == "" || !book.Has(name) {
		name = book.Sheets()[0]
	}
	rows, err := book.Rows(name)
	if err != nil {
		book.Close()
		return nil, sheetError(err)
	}
	return &xlsxSource{book: book, rows: rows}, nil
}

func (x *xlsxSource) next() (int, []string, bool, error) {
	if !x.rows.Next() {
		if err := x.rows.Err(); err != nil {
			return 0, nil, false, sheetError(err)
		}
		return 0, nil, false, nil
	}
	return x.rows.Row(), x.rows.Cells(), true, nil
}

func (x *xlsxSource) close() {
	x.rows.Close()
	x.book.Close()
}

// csvSource reads the records of a CSV file.
type csvSource struct{ c *sheet.CSV }

func openCSV(data []byte, lim Limits) (*csvSource, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		dec, err := simplifiedchinese.GBK.NewDecoder().Bytes(data)
		if err != nil {
			return nil, FileError("文件既不是 Excel 表格（.xlsx），也不是编码为 UTF-8 或 GBK 的逗号分隔文本（.csv），请下载模板填写后上传")
		}
		data = dec
	}
	return &csvSource{c: sheet.NewCSV(data, sheetLimits(lim))}, nil
}

func (c *csvSource) next() (int, []string, bool, error) {
	if !c.c.Next() {
		if err := c.c.Err(); err != nil {
			return 0, nil, false, sheetError(err)
		}
		return 0, nil, false, nil
	}
	return c.c.Line(), c.c.Record(), true, nil
}

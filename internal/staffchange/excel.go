package staffchange

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"shebao/internal/errs"
	"shebao/internal/ident"
)

// MaxFileSize is the largest staff Excel file accepted (5 MB).
const MaxFileSize = 5 << 20

// MaxRows is the largest number of data rows in one import.
const MaxRows = 20000

// DataSheet is the sheet of the template that holds the rows.
const DataSheet = "人员增减"

// Column keys of the template, in order.
const (
	colKind   = "kind"
	colID     = "id_number"
	colName   = "name"
	colStart  = "start_month"
	colWage   = "wage"
	colPhone  = "phone"
	colEnd    = "end_month"
	colReason = "reason"
)

// columns are the template's columns: key and Chinese header.
var columns = []struct{ Key, Header string }{
	{colKind, "变动类型"}, {colID, "公民身份号码"}, {colName, "姓名"}, {colStart, "参保起始月份"},
	{colWage, "月工资（元）"}, {colPhone, "手机号码"}, {colEnd, "终止月份"}, {colReason, "减员原因"},
}

// columnLabel returns e.g. "B 列（公民身份号码）" for a field key.
func columnLabel(key string) string {
	for i, c := range columns {
		if c.Key == key {
			name, _ := excelize.ColumnNumberToName(i + 1)
			return name + " 列（" + c.Header + "）"
		}
	}
	return ""
}

// normHeader folds full-width brackets and spaces so that 月工资(元) and
// 月工资（元） match.
func normHeader(s string) string {
	return strings.NewReplacer(" ", "", "\u3000", "", "(", "（", ")", "）", "*", "").Replace(strings.TrimSpace(s))
}

// Template writes the staff change template: the data sheet with Chinese
// headers (text-formatted so ID numbers and months keep their digits) and
// an instructions sheet with an example row.
func Template(w io.Writer, today time.Time) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", DataSheet); err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, NumFmt: 49,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}})
	if err != nil {
		return err
	}
	hs := make([]any, len(columns))
	for i, c := range columns {
		hs[i] = c.Header
	}
	if err := f.SetSheetRow(DataSheet, "A1", &hs); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(columns))
	if err := f.SetColStyle(DataSheet, "A:"+last, text); err != nil {
		return err
	}
	if err := f.SetCellStyle(DataSheet, "A1", last+"1", head); err != nil {
		return err
	}
	_ = f.SetColWidth(DataSheet, "A", last, 16)
	_ = f.SetColWidth(DataSheet, "B", "B", 22)
	if err := instructions(f, today); err != nil {
		return err
	}
	return f.Write(w)
}

// instructions adds the 填写说明 sheet.
func instructions(f *excelize.File, today time.Time) error {
	const sh = "填写说明"
	if _, err := f.NewSheet(sh); err != nil {
		return err
	}
	month := today.Format("2006-01")
	example := ident.MakeID("110105", time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC), 123, true)
	lines := [][]any{
		{"人员增减导入模板 填写说明"},
		{"1. 在“" + DataSheet + "”工作表第2行起逐行填写，每行一人；请勿修改、删除或调换表头。"},
		{"2. 变动类型填“增员”或“减员”。"},
		{"3. 增员必填：公民身份号码（18位）、姓名、参保起始月份（YYYY-MM，最晚为下月）、月工资（元，最多两位小数）；手机号码选填。"},
		{"4. 减员必填：公民身份号码、姓名、终止月份（最后一个参保月，YYYY-MM）、减员原因（离职、退休、死亡、转出、其他）。"},
		{"5. 缴费基数按当月上下限（全口径城镇单位就业人员平均工资的 60%–300%）核定，低于下限按下限、高于上限按上限。"},
		{"6. 导入时逐行校验，任何一行有误则整个文件不导入，请按结果修改后重新上传；同一文件不会重复导入。"},
		{fmt.Sprintf("7. 文件大小不超过 %d MB，最多 %d 行。", MaxFileSize>>20, MaxRows)},
		{},
		{"示例（请勿复制本行到数据表）："},
	}
	for i, l := range lines {
		if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", i+1), &l); err != nil {
			return err
		}
	}
	hs := make([]any, len(columns))
	for i, c := range columns {
		hs[i] = c.Header
	}
	n := len(lines)
	if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", n+1), &hs); err != nil {
		return err
	}
	ex := []any{"增员", example, "张三", month, "8000.00", "13800138000", "", ""}
	if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", n+2), &ex); err != nil {
		return err
	}
	ex2 := []any{"减员", example, "张三", "", "", "", month, "离职"}
	if err := f.SetSheetRow(sh, fmt.Sprintf("A%d", n+3), &ex2); err != nil {
		return err
	}
	_ = f.SetColWidth(sh, "A", "A", 14)
	_ = f.SetColWidth(sh, "B", "B", 22)
	return nil
}

// sheetRow is one data row of an uploaded file.
type sheetRow struct {
	Row   int               // Excel row number (header is 1)
	Cells map[string]string // by column key
}

// fileError is an Invalid error on the upload field.
func fileError(msg string) error {
	var f errs.Fields
	f.Add("file", msg)
	return f.Err()
}

// readRows opens an uploaded file and returns its data rows. Size, format,
// template and emptiness problems are Invalid errors on field "file".
func readRows(data []byte) ([]sheetRow, error) {
	switch {
	case len(data) == 0:
		return nil, fileError("上传的文件是空的，请选择填写好的模板文件")
	case len(data) > MaxFileSize:
		return nil, fileError(fmt.Sprintf("文件过大（%.1f MB），请不超过 %d MB；人数较多时请分成几个文件导入", float64(len(data))/(1<<20), MaxFileSize>>20))
	case !bytes.HasPrefix(data, []byte("PK\x03\x04")):
		return nil, fileError("文件不是有效的 Excel（.xlsx）文件，请下载模板填写后上传（不支持 .xls、.csv 或改了扩展名的文件）")
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, fileError("文件不是有效的 Excel（.xlsx）文件或已损坏，请下载模板填写后上传")
	}
	defer f.Close()
	sheet := DataSheet
	if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
		sheet = f.GetSheetName(0)
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, fileError("无法读取工作表“" + sheet + "”，请使用模板文件")
	}
	defer rows.Close()
	return scanSheet(rows)
}

// scanSheet reads the header and the data rows.
func scanSheet(rows *excelize.Rows) ([]sheetRow, error) {
	var index map[string]int
	var out []sheetRow
	n := 0
	for rows.Next() {
		n++
		cells, err := rows.Columns()
		if err != nil {
			return nil, fileError("文件第 " + fmt.Sprint(n) + " 行无法读取，请检查文件")
		}
		if index == nil {
			if index, err = headerIndex(cells); err != nil {
				return nil, err
			}
			continue
		}
		r := sheetRow{Row: n, Cells: make(map[string]string, len(columns))}
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
		if len(out) >= MaxRows {
			return nil, fileError(fmt.Sprintf("数据超过 %d 行，请分成几个文件导入", MaxRows))
		}
		out = append(out, r)
	}
	if index == nil {
		return nil, fileError("文件是空的：没有表头和数据，请使用模板填写")
	}
	if len(out) == 0 {
		return nil, fileError("文件中没有数据行，请从第2行起填写人员信息")
	}
	return out, nil
}

// headerIndex maps column keys to positions, refusing a wrong template.
func headerIndex(cells []string) (map[string]int, error) {
	seen := map[string]int{}
	for i, c := range cells {
		seen[normHeader(c)] = i
	}
	index := map[string]int{}
	var missing []string
	for _, c := range columns {
		i, ok := seen[normHeader(c.Header)]
		if !ok {
			missing = append(missing, "“"+c.Header+"”")
			continue
		}
		index[c.Key] = i
	}
	if len(missing) > 0 {
		return nil, fileError("模板不正确：第1行缺少列 " + strings.Join(missing, "、") + "。请下载最新模板，勿修改表头")
	}
	return index, nil
}

// WriteReport writes an import's problems and notes as an Excel file.
func WriteReport(w io.Writer, rep *ImportReport) error {
	f := excelize.NewFile()
	defer f.Close()
	const sh = "导入结果"
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(sh)
	if err != nil {
		return err
	}
	_ = sw.SetColWidth(2, 2, 24)
	_ = sw.SetColWidth(3, 3, 80)
	title := "导入成功：增员 " + fmt.Sprint(rep.Added) + " 人，减员 " + fmt.Sprint(rep.Removed) + " 人"
	if !rep.Applied() {
		title = "导入未成功：共 " + fmt.Sprint(len(rep.Problems)) + " 处错误，未写入任何数据，请修改后重新上传"
	}
	rowNo := 1
	add := func(vals ...any) error {
		cell, _ := excelize.CoordinatesToCellName(1, rowNo)
		rowNo++
		return sw.SetRow(cell, vals)
	}
	if err := add(title); err != nil {
		return err
	}
	if err := add("文件", rep.FileName); err != nil {
		return err
	}
	if err := add("行号", "列", "说明"); err != nil {
		return err
	}
	for _, p := range rep.Problems {
		if err := add(p.Row, p.Column, p.Message); err != nil {
			return err
		}
	}
	for _, p := range rep.Notes {
		if err := add(p.Row, p.Column, "提示："+p.Message); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

package staffchange

import (
	"fmt"
	"io"
	"time"

	"shebao/internal/ident"
	"shebao/internal/tabular"
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
var columns = tabular.Columns{
	{Key: colKind, Header: "变动类型"}, {Key: colID, Header: "公民身份号码"}, {Key: colName, Header: "姓名"},
	{Key: colStart, Header: "参保起始月份"}, {Key: colWage, Header: "月工资（元）"}, {Key: colPhone, Header: "手机号码"},
	{Key: colEnd, Header: "终止月份"}, {Key: colReason, Header: "减员原因"},
}

// columnLabel returns e.g. "B 列（公民身份号码）" for a field key.
func columnLabel(key string) string { return columns.Label(key) }

// Template writes the staff change template: the data sheet with Chinese
// headers (text-formatted so ID numbers and months keep their digits) and
// an instructions sheet with an example row.
func Template(w io.Writer, today time.Time) error {
	month := today.Format("2006-01")
	example := ident.MakeID("110105", time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC), 123, true)
	return tabular.Template{Sheet: DataSheet, Columns: columns, Widths: map[string]float64{"B": 22},
		Notes: []string{
			"人员增减导入模板 填写说明",
			"1. 在“" + DataSheet + "”工作表第2行起逐行填写，每行一人；请勿修改、删除或调换表头。",
			"2. 变动类型填“增员”或“减员”。",
			"3. 增员必填：公民身份号码（18位）、姓名、参保起始月份（YYYY-MM，最晚为下月）、月工资（元，最多两位小数）；手机号码选填。",
			"4. 减员必填：公民身份号码、姓名、终止月份（最后一个参保月，YYYY-MM）、减员原因（离职、退休、死亡、转出、其他）。",
			"5. 缴费基数按当月上下限（全口径城镇单位就业人员平均工资的 60%–300%）核定，低于下限按下限、高于上限按上限。",
			"6. 导入时逐行校验，任何一行有误则整个文件不导入，请按结果修改后重新上传；同一文件不会重复导入。",
			fmt.Sprintf("7. 文件大小不超过 %d MB，最多 %d 行。", MaxFileSize>>20, MaxRows),
		},
		Example: [][]any{
			{"增员", example, "张三", month, "8000.00", "13800138000", "", ""},
			{"减员", example, "张三", "", "", "", month, "离职"},
		},
	}.Write(w)
}

// sheetRow is one data row of an uploaded file.
type sheetRow = tabular.Row

// readRows reads an uploaded staff workbook's data rows. Size, format,
// template and emptiness problems are Invalid errors on field "file".
func readRows(data []byte) ([]sheetRow, error) {
	return tabular.Read(data, columns, tabular.Limits{MaxBytes: MaxFileSize, MaxRows: MaxRows, Sheet: DataSheet, XLSXOnly: true})
}

// WriteReport writes an import's problems and notes as an Excel file.
func WriteReport(w io.Writer, rep *ImportReport) error {
	title := "导入成功：增员 " + fmt.Sprint(rep.Added) + " 人，减员 " + fmt.Sprint(rep.Removed) + " 人"
	if !rep.Applied() {
		title = "导入未成功：共 " + fmt.Sprint(len(rep.Problems)) + " 处错误，未写入任何数据，请修改后重新上传"
	}
	return tabular.Report{Title: title, FileName: rep.FileName, Problems: rep.Problems, Notes: rep.Notes}.Write(w)
}

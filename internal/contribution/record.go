package contribution

import (
	"fmt"
	"strings"
	"time"

	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/tabular"
)

// Record is one historical contribution record (历史缴费记录): a month and
// scheme paid before Shebao, imported from the previous system. Records
// are kept apart from assessed bills and shown with them in one history.
type Record struct {
	PersonID   int64     `json:"person_id"`
	Month      string    `json:"fee_month"`
	Scheme     Scheme    `json:"scheme"`
	PayerKind  string    `json:"payer_kind"` // employer | flexible
	EmployerID int64     `json:"employer_id,omitempty"`
	PayerName  string    `json:"payer_name"`
	Base       money.Fen `json:"base_fen"`
	Employer   money.Fen `json:"employer_fen"`
	Individual money.Fen `json:"individual_fen"`
	Paid       bool      `json:"paid"`
}

// Record sources.
const (
	SourceImport = "import" // 统筹科's import of the previous system's file
	SourceDemo   = "demo"   // made by the demo generator
)

// Import limits of a record file.
const (
	RecordMaxBytes = 10 << 20
	RecordMaxRows  = 60_000
	// RecordsSheet is the template's data sheet.
	RecordsSheet = "历史缴费记录"
	// FirstRecordMonth is the earliest month a record may have: the
	// contributory pension began in the 1990s; earlier service counts as
	// deemed years, which are not contributions.
	FirstRecordMonth = "1986-01"
)

// Column keys of the record template.
const (
	rcID       = "id_number"
	rcName     = "name"
	rcMonth    = "month"
	rcScheme   = "scheme"
	rcKind     = "kind"
	rcPayer    = "payer"
	rcEmpNo    = "employer_no"
	rcBase     = "base"
	rcEmployer = "employer"
	rcIndiv    = "individual"
	rcPaid     = "paid"
)

// RecordColumns are the record template's columns.
var RecordColumns = tabular.Columns{
	{Key: rcID, Header: "公民身份号码"}, {Key: rcName, Header: "姓名"}, {Key: rcMonth, Header: "费款所属期"},
	{Key: rcScheme, Header: "险种"}, {Key: rcKind, Header: "缴费类型"}, {Key: rcPayer, Header: "缴费单位名称"},
	{Key: rcEmpNo, Header: "单位社保编号"}, {Key: rcBase, Header: "缴费基数（元）"},
	{Key: rcEmployer, Header: "单位缴费（元）"}, {Key: rcIndiv, Header: "个人缴费（元）"}, {Key: rcPaid, Header: "是否到账"},
}

var schemeByName = map[string]Scheme{"养老": Pension, "养老保险": Pension, "基本养老保险": Pension,
	"失业": Unemployment, "失业保险": Unemployment, "工伤": Injury, "工伤保险": Injury}

var kindByName = map[string]string{"单位": "employer", "单位缴费": "employer", "职工": "employer",
	"灵活就业": "flexible", "灵活就业人员": "flexible", "个体": "flexible"}

var paidByName = map[string]bool{"是": true, "已到账": true, "到账": true, "否": false, "未到账": false, "欠费": false}

// RecordTemplate is the import template with its instructions.
func RecordTemplate(today time.Time) tabular.Template {
	example := ident.MakeID("110105", time.Date(1968, 3, 9, 0, 0, 0, 0, time.UTC), 211, true)
	return tabular.Template{Sheet: RecordsSheet, Columns: RecordColumns,
		Widths: map[string]float64{"A": 22, "F": 30},
		Notes: []string{
			"历史缴费记录导入模板 填写说明（统筹科）",
			"1. 用于导入本系统启用前的缴费记录（原系统导出）。在“" + RecordsSheet + "”工作表第2行起逐行填写，每人每月每个险种一行；请勿修改表头。也可上传同样表头的逗号分隔文本（.csv，编码 UTF-8 或 GBK）。",
			"2. 公民身份号码、姓名须与本系统参保人一致；参保人须已在本系统登记。",
			"3. 费款所属期填 YYYY-MM，最早 " + FirstRecordMonth + "，最晚为上月；本系统已核定的月份和险种不能导入。",
			"4. 险种填“养老”“失业”或“工伤”；缴费类型填“单位”或“灵活就业”。单位缴费须填缴费单位名称；单位已在本系统登记的，可填单位社保编号。灵活就业只有养老险种，单位缴费填 0。",
			"5. 金额以元为单位，最多两位小数：缴费基数须大于 0；工伤保险个人缴费为 0。是否到账填“是”或“否”。",
			"6. 导入时逐行校验，任何一行有误则整个文件不导入，请按导入结果修改后重新上传；同一文件不会重复导入。",
			fmt.Sprintf("7. 文件不超过 %d MB，最多 %d 行。", RecordMaxBytes>>20, RecordMaxRows),
		},
		Example: [][]any{
			{example, "张三", "2003-07", "养老", "单位", "北京市朝阳区第二机床厂", "", "1200.00", "240.00", "96.00", "是"},
			{example, "张三", "2003-07", "失业", "单位", "北京市朝阳区第二机床厂", "", "1200.00", "18.00", "6.00", "是"},
			{example, "张三", today.AddDate(-10, 0, 0).Format("2006-01"), "养老", "灵活就业", "", "", "4000.00", "0", "800.00", "否"},
		},
	}
}

// recordRow is a checked data row.
type recordRow struct {
	tabular.Row
	idNumber, name, employerNo string
	rec                        Record
}

// parseRecordRow checks one row on its own; problems go to rep.
func parseRecordRow(r tabular.Row, today time.Time, rep *RecordImport) recordRow {
	c := r.Cells
	out := recordRow{Row: r, name: c[rcName], employerNo: c[rcEmpNo]}
	bad := func(key, msg string) { rep.problem(r.Row, key, msg) }
	if id, err := ident.ParseIDOn(strings.ToUpper(c[rcID]), today); err != nil || len(id.Number) != 18 {
		bad(rcID, "公民身份号码不正确，请填写18位号码（末位X大写）")
	} else {
		out.idNumber = id.Number
	}
	if out.name == "" {
		bad(rcName, "请填写姓名")
	}
	last := today.AddDate(0, -1, 0).Format("2006-01")
	if m, err := time.Parse("2006-01", c[rcMonth]); err != nil || len(c[rcMonth]) != 7 {
		bad(rcMonth, "费款所属期格式应为 YYYY-MM，如 2003-07")
	} else if out.rec.Month = m.Format("2006-01"); out.rec.Month < FirstRecordMonth || out.rec.Month > last {
		bad(rcMonth, "费款所属期应在 "+FirstRecordMonth+" 至 "+last+" 之间")
	}
	var ok bool
	if out.rec.Scheme, ok = schemeByName[c[rcScheme]]; !ok {
		bad(rcScheme, "险种应为“养老”“失业”或“工伤”")
	}
	if out.rec.PayerKind, ok = kindByName[c[rcKind]]; !ok {
		bad(rcKind, "缴费类型应为“单位”或“灵活就业”")
	}
	out.rec.PayerName = c[rcPayer]
	switch out.rec.PayerKind {
	case "employer":
		if out.rec.PayerName == "" && out.employerNo == "" {
			bad(rcPayer, "单位缴费请填写缴费单位名称")
		}
	case "flexible":
		out.rec.PayerName, out.employerNo = "", ""
		if out.rec.Scheme != "" && out.rec.Scheme != Pension {
			bad(rcScheme, "灵活就业人员只有养老保险，请填“养老”")
		}
	}
	out.rec.Base = amount(c[rcBase], true, func(m string) { bad(rcBase, m) })
	out.rec.Employer = amount(c[rcEmployer], false, func(m string) { bad(rcEmployer, m) })
	out.rec.Individual = amount(c[rcIndiv], false, func(m string) { bad(rcIndiv, m) })
	if out.rec.PayerKind == "flexible" && out.rec.Employer != 0 {
		bad(rcEmployer, "灵活就业人员没有单位缴费，请填 0")
	}
	if out.rec.Scheme == Injury && out.rec.Individual != 0 {
		bad(rcIndiv, "工伤保险个人不缴费，请填 0")
	}
	if out.rec.Paid, ok = paidByName[c[rcPaid]]; !ok {
		bad(rcPaid, "是否到账应填“是”或“否”")
	}
	return out
}

// amount parses a yuan cell; positive says it must be above zero.
func amount(s string, positive bool, bad func(string)) money.Fen {
	v, err := money.ParseYuan(strings.ReplaceAll(s, ",", ""))
	switch {
	case strings.TrimSpace(s) == "":
		bad("请填写金额（元），没有的填 0")
	case err != nil:
		bad("金额格式不正确：应为元，最多两位小数")
	case v < 0 || positive && v == 0:
		bad(map[bool]string{true: "缴费基数必须大于 0", false: "金额不能为负数"}[positive])
	}
	return v
}

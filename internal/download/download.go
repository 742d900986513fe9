// Package download lists what each kind of user can download (常用下载)
// and generates the paper forms the agency still accepts by mail or email
// as Excel workbooks, with the fields the form's online twin asks for (or,
// where there is none yet, the fields of the paper form).
package download

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"shebao/internal/access"
)

// Audience is a kind of user.
type Audience string

// Audiences.
const (
	Employer Audience = "employer" // 用人单位
	Person   Audience = "person"   // 个人（含灵活就业人员、个体工商户）
	Partner  Audience = "partner"  // 医院、银行
)

// Audiences lists them in display order.
var Audiences = []Audience{Employer, Person, Partner}

var audienceNames = map[Audience]string{Employer: "用人单位", Person: "个人（含灵活就业人员、个体工商户）", Partner: "定点医院、代发银行"}

// Name is the Chinese label.
func (a Audience) Name() string { return audienceNames[a] }

// Valid reports whether a is known.
func (a Audience) Valid() bool { _, ok := audienceNames[a]; return ok }

// Field is one line of a form.
type Field struct {
	Label string
	Hint  string // how to fill it in
}

// Form is a paper form generated as an Excel workbook.
type Form struct {
	Key       string // file name without extension, also the URL
	Title     string // e.g. 工伤事故报告表
	Section   access.Section
	Audiences []Audience
	Purpose   string // one sentence: when it is used
	Submit    string // how to hand it in without a visit
	Online    string // the online twin's path, "" if none yet
	Fields    []Field
}

// FileName is the download's file name.
func (f *Form) FileName() string { return f.Title + ".xlsx" }

// For reports whether the form is for audience a.
func (f *Form) For(a Audience) bool {
	for _, x := range f.Audiences {
		if x == a {
			return true
		}
	}
	return false
}

// Link is a download that is not a generated form (e.g. the staff import
// template, which its own page generates).
type Link struct {
	Title, Path, Note string
	Audience          Audience
}

// Links are the other downloads.
var Links = []Link{
	{Title: "人员增减导入模板（Excel）", Path: "/employer/staff/template.xlsx", Audience: Employer,
		Note: "登录单位网上服务后下载；批量办理人员新增、减少时填写后导入。"},
	{Title: "接口说明（网页版）", Path: "/help/api", Audience: Partner,
		Note: "各接口的用途、调用方式、字段、示例和错误提示，与接口文档同步。"},
}

// FormByKey returns the form with that key.
func FormByKey(key string) (*Form, bool) {
	for i := range catalog {
		if catalog[i].Key == key {
			return &catalog[i], true
		}
	}
	return nil, false
}

// Forms returns the forms for audience a ("" for all).
func Forms(a Audience) []Form {
	var out []Form
	for _, f := range catalog {
		if a == "" || f.For(a) {
			out = append(out, f)
		}
	}
	return out
}

// Write writes the form as an Excel workbook: a title, a line saying how
// to hand it in, then one row per field with a blank cell to fill in and a
// hint. printed is the generation date shown in the footer.
func (f *Form) Write(w io.Writer, printed time.Time) error {
	x := excelize.NewFile()
	defer x.Close()
	const sheet = "Sheet1"
	name := "表格"
	if err := x.SetSheetName(sheet, name); err != nil {
		return err
	}
	title, _ := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	border := []excelize.Border{{Type: "left", Color: "000000", Style: 1}, {Type: "right", Color: "000000", Style: 1},
		{Type: "top", Color: "000000", Style: 1}, {Type: "bottom", Color: "000000", Style: 1}}
	cell, _ := x.NewStyle(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	head, _ := x.NewStyle(&excelize.Style{Border: border, Font: &excelize.Font{Bold: true},
		Alignment: &excelize.Alignment{Vertical: "center", WrapText: true}})
	note, _ := x.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	set := func(c string, v any, style int) {
		x.SetCellValue(name, c, v)
		x.SetCellStyle(name, c, c, style)
	}
	x.SetColWidth(name, "A", "A", 24)
	x.SetColWidth(name, "B", "B", 40)
	x.SetColWidth(name, "C", "C", 36)
	x.MergeCell(name, "A1", "C1")
	set("A1", f.Title, title)
	x.SetRowHeight(name, 1, 32)
	x.MergeCell(name, "A2", "C2")
	set("A2", f.Purpose+f.Submit, note)
	x.SetRowHeight(name, 2, 48)
	set("A3", "项目", head)
	set("B3", "填写内容", head)
	set("C3", "填写说明", head)
	row := 4
	for _, fl := range f.Fields {
		set(fmt.Sprintf("A%d", row), fl.Label, head)
		set(fmt.Sprintf("B%d", row), "", cell)
		set(fmt.Sprintf("C%d", row), fl.Hint, cell)
		x.SetRowHeight(name, row, 28)
		row++
	}
	x.MergeCell(name, fmt.Sprintf("A%d", row+1), fmt.Sprintf("C%d", row+1))
	set(fmt.Sprintf("A%d", row+1), fmt.Sprintf("负责科室：%s。本表由社保不见面服务网站生成（%s），也可打印后手写填写。",
		f.Section.Name(), printed.Format("2006-01-02")), note)
	x.SetDocProps(&excelize.DocProperties{Title: f.Title, Creator: "社保不见面服务"})
	return x.Write(w)
}

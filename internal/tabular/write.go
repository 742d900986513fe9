package tabular

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"
)

// Template is an import template: the data sheet with its headers (cells
// formatted as text, so ID numbers and months keep their digits) and an
// instructions sheet with an example.
type Template struct {
	Sheet   string  // the data sheet's name
	Columns Columns // its columns
	Notes   []string
	Example [][]any // example rows shown under the instructions
	Widths  map[string]float64
}

// instructionsSheet is the name of the instructions sheet.
const instructionsSheet = "填写说明"

// Write writes the template as an .xlsx workbook.
func (t Template) Write(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", t.Sheet); err != nil {
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
	hs := t.Columns.Headers()
	if err := f.SetSheetRow(t.Sheet, "A1", &hs); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(t.Columns))
	if err := f.SetColStyle(t.Sheet, "A:"+last, text); err != nil {
		return err
	}
	if err := f.SetCellStyle(t.Sheet, "A1", last+"1", head); err != nil {
		return err
	}
	_ = f.SetColWidth(t.Sheet, "A", last, 16)
	for col, wd := range t.Widths {
		_ = f.SetColWidth(t.Sheet, col, col, wd)
	}
	if err := t.instructions(f); err != nil {
		return err
	}
	return f.Write(w)
}

func (t Template) instructions(f *excelize.File) error {
	if _, err := f.NewSheet(instructionsSheet); err != nil {
		return err
	}
	row := 1
	put := func(vals []any) error {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		row++
		return f.SetSheetRow(instructionsSheet, cell, &vals)
	}
	for _, n := range t.Notes {
		if err := put([]any{n}); err != nil {
			return err
		}
	}
	if len(t.Example) > 0 {
		if err := put(nil); err != nil {
			return err
		}
		if err := put([]any{"示例（请勿复制到数据表）："}); err != nil {
			return err
		}
		if err := put(t.Columns.Headers()); err != nil {
			return err
		}
		for _, ex := range t.Example {
			if err := put(ex); err != nil {
				return err
			}
		}
	}
	_ = f.SetColWidth(instructionsSheet, "A", "A", 22)
	return nil
}

// Report is the downloadable answer to an import.
type Report struct {
	Title    string // first line: what happened
	FileName string
	Problems []Problem
	Notes    []Problem // shown after the problems, as 提示
}

// Write writes the report as an .xlsx workbook: row, column, message.
func (r Report) Write(w io.Writer) error {
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
	rowNo := 1
	add := func(vals ...any) error {
		cell, _ := excelize.CoordinatesToCellName(1, rowNo)
		rowNo++
		return sw.SetRow(cell, vals)
	}
	for _, line := range [][]any{{r.Title}, {"文件", r.FileName}, {"行号", "列", "说明"}} {
		if err := add(line...); err != nil {
			return err
		}
	}
	for _, p := range r.Problems {
		if err := add(p.Row, p.Column, p.Message); err != nil {
			return err
		}
	}
	for _, p := range r.Notes {
		if err := add(p.Row, p.Column, "提示："+p.Message); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return f.Write(w)
}

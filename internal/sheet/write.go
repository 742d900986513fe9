package sheet

import (
	"io"

	"github.com/xuri/excelize/v2"
)

// Export streams a report as an .xlsx workbook of one or more sheets:
// a bold header row, then the rows, each cell written as it comes (a
// string, an integer, or a float), so 100,000 rows need no more memory
// than one. Exports of lists and dashboards use it.
type Export struct {
	f      *excelize.File
	sw     *excelize.StreamWriter
	row    int
	bold   int
	sheets int
}

// NewExport starts a workbook.
func NewExport() *Export { return &Export{f: excelize.NewFile()} }

// Sheet starts a sheet named name with its headers (and column widths in
// characters, optional), ending the previous sheet.
func (e *Export) Sheet(name string, headers []string, widths ...float64) error {
	if err := e.flush(); err != nil {
		return err
	}
	if e.sheets == 0 {
		if err := e.f.SetSheetName("Sheet1", name); err != nil {
			return err
		}
	} else if _, err := e.f.NewSheet(name); err != nil {
		return err
	}
	e.sheets++
	if e.bold == 0 {
		st, err := e.f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
		if err != nil {
			return err
		}
		e.bold = st
	}
	sw, err := e.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	for i, w := range widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	e.sw, e.row = sw, 1
	cells := make([]any, len(headers))
	for i, h := range headers {
		cells[i] = excelize.Cell{StyleID: e.bold, Value: h}
	}
	return e.Row(cells...)
}

// Row appends one row to the current sheet.
func (e *Export) Row(cells ...any) error {
	cell, err := excelize.CoordinatesToCellName(1, e.row)
	if err != nil {
		return err
	}
	e.row++
	return e.sw.SetRow(cell, cells)
}

func (e *Export) flush() error {
	if e.sw == nil {
		return nil
	}
	err := e.sw.Flush()
	e.sw = nil
	return err
}

// WriteTo ends the workbook and writes it to w.
func (e *Export) WriteTo(w io.Writer) (int64, error) {
	defer e.f.Close()
	if err := e.flush(); err != nil {
		return 0, err
	}
	return e.f.WriteTo(w)
}

package sheet

import (
	"bytes"
	"errors"
	"fmt"
	"os"

	"github.com/xuri/excelize/v2"
)

// inMemoryXML is excelize's UnzipXMLSizeLimit: a worksheet or the shared
// strings bigger than this are unzipped to the book's temporary folder
// and read from there as a stream instead of being held in memory.
const inMemoryXML = 1 << 20

// Book is an opened workbook. Close it to remove its temporary files.
type Book struct {
	f   *excelize.File
	dir string // private temporary folder of excelize
	lim Limits
}

// Open checks data as an .xlsx package under lim and opens it. The checks
// run before excelize touches the data (see the package comment). Errors:
// Invalid (CodeInvalid when it is not a workbook, CodeTooLarge when a
// limit is reached), Internal when no temporary folder can be made.
func Open(data []byte, lim Limits) (*Book, error) {
	lim = lim.withDefaults()
	zr, err := checkPackage(data, lim)
	if err != nil {
		return nil, err
	}
	if err := scanPackage(zr, lim); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "shebao-sheet-")
	if err != nil {
		return nil, fmt.Errorf("sheet temp folder: %w", err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{
		UnzipSizeLimit:    lim.MaxTotalBytes,
		UnzipXMLSizeLimit: min(inMemoryXML, lim.MaxTotalBytes),
		TmpDir:            dir,
	})
	if err != nil {
		if f != nil {
			f.Close()
		}
		os.RemoveAll(dir)
		return nil, notXLSX()
	}
	return &Book{f: f, dir: dir, lim: lim}, nil
}

// Close releases the workbook and removes its temporary files.
func (b *Book) Close() error {
	err := b.f.Close()
	if rerr := os.RemoveAll(b.dir); err == nil {
		err = rerr
	}
	return err
}

// Sheets returns the names of the worksheets in workbook order.
func (b *Book) Sheets() []string { return b.f.GetSheetList() }

// Has reports whether the workbook has a worksheet of that name.
func (b *Book) Has(name string) bool {
	i, err := b.f.GetSheetIndex(name)
	return err == nil && i >= 0
}

// Rows starts reading a worksheet row by row. Errors: Invalid when the
// sheet is missing or unreadable.
func (b *Book) Rows(name string) (*Rows, error) {
	rows, err := b.f.Rows(name)
	if err != nil {
		return nil, invalid("无法读取工作表“" + name + "”，请检查文件")
	}
	return &Rows{rows: rows, lim: b.lim}, nil
}

// Rows iterates a worksheet: every row, empty rows included, so Row() is
// the row number Excel shows.
//
//	rows, err := book.Rows(name)
//	...
//	defer rows.Close()
//	for rows.Next() {
//		use(rows.Row(), rows.Cells())
//	}
//	if err := rows.Err(); err != nil { ... }
type Rows struct {
	rows  *excelize.Rows
	lim   Limits
	n     int
	cells []string
	err   error
}

// Next reads the next row, counting it against MaxRows and checking its
// cells against MaxCols and MaxCellBytes. It returns false at the end of
// the sheet or at the first problem, which Err reports.
func (r *Rows) Next() bool {
	if r.err != nil || !r.rows.Next() {
		if r.err == nil && r.rows.Error() != nil {
			r.err = r.rowsError(r.rows.Error())
		}
		return false
	}
	r.n++
	if r.n > r.lim.MaxRows {
		r.err = tooLarge("工作表超过 %d 行（含空行），请删除多余的空行或分成几个文件上传", r.lim.MaxRows)
		return false
	}
	cells, err := r.rows.Columns()
	if err != nil {
		r.err = r.rowsError(err)
		return false
	}
	if len(cells) > r.lim.MaxCols {
		r.err = tooLarge("工作表第 %d 行超过 %d 列，请删除多余的列", r.n, r.lim.MaxCols)
		return false
	}
	for i, c := range cells {
		if len(c) > r.lim.MaxCellBytes {
			r.err = tooLarge("工作表第 %d 行 %s 列的内容超过 %d 字节，请缩短", r.n, ColumnName(i+1), r.lim.MaxCellBytes)
			return false
		}
	}
	r.cells = cells
	return true
}

func (r *Rows) rowsError(err error) error {
	if errors.Is(err, excelize.ErrMaxRows) {
		return tooLarge("工作表超过 %d 行（含空行），请删除多余的空行或分成几个文件上传", r.lim.MaxRows)
	}
	return invalid(fmt.Sprintf("工作表第 %d 行无法读取，请检查文件", r.n+1))
}

// Row is the 1-based number of the current row.
func (r *Rows) Row() int { return r.n }

// Cells are the current row's cell texts, without trailing empty cells;
// nil for an empty row.
func (r *Rows) Cells() []string { return r.cells }

// Err is the problem that stopped Next, or nil at the end of the sheet.
func (r *Rows) Err() error { return r.err }

// Close ends the iteration.
func (r *Rows) Close() error { return r.rows.Close() }

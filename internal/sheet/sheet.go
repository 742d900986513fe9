// Package sheet is the one way Shebao reads uploaded spreadsheets: Excel
// workbooks (.xlsx) and CSV files. Every read is bounded before or while
// the data is unpacked, so a small upload cannot grow into gigabytes:
//
//  1. the zip central directory is checked before excelize sees the file
//     (number of parts, declared unzipped size of each part and in total,
//     compression ratio);
//  2. every part is unzipped once as a stream and scanned without building
//     anything (XML elements of the small parts, rows and cells per row of
//     the worksheets, longest run of text), stopping at the first limit;
//  3. excelize opens the file with its own size options and a private
//     temporary folder that Close removes;
//  4. rows are read with excelize's streaming iterator, counting every row
//     (empty ones too), the cells of each row and the length of each cell.
//
// Writing workbooks (templates, reports) does not need this package.
// Errors are errs.Invalid with a Chinese message saying what to change.
package sheet

import (
	"fmt"

	"shebao/internal/errs"
)

// Limits bound one kind of upload. Zero fields take the default of the
// same name in Defaults.
type Limits struct {
	MaxFileBytes  int64 // the uploaded file itself
	MaxSheetBytes int64 // unzipped size of one worksheet
	MaxPartBytes  int64 // unzipped size of any other part (shared strings, styles, pictures)
	MaxTotalBytes int64 // unzipped size of all parts together
	MaxParts      int   // parts (files) in the zip package
	MaxRatio      int64 // unzipped ÷ zipped size of a part bigger than ratioFloor
	// MaxStringElements bounds the XML elements of the shared strings,
	// MaxPartElements those of any other XML part but a worksheet (styles,
	// workbook, relationships), which excelize parses whole.
	MaxStringElements int
	MaxPartElements   int
	MaxRows           int // rows of a worksheet or records of a CSV, counting empty ones
	MaxCols           int // cells of one row
	MaxCellBytes      int // bytes of one cell's text
}

// Defaults are the limits used where a caller leaves a field zero: enough
// for tens of thousands of rows, small enough that reading any file within
// them stays under about 100 MB of memory and 2 s of processor time.
var Defaults = Limits{
	MaxFileBytes:      8 << 20,
	MaxSheetBytes:     16 << 20,
	MaxPartBytes:      8 << 20,
	MaxTotalBytes:     32 << 20,
	MaxParts:          256,
	MaxRatio:          100,
	MaxStringElements: 400_000,
	MaxPartElements:   50_000,
	MaxRows:           50_000,
	MaxCols:           64,
	MaxCellBytes:      4096,
}

// ratioFloor is the unzipped size from which MaxRatio applies: small parts
// (an empty sheet, a style list) may compress very well and are harmless.
const ratioFloor = 1 << 20

// withDefaults fills the zero fields of l from Defaults.
func (l Limits) withDefaults() Limits {
	d := Defaults
	set64 := func(v *int64, def int64) {
		if *v <= 0 {
			*v = def
		}
	}
	set := func(v *int, def int) {
		if *v <= 0 {
			*v = def
		}
	}
	set64(&l.MaxFileBytes, d.MaxFileBytes)
	set64(&l.MaxSheetBytes, d.MaxSheetBytes)
	set64(&l.MaxPartBytes, d.MaxPartBytes)
	set64(&l.MaxTotalBytes, d.MaxTotalBytes)
	set64(&l.MaxRatio, d.MaxRatio)
	set(&l.MaxParts, d.MaxParts)
	set(&l.MaxStringElements, d.MaxStringElements)
	set(&l.MaxPartElements, d.MaxPartElements)
	set(&l.MaxRows, d.MaxRows)
	set(&l.MaxCols, d.MaxCols)
	set(&l.MaxCellBytes, d.MaxCellBytes)
	return l
}

// maxRun is the longest stretch of bytes between two markup characters
// the scan accepts: a cell's text written with XML escapes, or one tag.
func (l Limits) maxRun() int { return max(64<<10, 8*l.MaxCellBytes) }

// Error codes of the errors this package returns.
const (
	CodeInvalid  = "sheet_invalid"   // not a readable workbook or CSV
	CodeTooLarge = "sheet_too_large" // a limit was reached
)

func invalid(msg string) error { return errs.New(errs.Invalid, CodeInvalid, msg) }

func tooLarge(format string, a ...any) error {
	return errs.New(errs.Invalid, CodeTooLarge, fmt.Sprintf(format, a...))
}

// notXLSX is the answer to anything that is not a readable .xlsx package.
func notXLSX() error {
	return invalid("文件不是有效的 Excel（.xlsx）文件或已损坏，请用 Excel 另存为 .xlsx 后重新上传（不支持 .xls 或改了扩展名的文件）")
}

// mb writes a byte count in whole megabytes for messages.
func mb(n int64) string { return fmt.Sprintf("%d MB", (n+(1<<20)-1)>>20) }

// ColumnName is the Excel column letter of a 1-based column (1 → A).
func ColumnName(col int) string {
	name := ""
	for col > 0 {
		col--
		name = string(rune('A'+col%26)) + name
		col /= 26
	}
	return name
}

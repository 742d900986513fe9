package sheet_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"shebao/internal/errs"
	"shebao/internal/sheet"
	"shebao/internal/sheet/sheettest"
)

// small are limits a test can reach cheaply.
var small = sheet.Limits{MaxFileBytes: 4 << 20, MaxSheetBytes: 4 << 20, MaxPartBytes: 1 << 20, MaxTotalBytes: 8 << 20,
	MaxParts: 50, MaxRatio: 100, MaxStringElements: 10_000, MaxPartElements: 1000, MaxRows: 1000, MaxCols: 10, MaxCellBytes: 100}

// readAll opens data and reads every row of its first sheet.
func readAll(data []byte, lim sheet.Limits) (rows [][]string, err error) {
	b, err := sheet.Open(data, lim)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	r, err := b.Rows(b.Sheets()[0])
	if err != nil {
		return nil, err
	}
	defer r.Close()
	for r.Next() {
		rows = append(rows, r.Cells())
	}
	return rows, r.Err()
}

func code(err error) string {
	if e := errs.As(err); e != nil && e.Kind == errs.Invalid {
		return e.Code
	}
	return fmt.Sprintf("not an Invalid error: %v", err)
}

// TestHostileWorkbooks: each file is refused with a message naming the
// limit, quickly, leaving no temporary file behind.
func TestHostileWorkbooks(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	cell := `<c t="inlineStr"><is><t>x</t></is></c>`
	for _, tc := range []struct {
		name string
		data []byte
		want string // part of the message
	}{
		{"2 GB of empty rows in 2 MB", sheettest.EmptyRows(2 << 30), "解压后过大"},
		{"541 MB of empty rows", sheettest.EmptyRows(541 << 20), "解压后过大"},
		{"empty rows within the size, over the ratio", sheettest.EmptyRows(3 << 20), "压缩比异常"},
		{"empty rows within size and ratio, over the rows", sheettest.Workbook(sheettest.Rows(`<row/>`, 2000)), "超过 1000 行（含空行）"},
		{"one row far down", sheettest.Workbook(sheettest.Rows(`<row r="1048576"/>`, 1)), "超过 1000 行（含空行）"},
		{"rows past Excel's last row", sheettest.Workbook(sheettest.Rows(`<row r="1048577"/>`, 1)), "超过 1000 行（含空行）"},
		{"a row of many cells", sheettest.Workbook(sheettest.Rows(`<row>`+strings.Repeat(cell, 11)+`</row>`, 1)), "超过 10 列"},
		{"namespaced cells", sheettest.Workbook(sheettest.Rows(`<x:row>`+strings.Repeat(`<x:c/>`, 11)+`</x:row>`, 1)), "超过 10 列"},
		{"a cell far to the right", sheettest.Workbook(sheettest.Rows(`<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>`, 1)), "超过 10 列"},
		{"a long cell", sheettest.Workbook(sheettest.Rows(`<row r="2"><c t="inlineStr"><is><t>`+strings.Repeat("长", 40)+`</t></is></c></row>`, 1)), "超过 100 字节"},
		{"a huge cell", sheettest.Workbook(sheettest.Rows(`<row r="2"><c t="inlineStr"><is><t>`+strings.Repeat("a", 70<<10)+`</t></is></c></row>`, 1)), "超长的内容"},
		{"shared strings of empty items", sheettest.Workbook(sheettest.Rows("", 0),
			sheettest.Part{Name: "xl/sharedStrings.xml", Head: `<sst>`, Body: `<si/>`, Times: 20_000, Tail: `</sst>`}), "超过 10000 项"},
		{"styles of empty formats", sheettest.Workbook(sheettest.Rows("", 0),
			sheettest.Part{Name: "xl/styles.xml", Head: `<styleSheet><cellXfs>`, Body: `<xf/>`, Times: 2_000, Tail: `</cellXfs></styleSheet>`}), "超过 1000 项"},
		{"a big picture", sheettest.Workbook(sheettest.Rows("", 0),
			sheettest.Part{Name: "xl/media/image1.png", Body: "\x89PNG", Times: 2 << 20}), "解压后过大"},
		{"many parts", manyParts(60), "部件超过 50 个"},
		{"too big a file", append(sheettest.Workbook(sheettest.Rows("", 0)), make([]byte, 4<<20)...), "Excel 文件超过 4 MB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			_, err := readAll(tc.data, small)
			if d := time.Since(start); d > time.Second {
				t.Errorf("took %v, want under 1 s", d)
			}
			if code(err) != sheet.CodeTooLarge || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %s with %q", err, sheet.CodeTooLarge, tc.want)
			}
		})
	}
	left, _ := os.ReadDir(tmp)
	if len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// TestSharedStringsHaveTheirOwnLimit: 5,000 shared strings pass where
// 2,000 style items do not.
func TestSharedStringsHaveTheirOwnLimit(t *testing.T) {
	data := sheettest.Workbook(sheettest.Rows(`<row r="2"><c r="A2" t="s"><v>1</v></c></row>`, 1),
		sheettest.Part{Name: "xl/sharedStrings.xml", Head: `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>甲</t></si><si><t>乙</t></si>`, Body: `<si/>`, Times: 5_000, Tail: `</sst>`})
	rows, err := readAll(data, small)
	if err != nil || fmt.Sprint(rows) != "[[表头] [乙]]" {
		t.Fatalf("rows %q, err %v", rows, err)
	}
}

func manyParts(n int) []byte {
	parts := []sheettest.Part{}
	for i := 0; i < n; i++ {
		parts = append(parts, sheettest.Part{Name: fmt.Sprintf("xl/media/p%d.bin", i), Head: "x"})
	}
	return sheettest.Workbook(sheettest.Rows("", 0), parts...)
}

// TestBrokenWorkbooks: not workbooks, or lying about their sizes.
func TestBrokenWorkbooks(t *testing.T) {
	sheetPart := sheettest.Rows(`<row/>`, 10<<20)
	sheetPart.DeclaredSize = 4096 // says 4 KB, unpacks to 60 MB
	for name, data := range map[string][]byte{
		"empty":              nil,
		"csv":                []byte("a,b\n1,2\n"),
		"truncated":          sheettest.Workbook(sheettest.Rows("<row/>", 10))[:200],
		"declared too small": sheettest.Workbook(sheetPart),
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			_, err := readAll(data, small)
			if code(err) != sheet.CodeInvalid {
				t.Fatalf("err = %v, want %s", err, sheet.CodeInvalid)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestReadsWorkbooks: a workbook written by excelize (shared strings, a
// gap of empty rows, numbers) reads back row by row with Excel's numbers.
func TestReadsWorkbooks(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "金额"})
	f.SetSheetRow("Sheet1", "A2", &[]any{"张三", 12.5})
	f.SetSheetRow("Sheet1", "A5", &[]any{"李四", "x"})
	f.NewSheet("第二页")
	f.SetCellValue("第二页", "C3", "在这")
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	rows, err := readAll(b.Bytes(), small)
	if err != nil {
		t.Fatal(err)
	}
	want := "[[姓名 金额] [张三 12.5] [] [] [李四 x]]"
	if got := fmt.Sprint(rows); got != want {
		t.Fatalf("rows = %s, want %s", got, want)
	}
	book, err := sheet.Open(b.Bytes(), small)
	if err != nil {
		t.Fatal(err)
	}
	if !book.Has("第二页") || book.Has("第三页") || len(book.Sheets()) != 2 {
		t.Fatalf("sheets %v", book.Sheets())
	}
	r, _ := book.Rows("第二页")
	for r.Next() {
		if r.Row() == 3 && fmt.Sprint(r.Cells()) != "[  在这]" {
			t.Fatalf("row 3 = %q", r.Cells())
		}
	}
	r.Close()
	book.Close()
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

// TestBigSheetStreamsFromDisk: a sheet over the in-memory size is read
// from the book's own temporary folder, which Close removes.
func TestBigSheetStreamsFromDisk(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	f := excelize.NewFile()
	sw, _ := f.NewStreamWriter("Sheet1")
	for i := 1; i <= 30_000; i++ {
		sw.SetRow(fmt.Sprintf("A%d", i), []any{fmt.Sprintf("流水%08d", i*7919%1000003), i})
	}
	sw.Flush()
	var b bytes.Buffer
	f.Write(&b)
	data := b.Bytes()
	lim := sheet.Limits{MaxRows: 40_000}
	book, err := sheet.Open(data, lim)
	if err != nil {
		t.Fatal(err)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "shebao-sheet-*", "*")); len(left) == 0 {
		t.Fatal("expected the worksheet unzipped to the book's folder")
	}
	r, _ := book.Rows("Sheet1")
	n := 0
	for r.Next() {
		n++
	}
	if r.Err() != nil || n != 30_000 {
		t.Fatalf("rows %d, err %v", n, r.Err())
	}
	r.Close()
	book.Close()
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Fatalf("temporary files left: %v", left)
	}
}

func TestColumnName(t *testing.T) {
	for col, want := range map[int]string{1: "A", 26: "Z", 27: "AA", 52: "AZ", 703: "AAA", 16384: "XFD"} {
		if got := sheet.ColumnName(col); got != want {
			t.Errorf("ColumnName(%d) = %s, want %s", col, got, want)
		}
	}
}

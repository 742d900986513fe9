package tabular_test

import (
	"bytes"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"shebao/internal/errs"
	"shebao/internal/tabular"
)

var cols = tabular.Columns{{Key: "id", Header: "公民身份号码"}, {Key: "base", Header: "缴费基数（元）"}}

func fileMessage(t *testing.T, err error) string {
	t.Helper()
	e := errs.As(err)
	if e == nil || e.Kind != errs.Invalid || len(e.Fields) != 1 || e.Fields[0].Field != "file" {
		t.Fatalf("want a field error on file, got %v", err)
	}
	return e.Fields[0].Message
}

// TestReadCSVAndXLSX: the same rows come from a GBK CSV with columns in
// another order and half-width brackets, and from the template's workbook;
// empty rows are skipped and rows keep their file numbers.
func TestReadCSVAndXLSX(t *testing.T) {
	lim := tabular.Limits{MaxBytes: 1 << 20, MaxRows: 10, Sheet: "数据"}
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("缴费基数(元),公民身份号码,备注\n1200,A1,x\n,,\n800,A2,\n")
	if err != nil {
		t.Fatal(err)
	}
	rows, err := tabular.Read([]byte(gbk), cols, lim)
	if err != nil || len(rows) != 2 || rows[0].Cells["id"] != "A1" || rows[1].Cells["base"] != "800" || rows[1].Row != 4 {
		t.Fatalf("csv: %+v %v", rows, err)
	}
	var tpl bytes.Buffer
	if err := (tabular.Template{Sheet: "数据", Columns: cols, Notes: []string{"说明"}}).Write(&tpl); err != nil {
		t.Fatal(err)
	}
	if _, err := tabular.Read(tpl.Bytes(), cols, lim); !strings.Contains(fileMessage(t, err), "没有数据行") {
		t.Fatalf("empty template: %v", err)
	}
	if _, err := tabular.Read([]byte("a,b\n1,2\n"), cols, lim); !strings.Contains(fileMessage(t, err), "“公民身份号码”、“缴费基数（元）”") {
		t.Fatalf("wrong header: %v", err)
	}
	lim.XLSXOnly = true
	if _, err := tabular.Read([]byte(gbk), cols, lim); !strings.Contains(fileMessage(t, err), "不支持 .xls、.csv") {
		t.Fatalf("csv where only xlsx is taken: %v", err)
	}
	lim.XLSXOnly, lim.MaxRows = false, 1
	if _, err := tabular.Read([]byte(gbk), cols, lim); !strings.Contains(fileMessage(t, err), "数据超过 1 行") {
		t.Fatalf("too many rows: %v", err)
	}
	lim.MaxBytes = 10
	if _, err := tabular.Read([]byte(gbk), cols, lim); !strings.Contains(fileMessage(t, err), "文件过大") {
		t.Fatalf("too large: %v", err)
	}
}

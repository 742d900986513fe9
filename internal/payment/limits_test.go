package payment_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/payment"
	"shebao/internal/sheet/sheettest"
)

// TestImportRefusesHostileFiles: an Excel bomb is refused at once saying
// what is wrong (and that a long statement should come as CSV); a CSV
// with a line that never ends is refused; a file of 5,000 bad lines is
// refused counting them all but listing only the first 200.
func TestImportRefusesHostileFiles(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nowDay)
		for name, tc := range map[string]struct {
			data []byte
			want []string
		}{
			"bomb":      {sheettest.EmptyRows(541 << 20), []string{"Excel 文件解压后过大", "请导出为 CSV"}},
			"long line": {[]byte(header + strings.Repeat("x", 100_000)), []string{"超过 65536 字节的一行或一条记录"}},
		} {
			start := time.Now()
			_, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: name, Data: tc.data})
			if d := time.Since(start); d > time.Second {
				t.Errorf("%s: refused after %v", name, d)
			}
			if e := errs.As(err); e == nil || e.Kind != errs.Invalid || e.Code != "statement_unreadable" {
				t.Fatalf("%s: %v", name, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: %v lacks %q", name, err, w)
				}
			}
		}
		var b strings.Builder
		b.WriteString(header)
		for i := 0; i < 5000; i++ {
			b.WriteString(csvLine("2024-04-10", fmt.Sprintf("S%d", i), "北京甲", "", "1.234", ""))
		}
		res, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "bad.csv", Data: []byte(b.String())})
		if e := errs.As(err); e == nil || e.Code != "statement_lines" || !strings.Contains(e.Message, "对账单有 5000 处错误") ||
			!strings.Contains(e.Message, "下面列出前 200 处") {
			t.Fatalf("err %v", err)
		}
		if len(res.Errors) != 200 || res.Errors[199].Line != 201 || res.Lines != 5000 {
			t.Fatalf("%d errors listed, last on line %d, %d lines", len(res.Errors), res.Errors[len(res.Errors)-1].Line, res.Lines)
		}
	})
}

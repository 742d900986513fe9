package tabular_test

import (
	"strings"
	"testing"
	"time"

	"shebao/internal/sheet/sheettest"
	"shebao/internal/tabular"
)

// TestReadRefusesBombs: a workbook of 541 MB of empty rows and a CSV line
// that never ends are refused on the file field within a second, for
// every import that reads through tabular (staff changes, historical
// records).
func TestReadRefusesBombs(t *testing.T) {
	lim := tabular.Limits{MaxBytes: 10 << 20, MaxRows: 60_000, Sheet: "数据"}
	for name, tc := range map[string]struct {
		data []byte
		want string
	}{
		"xlsx": {sheettest.EmptyRows(541 << 20), "Excel 文件解压后过大"},
		"csv":  {[]byte("缴费基数(元),公民身份号码\n" + strings.Repeat("1", 200_000)), "超过 65536 字节"},
	} {
		start := time.Now()
		_, err := tabular.Read(tc.data, cols, lim)
		if msg := fileMessage(t, err); !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %q lacks %q", name, msg, tc.want)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("%s: refused after %v", name, d)
		}
	}
}

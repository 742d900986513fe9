package sheet_test

import (
	"fmt"
	"strings"
	"testing"

	"shebao/internal/sheet"
)

func readCSV(data string, lim sheet.Limits) ([]string, error) {
	c := sheet.NewCSV([]byte(data), lim)
	var out []string
	for c.Next() {
		out = append(out, fmt.Sprintf("%d:%s", c.Line(), strings.Join(c.Record(), "|")))
	}
	return out, c.Err()
}

func TestCSVReads(t *testing.T) {
	got, err := readCSV("a,b\n\n\"x\ny\",2\nc,d,e\n", small)
	if err != nil {
		t.Fatal(err)
	}
	if want := "[1:a|b 3:x\ny|2 5:c|d|e]"; fmt.Sprint(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestCSVLimits(t *testing.T) {
	lim := small // 10 columns of 100 bytes: lines and records up to 1000 bytes
	for name, tc := range map[string]struct{ data, want string }{
		"rows":          {strings.Repeat("a\n", 1001), "超过 1000 行"},
		"columns":       {"a,b\n" + strings.Repeat("x,", 11) + "\n", "第 2 行超过 10 列"},
		"cell":          {"a\n" + strings.Repeat("长", 34) + "\n", "第 2 行第 1 列的内容超过 100 字节"},
		"line":          {"a\n" + strings.Repeat("x", 20_000), "超过 1000 字节的一行或一条记录"},
		"open quote":    {"a\n\"" + strings.Repeat("x\n", 20_000), "超过 1000 字节的一行或一条记录"},
		"file":          {strings.Repeat("a\n", 3<<20), "逗号分隔文本（.csv）超过 4 MB"},
		"line of quote": {"a\n" + strings.Repeat("\"", 20_000), "超过 1000 字节"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := readCSV(tc.data, lim)
			if code(err) != sheet.CodeTooLarge || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

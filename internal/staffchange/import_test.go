package staffchange_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/staffchange"
)

// TestImportAllOrNothing: a bad row in the middle stops the whole file
// and every problem is reported; the fixed file goes in whole, once.
func TestImportAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		rows := [][]any{
			addRow(1, "职工X", "2024-02", "3900"),
			addRow(2, "职工Y", "2024-02", "12345.67"),
			{"增员", idNo(3), "职工Q", "2024-13", "5000.123", "", "", ""}, // bad month and wage
			{"调动", idNo(4), "职工R", "2024-02", "5000", "", "", ""},     // bad kind
			addRow(5, "职工Z", "2024-02", "30000"),
			addRow(1, "职工X", "2024-02", "3900"), // duplicate of row 2
		}
		rep, err := e.s.Import(ctx, e.bossA, e.empA, "staff.xlsx", xlsx(t, headers, rows))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Applied() || rep.Added != 0 {
			t.Fatalf("bad file applied: %+v", rep)
		}
		want := map[string]bool{"4|D 列（参保起始月份）": true, "4|E 列（月工资（元））": true, "5|A 列（变动类型）": true, "7|B 列（公民身份号码）": true}
		for _, p := range rep.Problems {
			delete(want, fmt.Sprintf("%d|%s", p.Row, p.Column))
		}
		if len(want) != 0 || len(rep.Problems) != 4 {
			t.Errorf("problems %+v; missing %v", rep.Problems, want)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM employments`) + count(t, d, `SELECT COUNT(*) FROM persons`); n != 0 {
			t.Errorf("rejected import wrote %d rows", n)
		}
		stored, err := e.s.ImportReportOf(ctx, e.bossA, e.empA, rep.ID)
		if err != nil || len(stored.Problems) != 4 || stored.Status != staffchange.ImportRejected {
			t.Errorf("stored report = %+v, %v", stored, err)
		}
		var out bytes.Buffer
		if err := staffchange.WriteReport(&out, stored); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&out)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := f.GetRows("导入结果")
		if len(got) != 3+4 || !strings.Contains(got[0][0], "共 4 处错误") || got[3][0] != "4" {
			t.Errorf("report sheet = %v", got)
		}

		good := xlsx(t, headers, [][]any{rows[0], rows[1], rows[4]})
		rep, err = e.s.Import(ctx, e.bossA, e.empA, "staff.xlsx", good)
		if err != nil || !rep.Applied() || rep.Added != 3 || len(rep.Problems) != 0 || len(rep.Notes) != 3 {
			t.Fatalf("good import = %+v, %v", rep, err)
		}
		var sum int64
		d.W.QueryRow(`SELECT SUM(base_fen) FROM employments WHERE employer_id = $1`, e.empA).Scan(&sum)
		if money.Fen(sum) != money.Yuan(41146) {
			t.Errorf("employer base = %v, want 41,146 (docs/rules.md §2.2)", money.Fen(sum))
		}
		// The same file again changes nothing.
		_, err = e.s.Import(ctx, e.bossA, e.empA, "copy.xlsx", good)
		if x := wantKind(t, err, errs.Conflict); x.Code != "already_imported" || !strings.Contains(x.Message, "该文件已于 2024-02-10") {
			t.Errorf("re-import: %v", err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM employments`); n != 3 {
			t.Errorf("%d employments after re-import", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM staff_changes WHERE import_id = $1`, rep.ID); n != 3 {
			t.Errorf("%d change rows for the import", n)
		}

		// A different file that adds someone already insured is refused per
		// row; removals in a file end the employment.
		again := xlsx(t, headers, [][]any{addRow(2, "职工Y", "2024-03", "9000"), {"减员", idNo(1), "职工X", "", "", "", "2024-02", "离职"}})
		rep, err = e.s.Import(ctx, e.bossA, e.empA, "b.xlsx", again)
		if err != nil || rep.Applied() || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Message, "已在本单位参保") {
			t.Fatalf("add of current staff: %+v, %v", rep, err)
		}
		rep, err = e.s.Import(ctx, e.bossA, e.empA, "c.xlsx", xlsx(t, headers, [][]any{{"减员", idNo(1), "职工X", "", "", "", "2024-02", "离职"}}))
		if err != nil || !rep.Applied() || rep.Removed != 1 {
			t.Fatalf("removal import: %+v, %v", rep, err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM employments WHERE end_month = '2024-02' AND end_reason = '离职'`); n != 1 {
			t.Errorf("%d employments ended", n)
		}
		// Employer B adding A's staff by file: told only "another employer".
		rep, err = e.s.Import(ctx, e.bossB, e.empB, "b.xlsx", xlsx(t, headers, [][]any{addRow(2, "职工Y", "2024-03", "9000")}))
		if err != nil || rep.Applied() || !strings.Contains(rep.Problems[0].Message, "已由其他单位参保") ||
			strings.Contains(rep.Problems[0].Message, "北京") || strings.Contains(rep.Problems[0].Message, "2023") {
			t.Errorf("other employer's staff: %+v, %v", rep, err)
		}
	})
}

// TestImportFileProblems: files refused as a whole, with a clear message.
// TestImportControlCharactersRefused: a control character in a cell (the
// workbook format cannot hold C0 controls, but it holds C1 ones such as
// U+0085, which were stored in names) is a problem on that cell; nothing
// is written. Line breaks are allowed in the reason only.
func TestImportControlCharactersRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		rows := [][]any{addRow(21, "张\u0085三", "2024-02", "9000"), addRow(22, "李四", "2024-02", "9000"),
			{"减员", idNo(23), "王\u009b五", "", "", "", "2024-02", "离职"}}
		rep, err := e.s.Import(ctx, e.bossA, e.empA, "ctl.xlsx", xlsx(t, headers, rows))
		if err != nil || rep.Applied() || len(rep.Problems) != 2 {
			t.Fatalf("report %+v, %v", rep, err)
		}
		for i, want := range []int{2, 4} {
			p := rep.Problems[i]
			if p.Row != want || p.Column != "C 列（姓名）" || !strings.Contains(p.Message, "控制字符") {
				t.Errorf("problem %d: %+v", i, p)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM employments`); n != 0 {
			t.Errorf("%d employments written", n)
		}
	})
}

func TestImportFileProblems(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		renamed := append([]any{}, headers...)
		renamed[4] = "工资"
		cases := []struct {
			name string
			data []byte
			want string
		}{
			{"empty", nil, "空的"},
			{"not xlsx", []byte("身份号码,姓名\n110105199001011234,张三\n"), "不是有效的 Excel"},
			{"zip but not xlsx", []byte("PK\x03\x04garbage garbage garbage"), "不是有效的 Excel"},
			{"oversize", append([]byte("PK\x03\x04"), make([]byte, staffchange.MaxFileSize)...), "文件过大"},
			{"wrong template", xlsx(t, renamed, [][]any{addRow(1, "甲", "2024-02", "5000")}), "缺少列 “月工资（元）”"},
			{"missing columns", xlsx(t, headers[:3], [][]any{{"增员", idNo(1), "甲"}}), "模板不正确"},
			{"header only", xlsx(t, headers, nil), "没有数据行"},
		}
		for _, c := range cases {
			_, err := e.s.Import(ctx, e.bossA, e.empA, c.name+".xlsx", c.data)
			x := errs.As(err)
			if x == nil || x.Kind != errs.Invalid || !errs.Fields(x.Fields).Has("file") || !strings.Contains(x.Fields[0].Message, c.want) {
				t.Errorf("%s: want file error with %q, got %v", c.name, c.want, err)
			}
		}
		// Half-width brackets in the header are the same column.
		half := append([]any{}, headers...)
		half[4] = "月工资(元)"
		rep, err := e.s.Import(ctx, e.bossA, e.empA, "half.xlsx", xlsx(t, half, [][]any{addRow(1, "甲", "2024-02", "5000")}))
		if err != nil || !rep.Applied() {
			t.Errorf("half-width header: %+v %v", rep, err)
		}
	})
}

func TestTemplate(t *testing.T) {
	var b bytes.Buffer
	if err := staffchange.Template(&b, mustDate("2024-02-10")); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(staffchange.DataSheet)
	if len(rows) != 1 || strings.Join(rows[0], ",") != "变动类型,公民身份号码,姓名,参保起始月份,月工资（元）,手机号码,终止月份,减员原因" {
		t.Errorf("template header = %v", rows)
	}
	help, _ := f.GetRows("填写说明")
	if len(help) < 12 || help[len(help)-2][0] != "增员" {
		t.Errorf("instructions = %v", help)
	}
}

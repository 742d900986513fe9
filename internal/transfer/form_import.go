package transfer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/money"
	"shebao/internal/tabular"
)

// Limits and names of the 信息表 file the old agency sends.
const (
	FormMaxBytes = 1 << 20
	FormMaxRows  = 80
	FormSheet    = "转移信息表"
	totalLabel   = "合计"
)

const (
	fcYear    = "year"
	fcMonths  = "months"
	fcWages   = "wages"
	fcCredits = "credits"
	fcPooled  = "pooled"
	fcBalance = "balance"
)

// FormColumns are the columns of the 信息表 file: one row a year, then a
// 合计 row with the totals and the account balance.
var FormColumns = tabular.Columns{
	{Key: fcYear, Header: "年度"}, {Key: fcMonths, Header: "缴费月数"}, {Key: fcWages, Header: "实际缴费工资（元）"},
	{Key: fcCredits, Header: "个人账户记账额（元）"}, {Key: fcPooled, Header: "统筹基金转移额（元）"},
	{Key: fcBalance, Header: "个人账户储存额（元）"},
}

// FormTemplate is the 信息表 file template with its instructions.
func FormTemplate() tabular.Template {
	return tabular.Template{Sheet: FormSheet, Columns: FormColumns, Widths: map[string]float64{"C": 20, "D": 22, "E": 22, "F": 22},
		Notes: []string{
			"基本养老保险关系转移接续信息表 导入格式（个人账户科）",
			"1. 在“" + FormSheet + "”工作表第2行起每个缴费年度一行，最后一行年度填“合计”；请勿修改表头。也可上传同样表头的逗号分隔文本（.csv）。",
			"2. 统筹基金转移额：1998 年起每年为实际缴费工资的 12%（四舍五入到分），1998 年以前为 0。",
			"3. 合计行填写实际缴费工资、个人账户记账额、统筹基金转移额的合计，以及个人账户储存额（含利息，不少于各年度记账额合计）。",
			"4. 金额以元为单位，最多两位小数。任何一行有误则整个文件不登记，请按结果与转出地核对后重新上传。",
		},
		Example: [][]any{{"2019", "12", "36,000.00", "2,880.00", "4,320.00", ""}, {"2020", "12", "40,000.00", "3,200.00", "4,800.00", ""},
			{totalLabel, "24", "76,000.00", "6,080.00", "9,120.00", "6,500.00"}},
	}
}

// FormImport is the answer to a 信息表 file: the problems by row and
// column (nothing recorded), or the transfer with its form recorded.
type FormImport struct {
	FileName string            `json:"file_name"`
	SHA256   string            `json:"sha256"`
	Rows     int               `json:"rows"`
	Problems []tabular.Problem `json:"problems"`
	Transfer *Transfer         `json:"transfer,omitempty"`
}

// Recorded reports whether the form was recorded.
func (r *FormImport) Recorded() bool { return r.Transfer != nil && len(r.Problems) == 0 }

// Report is the downloadable result.
func (r *FormImport) Report() tabular.Report {
	title := fmt.Sprintf("登记成功：%d 个缴费年度的转移信息表", r.Rows-1)
	if !r.Recorded() {
		title = fmt.Sprintf("登记未成功：共 %d 处错误，未登记任何数据，请与转出地核对后重新上传", len(r.Problems))
	}
	return tabular.Report{Title: title, FileName: r.FileName, Problems: r.Problems}
}

func (r *FormImport) problem(row int, key, msg string) {
	r.Problems = append(r.Problems, tabular.Problem{Row: row, Column: FormColumns.Label(key), Message: msg})
}

// ImportForm records the old agency's 信息表 from its file (XLSX or CSV),
// all or nothing: every row is checked (years, months, amounts; the pooled
// amount of each year is 12% of its wages since 1998; the 合计 row equals
// the sums and the balance is not below the credits) and any problem
// leaves the transfer as it was, with the problems by row and column.
// Errors: Forbidden, NotFound, Conflict, Invalid (field "file": an
// unreadable file; fields of RecordForm).
func (s *Service) ImportForm(ctx context.Context, a *access.Actor, id, version int64, fileName string, data []byte) (*FormImport, error) {
	if err := a.RequireSection(access.Account); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	rep := &FormImport{FileName: fileName, SHA256: hex.EncodeToString(sum[:])}
	rows, err := tabular.Read(data, FormColumns, tabular.Limits{MaxBytes: FormMaxBytes, MaxRows: FormMaxRows, Sheet: FormSheet})
	if err != nil {
		return nil, err
	}
	rep.Rows = len(rows)
	in := parseFormRows(rows, s.today().Year(), rep)
	if len(rep.Problems) > 0 {
		return rep, nil
	}
	t, err := s.RecordForm(ctx, a, id, version, in)
	if err != nil {
		return nil, err
	}
	rep.Transfer = t
	return rep, nil
}

// parseFormRows reads the year rows and the 合计 row, adding a problem
// for each cell that is wrong or does not add up.
func parseFormRows(rows []tabular.Row, thisYear int, rep *FormImport) FormInput {
	var in FormInput
	seen := map[int]int{}
	var wages, credits, pooled money.Fen
	totalRow := 0
	var total tabular.Row
	for _, r := range rows {
		if strings.TrimSpace(r.Cells[fcYear]) == totalLabel {
			if totalRow != 0 {
				rep.problem(r.Row, fcYear, fmt.Sprintf("合计行只能有一行（第 %d 行已是合计行）", totalRow))
			}
			totalRow, total = r.Row, r
			continue
		}
		if totalRow != 0 {
			rep.problem(r.Row, fcYear, "合计行应在最后一行，其后不能再有年度行")
		}
		y, ok := parseYearRow(r, thisYear, seen, rep)
		if !ok {
			continue
		}
		in.Years = append(in.Years, y.line)
		wages, credits, pooled = wages+y.line.Wages, credits+y.line.Account, pooled+y.pooled
	}
	switch {
	case len(rows) == 0:
		rep.problem(1, fcYear, "文件中没有数据行：请每个缴费年度填一行，最后一行为合计")
		return in
	case totalRow == 0:
		rep.problem(rows[len(rows)-1].Row+1, fcYear, "缺少合计行：最后一行年度填“合计”，并填写各项合计和个人账户储存额")
		return in
	}
	if len(rep.Problems) > 0 {
		return in // the totals cannot be checked against wrong rows
	}
	in.Account, in.Pooled = checkTotals(total, wages, credits, pooled, rep)
	return in
}

type yearRow struct {
	line   YearLine
	pooled money.Fen
}

func parseYearRow(r tabular.Row, thisYear int, seen map[int]int, rep *FormImport) (yearRow, bool) {
	before := len(rep.Problems)
	var y yearRow
	year, err := strconv.Atoi(r.Cells[fcYear])
	switch {
	case err != nil || year < 1993 || year > thisYear:
		rep.problem(r.Row, fcYear, fmt.Sprintf("年度应为 1993 至 %d 之间的四位年份，或最后一行填“合计”", thisYear))
	case seen[year] != 0:
		rep.problem(r.Row, fcYear, fmt.Sprintf("%d 年与第 %d 行重复：每个年度只能有一行", year, seen[year]))
	default:
		seen[year] = r.Row
	}
	months, err := strconv.Atoi(r.Cells[fcMonths])
	if err != nil || months < 1 || months > 12 {
		rep.problem(r.Row, fcMonths, "缴费月数应为 1 至 12 的整数")
	}
	y.line = YearLine{Year: year, Months: months, Wages: amountCell(r, fcWages, rep), Account: amountCell(r, fcCredits, rep)}
	y.pooled = amountCell(r, fcPooled, rep)
	if len(rep.Problems) > before {
		return y, false
	}
	want := money.Fen(0)
	if year >= 1998 {
		want = y.line.Wages.Apply(PooledShare)
	}
	if y.pooled != want {
		rep.problem(r.Row, fcPooled, fmt.Sprintf("%d 年统筹基金转移额 %s 元与实际缴费工资 %s 元的 12%%（%s 元）不符；1998 年以前为 0",
			year, y.pooled, y.line.Wages, want))
	}
	if v := r.Cells[fcBalance]; v != "" {
		rep.problem(r.Row, fcBalance, "个人账户储存额只填在合计行")
	}
	return y, len(rep.Problems) == before
}

// amountCell reads a required, non-negative amount in 元.
func amountCell(r tabular.Row, key string, rep *FormImport) money.Fen {
	v, err := money.ParseYuan(r.Cells[key])
	if err != nil || r.Cells[key] == "" || v < 0 || v > 10_000_000_000 {
		rep.problem(r.Row, key, "应为不小于 0 的金额（元，最多两位小数，不超过 1 亿元）")
		return 0
	}
	return v
}

// checkTotals compares the 合计 row with the sums of the years and reads
// the account balance.
func checkTotals(total tabular.Row, wages, credits, pooled money.Fen, rep *FormImport) (account, pooledTotal money.Fen) {
	for _, c := range []struct {
		key  string
		want money.Fen
		name string
	}{{fcWages, wages, "实际缴费工资"}, {fcCredits, credits, "个人账户记账额"}, {fcPooled, pooled, "统筹基金转移额"}} {
		got := amountCell(total, c.key, rep)
		if got != c.want && total.Cells[c.key] != "" {
			rep.problem(total.Row, c.key, fmt.Sprintf("合计 %s 元与各年度%s之和 %s 元不符", got, c.name, c.want))
		}
	}
	account = amountCell(total, fcBalance, rep)
	if account < credits && total.Cells[fcBalance] != "" {
		rep.problem(total.Row, fcBalance, fmt.Sprintf("个人账户储存额 %s 元少于各年度记账额合计 %s 元", account, credits))
	}
	return account, pooled
}

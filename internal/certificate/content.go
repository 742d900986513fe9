package certificate

import (
	"context"
	"fmt"
	"strings"

	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/pdfdoc"
)

var schemeNames = map[string]string{"pension": "养老", "unemployment": "失业", "injury": "工伤"}

// SchemeName is the Chinese short name of a scheme.
func SchemeName(s string) string {
	if n, ok := schemeNames[s]; ok {
		return n
	}
	return s
}

// FlagNames turns a comma list of bill flags into Chinese labels.
func FlagNames(flags string) string { return contribution.FlagNames(flags) }

type monthRow struct {
	month, payer, flags string
	schemes             [3]bool // in Schemes order
	base, amount        money.Fen
}

func (r monthRow) schemeNames() string {
	var out []string
	for i, on := range r.schemes {
		if on {
			out = append(out, SchemeName(Schemes[i]))
		}
	}
	return strings.Join(out, "、")
}

func schemeIndex(s string) int {
	for i, x := range Schemes {
		if x == s {
			return i
		}
	}
	return 0
}

// personRows returns one row per paid month of the person in the period.
func personRows(ctx context.Context, q db.Querier, personID int64, from, to string) ([]monthRow, error) {
	var out []monthRow
	err := db.Each(ctx, q, func(row db.Scanner) error {
		var month, kind, emp, scheme, flags string
		var base, amount money.Fen
		if err := row.Scan(&month, &kind, &emp, &scheme, &base, &amount, &flags); err != nil {
			return err
		}
		payer := emp
		if kind == "flexible" {
			payer = "灵活就业"
		}
		if n := len(out); n == 0 || out[n-1].month != month || out[n-1].payer != payer {
			out = append(out, monthRow{month: month, payer: payer, flags: FlagNames(flags)})
		}
		r := &out[len(out)-1]
		r.schemes[schemeIndex(scheme)] = true
		r.amount += amount
		if scheme == "pension" {
			r.base = base
		}
		return nil
	}, `SELECT l.fee_month, b.payer_kind, COALESCE(e.name, ''), l.scheme, l.base_fen,
		l.employer_fen + l.individual_fen, b.flags
		FROM bill_lines l JOIN bills b ON b.id = l.bill_id LEFT JOIN employers e ON e.id = b.employer_id
		WHERE l.person_id = $1 AND b.status IN ('paid', 'partially_paid') AND l.fee_month >= $2 AND l.fee_month <= $3
		ORDER BY l.fee_month, b.id, l.scheme`, personID, from, to)
	return out, errs.Wrap(err, "certificate months")
}

func personContent(rows []monthRow) Content {
	c := Content{Title: "参保缴费证明", Intro: "兹证明下列人员在本机构参加社会保险，缴费情况如下（以到账为准）：",
		Columns: []pdfdoc.Column{{Title: monthColumn, Width: 22}, {Title: "缴费单位", Width: 48},
			{Title: "险种", Width: 31}, {Title: "养老缴费基数", Width: 24, Right: true},
			{Title: "缴费金额", Width: 23, Right: true}, {Title: "标识", Width: 22}}}
	var total money.Fen
	for _, r := range rows {
		base := ""
		if r.base != 0 {
			base = r.base.String()
		}
		c.Rows = append(c.Rows, []string{r.month, r.payer, r.schemeNames(), base, r.amount.String(), r.flags})
		total += r.amount
	}
	c.Total = []string{"合计", "", "", "", total.String(), ""}
	return c
}

// TransferredNote explains the rows of years brought over by a transfer in.
const TransferredNote = "标注“外地转入”的年度由原参保地转入本地（养老保险关系转移接续），缴费情况以原参保地出具的信息表为准。"

// yearsIn keeps the transferred years that fall in the period from..to
// (months YYYY-MM).
func yearsIn(ys []TransferYear, from, to string) []TransferYear {
	var out []TransferYear
	for _, y := range ys {
		if fmt.Sprint(y.Year) >= from[:4] && fmt.Sprint(y.Year) <= to[:4] {
			out = append(out, y)
		}
	}
	return out
}

// addTransferred adds one row per year brought over by a transfer in,
// marked with the old agency (docs/rules.md "Transfers").
func addTransferred(c *Content, ys []TransferYear) {
	for _, y := range ys {
		c.Rows = append(c.Rows, []string{fmt.Sprintf("%d年（%d个月）", y.Year, y.Months), "转入：" + y.Agency, "养老", "", "", "外地转入"})
	}
	if len(ys) > 0 {
		c.Note = TransferredNote
	}
}

// employmentContent lists employment periods when no bill is paid yet.
func employmentContent(ctx context.Context, q db.Querier, personID int64, from, to string) (Content, error) {
	c := Content{Title: "参保缴费证明", Intro: "兹证明下列人员在本机构的参保经历如下：", Note: NoRecordsNote,
		Columns: []pdfdoc.Column{{Title: "参保单位", Width: 90}, {Title: "起始月份", Width: 40}, {Title: "终止月份", Width: 40}}}
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var name, start, end string
		if err := r.Scan(&name, &start, &end); err != nil {
			return err
		}
		if end == "" {
			end = "至今"
		}
		c.Rows = append(c.Rows, []string{name, start, end})
		return nil
	}, `SELECT e.name, m.start_month, COALESCE(m.end_month, '')
		FROM employments m JOIN employers e ON e.id = m.employer_id
		WHERE m.person_id = $1 AND m.start_month <= $3 AND (m.end_month IS NULL OR m.end_month >= $2)
		ORDER BY m.start_month`, personID, from, to)
	return c, errs.Wrap(err, "certificate employments")
}

var billStatusNames = map[string]string{"draft": "待核对", "correction_requested": "申请更正", "confirmed": "已确认待缴",
	"partially_paid": "部分到账", "paid": "已缴清"}

// employerContent lists the employer's bills in the period.
func employerContent(ctx context.Context, q db.Querier, employerID int64, from, to string) (Content, error) {
	c := Content{Title: "单位参保缴费证明", Intro: "兹证明下列单位在本机构参加社会保险，各月核定及缴费情况如下：",
		Columns: []pdfdoc.Column{{Title: monthColumn, Width: 26}, {Title: "状态", Width: 26},
			{Title: "应缴金额", Width: 32, Right: true}, {Title: "已缴金额", Width: 32, Right: true},
			{Title: "欠缴金额", Width: 32, Right: true}, {Title: "标识", Width: 22}}}
	rows, err := q.QueryContext(ctx, `SELECT fee_month, status, total_fen, paid_fen, flags FROM bills
		WHERE employer_id = $1 AND status <> 'cancelled' AND fee_month >= $2 AND fee_month <= $3 ORDER BY fee_month`,
		employerID, from, to)
	if err != nil {
		return c, errs.Wrap(err, "certificate bills")
	}
	defer rows.Close()
	var due, paid money.Fen
	for rows.Next() {
		var month, status, flags string
		var total, p money.Fen
		if err := rows.Scan(&month, &status, &total, &p, &flags); err != nil {
			return c, errs.Wrap(err, "certificate bills")
		}
		c.Rows = append(c.Rows, []string{month, billStatusNames[status], total.String(), p.String(), (total - p).String(), FlagNames(flags)})
		due += total
		paid += p
	}
	c.Total = []string{"合计", "", due.String(), paid.String(), (due - paid).String(), ""}
	if len(c.Rows) == 0 {
		c.Note = NoRecordsNote
	}
	return c, errs.Wrap(rows.Err(), "certificate bills")
}

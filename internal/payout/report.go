package payout

import (
	"context"
	"fmt"
	"html/template"
	"sort"
	"strings"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ledger"
	"shebao/internal/money"
	"shebao/internal/pdfdoc"
)

// PreparedIDs returns the ids of every prepared line of a filter that a
// may approve (not the lines a prepared), for "approve the whole selection".
func (s *Service) PreparedIDs(ctx context.Context, a *access.Actor, f Filter) ([]int64, error) {
	if err := MayApprove(a); err != nil {
		return nil, err
	}
	f.Status = Prepared
	where, args := f.where()
	args = append(args, a.Name())
	var ids []int64
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var id int64
		if err := r.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	}, `SELECT payout_lines.id FROM `+lineFrom+` `+where+fmt.Sprintf(` AND prepared_by <> $%d ORDER BY payout_lines.id`, len(args)), args...)
	return ids, errs.Wrap(err, "prepared ids")
}

// BatchPDF is the batch's summary for signature: totals per scheme and
// status, count and amount, and the lines for the first pages.
func (s *Service) BatchPDF(ctx context.Context, a *access.Actor, id int64) ([]byte, error) {
	b, err := s.GetBatch(ctx, a, id)
	if err != nil {
		return nil, err
	}
	totals, err := s.BatchTotals(ctx, a, id)
	if err != nil {
		return nil, err
	}
	creator, err := s.staffName(ctx, b.CreatedBy)
	if err != nil {
		return nil, err
	}
	d, err := pdfdoc.New()
	if err != nil {
		return nil, errs.Wrap(err, "pdf")
	}
	d.SetDate(s.clock.Now())
	d.Title("社会保险待遇代发批次审批单")
	d.KeyValues([]pdfdoc.KV{{Key: "批次号", Value: b.No}, {Key: "代发银行", Value: b.BankName},
		{Key: "笔数", Value: fmt.Sprint(b.Lines)}, {Key: "金额合计", Value: b.Total.String() + " 元"},
		{Key: "状态", Value: b.StatusName()}, {Key: "生成人", Value: creator},
		{Key: "生成时间", Value: b.CreatedAt.In(clock.Shanghai).Format("2006-01-02 15:04")}})
	d.Heading("按险种和状态汇总")
	var rows [][]string
	for _, t := range totals {
		rows = append(rows, []string{ledger.SchemeName(t.Scheme), t.StatusName(), fmt.Sprint(t.Lines), t.Amount.String()})
	}
	d.Lines([]pdfdoc.Column{{Title: "险种", Width: 50}, {Title: "状态", Width: 40}, {Title: "笔数", Width: 30, Right: true},
		{Title: "金额（元）", Width: 50, Right: true}}, rows, []string{"合计", "", fmt.Sprint(b.Lines), b.Total.String()})
	d.Text("经办人（签字）：________________　　复核人（签字）：________________　　科室负责人（签字）：________________")
	data, err := d.Bytes()
	return data, errs.Wrap(err, "pdf")
}

// FundMonth is one month's income and expense of one scheme.
type FundMonth struct {
	Month   string
	Scheme  string
	Income  money.Fen // contributions and late fees received
	Expense money.Fen // benefits approved, less reversals
	Paid    money.Fen // paid out by the banks
}

// FundReport is income and expense per scheme per month with the chart.
type FundReport struct {
	Months []string
	Rows   []FundMonth
	Chart  string // SVG, server-rendered
}

// FundReport returns the last n months up to m from the ledger, to the
// fund section.
func (s *Service) FundReport(ctx context.Context, a *access.Actor, m clock.Month, n int) (*FundReport, error) {
	if err := MayApprove(a); err != nil {
		return nil, err
	}
	from := m.Add(-(n - 1))
	totals, err := ledger.MonthTotals(ctx, s.db.Read(), from.String(), m.String())
	if err != nil {
		return nil, err
	}
	rep := &FundReport{}
	for i := 0; i < n; i++ {
		rep.Months = append(rep.Months, from.Add(i).String())
	}
	rep.Rows = fundRows(totals)
	rep.Chart = chart(rep)
	return rep, nil
}

// fundRows are the month totals of the ledger as income, expense and paid
// out per month and scheme (money not yet allocated to a scheme left out),
// ordered by month and scheme.
func fundRows(totals []ledger.Balance) []FundMonth {
	var out []FundMonth
	at := map[[2]string]int{}
	for _, t := range totals {
		if t.Scheme == "" {
			continue
		}
		k := [2]string{t.Month, t.Scheme}
		i, ok := at[k]
		if !ok {
			i = len(out)
			at[k] = i
			out = append(out, FundMonth{Month: t.Month, Scheme: t.Scheme})
		}
		r := &out[i]
		switch t.Account {
		case ledger.Receivable, ledger.LateFeeIncome:
			r.Income += t.Credit - t.Debit
		case ledger.BenefitExpense:
			r.Expense += t.Debit - t.Credit
		case ledger.PayoutBank:
			r.Paid += t.Credit - t.Debit
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return out[i].Month < out[j].Month || out[i].Month == out[j].Month && out[i].Scheme < out[j].Scheme
	})
	return out
}

// ChartHTML is the chart for the page: SVG written here from numbers only.
func (r *FundReport) ChartHTML() template.HTML { return template.HTML(r.Chart) } //nolint:gosec // built from numbers and fixed text

// SchemeName is the row's scheme in Chinese.
func (r FundMonth) SchemeName() string { return ledger.SchemeName(r.Scheme) }

// MonthText is the row's month in Chinese (2023年3月).
func (r FundMonth) MonthText() string { return monthText(r.Month, false) }

// monthText writes a month "2023-03" as 2023年3月, or 23年3月 where space
// is short.
func monthText(m string, short bool) string {
	mon, err := clock.ParseMonth(m)
	if err != nil {
		return m
	}
	if short {
		return fmt.Sprintf("%02d年%d月", mon.Year%100, int(mon.Mon))
	}
	return mon.Chinese()
}

// chart draws income and expense of all schemes per month as paired bars.
func chart(rep *FundReport) string {
	in, ex := map[string]money.Fen{}, map[string]money.Fen{}
	var top money.Fen = 1
	for _, r := range rep.Rows {
		in[r.Month] += r.Income
		ex[r.Month] += r.Expense
	}
	for _, m := range rep.Months {
		top = max(top, in[m], ex[m])
	}
	const w, h, base = 720, 260, 220
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="各月基金收入与支出">`, w, h)
	fmt.Fprintf(&b, `<line x1="40" y1="%d" x2="%d" y2="%d" stroke="#999"/>`, base, w-10, base)
	step := float64(w-60) / float64(len(rep.Months))
	for i, m := range rep.Months {
		x := 45 + float64(i)*step
		hi := float64(in[m]) / float64(top) * 190
		he := float64(ex[m]) / float64(top) * 190
		full := monthText(m, false)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#2e7d32"><title>%s 收入 %s 元</title></rect>`,
			x, base-hi, step*0.38, hi, full, in[m])
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#c62828"><title>%s 支出 %s 元</title></rect>`,
			x+step*0.4, base-he, step*0.38, he, full, ex[m])
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>`, x+step*0.4, base+16, monthText(m, step < 64))
	}
	fmt.Fprintf(&b, `<rect x="50" y="8" width="10" height="10" fill="#2e7d32"/><text x="64" y="17" font-size="12">收入</text>`)
	fmt.Fprintf(&b, `<rect x="110" y="8" width="10" height="10" fill="#c62828"/><text x="124" y="17" font-size="12">支出</text>`)
	fmt.Fprintf(&b, `<text x="%d" y="17" font-size="12" text-anchor="end">最高 %s 元</text></svg>`, w-12, top)
	return b.String()
}

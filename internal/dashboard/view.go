package dashboard

import (
	"context"
	"fmt"
	"html/template"
	"io"
	"math"
	"strings"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/ledger"
	"shebao/internal/money"
	"shebao/internal/sheet"
)

// Periods are the choices of the case figures' period, in days.
var Periods = []int{7, 30, 90, 180}

// MonthChoices are the choices of the fund figures' period, in months.
var MonthChoices = []int{6, 12, 24}

// Query chooses a dashboard: the agency's (Section "") or a section's,
// and the periods.
type Query struct {
	Section access.Section
	Days    int
	Months  int
}

// Check validates the query, naming the fields in Chinese.
func (q *Query) Check() error {
	var f errs.Fields
	if q.Days == 0 {
		q.Days = 30
	}
	if q.Months == 0 {
		q.Months = 12
	}
	if !contains(Periods, q.Days) {
		f.Add("days", "统计天数只能选 7、30、90 或 180 天")
	}
	if !contains(MonthChoices, q.Months) {
		f.Add("months", "统计月数只能选 6、12 或 24 个月")
	}
	if q.Section != "" && !q.Section.Valid() {
		f.Add("section", "科室不在可选范围内")
	}
	return f.Err()
}

func contains(xs []int, x int) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

// View is one dashboard as shown: totals, the series behind each chart
// and the charts.
type View struct {
	Query      Query
	Title      string
	Ready      bool // a snapshot exists
	TakenAt    string
	TookMS     int64
	Days       []Day
	New        int
	Closed     int
	Open       int
	Overdue    int
	AvgHours   float64
	Sections   []SectionFigures
	Recovery   [3]int // open, made up, overdue
	Fund       []FundRow
	FundMonths []FundMonth
	Payroll    []PayrollRow
	Complaints []ComplaintRow
	CaseChart  template.HTML
	FundChart  template.HTML
	PayChart   template.HTML
}

// FundMonth sums a month's income and expense over the schemes.
type FundMonth struct {
	Month           string
	Income, Expense money.Fen
}

// SchemeName is the row's scheme in Chinese.
func (r FundRow) SchemeName() string { return ledger.SchemeName(r.Scheme) }

// AvgText is the average handling time in Chinese.
func (v *View) AvgText() string { return hoursText(v.AvgHours) }

func hoursText(h float64) string {
	if h == 0 {
		return "—"
	}
	if h < 48 {
		return fmt.Sprintf("%.1f 小时", h)
	}
	return fmt.Sprintf("%.1f 天", h/24)
}

// AvgText is the section's average handling time in Chinese.
func (f SectionFigures) AvgText() string { return hoursText(f.HandlingHrs) }

// Dashboard returns the dashboard of q for a. Errors: Unauthenticated,
// Forbidden, Invalid.
func (s *Service) Dashboard(ctx context.Context, a *access.Actor, q Query) (*View, error) {
	if err := q.Check(); err != nil {
		return nil, err
	}
	if q.Section == "" {
		if err := CanAgency(a); err != nil {
			return nil, err
		}
	} else if err := CanSection(a, q.Section); err != nil {
		return nil, err
	}
	sn, err := s.Latest(ctx)
	if err != nil {
		return nil, err
	}
	if sn == nil {
		// No snapshot yet (a new installation before the hourly job):
		// the first reader builds it rather than seeing an empty page.
		if sn, err = s.Refresh(ctx); err != nil {
			return nil, err
		}
	}
	v := &View{Query: q, Title: "全局运行情况"}
	if q.Section != "" {
		v.Title = q.Section.Name() + "运行情况"
	}
	v.Ready, v.TakenAt, v.TookMS = true, sn.TakenAt.In(clock.Shanghai).Format("2006-01-02 15:04"), sn.TookMS
	s.fill(v, sn)
	return v, nil
}

// fill sums the snapshot's figures for the view's scope and periods.
func (s *Service) fill(v *View, sn *Snapshot) {
	q := v.Query
	var handled float64
	for _, f := range sn.Sections {
		if q.Section != "" && f.Section != q.Section {
			continue
		}
		v.Sections = append(v.Sections, f)
		v.Open += f.Open
		v.Overdue += f.Overdue
		v.Recovery[0] += f.RecoveryOpen
		v.Recovery[1] += f.RecoveryDone
		v.Recovery[2] += f.RecoveryLate
		handled += f.HandlingHrs * float64(f.ClosedCount)
		days := f.Days[max(len(f.Days)-q.Days, 0):]
		if v.Days == nil {
			v.Days = make([]Day, len(days))
			for i := range days {
				v.Days[i].Day = days[i].Day
			}
		}
		for i, d := range days {
			v.Days[i].New += d.New
			v.Days[i].Closed += d.Closed
			v.New += d.New
			v.Closed += d.Closed
		}
	}
	closedAll := 0
	for _, f := range v.Sections {
		closedAll += f.ClosedCount
	}
	if closedAll > 0 {
		v.AvgHours = handled / float64(closedAll)
	}
	v.CaseChart = template.HTML(barChart("每日新收与办结业务", dayLabels(v.Days), //nolint:gosec // numbers and fixed text
		[]series{{"新收", "#1565c0", dayValues(v.Days, true)}, {"办结", "#2e7d32", dayValues(v.Days, false)}}))
	if q.Section != "" && q.Section != access.Fund {
		return
	}
	first := clock.MonthOf(s.clock.Now()).Add(-(q.Months - 1)).String()
	sums := map[string]*FundMonth{}
	var months []string
	for i := range q.Months {
		m := clock.MonthOf(s.clock.Now()).Add(-(q.Months - 1) + i).String()
		months = append(months, m)
		sums[m] = &FundMonth{Month: m}
	}
	for _, r := range sn.Fund {
		if r.Month >= first {
			v.Fund = append(v.Fund, r)
			if m := sums[r.Month]; m != nil {
				m.Income += r.Income
				m.Expense += r.Expense
			}
		}
	}
	var in, ex []float64
	for _, m := range months {
		v.FundMonths = append(v.FundMonths, *sums[m])
		in, ex = append(in, yuan(sums[m].Income)), append(ex, yuan(sums[m].Expense))
	}
	v.FundChart = template.HTML(barChart("各月基金收入与支出（元）", months, //nolint:gosec // numbers and fixed text
		[]series{{"收入", "#2e7d32", in}, {"支出", "#c62828", ex}}))
	var pm []string
	var pt []float64
	for _, r := range sn.Payroll {
		if r.Month >= first {
			v.Payroll = append(v.Payroll, r)
			pm, pt = append(pm, r.Month), append(pt, yuan(r.Total))
		}
	}
	v.PayChart = template.HTML(barChart("各月养老金发放总额（元）", pm, []series{{"发放总额", "#6a1b9a", pt}})) //nolint:gosec // numbers and fixed text
	v.Complaints = sn.Complaints
}

func yuan(f money.Fen) float64 { return float64(f) / 100 }

func dayLabels(ds []Day) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Day[5:]
	}
	return out
}

func dayValues(ds []Day, isNew bool) []float64 {
	out := make([]float64, len(ds))
	for i, d := range ds {
		out[i] = float64(d.Closed)
		if isNew {
			out[i] = float64(d.New)
		}
	}
	return out
}

type series struct {
	Name, Color string
	Values      []float64
}

// barChart draws grouped bars, one group per label, with a legend and the
// highest value; every bar has a title with its exact figure.
func barChart(title string, labels []string, ss []series) string {
	const w, h, base, top = 760, 280, 236, 30
	peak := 0.0
	for _, s := range ss {
		for _, v := range s.Values {
			peak = math.Max(peak, v)
		}
	}
	empty := peak == 0
	if empty {
		peak = 1
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" role="img" aria-label="%s">`, w, h, template.HTMLEscapeString(title))
	fmt.Fprintf(&b, `<line x1="40" y1="%d" x2="%d" y2="%d" stroke="#999"/>`, base, w-10, base)
	n := max(len(labels), 1)
	step := float64(w-60) / float64(n)
	bw := step * 0.8 / float64(max(len(ss), 1))
	every := max(n/12, 1)
	for i, l := range labels {
		x := 45 + float64(i)*step
		for j, s := range ss {
			if i >= len(s.Values) {
				continue
			}
			hgt := s.Values[i] / peak * float64(base-top)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s %s</title></rect>`,
				x+float64(j)*bw, float64(base)-hgt, bw, hgt, s.Color, template.HTMLEscapeString(l), s.Name, number(s.Values[i]))
		}
		if i%every == 0 {
			fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%s</text>`, x+step*0.4, base+16, template.HTMLEscapeString(l))
		}
	}
	x := 50
	for _, s := range ss {
		fmt.Fprintf(&b, `<rect x="%d" y="8" width="10" height="10" fill="%s"/><text x="%d" y="17" font-size="12">%s</text>`, x, s.Color, x+14, s.Name)
		x += 30 + 14*len([]rune(s.Name))
	}
	if empty {
		fmt.Fprintf(&b, `<text x="%d" y="17" font-size="12" text-anchor="end">暂无数据</text></svg>`, w-12)
	} else {
		fmt.Fprintf(&b, `<text x="%d" y="17" font-size="12" text-anchor="end">最高 %s</text></svg>`, w-12, number(peak))
	}
	return b.String()
}

// number writes a figure with thousands separators (two decimals when it
// has cents).
func number(v float64) string {
	if v == math.Trunc(v) {
		return money.Fen(int64(v) * 100).String()[:len(money.Fen(int64(v)*100).String())-3]
	}
	return money.Fen(int64(math.Round(v * 100))).String()
}

// Export writes the dashboard's tables as an .xlsx workbook.
func (s *Service) Export(ctx context.Context, a *access.Actor, q Query, w io.Writer) error {
	v, err := s.Dashboard(ctx, a, q)
	if err != nil {
		return err
	}
	x := sheet.NewExport()
	steps := []func() error{
		func() error {
			if err := x.Sheet("每日业务量", []string{"日期", "新收", "办结"}, 14, 10, 10); err != nil {
				return err
			}
			for _, d := range v.Days {
				if err := x.Row(d.Day, d.New, d.Closed); err != nil {
					return err
				}
			}
			return nil
		},
		func() error {
			if err := x.Sheet("各科室概况", []string{"科室", "在办", "超期", "期间办结", "平均办理时长", "延期业务待补办", "已补办", "逾期未补办"},
				16, 8, 8, 10, 14, 14, 10, 12); err != nil {
				return err
			}
			for _, f := range v.Sections {
				if err := x.Row(f.Section.Name(), f.Open, f.Overdue, f.ClosedCount, f.AvgText(), f.RecoveryOpen, f.RecoveryDone, f.RecoveryLate); err != nil {
					return err
				}
			}
			return nil
		},
	}
	if v.FundMonths != nil {
		steps = append(steps, func() error {
			if err := x.Sheet("基金收支", []string{"月份", "险种", "收入（元）", "支出（元）"}, 10, 16, 18, 18); err != nil {
				return err
			}
			for _, r := range v.Fund {
				if err := x.Row(r.Month, r.SchemeName(), r.Income.String(), r.Expense.String()); err != nil {
					return err
				}
			}
			return nil
		}, func() error {
			if err := x.Sheet("养老金发放", []string{"月份", "人数", "总额（元）"}, 10, 10, 18); err != nil {
				return err
			}
			for _, r := range v.Payroll {
				if err := x.Row(r.Month, r.People, r.Total.String()); err != nil {
					return err
				}
			}
			return nil
		})
	}
	for _, st := range steps {
		if err := st(); err != nil {
			return errs.Wrap(err, "dashboard export")
		}
	}
	_, err = x.WriteTo(w)
	return errs.Wrap(err, "dashboard export")
}

package policy

import (
	"context"
	"strconv"
	"strings"
	"time"
)

// Banner is what every page shows while an emergency period is active.
// It is shared between requests: do not modify it.
type Banner struct {
	Title    string
	Since    string // YYYY-MM-DD
	Until    string // YYYY-MM-DD once an end date is declared, else ""
	Measures []string
}

// Banner returns the active emergency's banner for today (the injected
// clock), or nil when none is active. It is called on every page and costs
// no database query while the cache is fresh: the banner is computed once
// per snapshot and day.
func (s *Service) Banner(ctx context.Context) (*Banner, error) {
	sn, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	today := dayKey(s.today())
	if be := sn.banner.Load(); be != nil && be.day == today {
		return be.b, nil
	}
	var b *Banner
	if act := sn.active(today); len(act) > 0 {
		e := act[0]
		b = &Banner{Title: e.Title, Since: e.StartDay(), Until: e.EndDay(), Measures: sn.describe(e)}
	}
	sn.banner.Store(&bannerEntry{day: today, b: b})
	return b, nil
}

// Describe returns the Chinese description of each measure of e, e.g.
// "2024年1月、2月社保费征收期延长至2024年3月31日".
func (s *Service) Describe(ctx context.Context, e Emergency) ([]string, error) {
	sn, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return sn.describe(e), nil
}

func (sn *snapshot) describe(e Emergency) []string {
	out := make([]string, 0, len(e.Measures))
	for _, m := range e.Measures {
		out = append(out, sn.describeMeasure(e, m))
	}
	return out
}

func (sn *snapshot) describeMeasure(e Emergency, m Measure) string {
	switch m {
	case MeasureCollectionExtended:
		return describeExtension(e.Params[m])
	case MeasureLateFeeWaived:
		return "免收滞纳金"
	case MeasureLateAccepted:
		return "逾期办理参保登记、缴费及时受理并标识"
	case MeasureMakeUpAllowed:
		text := "疫情结束后" + sn.makeUpWindow(e) + "内可补办"
		if e.MakeUpUntil != nil {
			text += "（至" + cnDate(*e.MakeUpUntil) + "）"
		}
		return text
	case MeasureDeferredOriginals:
		if e.OriginalsDue != nil {
			return "容缺受理、告知承诺，原件请于" + cnDate(*e.OriginalsDue) + "前补交"
		}
		return "容缺受理、告知承诺，原件疫情后补交"
	case MeasureCashRefused:
		return "暂不收取现金，请刷卡缴费"
	case MeasureContactlessFirst:
		return "倡导不见面办理"
	}
	return m.Label()
}

// makeUpWindow spells the make-up window in force on the end date (or the
// start while open): "三个月".
func (sn *snapshot) makeUpWindow(e Emergency) string {
	day := e.StartDay()
	if e.End != nil {
		day = e.EndDay()
	}
	if r, ok := sn.inForce(KeyMakeUpWindowMonths, "", day); ok {
		if n, err := strconv.ParseInt(r.Value, 10, 64); err == nil {
			return cnNumber(n) + "个月"
		}
	}
	return "规定期限"
}

// describeExtension reads "2024年1月、2月社保费征收期延长至2024年3月31日".
func describeExtension(p MeasureParams) string {
	var b strings.Builder
	year := 0
	for i, m := range p.FeeMonths {
		t, err := ParseMonth(m)
		if err != nil {
			continue
		}
		if i > 0 {
			b.WriteString("、")
		}
		if t.Year() != year {
			b.WriteString(strconv.Itoa(t.Year()) + "年")
			year = t.Year()
		}
		b.WriteString(strconv.Itoa(int(t.Month())) + "月")
	}
	due := p.Due
	if t, err := time.Parse(dayLayout, p.Due); err == nil {
		due = cnDate(t)
	}
	b.WriteString("社保费征收期延长至" + due)
	return b.String()
}

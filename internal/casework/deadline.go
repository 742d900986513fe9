package casework

import (
	"context"
	"fmt"
	"strings"
	"time"

	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

// DeadlineKind says how a deadline is counted.
type DeadlineKind string

// Deadline kinds.
const (
	NoDeadline   DeadlineKind = ""
	Hours        DeadlineKind = "hours"         // from an instant, e.g. the accident
	CalendarDays DeadlineKind = "calendar_days" // to the end of the N-th day after
	WorkingDays  DeadlineKind = "working_days"  // to the end of the N-th working day after (policy calendar)
	// AfterEmergencyEnd: to the end of the N-th day after the end of the
	// emergency whose Measure is in force at the start; no date while it is
	// open; N calendar days from the start when no such emergency.
	AfterEmergencyEnd DeadlineKind = "after_emergency_end"
)

// DeadlineRule is a case type's deadline: N units counted from the case's
// start instant (the event, e.g. the accident time, or the submission).
// N comes from the dated rule Key in force on the start day, or Default
// when Key is empty.
type DeadlineRule struct {
	Kind    DeadlineKind
	Key     string // policy rule key, e.g. policy.KeyAccidentReportHours
	Default int
	From    string         // what the start is, for the explanation, e.g. "事故发生时间"
	Measure policy.Measure // for AfterEmergencyEnd, e.g. policy.MeasureMakeUpAllowed
}

// Deadline is a computed deadline and how it was computed.
type Deadline struct {
	At   *time.Time // nil when the type has none, or while the emergency it waits for is open
	Rule string     // e.g. "事故发生时间 2024-02-09 08:00 起 24 小时（accident_report_hours）"
	// EmergencyID and Days: the deadline is Days after that emergency's end
	// and is recomputed when the end changes.
	EmergencyID int64
	Days        int
}

// ComputeDeadline applies rule to the start instant. Errors: NotFound when
// the dated rule is missing on that day.
// The rule: docs/rules.md §8.2.
func (s *Service) ComputeDeadline(ctx context.Context, rule DeadlineRule, start time.Time) (Deadline, error) {
	if rule.Kind == NoDeadline {
		return Deadline{}, nil
	}
	n := int64(rule.Default)
	basis := ""
	if rule.Key != "" {
		v, r, err := s.policy.Int(ctx, rule.Key, "", start)
		if err != nil {
			return Deadline{}, err
		}
		n, basis = v, r.LegalBasis
	}
	from := rule.From
	if from == "" {
		from = "提交时间"
	}
	var at time.Time
	var unit string
	switch rule.Kind {
	case Hours:
		at, unit = start.Add(time.Duration(n)*time.Hour), "小时"
	case CalendarDays:
		at, unit = endOfDay(clock.DateOf(start).AddDate(0, 0, int(n))), "日"
	case AfterEmergencyEnd:
		e, err := s.policy.MeasureInForce(ctx, start, rule.Measure)
		if err != nil {
			return Deadline{}, err
		}
		if e != nil {
			return afterEnd(*e, int(n)), nil
		}
		at, unit = endOfDay(clock.DateOf(start).AddDate(0, 0, int(n))), "日（无应急期）"
	case WorkingDays:
		d, err := s.policy.AddWorkingDays(ctx, start, int(n))
		if err != nil {
			return Deadline{}, err
		}
		at, unit = endOfDay(d), "个工作日"
	default:
		return Deadline{}, errs.Wrap(fmt.Errorf("unknown deadline kind %q", rule.Kind), "deadline")
	}
	text := fmt.Sprintf("%s %s 起 %d %s内", from, start.In(clock.Shanghai).Format("2006-01-02 15:04"), n, unit)
	if basis != "" {
		text += "（依据：" + basis + "）"
	}
	at = at.UTC()
	return Deadline{At: &at, Rule: text}, nil
}

// afterEnd is the deadline days after the end of emergency e.
func afterEnd(e policy.Emergency, days int) Deadline {
	d := Deadline{EmergencyID: e.ID, Days: days, Rule: fmt.Sprintf("%s结束后%d日内", e.Title, days)}
	if e.End != nil {
		at := endOfDay(e.End.AddDate(0, 0, days)).UTC()
		d.At, d.Rule = &at, d.Rule+"（"+e.EndDay()+" 结束）"
	}
	return d
}

// endOfDay is the last second of the Shanghai day of t.
func endOfDay(t time.Time) time.Time {
	d := clock.DateOf(t)
	return d.AddDate(0, 0, 1).Add(-time.Second)
}

// LateBy describes how late submitted is against deadline in Chinese,
// e.g. "迟报 1 小时", "迟报 2 天 3 小时"; "" when not late. Minutes are
// shown only when the delay has no whole hours or days beyond them, and
// seconds round up to a minute.
func LateBy(deadline, submitted time.Time) string {
	d := submitted.Sub(deadline)
	if d <= 0 {
		return ""
	}
	mins := int64((d + time.Minute - 1) / time.Minute)
	days, hours, m := mins/(24*60), mins/60%24, mins%60
	var parts []string
	if days > 0 {
		parts = append(parts, fmt.Sprintf("%d 天", days))
	}
	if hours > 0 {
		parts = append(parts, fmt.Sprintf("%d 小时", hours))
	}
	if m > 0 && days == 0 {
		parts = append(parts, fmt.Sprintf("%d 分钟", m))
	}
	if len(parts) == 0 {
		parts = append(parts, fmt.Sprintf("%d 分钟", m))
	}
	return "迟报 " + strings.Join(parts, " ")
}

// ownedDue returns the due date of owed originals under emergency e (nil
// while it is open) and the rule text.
func originalsDue(e policy.Emergency, days int) (*string, string) {
	rule := fmt.Sprintf("疫情结束后%d日内", days)
	if e.End == nil {
		return nil, rule
	}
	d := e.End.AddDate(0, 0, days).In(clock.Shanghai).Format("2006-01-02")
	return &d, rule + "（" + e.EndDay() + " 结束）"
}

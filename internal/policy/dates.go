package policy

import (
	"strconv"
	"time"

	"shebao/internal/clock"
	"shebao/internal/errs"
)

// dayLayout is how calendar dates are stored: 'YYYY-MM-DD'.
const dayLayout = "2006-01-02"

// dayKey returns the Shanghai calendar date of t as 'YYYY-MM-DD'. Callers
// may pass a Shanghai midnight (clock.DateOf) or any instant.
func dayKey(t time.Time) string { return t.In(clock.Shanghai).Format(dayLayout) }

// dayTime turns a stored 'YYYY-MM-DD' into Shanghai midnight.
func dayTime(s string) time.Time {
	t, err := clock.ParseDate(s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// dayPtr is dayTime for nullable columns.
func dayPtr(s *string) *time.Time {
	if s == nil || *s == "" {
		return nil
	}
	t := dayTime(*s)
	return &t
}

// keyPtr is dayKey for optional dates.
func keyPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	k := dayKey(*t)
	return &k
}

// shiftDay moves a 'YYYY-MM-DD' by n days.
func shiftDay(s string, n int) string { return dayTime(s).AddDate(0, 0, n).Format(dayLayout) }

// addMonths adds n months to a date, clamping to the end of the target
// month (2024-03-31 + 3 months = 2024-06-30, not 2024-07-01).
func addMonths(t time.Time, n int) time.Time {
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, t.Location())
	last := first.AddDate(0, 1, -1).Day()
	d := t.Day()
	if d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, t.Location())
}

// checkDay validates a 'YYYY-MM-DD' form value, recording a Chinese field
// error; it returns the canonical text.
func checkDay(f *errs.Fields, field, label, s string, required bool) string {
	if s == "" {
		if required {
			f.Add(field, "请填写"+label+"（格式 2024-01-23）")
		}
		return ""
	}
	t, err := clock.ParseDate(s)
	if err != nil {
		f.Add(field, label+"格式不正确：应为 YYYY-MM-DD 的有效日期，如 2024-01-23")
		return ""
	}
	if t.Year() < 1990 || t.Year() > 2100 {
		f.Add(field, label+"年份应在 1990 至 2100 之间")
		return ""
	}
	return t.Format(dayLayout)
}

// ParseMonth parses a fee month 'YYYY-MM' into the first day of the month
// (Shanghai). It returns an Invalid error.
func ParseMonth(s string) (time.Time, error) {
	t, err := time.ParseInLocation("2006-01", s, clock.Shanghai)
	if err != nil || t.Year() < 1990 || t.Year() > 2100 {
		return time.Time{}, errs.New(errs.Invalid, "bad_month", "月份格式不正确：应为 YYYY-MM，如 2024-01")
	}
	return t, nil
}

// cnDate formats a date as "2024年3月31日".
func cnDate(t time.Time) string { return t.Format("2006年1月2日") }

// cnNumber spells small counts in Chinese ("三个月"), digits otherwise.
func cnNumber(n int64) string {
	names := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"}
	if n >= 0 && int(n) < len(names) {
		return names[n]
	}
	return strconv.FormatInt(n, 10)
}

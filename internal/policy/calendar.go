package policy

import (
	"context"
	"database/sql"
	"sort"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// Day kinds of the working-day calendar.
const (
	DayHoliday = "holiday" // a public holiday or a day off in lieu (休)
	DayWorkday = "workday" // a weekend day worked as a make-up workday (班 / 调休)
)

// CalendarDay is an exception to the Monday–Friday week.
type CalendarDay struct {
	Day        string // YYYY-MM-DD
	Kind       string // DayHoliday or DayWorkday
	Name       string // e.g. "春节"
	LegalBasis string
	CreatedBy  string
	CreatedAt  time.Time
}

// Date returns the day as a Shanghai date.
func (c CalendarDay) Date() time.Time { return dayTime(c.Day) }

// queryCalendar reads calendar days whose day starts with prefix ("" = all).
func queryCalendar(ctx context.Context, q db.Querier, prefix string) ([]CalendarDay, error) {
	var out []CalendarDay
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var c CalendarDay
		if err := r.Scan(&c.Day, &c.Kind, &c.Name, &c.LegalBasis, &c.CreatedBy, &c.CreatedAt); err != nil {
			return errs.Wrap(err, "scan calendar day")
		}
		out = append(out, c)
		return nil
	}, `SELECT day, kind, name, legal_basis, created_by, created_at FROM calendar_days
		WHERE day LIKE $1 ORDER BY day`, prefix+"%")
	return out, errs.Wrap(err, "query calendar")
}

// working answers from the snapshot: an explicit exception, else Monday
// to Friday.
func (sn *snapshot) working(t time.Time) bool {
	if c, ok := sn.days[t.Format(dayLayout)]; ok {
		return c.Kind == DayWorkday
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// IsWorkingDay reports whether day (its Shanghai date) is a working day.
func (s *Service) IsWorkingDay(ctx context.Context, day time.Time) (bool, error) {
	sn, err := s.current(ctx)
	if err != nil {
		return false, err
	}
	return sn.working(dayTime(dayKey(day))), nil
}

// maxWorkingDays bounds AddWorkingDays and WorkingDaysBetween (about 40
// years) so a bad input cannot loop for long.
const maxWorkingDays = 10_000

// AddWorkingDays returns the n-th working day after from (n > 0), or
// before it (n < 0); n = 0 returns from's date. The result is a Shanghai
// date. 2024-02-09 + 1 = 2024-02-18 (a Sunday worked in lieu).
// Errors: Invalid when |n| is absurd.
// The rule: docs/rules.md §8.1.
func (s *Service) AddWorkingDays(ctx context.Context, from time.Time, n int) (time.Time, error) {
	if n > maxWorkingDays || n < -maxWorkingDays {
		return time.Time{}, errs.New(errs.Invalid, "bad_working_days", "工作日数超出范围")
	}
	sn, err := s.current(ctx)
	if err != nil {
		return time.Time{}, err
	}
	t, step := dayTime(dayKey(from)), 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		t = t.AddDate(0, 0, step)
		if sn.working(t) {
			n--
		}
	}
	return t, nil
}

// WorkingDaysBetween counts the working days after from up to and
// including to (0 when to is not after from), so that
// WorkingDaysBetween(d, AddWorkingDays(d, n)) == n.
func (s *Service) WorkingDaysBetween(ctx context.Context, from, to time.Time) (int, error) {
	sn, err := s.current(ctx)
	if err != nil {
		return 0, err
	}
	t, end := dayTime(dayKey(from)), dayKey(to)
	n := 0
	for i := 0; i < maxWorkingDays*2; i++ {
		t = t.AddDate(0, 0, 1)
		if t.Format(dayLayout) > end {
			return n, nil
		}
		if sn.working(t) {
			n++
		}
	}
	return 0, errs.New(errs.Invalid, "bad_working_days", "日期范围过大")
}

// CalendarDays returns the exceptions of a year (public).
func (s *Service) CalendarDays(ctx context.Context, year int) ([]CalendarDay, error) {
	sn, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	prefix := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006") + "-"
	var out []CalendarDay
	for d, c := range sn.days {
		if strings.HasPrefix(d, prefix) {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day < out[j].Day })
	return out, nil
}

// CalendarInput is a day an administrator adds or changes.
type CalendarInput struct {
	Day        string `json:"day"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	LegalBasis string `json:"legal_basis"`
}

func (in CalendarInput) day() (CalendarDay, error) {
	var f errs.Fields
	c := CalendarDay{Day: checkDay(&f, "day", "日期", strings.TrimSpace(in.Day), true), Kind: in.Kind,
		Name: strings.TrimSpace(in.Name), LegalBasis: strings.TrimSpace(in.LegalBasis)}
	if c.Kind != DayHoliday && c.Kind != DayWorkday {
		f.Add("kind", "请选择“放假”或“调休上班”")
	}
	textField(&f, "name", "名称，如 春节", c.Name, 50)
	if len([]rune(c.LegalBasis)) > 200 {
		f.Add("legal_basis", "依据不超过200字")
	}
	return c, f.Err()
}

// SetCalendarDay adds or changes one calendar exception (administrators
// only), with an audit entry. Errors: Forbidden, Invalid.
func (s *Service) SetCalendarDay(ctx context.Context, a *access.Actor, in CalendarInput) (CalendarDay, error) {
	if err := a.RequireAdmin(); err != nil {
		return CalendarDay{}, err
	}
	c, err := in.day()
	if err != nil {
		return CalendarDay{}, err
	}
	c.CreatedBy, c.CreatedAt = a.Name(), s.clock.Now()
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := bumpRevision(ctx, tx); err != nil {
			return err
		}
		before, err := queryCalendar(ctx, tx, c.Day)
		if err != nil {
			return err
		}
		if err := upsertDay(ctx, tx, c); err != nil {
			return err
		}
		e := audit.Entry{Action: "policy.calendar.set", Entity: "calendar_day", EntityID: c.Day, After: c}
		if len(before) > 0 {
			e.Before = before[0]
		}
		return s.audit.Record(ctx, tx, a, e)
	})
	if err != nil {
		return CalendarDay{}, err
	}
	s.changed(ctx)
	return c, nil
}

// upsertDay inserts or replaces one calendar day.
func upsertDay(ctx context.Context, tx *sql.Tx, c CalendarDay) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO calendar_days (day, kind, name, legal_basis, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name, legal_basis = excluded.legal_basis,
			created_by = excluded.created_by, created_at = excluded.created_at`,
		c.Day, c.Kind, c.Name, c.LegalBasis, c.CreatedBy, c.CreatedAt.UTC())
	return errs.Wrap(err, "upsert calendar day")
}

package dashboard

import (
	"context"
	"database/sql"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// compute gathers every figure: the cases in one pass, the rest from the
// owning packages' read APIs.
func (s *Service) compute(ctx context.Context) (*Snapshot, error) {
	today := clock.Today(s.clock)
	sn := &Snapshot{Today: today.Format(dayLayout)}
	var err error
	if sn.Sections, err = s.caseFigures(ctx, today); err != nil {
		return nil, err
	}
	if s.src.Recovery != nil {
		for i := range sn.Sections {
			f := &sn.Sections[i]
			if f.RecoveryOpen, f.RecoveryDone, f.RecoveryLate, err = s.src.Recovery(ctx, f.Section); err != nil {
				return nil, err
			}
		}
	}
	if s.src.Fund != nil {
		if sn.Fund, err = s.src.Fund(ctx, clock.MonthOf(s.clock.Now()), Months); err != nil {
			return nil, err
		}
	}
	if s.src.Payroll != nil {
		if sn.Payroll, err = s.src.Payroll(ctx, Months); err != nil {
			return nil, err
		}
	}
	if s.src.Complaints != nil {
		if sn.Complaints, err = s.src.Complaints(ctx); err != nil {
			return nil, err
		}
	}
	return sn, nil
}

const dayLayout = "2006-01-02"

// caseFigures reads the cases open now or created or closed in the
// window, once, and counts per section and day.
func (s *Service) caseFigures(ctx context.Context, today time.Time) ([]SectionFigures, error) {
	from := today.AddDate(0, 0, -(Days - 1))
	now := s.clock.Now()
	idx := map[access.Section]int{}
	out := make([]SectionFigures, len(access.Sections))
	for i, x := range access.Sections {
		idx[x] = i
		out[i] = SectionFigures{Section: x, Days: make([]Day, Days)}
		for d := range Days {
			out[i].Days[d].Day = from.AddDate(0, 0, d).Format(dayLayout)
		}
	}
	handling := make([]float64, len(out))
	dayIndex := func(t time.Time) int {
		d := clock.DateOf(t)
		if d.Before(from) || d.After(today) {
			return -1
		}
		return int(d.Sub(from).Hours()+12) / 24
	}
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var sec string
		var open bool
		var submitted, created, overdue time.Time
		var closed sql.NullTime
		if err := r.Scan(&sec, &open, &submitted, &created, &closed, &overdue); err != nil {
			return err
		}
		i, ok := idx[access.Section(sec)]
		if !ok {
			return nil
		}
		f := &out[i]
		if open {
			f.Open++
			if overdue.Before(now) {
				f.Overdue++
			}
		}
		if d := dayIndex(created); d >= 0 {
			f.Days[d].New++
		}
		if closed.Valid {
			if d := dayIndex(closed.Time); d >= 0 {
				f.Days[d].Closed++
				f.ClosedCount++
				handling[i] += closed.Time.Sub(submitted).Hours()
			}
		}
		return nil
	}, `SELECT section, is_open, submitted_at, created_at, closed_at, overdue_at FROM cases
		WHERE is_open = TRUE OR created_at >= $1 OR closed_at >= $1`, from.UTC())
	if err != nil {
		return nil, errs.Wrap(err, "dashboard cases")
	}
	for i := range out {
		if out[i].ClosedCount > 0 {
			out[i].HandlingHrs = handling[i] / float64(out[i].ClosedCount)
		}
	}
	return out, nil
}

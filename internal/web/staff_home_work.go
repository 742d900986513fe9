package web

import (
	"context"
	"time"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/clock"
	"shebao/internal/recovery"
)

// sectionWork is what the console home shows of a clerk's section: the
// counts of the queue views, the clerk's own cases due today or overdue,
// and the recovery-register items handed over to the section.
type sectionWork struct {
	Mine, Unassigned, Overdue string
	DueToday                  []dueCase
	HandedOver                int
}

// dueCase is one of the clerk's cases due today or overdue.
type dueCase struct{ No, Title, When string }

// sectionWorkOf reads the section's queue counts and the clerk's cases
// whose deadline is today or has passed (from the first page of 我的).
func (s *Server) sectionWorkOf(ctx context.Context, a *access.Actor, x access.Section) (*sectionWork, error) {
	q, err := s.Cases.Queue(ctx, a, casework.QueueFilter{Section: x, View: casework.ViewMine})
	if err != nil {
		return nil, err
	}
	w := &sectionWork{Mine: q.CountLabel(casework.ViewMine), Unassigned: q.CountLabel(casework.ViewUnassigned),
		Overdue: q.CountLabel(casework.ViewOverdue)}
	end := clock.Today(s.Clock).AddDate(0, 0, 1)
	for _, c := range q.Items {
		if c.DeadlineAt != nil && c.DeadlineAt.Before(end) && len(w.DueToday) < 10 {
			w.DueToday = append(w.DueToday, dueCase{No: c.No, Title: c.Title, When: dueText(s.Clock.Now(), c)})
		}
	}
	if s.Recovery != nil {
		c, err := s.Recovery.Summary(ctx, a, recovery.Filter{Section: x})
		if err != nil {
			return nil, err
		}
		w.HandedOver = c.HandedOver
	}
	return w, nil
}

// dueText says when a case is due: 今天 HH:MM, or 已超期.
func dueText(now time.Time, c *casework.Case) string {
	if c.DeadlineAt == nil {
		return ""
	}
	if c.DeadlineAt.Before(now) {
		return "已超期"
	}
	return "今天 " + c.DeadlineAt.In(clock.Shanghai).Format("15:04")
}

package sensitive

import (
	"context"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/errs"
)

// Filter selects the list.
type Filter struct {
	Closed bool // closed ones instead of open ones
}

// List is what the actor may see: 办公室 (and the administrator) every
// matter; other staff the matters they flagged, those of their sections
// and those waiting for a post they hold. Errors: Unauthenticated,
// Forbidden.
func (s *Service) List(ctx context.Context, a *access.Actor, f Filter) ([]*Matter, error) {
	if !a.IsStaff() {
		if a == nil {
			return nil, errs.LoginRequired()
		}
		return nil, errs.Forbid()
	}
	status := "open"
	if f.Closed {
		status = "closed"
	}
	all, err := list(ctx, s.db.Read(), `m.status = $1`, status)
	if err != nil {
		return nil, err
	}
	if a.In(access.Office) {
		return s.mark(all), nil
	}
	hs, err := s.holders.PostsOf(ctx, nil, a.UserID)
	if err != nil {
		return nil, err
	}
	var out []*Matter
	for _, m := range all {
		if m.FlaggedBy == a.UserID || a.In(m.Section) || waitsFor(m, hs) {
			out = append(out, m)
		}
	}
	return s.mark(out), nil
}

func waitsFor(m *Matter, hs []account.Holding) bool {
	for _, h := range hs {
		if h.Post == m.Current().Post && (!h.Post.Scoped() || h.Section == m.Section) {
			return true
		}
	}
	return false
}

func (s *Service) mark(ms []*Matter) []*Matter {
	now := s.clock.Now()
	for _, m := range ms {
		m.Overdue = m.Status == "open" && m.DueAt != nil && now.After(*m.DueAt)
	}
	return ms
}

// Detail is one matter with its steps. Errors: Unauthenticated,
// Forbidden, NotFound.
func (s *Service) Detail(ctx context.Context, a *access.Actor, id int64) (*View, error) {
	if !a.IsStaff() {
		if a == nil {
			return nil, errs.LoginRequired()
		}
		return nil, errs.Forbid()
	}
	m, err := byID(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	hs, err := s.holders.PostsOf(ctx, nil, a.UserID)
	if err != nil {
		return nil, err
	}
	if !a.In(access.Office) && m.FlaggedBy != a.UserID && !a.In(m.Section) && !waitsFor(m, hs) && !heldAny(m, hs) {
		return nil, errs.Forbid()
	}
	st, err := steps(ctx, s.db.Read(), m)
	if err != nil {
		return nil, err
	}
	can, err := s.holds(ctx, nil, a, m)
	if err != nil {
		return nil, err
	}
	s.mark([]*Matter{m})
	return &View{Matter: m, Steps: st, CanAck: can}, nil
}

// heldAny: a holder of any post of the chain may read a matter that
// passed or will pass through it.
func heldAny(m *Matter, hs []account.Holding) bool {
	for _, l := range m.Chain {
		for _, h := range hs {
			if h.Post == l.Post && (!h.Post.Scoped() || h.Section == m.Section) {
				return true
			}
		}
	}
	return false
}

// OpenCount is the number of open matters and of those overdue, for
// dashboards. It checks no permission.
func (s *Service) OpenCount(ctx context.Context) (open, overdue int, err error) {
	err = s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(CASE WHEN due_at < $1 THEN 1 ELSE 0 END), 0)
		FROM sensitive_matters WHERE status = 'open'`, s.clock.Now().UTC().Truncate(time.Second)).Scan(&open, &overdue)
	return open, overdue, errs.Wrap(err, "sensitive count")
}

package casework

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// Queue views.
const (
	ViewUnassigned = "unassigned"
	ViewMine       = "mine"
	ViewOverdue    = "overdue"
	ViewWaiting    = "waiting" // returned to the applicant for more
	ViewOwing      = "owing_originals"
	ViewAll        = "all"
)

// Views lists the queue views in display order with their Chinese names.
var Views = []struct{ Code, Name string }{
	{ViewUnassigned, "待领取"}, {ViewMine, "我的"}, {ViewOverdue, "已超期"}, {ViewWaiting, "待补正"},
	{ViewOwing, "原件待补"}, {ViewAll, "全部在办"},
}

// PageSize is the number of cases on one queue page.
const PageSize = 50

// QueueFilter selects a section's open cases.
type QueueFilter struct {
	Section access.Section
	View    string
	Q       string // case number, applicant name or ID number
	State   State
	Type    string
	Page    int // from 1
}

// CountCap bounds the per-view counts: a queue shows "1000+" rather than
// count a hundred thousand rows on every page view.
const CountCap = 1000

// QueueResult is one page of a queue with the count of every view (each
// at most CountCap; Capped says which reached it).
type QueueResult struct {
	Items  []*Case
	Total  int // count of the selected view, at most CountCap
	Counts map[string]int
	Capped map[string]bool
	Page   int
	More   bool // a next page exists
}

// CountLabel is a view's count for display, e.g. "37" or "1000+".
func (r *QueueResult) CountLabel(view string) string {
	if r.Capped[view] {
		return strconv.Itoa(CountCap) + "+"
	}
	return strconv.Itoa(r.Counts[view])
}

// Queue returns a page of a section's open cases sorted by deadline (the
// earliest first, cases without one last) and the counts of every view.
// Every query reads one index range and stops early, so a page costs the
// same over a hundred or a hundred thousand cases.
// Errors: Forbidden (not staff of the section), Invalid (view).
func (s *Service) Queue(ctx context.Context, a *access.Actor, f QueueFilter) (*QueueResult, error) {
	if err := a.RequireSection(f.Section); err != nil {
		return nil, err
	}
	if f.View == "" {
		f.View = ViewAll
	}
	if f.Page < 1 {
		f.Page = 1
	}
	res := &QueueResult{Counts: map[string]int{}, Capped: map[string]bool{}, Page: f.Page}
	if err := s.queueCounts(ctx, a, f, res); err != nil {
		return nil, err
	}
	res.Total = res.Counts[f.View]
	return res, s.queuePage(ctx, a, f, res)
}

// queueCounts counts every view, each up to CountCap+1 rows, in one
// statement (one round trip).
func (s *Service) queueCounts(ctx context.Context, a *access.Actor, f QueueFilter, res *QueueResult) error {
	var args []any
	parts := make([]string, len(Views))
	for i, v := range Views {
		where, _, err := s.queueWhere(a, f, v.Code, &args)
		if err != nil {
			return err
		}
		parts[i] = "0" // the filters exclude the view
		if where != "" {
			parts[i] = fmt.Sprintf("(SELECT COUNT(*) FROM (SELECT 1 FROM cases%s LIMIT %d) c%d)", where, CountCap+1, i)
		}
	}
	n := make([]int, len(Views))
	dst := make([]any, len(Views))
	for i := range n {
		dst[i] = &n[i]
	}
	if err := s.db.Read().QueryRowContext(ctx, "SELECT "+strings.Join(parts, ", "), args...).Scan(dst...); err != nil {
		return errs.Wrap(err, "queue counts")
	}
	for i, v := range Views {
		res.Counts[v.Code], res.Capped[v.Code] = min(n[i], CountCap), n[i] > CountCap
	}
	return nil
}

// queuePage reads the page's cases (one more, to know whether a next page exists).
func (s *Service) queuePage(ctx context.Context, a *access.Actor, f QueueFilter, res *QueueResult) error {
	var args []any
	where, order, err := s.queueWhere(a, f, f.View, &args)
	if err != nil || where == "" {
		return err
	}
	args = append(args, PageSize+1, (f.Page-1)*PageSize)
	rows, err := s.db.Read().QueryContext(ctx, `SELECT `+caseColumns+` FROM cases`+where+
		` ORDER BY `+order+` LIMIT $`+strconv.Itoa(len(args)-1)+` OFFSET $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return errs.Wrap(err, "queue")
	}
	defer rows.Close()
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return errs.Wrap(err, "queue")
		}
		s.derive(c)
		res.Items = append(res.Items, c)
	}
	if len(res.Items) > PageSize {
		res.Items, res.More = res.Items[:PageSize], true
	}
	return errs.Wrap(rows.Err(), "queue")
}

// queueWhere builds the WHERE clause and order of one view with the
// filters. Each view matches one of the cases_queue* indexes. It returns
// where == "" when the filters exclude the view (a state filter other
// than returned on the waiting view), so no query scans for nothing.
func (s *Service) queueWhere(a *access.Actor, f QueueFilter, view string, args *[]any) (string, string, error) {
	var conds []string
	order := "sort_at, id"
	if view == ViewWaiting && f.State != "" && f.State != Returned {
		return "", order, nil
	}
	add := func(cond string, v any) {
		*args = append(*args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(*args))))
	}
	add("section = ?", string(f.Section))
	switch view {
	case ViewAll:
		conds = append(conds, "is_open = TRUE")
	case ViewUnassigned:
		conds = append(conds, "is_open = TRUE")
		add("assignee_id = ?", int64(0))
	case ViewMine:
		conds = append(conds, "is_open = TRUE")
		add("assignee_id = ?", a.UserID)
	case ViewOverdue:
		add("overdue_at < ?", s.now())
		order = "overdue_at, id"
	case ViewWaiting:
		add("state = ?", string(Returned))
	case ViewOwing:
		conds = append(conds, "owing > 0")
	default:
		return "", "", errs.New(errs.Invalid, "bad_view", "队列视图无效")
	}
	if f.State != "" {
		add("state = ?", string(f.State))
	}
	if f.Type != "" {
		add("type = ?", f.Type)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		if h := IDHash(q); h != "" {
			add("subject_id_hash = ?", h)
		} else {
			*args = append(*args, strings.ToUpper(q), q)
			n := len(*args)
			conds = append(conds, fmt.Sprintf("id IN (SELECT id FROM cases WHERE case_no = $%d"+
				" UNION SELECT id FROM cases WHERE applicant_name = $%d)", n-1, n))
		}
	}
	return " WHERE " + strings.Join(conds, " AND "), order, nil
}

// Mine lists the cases of the applicant (an employer's or a person's own),
// newest first, optionally of one type (at most 200). Errors: Forbidden
// for other actors.
func (s *Service) Mine(ctx context.Context, a *access.Actor, typeCode string) ([]*Case, error) {
	var cond string
	var id int64
	switch {
	case a != nil && a.Role == access.RoleEmployer && a.EmployerID != 0:
		cond, id = "employer_id = $1", a.EmployerID
	case a != nil && a.Role == access.RolePerson && a.PersonID != 0:
		cond, id = "person_id = $1", a.PersonID
	case a == nil:
		return nil, errs.LoginRequired()
	default:
		return nil, errs.Forbid()
	}
	args := []any{id}
	if typeCode != "" {
		cond += " AND type = $2"
		args = append(args, typeCode)
	}
	var out []*Case
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		c, err := scanCase(r)
		if err != nil {
			return err
		}
		s.derive(c)
		out = append(out, c)
		return nil
	}, `SELECT `+caseColumns+` FROM cases WHERE `+cond+
		` ORDER BY created_at DESC, id DESC LIMIT 200`, args...)
	return out, errs.Wrap(err, "my cases")
}

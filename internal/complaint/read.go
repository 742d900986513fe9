package complaint

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// Reporter is whoever follows a complaint from outside: the signed-in
// filer (Actor), or anyone holding the tracking code (Code, counted
// against ClientAddr's limit).
type Reporter struct {
	Actor      *access.Actor
	ClientAddr string
	Code       string
	ID         int64 // the signed-in filer's complaint
}

// CanSee says whether a staff actor may open the complaint: 审计科 all of
// them, another section those assigned to it (without the reporter).
func CanSee(a *access.Actor, c *Complaint) error {
	switch {
	case a == nil:
		return errs.LoginRequired()
	case a.In(access.Audit):
		return nil
	case a.IsStaff() && a.In(c.Section):
		return nil
	case a.Role == access.RolePerson || a.Role == access.RoleEmployer:
		if c.ReporterUserID == a.UserID && a.UserID != 0 {
			return nil
		}
		return errNotFound()
	}
	return errs.Forbid()
}

// SeesReporter says whether the actor may see who filed: 审计科 only.
func SeesReporter(a *access.Actor) bool { return a.In(access.Audit) }

func canNote(a *access.Actor, c *Complaint) bool {
	return a.In(access.Audit) || (a.IsStaff() && a.In(c.Section) && c.Open())
}

// get loads a complaint for a staff actor, without the reporter unless
// the actor is of 审计科.
func (s *Service) get(ctx context.Context, a *access.Actor, id int64) (*Complaint, error) {
	if !a.IsStaff() {
		if a == nil {
			return nil, errs.LoginRequired()
		}
		return nil, errs.Forbid()
	}
	c, err := byID(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	if err := CanSee(a, c); err != nil {
		return nil, err
	}
	s.decorate(ctx, c)
	return c, nil
}

// Detail is the staff view: the complaint, its whole timeline, links and
// mediation. Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) Detail(ctx context.Context, a *access.Actor, id int64) (*View, error) {
	c, err := s.get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	v, err := s.view(ctx, c, false, a.In(access.Audit), canNote(a, c))
	if err != nil || SeesReporter(a) {
		return v, err
	}
	hideReporter(v)
	return v, nil
}

// hideReporter removes the reporter from the complaint and from the
// timeline entries the reporter made (filing, feedback).
func hideReporter(v *View) {
	c := v.Complaint
	for i, e := range v.Events {
		if c.ReporterUserID != 0 && e.ActorID == c.ReporterUserID {
			v.Events[i].ActorID, v.Events[i].ActorName = 0, ""
		}
	}
	c.Redact()
}

func (s *Service) view(ctx context.Context, c *Complaint, publicOnly, triage, note bool) (*View, error) {
	q := s.db.Read()
	evs, err := events(ctx, q, c.ID, publicOnly)
	if err != nil {
		return nil, err
	}
	v := &View{Complaint: c, Events: evs, CanTriage: triage, CanNote: note}
	if !publicOnly {
		if v.Links, err = links(ctx, q, c.ID); err != nil {
			return nil, err
		}
	}
	v.Mediation, err = mediationOf(ctx, q, c.ID)
	return v, err
}

// Track is the reporter's view: the public timeline and the answer,
// never the internal notes. A malformed code is refused; a well-formed one
// is counted against the client's limit before it is looked up. Errors:
// Unauthenticated, NotFound, Invalid, TooMany.
func (s *Service) Track(ctx context.Context, r Reporter) (*View, error) {
	c, err := s.reporterComplaint(ctx, r)
	if err != nil {
		return nil, err
	}
	s.decorate(ctx, c)
	v, err := s.view(ctx, c, true, false, false)
	if err != nil {
		return nil, err
	}
	hideReporter(v)
	return v, nil
}

func (s *Service) reporterComplaint(ctx context.Context, r Reporter) (*Complaint, error) {
	if r.ID != 0 {
		if r.Actor == nil {
			return nil, errs.LoginRequired()
		}
		if r.Actor.Role != access.RolePerson && r.Actor.Role != access.RoleEmployer {
			return nil, errs.Forbid()
		}
		c, err := byID(ctx, s.db.Read(), r.ID)
		if err != nil {
			return nil, err
		}
		if c.ReporterUserID == 0 || c.ReporterUserID != r.Actor.UserID {
			return nil, errNotFound()
		}
		return c, nil
	}
	// A malformed code cannot find anything: refused before counting.
	if NormalizeTrackingCode(r.Code) == "" {
		return nil, fieldErr("code", "查询码应为 20 位字母和数字（如 ABCD-EFGH-JKLM-NPQR-STUV），请核对后重新输入")
	}
	if err := s.throttle.Throttle(ctx, "complaint-track", r.ClientAddr, TrackingLookupLimit, "查询过于频繁"); err != nil {
		return nil, err
	}
	return byTracking(ctx, s.db.Read(), TrackingHash(r.Code))
}

// decorate sets Overdue against today.
func (s *Service) decorate(_ context.Context, c *Complaint) {
	today := clock.Today(s.clock).Format(time.DateOnly)
	switch {
	case c.Status == Received && today > c.AcknowledgeDue:
		c.Overdue = "逾期未受理"
	case (c.Status == Accepted || c.Status == Objected) && today > c.AnswerDue:
		c.Overdue = "逾期未答复"
	}
}

// Filter selects the staff queue.
type Filter struct {
	Status   string
	Category string
	Q        string // number, subject or reported party
	Overdue  bool
	Page     int
}

// QueuePage is one page of the queue.
type QueuePage struct {
	Items       []*Complaint
	Total, Page int
	Pages       int
}

// Queue is the staff list: 审计科 sees every complaint, another section
// those assigned to it; reporters never appear. Errors: Unauthenticated,
// Forbidden.
func (s *Service) Queue(ctx context.Context, a *access.Actor, f Filter) (*QueuePage, error) {
	if !a.IsStaff() {
		if a == nil {
			return nil, errs.LoginRequired()
		}
		return nil, errs.Forbid()
	}
	where, args := []string{"1=1"}, []any{}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if !a.In(access.Audit) {
		var ph []string
		for _, sec := range a.Sections {
			args = append(args, string(sec))
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
		if len(ph) == 0 {
			return nil, errs.Forbid()
		}
		where = append(where, "c.section IN ("+strings.Join(ph, ",")+")")
	}
	if f.Status != "" {
		add("c.status = $?", f.Status)
	}
	if f.Category != "" {
		add("c.category = $?", f.Category)
	}
	if q := strings.TrimSpace(f.Q); q != "" {
		args = append(args, q, "%"+q+"%")
		n := len(args)
		where = append(where, fmt.Sprintf("(c.no = $%d OR c.subject LIKE $%d OR c.target_name LIKE $%d)", n-1, n, n))
	}
	if f.Overdue {
		args = append(args, clock.Today(s.clock).Format(time.DateOnly))
		n := len(args)
		where = append(where, fmt.Sprintf(`((c.status = 'received' AND c.acknowledge_due < $%d)
			OR (c.status IN ('accepted', 'objected') AND c.answer_due < $%d))`, n, n))
	}
	return s.page(ctx, a, strings.Join(where, " AND "), args, f.Page)
}

func (s *Service) page(ctx context.Context, a *access.Actor, where string, args []any, page int) (*QueuePage, error) {
	q := s.db.Read()
	total, err := count(ctx, q, where, args)
	if err != nil {
		return nil, err
	}
	pages := max(1, (total+PageSize-1)/PageSize)
	page = min(max(page, 1), pages)
	items, err := list(ctx, q, where, args, PageSize, (page-1)*PageSize)
	if err != nil {
		return nil, err
	}
	for _, c := range items {
		s.decorate(ctx, c)
		if !SeesReporter(a) {
			c.Redact()
		}
	}
	return &QueuePage{Items: items, Total: total, Page: page, Pages: pages}, nil
}

// Mine lists what a signed-in person or employer filed (我的投诉).
// Errors: Unauthenticated, Forbidden.
func (s *Service) Mine(ctx context.Context, a *access.Actor) ([]*Complaint, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	if a.Role != access.RolePerson && a.Role != access.RoleEmployer {
		return nil, errs.Forbid()
	}
	items, err := list(ctx, s.db.Read(), "c.reporter_user_id = $1", []any{a.UserID}, 200, 0)
	for _, c := range items {
		s.decorate(ctx, c)
		c.Redact()
	}
	return items, err
}

// Count is the number of complaints of one category in one status.
type Count struct {
	Category string
	Status   string
	N        int
}

// CategoryName is the Chinese category.
func (c Count) CategoryName() string { return CategoryName(c.Category) }

// StatusName is the Chinese status.
func (c Count) StatusName() string { return StatusName(c.Status) }

// Counts returns how many complaints filed in [from, to) are in each
// category and status now, for dashboards. q may be nil (the read pool) or
// the caller's transaction; it checks no permission.
func (s *Service) Counts(ctx context.Context, q db.Querier, from, to time.Time) ([]Count, error) {
	if q == nil {
		q = s.db.Read()
	}
	out, err := db.Collect(ctx, q, db.Fields(func(c *Count) []any { return []any{&c.Category, &c.Status, &c.N} }), `SELECT category, status, COUNT(*) FROM complaints WHERE filed_at >= $1 AND filed_at < $2
		GROUP BY category, status ORDER BY category, status`, from.UTC(), to.UTC())
	return out, errs.Wrap(err, "complaint counts")
}

// HasDocument says whether a staff actor may open the document: it must
// belong to a complaint the actor may see. Errors: Unauthenticated,
// Forbidden, NotFound.
func (s *Service) HasDocument(ctx context.Context, a *access.Actor, id, docID int64) error {
	if _, err := s.get(ctx, a, id); err != nil {
		return err
	}
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM complaint_events WHERE complaint_id = $1 AND document_id = $2`, id, docID).Scan(&n)
	if err != nil {
		return errs.Wrap(err, "complaint document")
	}
	if n == 0 {
		return errs.NotFoundf("未找到该材料")
	}
	return nil
}

// CanRecord says whether a staff actor records complaints received by
// phone, mail, WeChat or visit: 审计科 and 办公室.
func CanRecord(a *access.Actor) bool { return a.In(access.Audit) || a.In(access.Office) }

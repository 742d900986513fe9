package web

import (
	"net/http"
	"net/url"
	"strconv"

	"shebao/internal/access"
	"shebao/internal/employer"
	"shebao/internal/errs"
)

// queueView is the data of the registration queue page.
type queueView struct {
	Apps     []employer.Application
	Total    int
	Counts   map[employer.Status]int
	Statuses []employer.Status
	Channels []employer.Channel
	Filter   employer.Filter
	Pager    pager
}

// queueFilter reads the queue filters from a query string. A missing
// status means "waiting for review"; "all" means every status.
func queueFilter(q url.Values) employer.Filter {
	f := employer.Filter{Status: employer.Status(q.Get("status")), Channel: employer.Channel(q.Get("channel")),
		Q: q.Get("q"), Late: q.Get("late") == "1"}
	switch {
	case !q.Has("status"):
		f.Status = employer.StatusSubmitted
	case f.Status == "all":
		f.Status = ""
	}
	return f
}

func (s *Server) staffRegistrations(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	q := r.URL.Query()
	f, page := queueFilter(q), pageParam(q)
	apps, total, err := s.Employers.Queue(r.Context(), a, f, page, employer.PageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	counts, err := s.Employers.Counts(r.Context(), a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := queueView{Apps: apps, Total: total, Counts: counts, Statuses: employer.Statuses, Channels: employer.Channels,
		Filter: f, Pager: newPager("/staff/registrations", q, page, employer.PageSize, total)}
	s.render(w, r, "staff_registrations", &Page{Title: "企业参保登记审核", Data: v, Form: q})
}

// reviewView is the data of the application detail page.
type reviewView struct {
	App *employer.Application
}

func (s *Server) staffRegistration(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	app, err := s.Employers.Get(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "staff_registration", &Page{Title: "登记申请 " + app.AppNo, Data: reviewView{App: app}})
}

// decisionFailed re-renders the detail page with the error of a decision
// (missing reasons, or another clerk was faster).
func (s *Server) decisionFailed(w http.ResponseWriter, r *http.Request, id int64, err error) {
	app, gerr := s.Employers.Get(r.Context(), actorFrom(r.Context()), id)
	if gerr != nil {
		s.fail(w, r, err)
		return
	}
	s.renderForm(w, r, "staff_registration", &Page{Title: "登记申请 " + app.AppNo, Data: reviewView{App: app}}, err)
}

func (s *Server) staffRegistrationApprove(w http.ResponseWriter, r *http.Request) {
	id, version, ok := s.pageIDAndVersion(w, r)
	if !ok {
		return
	}
	ap, err := s.Employers.Approve(r.Context(), actorFrom(r.Context()), id, version)
	if err != nil {
		s.decisionFailed(w, r, id, err)
		return
	}
	// The password is on this response only: never cached, never redirected.
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, "staff_registration_approved", &Page{Title: "登记已通过", Data: ap})
}

func (s *Server) staffRegistrationReturn(w http.ResponseWriter, r *http.Request) {
	id, version, ok := s.pageIDAndVersion(w, r)
	if !ok {
		return
	}
	app, err := s.Employers.Return(r.Context(), actorFrom(r.Context()), id, version, r.PostFormValue("reasons"))
	if err != nil {
		s.decisionFailed(w, r, id, err)
		return
	}
	redirect(w, r, "/staff/registrations", "已退回登记申请 "+app.AppNo+"，申请单位可凭受理编号查看退回原因")
}

func (s *Server) staffRegistrationNew(w http.ResponseWriter, r *http.Request) {
	if err := actorFrom(r.Context()).RequireSection(access.Coordination); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "staff_registration_new", &Page{Title: "代录参保登记申请", Data: newRegisterView(true)})
}

func (s *Server) staffRegistrationCreate(w http.ResponseWriter, r *http.Request) {
	// A clerk records on someone's behalf; without a login this is not the
	// public form (which is /register), so refuse rather than submit as web.
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	if err := a.RequireSection(access.Coordination); err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	in, err := applicationInput(r.PostForm)
	var app *employer.Application
	if err == nil {
		app, err = s.Employers.Submit(r.Context(), a, in)
	}
	if err != nil {
		if errs.KindOf(err) == errs.Unauthenticated || errs.KindOf(err) == errs.Forbidden {
			s.fail(w, r, err)
			return
		}
		s.renderForm(w, r, "staff_registration_new", &Page{Title: "代录参保登记申请", Data: newRegisterView(true)}, err)
		return
	}
	redirect(w, r, "/staff/registrations/"+strconv.FormatInt(app.ID, 10), "已代录登记申请 "+app.AppNo+"（"+app.Channel.Name()+"）")
}

// changeQueueView is the data of the change request queue.
type changeQueueView struct {
	Changes  []employer.ChangeRequest
	Total    int
	Status   employer.ChangeStatus
	Statuses []employer.ChangeStatus
	Pager    pager
}

func (s *Server) staffEmployerChanges(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	st, page := employer.ChangeStatus(q.Get("status")), pageParam(q)
	switch {
	case !q.Has("status"):
		st = employer.ChangePending
	case st == "all":
		st = ""
	}
	list, total, err := s.Employers.ChangeQueue(r.Context(), actorFrom(r.Context()), st, page, employer.PageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := changeQueueView{Changes: list, Total: total, Status: st, Pager: newPager("/staff/employer-changes", q, page, employer.PageSize, total),
		Statuses: []employer.ChangeStatus{employer.ChangePending, employer.ChangeApproved, employer.ChangeRejected}}
	s.render(w, r, "employer_changes_staff", &Page{Title: "单位信息变更审核", Data: v})
}

// changeView is the data of a change request page: the request, the
// employer's current record and the rows to compare.
type changeView struct {
	Change   *employer.ChangeRequest
	Employer *employer.Employer
	Rows     []changeRow
}

type changeRow struct {
	Label, Current, Before, Proposed string
}

func newChangeView(c *employer.ChangeRequest, e *employer.Employer) changeView {
	v := changeView{Change: c, Employer: e}
	cur := e.Values()
	for _, f := range employer.ChangeFields {
		if p, ok := c.Fields[f.Key]; ok {
			v.Rows = append(v.Rows, changeRow{Label: f.Label, Current: cur[f.Key], Before: c.Before[f.Key], Proposed: p})
		}
	}
	return v
}

func (s *Server) staffEmployerChange(w http.ResponseWriter, r *http.Request) {
	s.showChange(w, r, nil)
}

// showChange renders a change request, with the error of a failed decision.
func (s *Server) showChange(w http.ResponseWriter, r *http.Request, failed error) {
	a := actorFrom(r.Context())
	id, err := pathID(r)
	if err == nil {
		err = a.RequireSection(access.Coordination)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, e, err := s.Employers.GetChange(r.Context(), a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &Page{Title: "单位信息变更申请", Data: newChangeView(c, e)}
	s.renderOrForm(w, r, "employer_change_staff", p, failed)
}

func (s *Server) staffEmployerChangeApprove(w http.ResponseWriter, r *http.Request) {
	id, version, ok := s.pageIDAndVersion(w, r)
	if !ok {
		return
	}
	e, err := s.Employers.ApproveChange(r.Context(), actorFrom(r.Context()), id, version)
	if err != nil {
		s.showChange(w, r, err)
		return
	}
	redirect(w, r, "/staff/employer-changes", "已通过变更申请，"+e.Name+"（"+e.EmployerNo+"）的信息已更新")
}

func (s *Server) staffEmployerChangeReject(w http.ResponseWriter, r *http.Request) {
	id, version, ok := s.pageIDAndVersion(w, r)
	if !ok {
		return
	}
	c, err := s.Employers.RejectChange(r.Context(), actorFrom(r.Context()), id, version, r.PostFormValue("reason"))
	if err != nil {
		s.showChange(w, r, err)
		return
	}
	redirect(w, r, "/staff/employer-changes", "已不予变更："+c.EmployerName+"（"+c.EmployerNo+"）")
}

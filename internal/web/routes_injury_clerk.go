package web

import (
	"net/http"
	"net/url"

	"shebao/internal/access"
	"shebao/internal/injury"
)

// injuryClerkRoutes: a 工伤保险待遇科 clerk records an accident report that
// came by phone, post, WeChat or at the counter, with the same facts as
// the employer's form.
func (s *Server) injuryClerkRoutes() []route {
	return []route{
		{"GET /staff/injury/reports/new", s.staffRoute(s.injuryClerkForm)},
		{"POST /staff/injury/reports/new", s.staffRoute(s.injuryClerkSubmit)},
	}
}

// clerkInjuryInput reads the accident report facts of a clerk's form; the
// employer is the one picked from the search results.
func clerkInjuryInput(f url.Values) injury.ClerkInput {
	in := injury.ClerkInput{ReportInput: injury.ReportInput{WorkerIDNumber: f.Get("worker_id_number"),
		AccidentAt: f.Get("accident_at"), Place: f.Get("place"), What: f.Get("what"), Injury: f.Get("injury"),
		Hospital: f.Get("hospital"), ContactName: f.Get("contact_name"), ContactPhone: f.Get("contact_phone")},
		Channel: f.Get("channel"), ReceivedAt: f.Get("received_at")}
	if kind, id := refOf(f.Get("applicant_ref")); kind == "employer" {
		in.EmployerID = id
	}
	return in
}

// injuryClerkView is the clerk's accident report form.
type injuryClerkView struct {
	Lookup   *lookupView
	Channels []codeName
}

func (s *Server) injuryClerkPage(r *http.Request, form url.Values) (*Page, error) {
	if err := actorFrom(r.Context()).RequireSection(access.Injury); err != nil {
		return nil, err
	}
	lv, err := s.lookup(r, form, "/staff/injury/reports/new", "employer")
	if err != nil {
		return nil, err
	}
	lv.Pick = true
	v := injuryClerkView{Lookup: lv, Channels: caseChannels(injury.ClerkChannels)}
	return &Page{Title: "登记工伤事故报告", Data: v, Form: form}, nil
}

func (s *Server) injuryClerkForm(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "staff_injury_new", s.injuryClerkPage, r.URL.Query())
}

func (s *Server) injuryClerkSubmit(w http.ResponseWriter, r *http.Request) {
	c, err := s.Injury.Record(r.Context(), actorFrom(r.Context()), clerkInjuryInput(r.PostForm))
	if err == nil {
		msg := "已登记事故报告 " + c.No
		if c.Late {
			msg += "（" + c.LateBy + "，已受理并标识）"
		}
		redirect(w, r, "/staff/cases/"+c.No, msg)
		return
	}
	p, perr := s.injuryClerkPage(r, r.PostForm)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "staff_injury_new", p, err)
}

package web

import (
	"net/http"
	"net/url"
	"strings"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/errs"
	"shebao/internal/faq"
)

// caseQueueView is the data of a section's queue page.
type caseQueueView struct {
	Section  access.Section
	Sections []access.Section // the actor's sections
	Filter   casework.QueueFilter
	Result   *casework.QueueResult
	Views    []struct{ Code, Name string }
	States   []casework.State
	Types    []*casework.Type
	Pager    pager
}

// staffSections are the sections whose queues the actor may open.
func staffSections(a *access.Actor) []access.Section {
	var out []access.Section
	for _, x := range access.Sections {
		if a.In(x) {
			out = append(out, x)
		}
	}
	return out
}

func (s *Server) staffQueue(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if !a.IsStaff() {
		s.fail(w, r, staffOnly(a))
		return
	}
	q := r.URL.Query()
	mine := staffSections(a)
	section := access.Section(q.Get("section"))
	if section == "" && len(mine) > 0 {
		section = mine[0]
	}
	f := casework.QueueFilter{Section: section, View: q.Get("view"), Q: q.Get("q"), State: casework.State(q.Get("state")),
		Type: q.Get("type"), Page: pageParam(q)}
	if f.View == "" {
		f.View = casework.ViewAll
	}
	res, err := s.Cases.Queue(r.Context(), a, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := caseQueueView{Section: section, Sections: mine, Filter: f, Result: res, Views: casework.Views,
		States: casework.States, Types: s.Cases.Types(),
		Pager: queuePager(q, res)}
	s.render(w, r, "case_queue", &Page{Title: section.Name() + "业务队列", Data: v})
}

// caseNewView is the data of the register-on-behalf form.
type caseNewView struct {
	Types    []*casework.Type
	Channels []struct{ Code, Name string }
	Lookup   *lookupView
	Injury   bool // the clerk may record accident reports (their own form)
	// FAQQ searches the published answers a clerk may give on a phone
	// consultation; FAQs are the answers found.
	FAQQ string
	FAQs []faq.FAQ
}

// staffCaseNewPage builds the form with the types of the clerk's sections
// and the applicant search of form.
func (s *Server) staffCaseNewPage(r *http.Request, form url.Values) (*Page, error) {
	a := actorFrom(r.Context())
	v := caseNewView{Injury: a.In(access.Injury)}
	for _, t := range s.Cases.GenericTypes("") {
		if a.In(t.Section) {
			v.Types = append(v.Types, t)
		}
	}
	for _, c := range casework.Channels {
		if c != "web" {
			v.Channels = append(v.Channels, struct{ Code, Name string }{c, casework.ChannelName(c)})
		}
	}
	var err error
	if v.Lookup, err = s.lookup(r, form, "/staff/cases/new"); err != nil {
		return nil, err
	}
	v.Lookup.Pick = true
	if v.FAQQ = strings.TrimSpace(form.Get("faq_q")); v.FAQQ != "" {
		if v.FAQs, _, err = s.FAQ.Search(r.Context(), faq.Query{Q: v.FAQQ}); err != nil {
			return nil, err
		}
	}
	return &Page{Title: "代为登记业务", Data: v, Form: form}, nil
}

func (s *Server) staffCaseNew(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "case_new", s.staffCaseNewPage, r.URL.Query())
}

// staffCaseCreate registers a case on behalf of the applicant. A clerk
// who answered a phone consultation with a common question's answer picks
// it: only a published answer may be given (else the form says so), its
// text is kept in the case and its use counted for 办公室.
func (s *Server) staffCaseCreate(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	summary := r.PostFormValue("summary")
	var given *faq.FAQ
	var err error
	ref := r.PostFormValue("faq_id")
	if ref == "" {
		ref = r.PostFormValue("faq_ref")
	}
	if strings.TrimSpace(ref) != "" {
		if given, err = s.FAQ.Pick(r.Context(), a, ref); err == nil {
			summary = strings.TrimSpace(summary + "\n\n" + given.GivenText())
		}
	}
	var c *casework.Case
	if err == nil {
		c, err = s.Cases.Open(r.Context(), a, casework.OpenInput{
			Type: r.PostFormValue("type"), Channel: r.PostFormValue("channel"), Applicant: applicantFrom(r.PostForm),
			SubjectIDNumber: r.PostFormValue("subject_id_number"), Title: r.PostFormValue("title"),
			Summary: summary})
	}
	if err == nil && given != nil {
		if uerr := s.FAQ.RecordUse(r.Context(), a, given.ID, c.No, c.Channel); uerr != nil {
			s.Log.Error("faq use not recorded", "case", c.No, "faq", given.ID, "err", uerr)
		}
	}
	if err != nil {
		p, perr := s.staffCaseNewPage(r, r.PostForm)
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		s.renderForm(w, r, "case_new", p, err)
		return
	}
	redirect(w, r, "/staff/cases/"+c.No, "已登记业务 "+c.No)
}

// caseworkAPIRoutes registers the JSON API of cases.
func (s *Server) caseworkAPIRoutes() []route {
	return []route{
		{"GET /api/v1/cases", s.loggedIn(s.apiCases)},
		{"POST /api/v1/cases", s.loggedIn(s.apiCaseOpen)},
		{"GET /api/v1/cases/{no}", s.loggedIn(s.apiCase)},
		{"POST /api/v1/cases/{no}/transitions", s.loggedIn(s.apiCaseTransition)},
		{"POST /api/v1/cases/{no}/comments", s.loggedIn(s.apiCaseComment)},
		{"POST /api/v1/cases/{no}/claim", s.staffRoute(s.apiCaseAssign)},
		{"POST /api/v1/cases/{no}/release", s.staffRoute(s.apiCaseAssign)},
		{"POST /api/v1/cases/{no}/accept-missing", s.staffRoute(s.apiCaseAcceptDeferred)},
	}
}

// apiCaseAssign claims or releases a case ({"version": n}).
func (s *Server) apiCaseAssign(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Version int64 `json:"version"`
	}
	if !s.decoded(w, r, &b) {
		return
	}
	a, no := actorFrom(r.Context()), r.PathValue("no")
	var c *casework.Case
	var err error
	if strings.HasSuffix(r.URL.Path, "/claim") {
		c, err = s.Cases.Claim(r.Context(), a, no, b.Version)
	} else {
		c, err = s.Cases.Release(r.Context(), a, no, b.Version)
	}
	s.apiReply(w, r, http.StatusOK, c, err)
}

// apiCaseAcceptDeferred accepts a case with missing originals (容缺).
func (s *Server) apiCaseAcceptDeferred(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Version int64    `json:"version"`
		Items   []string `json:"items"`
		Comment string   `json:"comment"`
	}
	if !s.decoded(w, r, &b) {
		return
	}
	c, err := s.Cases.AcceptDeferred(r.Context(), actorFrom(r.Context()), r.PathValue("no"), b.Version, b.Items, b.Comment)
	s.apiReply(w, r, http.StatusOK, c, err)
}

// apiCases lists the applicant's own cases, or for staff a section queue
// (?section=&view=&q=&state=&type=&page=).
func (s *Server) apiCases(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	q := r.URL.Query()
	if a.IsStaff() {
		res, err := s.Cases.Queue(r.Context(), a, casework.QueueFilter{Section: access.Section(q.Get("section")),
			View: q.Get("view"), Q: q.Get("q"), State: casework.State(q.Get("state")), Type: q.Get("type"), Page: pageParam(q)})
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		s.writeJSON(w, http.StatusOK, map[string]any{"items": res.Items, "total": res.Total, "counts": res.Counts,
			"capped": res.Capped, "page": res.Page, "more": res.More})
		return
	}
	list, err := s.Cases.Mine(r.Context(), a, q.Get("type"))
	s.apiReply(w, r, http.StatusOK, map[string]any{"items": list}, err)
}

// apiOpenBody is the JSON body of POST /api/v1/cases.
type apiOpenBody struct {
	Type            string             `json:"type"`
	Channel         string             `json:"channel"`
	Applicant       casework.Applicant `json:"applicant"`
	SubjectIDNumber string             `json:"subject_id_number"`
	Title           string             `json:"title"`
	Summary         string             `json:"summary"`
}

func (s *Server) apiCaseOpen(w http.ResponseWriter, r *http.Request) {
	var b apiOpenBody
	if !s.decoded(w, r, &b) {
		return
	}
	if b.Type == "injury_report" {
		s.apiFail(w, r, errs.New(errs.Invalid, "use_injury_api", "工伤事故报告请使用 POST /api/v1/injury/reports"))
		return
	}
	c, err := s.Cases.Open(r.Context(), actorFrom(r.Context()), casework.OpenInput{Type: b.Type, Channel: b.Channel,
		Applicant: b.Applicant, SubjectIDNumber: b.SubjectIDNumber, Title: b.Title, Summary: b.Summary})
	s.apiReply(w, r, http.StatusCreated, c, err)
}

func (s *Server) apiCase(w http.ResponseWriter, r *http.Request) {
	v, err := s.Cases.Detail(r.Context(), actorFrom(r.Context()), r.PathValue("no"))
	s.apiReply(w, r, http.StatusOK, v, err)
}

func (s *Server) apiCaseTransition(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Version int64          `json:"version"`
		To      casework.State `json:"to"`
		Comment string         `json:"comment"`
	}
	if !s.decoded(w, r, &b) {
		return
	}
	c, err := s.Cases.Transition(r.Context(), actorFrom(r.Context()), r.PathValue("no"), b.Version, b.To, b.Comment)
	s.apiReply(w, r, http.StatusOK, c, err)
}

func (s *Server) apiCaseComment(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Text   string `json:"text"`
		Public bool   `json:"public"`
	}
	if !s.decoded(w, r, &b) {
		return
	}
	if err := s.Cases.Comment(r.Context(), actorFrom(r.Context()), r.PathValue("no"), b.Text, b.Public); err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, map[string]any{"ok": true})
}

// queuePager links the queue's pages; counts are capped, so "next" comes
// from whether the page query found one more row.
func queuePager(q url.Values, res *casework.QueueResult) pager {
	total := (res.Page-1)*casework.PageSize + len(res.Items)
	if res.More {
		total++
	}
	return newPager("/staff/cases", q, res.Page, casework.PageSize, total)
}

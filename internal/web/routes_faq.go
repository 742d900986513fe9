package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/errs"
	"shebao/internal/faq"
)

// faqRoutes: the public answers to common questions (常见问题), staff
// editing, and 办公室's list of searches that found nothing.
func (s *Server) faqRoutes() []route {
	return []route{
		{"GET /faq", s.faqList},
		{"GET /faq/{id}", s.faqShow},
		{"GET /staff/faq", s.faqStaffList},
		{"GET /staff/faq/new", s.faqNew},
		{"GET /staff/faq/misses", s.faqMisses},
		{"POST /staff/faq", s.faqCreate},
		{"GET /staff/faq/{id}", s.faqEdit},
		{"POST /staff/faq/{id}", s.faqUpdate},
		{"POST /staff/faq/{id}/{action}", s.faqAct},
	}
}

// faqListView is the public search and the staff list.
type faqListView struct {
	FAQs       []faq.FAQ
	Total      int
	Q          string
	Category   string
	Searched   bool
	Categories []faq.Category
	Pager      pager
}

func faqQuery(q url.Values) faq.Query {
	return faq.Query{Q: strings.TrimSpace(q.Get("q")), Category: faq.Category(q.Get("category")),
		Section: access.Section(q.Get("section")), Status: faq.Status(q.Get("status")), Page: pageParam(q)}
}

func (s *Server) faqList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	fq := faqQuery(q)
	if !fq.Category.Valid() {
		fq.Category = ""
	}
	list, total, err := s.FAQ.SearchCounting(r.Context(), fq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := faqListView{FAQs: list, Total: total, Q: fq.Q, Category: string(fq.Category), Searched: fq.Q != "",
		Categories: faq.Categories, Pager: newPager("/faq", q, fq.Page, faq.PageSize, total)}
	s.render(w, r, "faq_list", &Page{Title: "常见问题", Data: v})
}

func (s *Server) faqShow(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	f, err := s.FAQ.Get(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "faq_show", &Page{Title: f.Question, Data: f})
}

func (s *Server) faqStaffList(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	fq := faqQuery(q)
	list, total, err := s.FAQ.StaffList(r.Context(), a, fq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := faqListView{FAQs: list, Total: total, Q: fq.Q, Category: string(fq.Category), Categories: faq.Categories,
		Pager: newPager("/staff/faq", q, fq.Page, faq.PageSize, total)}
	s.render(w, r, "faq_staff", &Page{Title: "常见问题维护", Data: v, Form: q})
}

// faqFormView is the edit form's data; FAQ is nil for a new one.
type faqFormView struct {
	FAQ        *faq.FAQ
	Categories []faq.Category
	Sections   []access.Section
}

func (s *Server) faqFormView(a *access.Actor, f *faq.FAQ) faqFormView {
	v := faqFormView{FAQ: f, Categories: faq.Categories}
	for _, x := range access.Sections {
		if a.In(access.Office) || a.In(x) {
			v.Sections = append(v.Sections, x)
		}
	}
	return v
}

func faqForm(f *faq.FAQ) url.Values {
	var ns []string
	for _, n := range f.NoticeIDs {
		ns = append(ns, strconv.FormatInt(n, 10))
	}
	return url.Values{"question": {f.Question}, "answer": {f.Answer}, "category": {string(f.Category)},
		"section": {string(f.Section)}, "keywords": {f.Keywords}, "valid_from": {f.ValidFrom}, "valid_until": {f.ValidUntil},
		"notices": {strings.Join(ns, ", ")}, "version": {strconv.FormatInt(f.Version, 10)}}
}

func faqInput(f url.Values) faq.Input {
	return faq.Input{Question: f.Get("question"), Answer: f.Get("answer"), Category: faq.Category(f.Get("category")),
		Section: access.Section(f.Get("section")), Keywords: f.Get("keywords"), ValidFrom: f.Get("valid_from"),
		ValidUntil: f.Get("valid_until"), Notices: f.Get("notices")}
}

func (s *Server) faqNew(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireStaffActor(w, r)
	if !ok {
		return
	}
	v := s.faqFormView(a, nil)
	form := url.Values{"category": {string(faq.Other)}, "question": {r.URL.Query().Get("question")}}
	if len(v.Sections) > 0 {
		form.Set("section", string(v.Sections[0]))
	}
	s.render(w, r, "faq_form", &Page{Title: "新建常见问题", Data: v, Form: form})
}

// requireStaffActor answers 403 to anyone but staff.
func (s *Server) requireStaffActor(w http.ResponseWriter, r *http.Request) (*access.Actor, bool) {
	a, ok := s.requireActor(w, r)
	if ok && !a.IsStaff() {
		s.fail(w, r, errs.Forbid())
		return nil, false
	}
	return a, ok
}

func (s *Server) faqCreate(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	f, err := s.FAQ.Create(r.Context(), a, faqInput(r.PostForm))
	if err != nil {
		s.renderForm(w, r, "faq_form", &Page{Title: "新建常见问题", Data: s.faqFormView(a, nil)}, err)
		return
	}
	redirect(w, r, "/staff/faq/"+strconv.FormatInt(f.ID, 10), "常见问题已保存为草稿，填好答复后请发布。")
}

// staffFAQ loads the answer of the path for staff.
func (s *Server) staffFAQ(w http.ResponseWriter, r *http.Request) (*access.Actor, *faq.FAQ, bool) {
	a, ok := s.requireStaffActor(w, r)
	if !ok {
		return nil, nil, false
	}
	id, err := pathID(r)
	if err == nil {
		var f *faq.FAQ
		if f, err = s.FAQ.Get(r.Context(), a, id); err == nil {
			return a, f, true
		}
	}
	s.fail(w, r, err)
	return nil, nil, false
}

func (s *Server) faqEdit(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.staffFAQ(w, r)
	if !ok {
		return
	}
	s.render(w, r, "faq_form", &Page{Title: "编辑常见问题", Data: s.faqFormView(a, f), Form: faqForm(f)})
}

func (s *Server) faqUpdate(w http.ResponseWriter, r *http.Request) {
	a, f, ok := s.staffFAQ(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	version, err := formVersion(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, err := s.FAQ.Update(r.Context(), a, f.ID, version, faqInput(r.PostForm))
	if err != nil {
		s.renderForm(w, r, "faq_form", &Page{Title: "编辑常见问题", Data: s.faqFormView(a, f)}, err)
		return
	}
	redirect(w, r, "/staff/faq/"+strconv.FormatInt(u.ID, 10), "常见问题已保存，最后核对日期已更新。")
}

// faqActions are the status changes and what the flash says.
var faqActions = map[string]string{"publish": "已发布", "retire": "已停用", "check": "已核对，最后核对日期已更新"}

func (s *Server) faqAct(w http.ResponseWriter, r *http.Request) {
	action := r.PathValue("action")
	done, known := faqActions[action]
	if !known {
		s.fail(w, r, errs.NotFoundf("没有这个页面"))
		return
	}
	a, f, ok := s.staffFAQ(w, r)
	if !ok || !s.parseForm(w, r) {
		return
	}
	version, err := formVersion(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	switch action {
	case "publish":
		_, err = s.FAQ.Publish(r.Context(), a, f.ID, version)
	case "retire":
		_, err = s.FAQ.Retire(r.Context(), a, f.ID, version)
	default:
		_, err = s.FAQ.Check(r.Context(), a, f.ID, version)
	}
	if errs.KindOf(err) == errs.Invalid {
		// No answer yet: show the saved draft with the reason next to the answer.
		p := &Page{Title: "编辑常见问题", Data: s.faqFormView(a, f), Form: faqForm(f)}
		s.renderForm(w, r, "faq_form", p, err)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/staff/faq/"+strconv.FormatInt(f.ID, 10), "常见问题"+done+"。")
}

func (s *Server) faqMisses(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	list, err := s.FAQ.Misses(r.Context(), a, 100)
	s.renderOrFail(w, r, "faq_misses", &Page{Title: "未找到答复的常见搜索", Data: list}, err)
}

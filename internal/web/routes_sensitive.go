package web

import (
	"net/http"
	"net/url"
	"strconv"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/errs"
	"shebao/internal/sensitive"
)

// sensitiveRoutes: flagging a major or sensitive matter, the list (办公室
// sees every open one), the detail with each level's instruction, and the
// administrator's post holders (职务设置).
func (s *Server) sensitiveRoutes() []route {
	return []route{
		{"GET /staff/sensitive", s.staffRoute(s.sensitiveList)},
		{"GET /staff/sensitive/new", s.staffRoute(s.sensitiveForm)},
		{"POST /staff/sensitive/new", s.staffRoute(s.sensitiveSubmit)},
		{"GET /staff/sensitive/{id}", s.staffRoute(s.sensitiveDetail)},
		{"POST /staff/sensitive/{id}/acknowledge", s.staffRoute(s.sensitiveAck)},
		{"GET /admin/posts", s.loggedIn(s.adminPosts)},
		{"POST /admin/posts", s.loggedIn(s.adminPostSet)},
	}
}

type sensitiveListView struct {
	Matters []*sensitive.Matter
	Closed  bool
}

func (s *Server) sensitiveList(w http.ResponseWriter, r *http.Request) {
	closed := r.URL.Query().Get("status") == "closed"
	ms, err := s.Sensitive.List(r.Context(), actorFrom(r.Context()), sensitive.Filter{Closed: closed})
	s.renderOrFail(w, r, "sensitive_list", &Page{Title: "重大敏感事项", Data: sensitiveListView{Matters: ms, Closed: closed}, Form: r.URL.Query()}, err)
}

type sensitiveFormView struct {
	Kinds    []codeName
	Sections []access.Section
	Chain    string
}

func (s *Server) sensitiveFormView(a *access.Actor) sensitiveFormView {
	v := sensitiveFormView{}
	for _, k := range []string{sensitive.SubjectCase, sensitive.SubjectComplaint, sensitive.SubjectEvent} {
		v.Kinds = append(v.Kinds, codeName{k, sensitive.SubjectName(k)})
	}
	for _, x := range access.Sections {
		if a.Role == access.RoleStaff && a.In(x) {
			v.Sections = append(v.Sections, x)
		}
	}
	if a.IsAdmin() {
		v.Sections = access.Sections
	}
	m := &sensitive.Matter{Chain: s.Sensitive.Chain(), Section: "audit"}
	if len(v.Sections) > 0 {
		m.Section = v.Sections[0]
	}
	v.Chain = m.ChainText()
	return v
}

func (s *Server) sensitiveForm(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	form := url.Values{"subject_kind": {q.Get("kind")}, "subject_ref": {q.Get("ref")}}
	s.render(w, r, "sensitive_new", &Page{Title: "报告重大敏感事项", Data: s.sensitiveFormView(actorFrom(r.Context())), Form: form})
}

func (s *Server) sensitiveSubmit(w http.ResponseWriter, r *http.Request) {
	a, f := actorFrom(r.Context()), r.PostForm
	m, err := s.Sensitive.Flag(r.Context(), a, sensitive.FlagInput{SubjectKind: f.Get("subject_kind"), SubjectRef: f.Get("subject_ref"),
		Title: f.Get("title"), Reason: f.Get("reason"), Section: access.Section(f.Get("section"))})
	if err == nil {
		redirect(w, r, "/staff/sensitive/"+strconv.FormatInt(m.ID, 10), "已报告，待"+m.WaitingFor()+"批示（"+m.DueText()+" 前）")
		return
	}
	if errs.KindOf(err) != errs.Invalid {
		s.fail(w, r, err)
		return
	}
	s.renderForm(w, r, "sensitive_new", &Page{Title: "报告重大敏感事项", Data: s.sensitiveFormView(a), Form: f}, err)
}

func (s *Server) sensitivePage(r *http.Request, form url.Values) (*Page, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	v, err := s.Sensitive.Detail(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		return nil, err
	}
	return &Page{Title: "重大敏感事项 " + v.Matter.No, Data: v, Form: form}, nil
}

func (s *Server) sensitiveDetail(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "sensitive_detail", s.sensitivePage, nil)
}

func (s *Server) sensitiveAck(w http.ResponseWriter, r *http.Request) {
	id, version, err := idAndVersion(r)
	if err == nil {
		var m *sensitive.Matter
		m, err = s.Sensitive.Acknowledge(r.Context(), actorFrom(r.Context()), id, version, r.PostForm.Get("instruction"))
		if err == nil {
			msg := "已批示，事项已办结"
			if m.Status == "open" {
				msg = "已批示，已报" + m.WaitingFor()
			}
			redirect(w, r, "/staff/sensitive/"+strconv.FormatInt(id, 10), msg)
			return
		}
	}
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
		s.fail(w, r, err)
		return
	}
	p, perr := s.sensitivePage(r, r.PostForm)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "sensitive_detail", p, err)
}

// adminPostsView is the administrator's 职务设置 page.
type adminPostsView struct {
	Staff    []account.StaffPosts
	Missing  []string
	Posts    []account.Post
	Sections []access.Section
	Chain    string
}

func (s *Server) adminPostsPage(r *http.Request) (*Page, error) {
	a := actorFrom(r.Context())
	staff, err := s.Accounts.ListPosts(r.Context(), a)
	if err != nil {
		return nil, err
	}
	miss, err := s.Sensitive.MissingHolders(r.Context())
	if err != nil {
		return nil, err
	}
	m := &sensitive.Matter{Chain: s.Sensitive.Chain(), Section: access.Audit}
	return &Page{Title: "职务设置", Data: adminPostsView{Staff: staff, Missing: miss, Posts: account.Posts, Sections: access.Sections,
		Chain: m.ChainText()}}, nil
}

func (s *Server) adminPosts(w http.ResponseWriter, r *http.Request) {
	p, err := s.adminPostsPage(r)
	s.renderOrFail(w, r, "admin_posts", p, err)
}

func (s *Server) adminPostSet(w http.ResponseWriter, r *http.Request) {
	in, f := formInput(r), r.PostForm
	uid := in.Int64("user_id", "经办人员")
	err := in.Err()
	if err == nil {
		err = s.Accounts.SetPost(r.Context(), actorFrom(r.Context()), uid,
			account.Holding{Post: account.Post(f.Get("post")), Section: access.Section(f.Get("section"))}, f.Get("grant") == "1")
	}
	if err == nil {
		redirect(w, r, "/admin/posts", "已调整职务")
		return
	}
	if k := errs.KindOf(err); k != errs.Invalid {
		s.fail(w, r, err)
		return
	}
	p, perr := s.adminPostsPage(r)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "admin_posts", p, err)
}

package web

import (
	"net/http"
	"net/url"
	"strconv"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/employer"
	"shebao/internal/errs"
)

// employerAPIRoutes lists the JSON endpoints of employer registration.
func (s *Server) employerAPIRoutes() []route {
	return []route{
		{"POST /api/v1/employer-applications", s.apiSubmitApplication},
		{"GET /api/v1/employer-applications/status", s.apiApplicationStatus},
		{"GET /api/v1/employer-applications", s.apiQueue},
		{"GET /api/v1/employer-applications/{id}", s.apiGetApplication},
		{"POST /api/v1/employer-applications/{id}/approve", s.apiApprove},
		{"POST /api/v1/employer-applications/{id}/return", s.apiReturn},
		{"GET /api/v1/employers/me", s.apiMyEmployer},
		{"GET /api/v1/employers/me/change-requests", s.apiMyChanges},
		{"POST /api/v1/employers/me/change-requests", s.apiRequestChange},
		{"GET /api/v1/employer-change-requests", s.apiChangeQueue},
		{"POST /api/v1/employer-change-requests/{id}/approve", s.apiApproveChange},
		{"POST /api/v1/employer-change-requests/{id}/reject", s.apiRejectChange},
	}
}

// employerRoutes: registration, review queue, employer portal and their
// JSON twins.
func (s *Server) employerRoutes() []route {
	return []route{
		{"GET /register", s.registerForm},
		{"POST /register", s.registerSubmit},
		{"GET /register/status", s.registerStatus},

		{"GET /staff/registrations", s.staffRegistrations},
		{"GET /staff/registrations/new", s.staffRegistrationNew},
		{"POST /staff/registrations/new", s.staffRegistrationCreate},
		{"GET /staff/registrations/{id}", s.staffRegistration},
		{"POST /staff/registrations/{id}/approve", s.staffRegistrationApprove},
		{"POST /staff/registrations/{id}/return", s.staffRegistrationReturn},

		{"GET /employer", s.employerHome},
		{"GET /employer/changes/new", s.employerChangeForm},
		{"POST /employer/changes/new", s.employerChangeSubmit},
		{"GET /staff/employer-changes", s.staffEmployerChanges},
		{"GET /staff/employer-changes/{id}", s.staffEmployerChange},
		{"POST /staff/employer-changes/{id}/approve", s.staffEmployerChangeApprove},
		{"POST /staff/employer-changes/{id}/reject", s.staffEmployerChangeReject},
	}
}

// registerView is the data of the registration forms.
type registerView struct {
	Channels    []employer.Channel // for the clerk's channel select
	RiskClasses []int
	ReviewDays  int
}

func newRegisterView(clerk bool) registerView {
	v := registerView{RiskClasses: []int{1, 2, 3, 4, 5, 6, 7, 8}, ReviewDays: employer.ReviewWorkingDays}
	if clerk {
		v.Channels = employer.ClerkChannels
	}
	return v
}

// applicationInput reads the registration form; a risk class that is not
// a number is a field error (an empty one is the service's to report).
func applicationInput(f url.Values) (employer.ApplicationInput, error) {
	in := &input{values: f}
	risk := in.OptionalInt("risk_class", "行业风险类别")
	return employer.ApplicationInput{Info: employer.Info{
		USCC: f.Get("uscc"), Name: f.Get("name"), LegalRep: f.Get("legal_rep"), Address: f.Get("address"),
		ContactName: f.Get("contact_name"), ContactPhone: f.Get("contact_phone"),
		ContactEmail: f.Get("contact_email"), Industry: f.Get("industry"), RiskClass: risk,
		BankName: f.Get("bank_name"), BankAccount: f.Get("bank_account"), EstablishedOn: f.Get("established_on"),
	}, Channel: employer.Channel(f.Get("channel"))}, in.Err()
}

func (s *Server) registerForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "register_form", &Page{Title: "企业参保登记", Data: newRegisterView(false)})
}

func (s *Server) registerSubmit(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	if r.PostForm.Get("agree") == "" {
		var f errs.Fields
		f.Add("agree", "请阅读并确认登记须知")
		s.renderForm(w, r, "register_form", &Page{Title: "企业参保登记", Data: newRegisterView(false)}, f.Err())
		return
	}
	// The public form is always the applicant's own (web) application.
	in, err := applicationInput(r.PostForm)
	var app *employer.Application
	if err == nil {
		app, err = s.Employers.Submit(r.Context(), nil, in)
	}
	if err != nil {
		s.renderForm(w, r, "register_form", &Page{Title: "企业参保登记", Data: newRegisterView(false)}, err)
		return
	}
	s.render(w, r, "register_done", &Page{Title: "登记申请已受理", Data: s.doneView(r, app)})
}

// doneView is the page after a successful application.
type doneView struct {
	App        *employer.Application
	ReviewDays int
	DueBy      string // expected decision date, when the calendar knows it
}

func (s *Server) doneView(r *http.Request, app *employer.Application) doneView {
	v := doneView{App: app, ReviewDays: employer.ReviewWorkingDays}
	if s.Policy != nil {
		if d, err := s.Policy.AddWorkingDays(r.Context(), clock.DateOf(app.SubmittedAt), employer.ReviewWorkingDays); err == nil {
			v.DueBy = d.Format("2006-01-02")
		}
	}
	return v
}

func (s *Server) registerStatus(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := &Page{Title: "登记办理进度查询", Form: q}
	if q.Get("app_no") == "" && q.Get("uscc") == "" {
		s.render(w, r, "register_status", p)
		return
	}
	v, err := s.Employers.Status(r.Context(), q.Get("app_no"), q.Get("uscc"))
	if err != nil {
		s.renderForm(w, r, "register_status", p, err)
		return
	}
	p.Data = v
	s.render(w, r, "register_status", p)
}

// ownEmployerID returns the employer id of a logged-in employer. The
// employer portal never takes an employer id from the URL.
func ownEmployerID(a *access.Actor) (int64, error) {
	if a == nil {
		return 0, errs.LoginRequired()
	}
	if a.Role != access.RoleEmployer || a.EmployerID == 0 {
		return 0, errs.New(errs.Forbidden, "employer_only", "单位首页仅供参保单位使用，请用单位社保编号登录")
	}
	return a.EmployerID, nil
}

// pager is what the "pager" partial shows.
type pager struct {
	Page             int
	Total            int
	HasPrev, HasNext bool
	PrevURL, NextURL string
}

// newPager builds the links of page (from 1) of total rows for path with
// query q (its "page" is replaced).
func newPager(path string, q url.Values, page, size, total int) pager {
	link := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			if k != "page" && len(vs) > 0 && vs[0] != "" {
				v.Set(k, vs[0])
			}
		}
		v.Set("page", strconv.Itoa(n))
		return path + "?" + v.Encode()
	}
	p := pager{Page: page, Total: total, HasPrev: page > 1, HasNext: page*size < total}
	if p.HasPrev {
		p.PrevURL = link(page - 1)
	}
	if p.HasNext {
		p.NextURL = link(page + 1)
	}
	return p
}

// pageParam reads ?page=, defaulting to 1.
func pageParam(q url.Values) int {
	n, err := strconv.Atoi(q.Get("page"))
	if err != nil || n < 1 || n > 100000 {
		return 1
	}
	return n
}

package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/certificate"
	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/payroll"
	"shebao/internal/pdfdoc"
	"shebao/internal/retirement"
	"shebao/internal/upkeep"
)

// retirementRoutes: the about-to-retire list, the qualification
// confirmation (employer's form, approver's decision), the pension
// determination (compute, review, second check, letter), the approver
// role, and the person's own retirement page.
func (s *Server) retirementRoutes() []route {
	return []route{
		{"GET /staff/retirement/upcoming", s.staffRoute(s.retireUpcoming)},
		{"GET /staff/retirement/qualifications", s.staffRoute(s.retireQuals)},
		{"GET /staff/retirement/qualifications/new", s.staffRoute(s.qualClerkForm)},
		{"POST /staff/retirement/qualifications/new", s.staffRoute(s.qualClerkSubmit)},
		{"GET /staff/retirement/qualifications/{no}", s.staffRoute(s.retireQual)},
		{"POST /staff/retirement/qualifications/{no}/decide", s.staffRoute(s.retireDecide)},
		{"POST /staff/retirement/qualifications/{no}/open", s.staffRoute(s.retireOpen)},
		{"GET /staff/retirement/selfemployed/new", s.staffRoute(s.selfForm)},
		{"GET /staff/retirement/selfemployed/sample.eml", s.staffRoute(s.selfSample)},
		{"POST /staff/retirement/selfemployed/new", s.staffRoute(s.selfSubmit)},
		{"GET /staff/retirement/cases/{no}", s.staffRoute(s.retireCase)},
		{"POST /staff/retirement/cases/{no}/{step}", s.staffRoute(s.retireStep)},
		{"GET /retirement/cases/{no}/letter.pdf", s.loggedIn(s.retireLetter)},
		{"GET /retirement/letters/check", s.retireLetterCheck},
		{"GET /admin/retirement/approvers", s.staffRoute(s.retireApprovers)},
		{"POST /admin/retirement/approvers", s.staffRoute(s.retireApproverSet)},
		{"GET /employer/retirement", s.roleRoute(access.RoleEmployer, s.employerRetirement)},
		{"GET /employer/retirement/new", s.roleRoute(access.RoleEmployer, s.employerRetireForm)},
		{"POST /employer/retirement/new", s.roleRoute(access.RoleEmployer, s.employerRetireSubmit)},
		{"GET /person/retirement", s.roleRoute(access.RolePerson, s.personRetirement)},
		{"POST /person/retirement/plan", s.roleRoute(access.RolePerson, s.personRetirePlan)},
		{"GET /person/retirement/apply", s.roleRoute(access.RolePerson, s.selfApplyForm)},
		{"POST /person/retirement/apply", s.roleRoute(access.RolePerson, s.selfApplySubmit)},
	}
}

// roleRoute is loggedIn for the pages of one kind of account (the
// employer's or the person's own); others get 403 before any input is read.
func (s *Server) roleRoute(role access.Role, h http.HandlerFunc) http.HandlerFunc {
	return s.loggedIn(func(w http.ResponseWriter, r *http.Request) {
		if actorFrom(r.Context()).Role != role {
			s.failAny(w, r, errs.Forbid())
			return
		}
		h(w, r)
	})
}

// upcomingFilter reads ?months=&category=&q=&page=.
func upcomingFilter(q url.Values) (retirement.UpcomingFilter, error) {
	f := retirement.UpcomingFilter{Category: q.Get("category"), Query: q.Get("q")}
	var fe errs.Fields
	if v := q.Get("months"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			fe.Add("months", "查询月数请填写 1 至 36 的整数")
		}
		f.Months = n
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			fe.Add("page", "页码应为正整数")
		}
		f.Page = n
	}
	return f, fe.Err()
}

func (s *Server) retireUpcoming(w http.ResponseWriter, r *http.Request) {
	p := &Page{Title: "即将退休人员", Form: r.URL.Query()}
	f, err := upcomingFilter(r.URL.Query())
	if err == nil {
		p.Data, err = s.Retirement.ListUpcoming(r.Context(), actorFrom(r.Context()), f)
	}
	switch {
	case err == nil:
		s.render(w, r, "retire_upcoming", p)
	case errs.KindOf(err) == errs.Invalid:
		s.renderForm(w, r, "retire_upcoming", p, err)
	default:
		s.fail(w, r, err)
	}
}

// qualsView is the list of confirmations.
type qualsView struct {
	Rows     []*retirement.Qualification
	Approver bool
}

func (s *Server) retireQuals(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	rows, err := s.Retirement.Qualifications(r.Context(), a, r.URL.Query().Get("status"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "retire_quals", &Page{Title: "退休资格确认", Form: r.URL.Query(),
		Data: qualsView{Rows: rows, Approver: s.Retirement.IsApprover(r.Context(), a)}})
}

// qualView is one confirmation with what the viewer may do.
type qualView struct {
	Q         *retirement.Qualification
	CanDecide bool
	CanOpen   bool
	Channels  []codeName
}

func (s *Server) qualPage(r *http.Request, form url.Values) (*Page, error) {
	a := actorFrom(r.Context())
	q, err := s.Retirement.Qualification(r.Context(), a, r.PathValue("no"))
	if err != nil {
		return nil, err
	}
	v := qualView{Q: q}
	if q.Status == retirement.QualSubmitted {
		v.CanDecide = (q.Kind == retirement.KindSelfEmployed && a.In(access.SelfEmployed)) ||
			(q.Kind == retirement.KindEmployee && s.Retirement.IsApprover(r.Context(), a))
	}
	v.CanOpen = q.Status == retirement.QualApproved && q.CaseNo == "" && a.In(access.Welfare)
	v.Channels = caseChannels(retirement.ClerkChannels)
	return &Page{Title: q.KindName() + " " + q.No, Data: v, Form: form}, nil
}

func (s *Server) retireQual(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "retire_qual", s.qualPage, nil)
}

func (s *Server) retireDecide(w http.ResponseWriter, r *http.Request) {
	in := formInput(r)
	version := in.OptionalVersion()
	if err := in.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	d := retirement.Decision{No: r.PathValue("no"), Version: version, Approve: r.PostForm.Get("decision") == "approve",
		Reason: r.PostForm.Get("reason")}
	q, err := s.Retirement.Decide(r.Context(), actorFrom(r.Context()), d)
	if err == nil {
		msg := "已确认退休资格"
		if q.Status == retirement.QualRejected {
			msg = "已作出不予确认的决定"
		} else if q.CaseNo != "" {
			msg += "，已推送待遇核定（" + q.CaseNo + "）"
		}
		redirect(w, r, "/staff/retirement/qualifications/"+url.PathEscape(q.No), msg)
		return
	}
	s.qualFormFail(w, r, err)
}

func (s *Server) qualFormFail(w http.ResponseWriter, r *http.Request, err error) {
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
		s.fail(w, r, err)
		return
	}
	p, perr := s.qualPage(r, r.PostForm)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "retire_qual", p, err)
}

func (s *Server) retireOpen(w http.ResponseWriter, r *http.Request) {
	q, err := s.Retirement.OpenDetermination(r.Context(), actorFrom(r.Context()), r.PathValue("no"), r.PostForm.Get("channel"), 0)
	if err == nil {
		redirect(w, r, "/staff/retirement/cases/"+url.PathEscape(q.CaseNo), "已登记待遇核定 "+q.CaseNo)
		return
	}
	s.qualFormFail(w, r, err)
}

// detView is the determination page of a case.
type detView struct {
	Q        *retirement.Qualification
	Versions []*retirement.Determination
	Latest   *retirement.Determination
	Deadline string
	// Upkeep: the record corrections raised from the case, and whether
	// the clerk may raise one (保险福利科).
	Upkeep    []*upkeep.Correction
	CanUpkeep bool
}

func (s *Server) detPage(r *http.Request, form url.Values) (*Page, error) {
	a := actorFrom(r.Context())
	q, ds, err := s.Retirement.CaseDeterminations(r.Context(), a, r.PathValue("no"))
	if err != nil {
		return nil, err
	}
	v := detView{Q: q, Versions: ds}
	if len(ds) > 0 {
		v.Latest = ds[0]
	}
	if c, err := s.Cases.Get(r.Context(), a, q.CaseNo); err == nil && c.DeadlineAt != nil {
		v.Deadline = c.DeadlineAt.In(clock.Shanghai).Format("2006-01-02") + "（" + c.DeadlineRule + "）"
	}
	if s.Upkeep != nil && upkeep.Can(a, upkeep.RaiseFromCase) == nil {
		v.CanUpkeep = true
		if v.Upkeep, err = s.Upkeep.OfCase(r.Context(), a, q.CaseNo); err != nil {
			return nil, err
		}
	}
	return &Page{Title: "退休待遇核定 " + q.CaseNo, Data: v, Form: form}, nil
}

func (s *Server) retireCase(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "retire_case", s.detPage, nil)
}

func (s *Server) retireStep(w http.ResponseWriter, r *http.Request) {
	a, no := actorFrom(r.Context()), r.PathValue("no")
	in := formInput(r)
	version := in.OptionalVersion()
	err := in.Err()
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var msg string
	switch r.PathValue("step") {
	case "compute":
		_, err = s.Retirement.Compute(r.Context(), a, retirement.ComputeInput{CaseNo: no, Balance: r.PostForm.Get("balance"),
			Reason: r.PostForm.Get("reason")})
		msg = "已计算待遇，请复核"
	case "review":
		_, err = s.Retirement.Review(r.Context(), a, no, version)
		msg = "已复核，待第二名经办人员复审"
	case "check":
		_, err = s.Retirement.Check(r.Context(), a, no, version)
		msg = "复审通过，待遇已核定"
	default:
		s.pageNotFound(w, r)
		return
	}
	if err == nil {
		redirect(w, r, "/staff/retirement/cases/"+url.PathEscape(no), msg)
		return
	}
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict && k != errs.Forbidden {
		s.fail(w, r, err)
		return
	}
	p, perr := s.detPage(r, r.PostForm)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "retire_case", p, err)
}

func (s *Server) retireLetter(w http.ResponseWriter, r *http.Request) {
	q, d, err := s.Retirement.LetterOf(r.Context(), actorFrom(r.Context()), r.PathValue("no"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	base := s.Certificates.Options().BaseURL
	if base == "" {
		base = s.requestBase(r)
	}
	b, err := retirement.LetterPDF(q, d, strings.TrimRight(base, "/")+"/retirement/letters/check?code="+url.QueryEscape(certificate.GroupCode(d.VerifyCode)))
	if errors.Is(err, pdfdoc.ErrNoFont) {
		s.fail(w, r, errs.New(errs.Internal, "no_font", pdfdoc.ErrNoFont.Error()))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendPrivatePDF(w, `attachment; filename="pension-letter.pdf"`, b)
}

func (s *Server) retireLetterCheck(w http.ResponseWriter, r *http.Request) {
	p := &Page{Title: "待遇核定通知书核验", Form: r.URL.Query()}
	code := certificate.NormalizeCode(r.URL.Query().Get("code"))
	if r.URL.Query().Get("code") == "" {
		s.render(w, r, "retire_check", p)
		return
	}
	c, err := s.Retirement.CheckLetter(r.Context(), code)
	if err != nil {
		var f errs.Fields
		f.Add("code", errs.As(err).Message)
		s.renderForm(w, r, "retire_check", p, f.Err())
		return
	}
	p.Data = c
	s.render(w, r, "retire_check", p)
}

func (s *Server) retireApprovers(w http.ResponseWriter, r *http.Request) {
	rows, err := s.Retirement.Approvers(r.Context(), actorFrom(r.Context()))
	s.renderOrFail(w, r, "retire_approvers", &Page{Title: "退休资格审批权限", Data: rows}, err)
}

func (s *Server) retireApproverSet(w http.ResponseWriter, r *http.Request) {
	in := formInput(r)
	id := in.OptionalInt64("user_id", "经办人员")
	grant := r.PostForm.Get("grant") == "1"
	if err := in.Err(); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Retirement.SetApprover(r.Context(), actorFrom(r.Context()), id, grant); err != nil {
		s.fail(w, r, err)
		return
	}
	msg := "已收回退休资格审批权限"
	if grant {
		msg = "已授予退休资格审批权限"
	}
	redirect(w, r, "/admin/retirement/approvers", msg)
}

// employerRetireView is the employer's retirement page.
type employerRetireView struct {
	Upcoming *retirement.UpcomingPage
	Quals    []*retirement.Qualification
}

func (s *Server) employerRetirement(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	f, _ := upcomingFilter(r.URL.Query())
	up, err := s.Retirement.ListUpcoming(r.Context(), a, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	qs, err := s.Retirement.Qualifications(r.Context(), a, "")
	s.renderOrFail(w, r, "retire_employer", &Page{Title: "职工退休", Form: r.URL.Query(), Data: employerRetireView{Upcoming: up, Quals: qs}}, err)
}

func (s *Server) employerRetireForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "retire_form", &Page{Title: "企业职工正常退休资格确认表", Form: r.URL.Query()})
}

func (s *Server) employerRetireSubmit(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	q, err := s.Retirement.SubmitQualification(r.Context(), actorFrom(r.Context()), retirement.QualInput{IDNumber: f.Get("id_number"),
		Category: f.Get("category"), DeemedMonths: f.Get("deemed_months"), Contact: f.Get("contact"), Phone: f.Get("phone")})
	if err == nil {
		redirect(w, r, "/employer/retirement", "已提交退休资格确认表 "+q.No+"，待审批")
		return
	}
	if errs.KindOf(err) != errs.Invalid && errs.KindOf(err) != errs.Conflict {
		s.fail(w, r, err)
		return
	}
	s.renderForm(w, r, "retire_form", &Page{Title: "企业职工正常退休资格确认表", Form: f}, err)
}

// ownRetireView is the person's retirement page: before retirement the
// date, the record and the flexible offer; after it the determination and
// the pension in pay.
type ownRetireView struct {
	*retirement.Own
	Pensioner *payroll.Pensioner
}

func (s *Server) ownRetirement(r *http.Request) (*ownRetireView, error) {
	a := actorFrom(r.Context())
	own, err := s.Retirement.MyRetirement(r.Context(), a)
	if err != nil {
		return nil, err
	}
	v := &ownRetireView{Own: own}
	if own.Retired && s.Payroll != nil {
		v.Pensioner, err = s.Payroll.ByPerson(r.Context(), a, a.PersonID)
		if err != nil && errs.KindOf(err) != errs.NotFound {
			return nil, err
		}
	}
	return v, nil
}

func (s *Server) personRetirement(w http.ResponseWriter, r *http.Request) {
	v, err := s.ownRetirement(r)
	s.renderOrFail(w, r, "retire_person", &Page{Title: "我的退休", Data: v}, err)
}

func (s *Server) personRetirePlan(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	_, err := s.Retirement.SetPlan(r.Context(), a, retirement.PlanInput{PersonID: a.PersonID, Month: r.PostForm.Get("month")})
	if err == nil {
		redirect(w, r, "/person/retirement", "已登记弹性退休时间")
		return
	}
	if errs.KindOf(err) != errs.Invalid {
		s.fail(w, r, err)
		return
	}
	v, verr := s.ownRetirement(r)
	if verr != nil {
		s.fail(w, r, verr)
		return
	}
	s.renderForm(w, r, "retire_person", &Page{Title: "我的退休", Data: v, Form: r.PostForm}, err)
}

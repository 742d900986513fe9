package web

import (
	"net/http"
	"net/url"

	"shebao/internal/access"
	"shebao/internal/injury"
)

// hospitalWebRoutes: a hospital's web users (医院经办人员) file the
// continued-treatment form and see only their hospital's own forms,
// direct settlements and payments.
func (s *Server) hospitalWebRoutes() []route {
	return []route{
		{"GET /hospital", s.roleRoute(access.RoleHospital, s.hospitalHome)},
		{"GET /hospital/continued", s.roleRoute(access.RoleHospital, s.hospitalContinuedPage)},
		{"POST /hospital/continued", s.roleRoute(access.RoleHospital, s.hospitalContinuedSubmit)},
		{"GET /hospital/settlements", s.roleRoute(access.RoleHospital, s.hospitalSettlementsPage)},
		{"GET /hospital/payments", s.roleRoute(access.RoleHospital, s.hospitalPaymentsPage)},
		{"POST /admin/hospital-users", s.adminCreateHospitalUser},
	}
}

// adminCreateHospitalUser opens a web login for a hospital's staff member
// (administrators; the service checks).
func (s *Server) adminCreateHospitalUser(w http.ResponseWriter, r *http.Request) {
	in := formInput(r)
	clientID := in.Int64("client_id", "医院")
	if err := in.Err(); err != nil {
		s.renderClients(w, r, err)
		return
	}
	username := r.PostFormValue("username")
	pw, err := s.Accounts.CreateHospitalUser(r.Context(), actorFrom(r.Context()), clientID, username, r.PostFormValue("display_name"))
	if err != nil {
		s.renderClients(w, r, err)
		return
	}
	noStore(w)
	s.render(w, r, "admin_once", &Page{Title: "医院经办账号已开通", Data: onceView{Heading: "医院经办账号已开通",
		Label: "初始密码", Secret: pw, Who: username, Back: "/admin/api-clients"}})
}

func (s *Server) hospitalHome(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	s.render(w, r, "hospital_home", &Page{Title: "医院首页", Data: map[string]any{"Name": s.Injury.HospitalName(r.Context(), a)}})
}

func (s *Server) hospitalContinuedView(r *http.Request, form url.Values) (*Page, error) {
	q := r.URL.Query()
	list, err := s.Injury.ContinuedForms(r.Context(), actorFrom(r.Context()), "", pageParam(q))
	if err != nil {
		return nil, err
	}
	return &Page{Title: "工伤职工继续治疗申请", Data: map[string]any{"List": list, "Page": pageParam(q)}, Form: form}, nil
}

func (s *Server) hospitalContinuedPage(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "hospital_continued", s.hospitalContinuedView, nil)
}

func (s *Server) hospitalContinuedSubmit(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	c, err := s.Injury.FileContinued(r.Context(), actorFrom(r.Context()), injury.ContinuedInput{
		PatientIDNumber: f.Get("patient_id_number"), AdmittedOn: f.Get("admitted_on"), Diagnosis: f.Get("diagnosis"),
		Reason: f.Get("reason")})
	if err == nil {
		redirect(w, r, "/hospital/continued", "已填报继续治疗申请表 "+c.FormNo+"，职工可直接入院治疗；审批在申报待遇时一并办理")
		return
	}
	p, perr := s.hospitalContinuedView(r, f)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "hospital_continued", p, err)
}

func (s *Server) hospitalSettlementsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	list, err := s.Injury.Settlements(r.Context(), actorFrom(r.Context()), pageParam(q))
	s.renderOrFail(w, r, "hospital_settlements", &Page{Title: "联网结算记录", Data: map[string]any{"List": list, "Page": pageParam(q)}}, err)
}

func (s *Server) hospitalPaymentsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	list, err := s.Injury.Payables(r.Context(), actorFrom(r.Context()), "", pageParam(q))
	s.renderOrFail(w, r, "hospital_payments", &Page{Title: "结算款支付情况", Data: map[string]any{"List": list, "Page": pageParam(q)}}, err)
}

package web

import (
	"fmt"
	"net/http"

	"shebao/internal/access"
	"shebao/internal/errs"
	"shebao/internal/retirement"
)

// certificationRoutes: benefit-eligibility certification (待遇资格认证) —
// 保险福利科's list of missed certifications and the civil-affairs match;
// the pensioner's self-service on the portal.
func (s *Server) certificationRoutes() []route {
	return []route{
		{"GET /staff/retirement/certification", s.staffRoute(s.certStaff)},
		{"POST /staff/retirement/certification/civil", s.staffRoute(s.certCivil)},
		{"GET /person/certification", s.roleRoute(access.RolePerson, s.certPerson)},
		{"POST /person/certification", s.roleRoute(access.RolePerson, s.certSelf)},
	}
}

func (s *Server) certStaffPage(r *http.Request) (*Page, error) {
	missed, err := s.Retirement.Missed(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return nil, err
	}
	return &Page{Title: "待遇资格认证", Data: missed}, nil
}

func (s *Server) certStaff(w http.ResponseWriter, r *http.Request) {
	p, err := s.certStaffPage(r)
	s.renderOrFail(w, r, "eligibility_staff", p, err)
}

func (s *Server) certCivil(w http.ResponseWriter, r *http.Request) {
	n, err := s.Retirement.CertifyByCivil(r.Context(), actorFrom(r.Context()))
	if err == nil {
		redirect(w, r, "/staff/retirement/certification", fmt.Sprintf("已按民政死亡数据比对认证 %d 人", n))
		return
	}
	if errs.KindOf(err) != errs.Invalid {
		s.fail(w, r, err)
		return
	}
	p, perr := s.certStaffPage(r)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "eligibility_staff", p, err)
}

// eligibilityView is the pensioner's page: nil Own when no pension is drawn.
type eligibilityView struct{ Own *retirement.Certifiee }

func (s *Server) certPerson(w http.ResponseWriter, r *http.Request) {
	own, err := s.Retirement.MyCertification(r.Context(), actorFrom(r.Context()))
	s.renderOrFail(w, r, "eligibility_person", &Page{Title: "待遇资格认证", Data: eligibilityView{Own: own}}, err)
}

func (s *Server) certSelf(w http.ResponseWriter, r *http.Request) {
	if r.PostForm.Get("confirm") != "1" {
		var f errs.Fields
		f.Add("confirm", "请勾选“本人确认仍符合领取基本养老金的条件”")
		own, err := s.Retirement.MyCertification(r.Context(), actorFrom(r.Context()))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.renderForm(w, r, "eligibility_person", &Page{Title: "待遇资格认证", Data: eligibilityView{Own: own}, Form: r.PostForm}, f.Err())
		return
	}
	if _, err := s.Retirement.CertifySelf(r.Context(), actorFrom(r.Context())); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/person/certification", "已完成待遇资格认证，有效期12个月")
}

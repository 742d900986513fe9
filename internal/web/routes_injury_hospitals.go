package web

import (
	"fmt"
	"net/http"
	"net/url"

	"shebao/internal/errs"
	"shebao/internal/injury"
	"shebao/internal/money"
)

// injuryHospitalRoutes: 工伤保险待遇科 or 基金管理科 registers the receiving
// account of a hospital that settles directly; its held lines then go to
// the fund section.
func (s *Server) injuryHospitalRoutes() []route {
	return []route{
		{"GET /staff/injury/hospitals", s.staffRoute(s.injuryHospitalsPage)},
		{"GET /staff/injury/hospitals/{id}", s.staffRoute(s.injuryHospitalPage)},
		{"POST /staff/injury/hospitals/{id}/account", s.staffRoute(s.injuryHospitalAccountSubmit)},
	}
}

func (s *Server) injuryHospitalsPage(w http.ResponseWriter, r *http.Request) {
	list, err := s.Injury.Hospitals(r.Context(), actorFrom(r.Context()))
	s.renderOrFail(w, r, "injury_hospitals", &Page{Title: "医院收款账户", Data: list}, err)
}

// hospitalPage is one hospital with its account form.
func (s *Server) hospitalPage(r *http.Request, form url.Values) (*Page, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	list, err := s.Injury.Hospitals(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].ID == id {
			return &Page{Title: "医院收款账户：" + list[i].Name, Data: &list[i], Form: form}, nil
		}
	}
	return nil, errs.NotFoundf("没有该医院")
}

func (s *Server) injuryHospitalPage(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "injury_hospital", s.hospitalPage, nil)
}

func (s *Server) injuryHospitalAccountSubmit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := formInput(r)
	version := in.OptionalVersion()
	f := r.PostForm
	if err = in.Err(); err == nil {
		var n int
		var sum money.Fen
		n, sum, err = s.Injury.RegisterHospitalAccount(r.Context(), actorFrom(r.Context()), injury.HospitalAccountInput{
			HospitalID: id, Version: version, AccountName: f.Get("account_name"), AccountNo: f.Get("account_no"),
			BankName: f.Get("bank_name"), NameConfirmed: f.Get("name_confirmed") == "1"})
		if err == nil {
			msg := "已登记收款账户"
			if n > 0 {
				msg += fmt.Sprintf("；已将 %d 笔暂停发放的结算款（%s 元）转基金管理科审核", n, sum)
			}
			redirect(w, r, fmt.Sprintf("/staff/injury/hospitals/%d", id), msg)
			return
		}
	}
	p, perr := s.hospitalPage(r, f)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "injury_hospital", p, err)
}

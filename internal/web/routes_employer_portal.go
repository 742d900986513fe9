package web

import (
	"net/http"

	"shebao/internal/employer"
)

// employerHomeView is the data of the employer's home page.
type employerHomeView struct {
	Employer *employer.Employer
	Changes  []employer.ChangeRequest
	Pending  bool
}

func (s *Server) employerHome(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := ownEmployerID(a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e, err := s.Employers.Profile(r.Context(), a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	changes, err := s.Employers.EmployerChanges(r.Context(), a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := employerHomeView{Employer: e, Changes: changes}
	for _, c := range changes {
		v.Pending = v.Pending || c.Status == employer.ChangePending
	}
	s.render(w, r, "employer_home", &Page{Title: "单位首页", Data: v})
}

// changeFormView is the data of the change request form.
type changeFormView struct {
	Employer *employer.Employer
	Fields   []employer.ChangeField
}

// changeFormPage loads the actor's own employer for the change form.
func (s *Server) changeFormPage(r *http.Request) (*Page, int64, error) {
	a := actorFrom(r.Context())
	id, err := ownEmployerID(a)
	if err != nil {
		return nil, 0, err
	}
	e, err := s.Employers.Profile(r.Context(), a, id)
	if err != nil {
		return nil, 0, err
	}
	return &Page{Title: "申请变更单位信息", Data: changeFormView{Employer: e, Fields: employer.ChangeFields}}, id, nil
}

func (s *Server) employerChangeForm(w http.ResponseWriter, r *http.Request) {
	p, _, err := s.changeFormPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	e := p.Data.(changeFormView).Employer
	p.Form = map[string][]string{}
	for k, v := range e.Values() {
		p.Form.Set(k, v)
	}
	s.render(w, r, "employer_change_new", p)
}

func (s *Server) employerChangeSubmit(w http.ResponseWriter, r *http.Request) {
	p, id, err := s.changeFormPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	changes := map[string]string{}
	for _, f := range employer.ChangeFields {
		if r.PostForm.Has(f.Key) {
			changes[f.Key] = r.PostForm.Get(f.Key)
		}
	}
	_, err = s.Employers.RequestChange(r.Context(), actorFrom(r.Context()), id, changes, r.PostForm.Get("reason"))
	if err != nil {
		s.renderForm(w, r, "employer_change_new", p, err)
		return
	}
	redirect(w, r, "/employer", "变更申请已提交，统筹科审核通过后生效")
}

package web

import (
	"net/http"

	"shebao/internal/access"
	"shebao/internal/errs"
	"shebao/internal/flexible"
	"shebao/internal/money"
)

// flexSelfRoutes: a person registers as a flexible worker online (本人登记).
func (s *Server) flexSelfRoutes() []route {
	return []route{
		{"POST /person/flexible/register", s.personFlexibleRegister},
		{"POST /api/v1/person/flexible/register", s.apiFlexibleRegister},
	}
}

// flexCategories are the choices of the self-registration form.
var flexCategories = []struct{ Value, Label string }{
	{flexible.CategoryFlexible, "灵活就业人员"},
	{flexible.CategorySelfEmployed, "个体工商户"},
	{flexible.CategoryUnemployed, "失业人员"},
}

func (s *Server) personFlexibleRegister(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := ownPersonID(a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	base, err := money.ParseYuan(r.PostFormValue("flex_base"))
	if err != nil {
		var f errs.Fields
		f.Add("flex_base", "缴费基数格式不正确：请输入整数元，如 4800")
		s.renderFlex(w, r, id, false, f.Err())
		return
	}
	in := flexible.SelfRegistration{Category: r.PostFormValue("category"), Base: base, Since: r.PostFormValue("flex_since")}
	if _, err := s.Flexible.SelfRegister(r.Context(), a, in); s.formFailed(w, r, err, func(err error) { s.renderFlex(w, r, id, false, err) }) {
		return
	}
	redirect(w, r, "/person/flexible", "已登记为"+flexible.CategoryName(in.Category)+
		"，可以开具缴费单了；个体参保科会看到您的登记")
}

func (s *Server) apiFlexibleRegister(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if _, err := ownPersonID(a); err != nil {
		s.apiFail(w, r, err)
		return
	}
	var in struct {
		Category string `json:"category"`
		BaseFen  int64  `json:"base_fen"`
		Since    string `json:"since"`
	}
	if !s.decoded(w, r, &in) {
		return
	}
	p, err := s.Flexible.SelfRegister(r.Context(), a,
		flexible.SelfRegistration{Category: in.Category, Base: money.Fen(in.BaseFen), Since: in.Since})
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, map[string]any{"person_id": p.ID, "kind": string(p.Kind),
		"category": in.Category, "base_fen": int64(p.FlexBase), "since": p.FlexSince})
}

// selfRegistrations is the data of 个体参保科's page: the latest online
// self-registrations.
func (s *Server) selfRegistrations(r *http.Request, a *access.Actor) (map[string]any, error) {
	list, err := s.Flexible.SelfRegistrations(r.Context(), a, 50)
	return map[string]any{"SelfRegistrations": list}, err
}

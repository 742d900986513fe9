package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

// policyAPIRoutes lists the JSON endpoints of dated rules and emergency
// periods.
func (s *Server) policyAPIRoutes() []route {
	return []route{
		{"GET /api/v1/policy/rules", s.apiPolicyRules},
		{"GET /api/v1/policy/emergencies", s.apiEmergencies},
		{"POST /api/v1/policy/emergencies", s.apiDeclareEmergency},
		{"POST /api/v1/policy/emergencies/{id}/end", s.apiSetEmergencyEnd},
	}
}

// policyRoutes: dated rules, emergency periods, the working-day calendar.
func (s *Server) policyRoutes() []route {
	return []route{
		{"GET /admin/policy", s.policyRules},
		{"GET /admin/policy/new", s.policyRuleNew},
		{"POST /admin/policy", s.policyRuleCreate},
		{"GET /admin/policy/rules/{id}", s.policyRuleEdit},
		{"POST /admin/policy/rules/{id}", s.policyRuleUpdate},

		{"GET /admin/emergencies", s.emergencyList},
		{"GET /admin/emergencies/new", s.emergencyNew},
		{"POST /admin/emergencies", s.emergencyCreate},
		{"GET /admin/emergencies/{id}", s.emergencyDetail},
		{"POST /admin/emergencies/{id}/end/confirm", s.emergencyEndConfirm},
		{"POST /admin/emergencies/{id}/end", s.emergencyEnd},

		{"GET /admin/calendar", s.calendarPage},
		{"POST /admin/calendar", s.calendarSet},
	}
}

// staffOnly answers for the handler unless the actor works for the agency
// (the admin pages show rule history; changes are checked by the service).
func (s *Server) staffOnly(w http.ResponseWriter, r *http.Request) (*access.Actor, bool) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return nil, false
	}
	if !a.IsStaff() {
		s.fail(w, r, errs.Forbid())
		return nil, false
	}
	return a, true
}

// adminOnly answers for the handler unless the actor is an administrator
// (used before showing a form whose submission the service would refuse).
func (s *Server) adminOnly(w http.ResponseWriter, r *http.Request) (*access.Actor, bool) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return nil, false
	}
	if err := a.RequireAdmin(); err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return a, true
}

// rulesView is the data of the rules list.
type rulesView struct {
	Rules   []policy.Rule
	Keys    []policy.KeyInfo
	Key     string
	Scope   string
	Date    string
	IsAdmin bool
}

// policyRules: GET /admin/policy?key=&scope=&date=, with date meaning
// "在 D 日有效的规则".
func (s *Server) policyRules(w http.ResponseWriter, r *http.Request) {
	a, ok := s.staffOnly(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	v := rulesView{Keys: policy.Keys, Key: q.Get("key"), Scope: strings.TrimSpace(q.Get("scope")),
		Date: strings.TrimSpace(q.Get("date")), IsAdmin: a.IsAdmin()}
	rules, err := s.Policy.ListRules(r.Context(), a, policy.RuleFilter{Key: v.Key, Scope: v.Scope, Day: v.Date})
	if err != nil {
		s.renderForm(w, r, "policy_rules", &Page{Title: "政策参数", Data: v, Form: q}, err)
		return
	}
	v.Rules = rules
	s.render(w, r, "policy_rules", &Page{Title: "政策参数", Data: v})
}

// ruleFormView is the data of the add and correct forms.
type ruleFormView struct {
	Keys   []policy.KeyInfo
	Rule   *policy.Rule // nil when adding
	Action string
}

func (s *Server) policyRuleNew(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.adminOnly(w, r); !ok {
		return
	}
	form := url.Values{"key": {r.URL.Query().Get("key")}, "scope": {r.URL.Query().Get("scope")}}
	s.render(w, r, "policy_rule_form", &Page{Title: "新增政策参数取值", Form: form,
		Data: ruleFormView{Keys: policy.Keys, Action: "/admin/policy"}})
}

func ruleInput(f url.Values) policy.RuleInput {
	return policy.RuleInput{Key: f.Get("key"), Scope: f.Get("scope"), From: f.Get("effective_from"),
		To: f.Get("effective_to"), Value: f.Get("value"), LegalBasis: f.Get("legal_basis"), Note: f.Get("note")}
}

func (s *Server) policyRuleCreate(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	rule, err := s.Policy.AddRule(r.Context(), actorFrom(r.Context()), ruleInput(r.PostForm))
	if err != nil {
		s.renderForm(w, r, "policy_rule_form", &Page{Title: "新增政策参数取值",
			Data: ruleFormView{Keys: policy.Keys, Action: "/admin/policy"}}, err)
		return
	}
	redirect(w, r, "/admin/policy?key="+url.QueryEscape(rule.Key),
		"已新增："+rule.Name()+" "+rule.Display()+"，"+rule.Period())
}

func (s *Server) policyRuleEdit(w http.ResponseWriter, r *http.Request) {
	a, ok := s.adminOnly(w, r)
	if !ok {
		return
	}
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	rule, err := s.Policy.RuleByID(r.Context(), a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := url.Values{"value": {rule.InputText()}, "effective_to": {rule.ToDay()},
		"legal_basis": {rule.LegalBasis}, "note": {rule.Note}, "version": {strconv.FormatInt(rule.Version, 10)}}
	s.render(w, r, "policy_rule_form", &Page{Title: "更正政策参数取值", Form: form,
		Data: ruleFormView{Keys: policy.Keys, Rule: &rule, Action: "/admin/policy/rules/" + strconv.FormatInt(id, 10)}})
}

func (s *Server) policyRuleUpdate(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, version, ok := s.pageIDAndVersion(w, r)
	if !ok {
		return
	}
	rule, err := s.Policy.UpdateRule(r.Context(), a, id, version, ruleInput(r.PostForm))
	if err != nil {
		old, gerr := s.Policy.RuleByID(r.Context(), a, id)
		if gerr != nil {
			s.fail(w, r, err)
			return
		}
		s.renderForm(w, r, "policy_rule_form", &Page{Title: "更正政策参数取值",
			Data: ruleFormView{Keys: policy.Keys, Rule: &old, Action: "/admin/policy/rules/" + strconv.FormatInt(id, 10)}}, err)
		return
	}
	redirect(w, r, "/admin/policy?key="+url.QueryEscape(rule.Key), "已更正："+rule.Name()+" "+rule.Display()+"，"+rule.Period())
}

package web

import (
	"net/http"
	"strings"
	"time"

	"shebao/internal/clock"
	"shebao/internal/policy"
)

// ruleJSON is a rule value in the API: value is canonical (fen, ppm,
// integer or text) in unit; display is for people.
type ruleJSON struct {
	ID         int64   `json:"id"`
	Key        string  `json:"key"`
	Name       string  `json:"name"`
	Scope      string  `json:"scope"`
	Value      string  `json:"value"`
	Unit       string  `json:"unit"`
	Display    string  `json:"display"`
	From       string  `json:"from"`
	To         *string `json:"to"`
	LegalBasis string  `json:"legal_basis"`
	Note       string  `json:"note"`
	Version    int64   `json:"version"`
}

func newRuleJSON(r policy.Rule) ruleJSON {
	j := ruleJSON{ID: r.ID, Key: r.Key, Name: r.Name(), Scope: r.Scope, Value: r.Value, Unit: string(r.Unit),
		Display: r.Display(), From: r.FromDay(), LegalBasis: r.LegalBasis, Note: r.Note, Version: r.Version}
	if r.To != nil {
		to := r.ToDay()
		j.To = &to
	}
	return j
}

// apiPolicyRules: GET /api/v1/policy/rules?key=&scope=&date= (public) —
// the values in force on date (default today), or the one of key.
func (s *Server) apiPolicyRules(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	day, err := s.dayOrToday(strings.TrimSpace(q.Get("date")))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	key, scope := strings.TrimSpace(q.Get("key")), strings.TrimSpace(q.Get("scope"))
	var rules []policy.Rule
	if key != "" {
		rule, err := s.Policy.InForce(r.Context(), key, scope, day)
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		rules = []policy.Rule{rule}
	} else if rules, err = s.Policy.RulesInForce(r.Context(), day); err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]ruleJSON, 0, len(rules))
	for _, rule := range rules {
		if scope == "" || rule.Scope == scope {
			out = append(out, newRuleJSON(rule))
		}
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"date": day.Format("2006-01-02"), "rules": out})
}

// measureJSON is one measure with its Chinese description.
type measureJSON struct {
	Code        policy.Measure        `json:"code"`
	Label       string                `json:"label"`
	Description string                `json:"description"`
	Params      *policy.MeasureParams `json:"params,omitempty"`
}

// emergencyJSON is an emergency period in the API.
type emergencyJSON struct {
	ID           int64         `json:"id"`
	Title        string        `json:"title"`
	Start        string        `json:"start"`
	End          *string       `json:"end"`
	Scope        string        `json:"scope"`
	LegalBasis   string        `json:"legal_basis"`
	Active       bool          `json:"active"`
	Measures     []measureJSON `json:"measures"`
	MakeUpUntil  *string       `json:"makeup_until"`
	OriginalsDue *string       `json:"originals_due"`
	Version      int64         `json:"version"`
}

func optDay(t *time.Time) *string {
	if t == nil {
		return nil
	}
	d := t.In(clock.Shanghai).Format("2006-01-02")
	return &d
}

func (s *Server) newEmergencyJSON(r *http.Request, e policy.Emergency) emergencyJSON {
	row := s.emergencyRow(r, e)
	j := emergencyJSON{ID: e.ID, Title: e.Title, Start: e.StartDay(), End: optDay(e.End), Scope: e.Scope,
		LegalBasis: e.LegalBasis, Active: row.Active, MakeUpUntil: optDay(e.MakeUpUntil),
		OriginalsDue: optDay(e.OriginalsDue), Version: e.Version, Measures: []measureJSON{}}
	for i, m := range e.Measures {
		mj := measureJSON{Code: m, Label: m.Label()}
		if i < len(row.Descriptions) {
			mj.Description = row.Descriptions[i]
		}
		if p, ok := e.Params[m]; ok {
			mj.Params = &p
		}
		j.Measures = append(j.Measures, mj)
	}
	return j
}

// apiEmergencies: GET /api/v1/policy/emergencies (public), newest first.
func (s *Server) apiEmergencies(w http.ResponseWriter, r *http.Request) {
	es, err := s.Policy.Emergencies(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := make([]emergencyJSON, 0, len(es))
	for _, e := range es {
		out = append(out, s.newEmergencyJSON(r, e))
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"emergencies": out})
}

// apiDeclareEmergency: POST /api/v1/policy/emergencies (administrators).
func (s *Server) apiDeclareEmergency(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	var in policy.DeclareInput
	if !s.decoded(w, r, &in) {
		return
	}
	e, err := s.Policy.Declare(r.Context(), a, in)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, s.newEmergencyJSON(r, e))
}

// endInput is the body of POST …/emergencies/{id}/end: end "" or null
// reopens the period; version is the one the caller read.
type endInput struct {
	End     *string `json:"end"`
	Version int64   `json:"version"`
}

// apiSetEmergencyEnd: POST /api/v1/policy/emergencies/{id}/end (administrators).
func (s *Server) apiSetEmergencyEnd(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	var in endInput
	id, ok := s.idAndBody(w, r, &in)
	if !ok {
		return
	}
	end := ""
	if in.End != nil {
		end = strings.TrimSpace(*in.End)
	}
	e, err := s.Policy.SetEnd(r.Context(), a, id, in.Version, end)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, s.newEmergencyJSON(r, e))
}

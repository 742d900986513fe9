package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shebao/internal/casework"
	"shebao/internal/employer"
	"shebao/internal/errs"
	"shebao/internal/person"
)

// lookupRoutes: staff find a person or an employer by name, ID number,
// credit code or employer number (masked results), to open their record
// or to link a case to its applicant.
func (s *Server) lookupRoutes() []route {
	return []route{
		{"GET /staff/lookup", s.staffRoute(s.staffLookup)},
	}
}

// lookupView is a search and its results. Pick shows radio buttons named
// applicant_ref (inside a form) instead of links; Kinds limits the kinds
// offered (the accident report links employers only).
type lookupView struct {
	Action    string // where the search form goes (the page it is on)
	Kind      string // "person" or "employer"
	Query     string
	Kinds     []string
	Persons   []person.Match
	Employers []employer.Match
	Total     int
	Pager     pager
	Pick      bool
	Selected  string // the applicant_ref chosen before a failed submission
	Err       string // what is wrong with the query
}

// More reports whether the search found more than the page shows.
func (v lookupView) More() bool { return v.Total > len(v.Persons)+len(v.Employers) }

// KindName is the Chinese label of a lookup kind.
func (lookupView) KindName(k string) string {
	if k == "employer" {
		return "参保单位"
	}
	return "参保人员"
}

// lookup runs the search in q (kind, q, page) for the page at path. A bad
// query is reported in the view, not as a failure.
func (s *Server) lookup(r *http.Request, q url.Values, path string, kinds ...string) (*lookupView, error) {
	if len(kinds) == 0 {
		kinds = []string{"person", "employer"}
	}
	v := &lookupView{Action: path, Kind: q.Get("kind"), Query: strings.TrimSpace(q.Get("q")), Kinds: kinds,
		Selected: q.Get("applicant_ref")}
	if v.Kind != "employer" && v.Kind != "person" || (len(kinds) == 1 && v.Kind != kinds[0]) {
		v.Kind = kinds[0]
	}
	if v.Query == "" {
		return v, nil
	}
	page, a := pageParam(q), actorFrom(r.Context())
	var err error
	if v.Kind == "employer" {
		var m *employer.Matches
		if m, err = s.Employers.Search(r.Context(), a, v.Query, page); err == nil {
			v.Employers, v.Total = m.Items, m.Total
		}
	} else {
		var m *person.Matches
		if m, err = s.Persons.Search(r.Context(), a, v.Query, page); err == nil {
			v.Persons, v.Total = m.Items, m.Total
		}
	}
	if e := errs.As(err); e != nil && e.Kind == errs.Invalid && len(e.Fields) > 0 {
		v.Err = e.Fields[0].Message
		return v, nil
	}
	if err != nil {
		return nil, err
	}
	keep := url.Values{"kind": {v.Kind}, "q": {v.Query}}
	v.Pager = newPager(path, keep, page, person.SearchPageSize, v.Total)
	return v, nil
}

func (s *Server) staffLookup(w http.ResponseWriter, r *http.Request) {
	v, err := s.lookup(r, r.URL.Query(), "/staff/lookup")
	s.renderOrFail(w, r, "staff_lookup", &Page{Title: "查找单位或人员", Form: r.URL.Query(), Data: v}, err)
}

// applicantFrom reads the applicant of a clerk's form: the person or
// employer picked from the search results (applicant_ref), else the kind
// chosen (a person not yet registered, a hospital).
func applicantFrom(f url.Values) casework.Applicant {
	app := casework.Applicant{Kind: f.Get("applicant_kind"), Name: f.Get("applicant_name"),
		Phone: f.Get("applicant_phone"), Email: f.Get("applicant_email")}
	kind, id := refOf(f.Get("applicant_ref"))
	switch kind {
	case "person":
		app.Kind, app.PersonID = casework.ApplicantPerson, id
	case "employer":
		app.Kind, app.EmployerID = casework.ApplicantEmployer, id
	}
	return app
}

// refOf splits a picked search result "employer:12" into its kind and id.
func refOf(ref string) (string, int64) {
	kind, n, ok := strings.Cut(ref, ":")
	id, err := strconv.ParseInt(n, 10, 64)
	if !ok || err != nil || id < 1 || (kind != "person" && kind != "employer") {
		return "", 0
	}
	return kind, id
}

package web

import (
	"net/http"
	"net/url"
	"strconv"

	"shebao/internal/clock"
	"shebao/internal/contribution"
)

// assessRoutes: 统筹科 starts or re-runs a fee month's assessment and
// follows its progress (the page polls a small JSON status; without
// JavaScript it reloads itself while the run is going).
func (s *Server) assessRoutes() []route {
	return []route{
		{"GET /staff/assessments", s.assessIndex},
		{"POST /staff/assessments", s.assessStart},
		{"GET /staff/assessments/{id}", s.assessShow},
		{"GET /staff/assessments/{id}/status", s.assessStatus},
	}
}

// assessView is the data of the assessment pages.
type assessView struct {
	Run  *contribution.Run
	Runs []contribution.Run
}

func (s *Server) assessIndex(w http.ResponseWriter, r *http.Request) {
	p, err := s.assessIndexPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Form = url.Values{"month": {clock.Today(s.Clock).Format("2006-01")}}
	s.render(w, r, "assess_index", p)
}

func (s *Server) assessIndexPage(r *http.Request) (*Page, error) {
	runs, err := s.Contribution.Runs(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return nil, err
	}
	return &Page{Title: "缴费核定", Data: assessView{Runs: runs}}, nil
}

func (s *Server) assessStart(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	run, err := s.Contribution.StartRun(r.Context(), actorFrom(r.Context()), r.PostForm.Get("month"))
	if err != nil {
		p, perr := s.assessIndexPage(r)
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		s.renderForm(w, r, "assess_index", p, err)
		return
	}
	http.Redirect(w, r, "/staff/assessments/"+strconv.FormatInt(run.ID, 10), http.StatusSeeOther)
}

func (s *Server) assessRun(r *http.Request) (*contribution.Run, error) {
	return ofPathID(r, s.Contribution.GetRun)
}

func (s *Server) assessShow(w http.ResponseWriter, r *http.Request) {
	run, err := s.assessRun(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "assess_run", &Page{Title: "核定 " + run.Month, Data: assessView{Run: run}})
}

// assessStatusJSON is what the run page polls.
type assessStatusJSON struct {
	Status     string `json:"status"`
	StatusName string `json:"status_name"`
	Done       int64  `json:"done"`
	Total      int64  `json:"total"`
	Percent    int64  `json:"percent"`
	Created    int64  `json:"created"`
	Redone     int64  `json:"redone"`
	Lines      int64  `json:"lines"`
	Error      string `json:"error,omitempty"`
}

func (s *Server) assessStatus(w http.ResponseWriter, r *http.Request) {
	run, err := s.assessRun(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, http.StatusOK, assessStatusJSON{Status: run.Status, StatusName: run.StatusName(), Done: run.Done,
		Total: run.Total, Percent: run.Percent(), Created: run.Created, Redone: run.Redone, Lines: run.Lines, Error: run.Error})
}

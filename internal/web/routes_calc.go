package web

import (
	"io"
	"net/http"

	"shebao/internal/calc"
)

// calcRoutes: the public calculators (养老金测算 and the others), as pages
// and as JSON. No login; each client is rate-limited by the service.
func (s *Server) calcRoutes() []route {
	return []route{
		{"GET /calc", s.calcIndex},
		{"GET /calc/{name}", s.calcPage},
		{"POST /api/v1/calc/{name}", s.apiCalc},
	}
}

// calcBodyLimit caps a calculator request body.
const calcBodyLimit = 64 << 10

// calcView is the data of a calculator page.
type calcView struct {
	All    []*calc.Calculator
	Calc   *calc.Calculator
	Result *calc.Result
}

func (s *Server) calcIndex(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "calc_index", &Page{Title: "待遇测算", Data: calcView{All: s.Calc.All()}})
}

// calcPage shows the form; with run=1 in the query it computes and shows
// the result with its steps (a GET, so that a result can be printed,
// bookmarked and shared).
func (s *Server) calcPage(w http.ResponseWriter, r *http.Request) {
	c, err := s.Calc.Get(r.PathValue("name"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	p := &Page{Title: c.Title, Data: calcView{All: s.Calc.All(), Calc: c}, Form: q}
	if q.Get("run") == "" {
		s.render(w, r, "calc_form", p)
		return
	}
	if err := s.Calc.Allow(s.clientIP(r)); err != nil {
		s.renderForm(w, r, "calc_form", p, err)
		return
	}
	vals, err := c.ParseForm(q)
	if err != nil {
		s.renderForm(w, r, "calc_form", p, err)
		return
	}
	res, err := s.Calc.Run(r.Context(), c, vals)
	if err != nil {
		s.renderForm(w, r, "calc_form", p, err)
		return
	}
	p.Data = calcView{All: s.Calc.All(), Calc: c, Result: res}
	s.render(w, r, "calc_form", p)
}

func (s *Server) apiCalc(w http.ResponseWriter, r *http.Request) {
	if err := s.Calc.Allow(s.clientIP(r)); err != nil {
		w.Header().Set("Retry-After", "1")
		s.apiFail(w, r, err)
		return
	}
	c, err := s.Calc.Get(r.PathValue("name"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, calcBodyLimit+1))
	if err != nil || len(body) > calcBodyLimit {
		s.writeJSON(w, http.StatusRequestEntityTooLarge, apiError{Error: apiErrorBody{Code: "too_large", Message: "请求体超过 64KB"}})
		return
	}
	vals, err := c.ParseJSON(body)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	res, err := s.Calc.Run(r.Context(), c, vals)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, res.JSON())
}

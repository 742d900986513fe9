package web

import (
	"net/http"
	"strconv"
	"strings"

	"shebao/internal/clock"
	"shebao/internal/money"
	"shebao/internal/sampling"
)

// samplingRoutes: 审计科's monthly audit sampling (稽核).
func (s *Server) samplingRoutes() []route {
	return []route{
		{"GET /staff/sampling", s.staffRoute(s.samplingPage)},
		{"POST /staff/sampling", s.staffRoute(s.samplingDraw)},
		{"POST /staff/sampling/items/{id}/check", s.staffRoute(s.samplingCheck)},
		{"POST /staff/sampling/items/{id}/rectify", s.staffRoute(s.samplingRectify)},
	}
}

type samplingView struct {
	Month     string
	Samples   []sampling.Sample
	Checklist []struct{ Code, Name string }
}

func (s *Server) samplingData(r *http.Request, month string) (*samplingView, error) {
	if _, err := clock.ParseMonth(month); err != nil {
		month = clock.MonthOf(s.Clock.Now()).Add(-1).String()
	}
	v := &samplingView{Month: month, Checklist: sampling.Checklist}
	var err error
	v.Samples, err = s.Sampling.Month(r.Context(), actorFrom(r.Context()), month)
	return v, err
}

func (s *Server) samplingPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.samplingData(r, r.URL.Query().Get("month"))
	s.renderOrFail(w, r, "sampling", &Page{Title: "稽核抽查", Data: v}, err)
}

func (s *Server) samplingForm(w http.ResponseWriter, r *http.Request, month string, err error) {
	v, verr := s.samplingData(r, month)
	if verr != nil {
		s.fail(w, r, err)
		return
	}
	s.renderForm(w, r, "sampling", &Page{Title: "稽核抽查", Data: v}, err)
}

func (s *Server) samplingDraw(w http.ResponseWriter, r *http.Request) {
	month := strings.TrimSpace(r.PostFormValue("month"))
	in := formInput(r)
	seed := in.OptionalInt64("seed", "随机种子")
	var rate int64
	if p := strings.TrimSpace(r.PostFormValue("rate")); p != "" {
		rt, err := money.Percent(p)
		if err != nil {
			s.samplingForm(w, r, month, fieldError("rate", "抽查比例应为百分数，如 5"))
			return
		}
		rate = int64(rt) // ppm
	}
	if err := in.Err(); err != nil {
		s.samplingForm(w, r, month, err)
		return
	}
	got, err := s.Sampling.Draw(r.Context(), actorFrom(r.Context()), month, rate, seed)
	if err != nil {
		s.samplingForm(w, r, month, err)
		return
	}
	n := 0
	for _, sm := range got {
		n += len(sm.Items)
	}
	redirect(w, r, "/staff/sampling?month="+month, "已抽取 "+strconv.Itoa(len(got))+" 个科室的 "+strconv.Itoa(n)+" 件案件")
}

func (s *Server) samplingCheck(w http.ResponseWriter, r *http.Request) {
	id, version, ok := s.pageIDAndVersion(w, r)
	if !ok {
		return
	}
	month := r.PostFormValue("month")
	it, err := s.Sampling.Check(r.Context(), actorFrom(r.Context()), id, version, sampling.CheckInput{Confirmed: r.PostForm["confirmed"],
		Finding: r.PostFormValue("finding"), Rectification: r.PostFormValue("rectification"), FalseCommitment: r.PostFormValue("false_commitment") == "1"})
	if err != nil {
		s.samplingForm(w, r, month, err)
		return
	}
	redirect(w, r, "/staff/sampling?month="+month, "案件 "+it.CaseNo+" 检查结果："+it.StatusName())
}

func (s *Server) samplingRectify(w http.ResponseWriter, r *http.Request) {
	id, version, ok := s.pageIDAndVersion(w, r)
	if !ok {
		return
	}
	month := r.PostFormValue("month")
	it, err := s.Sampling.Rectify(r.Context(), actorFrom(r.Context()), id, version, r.PostFormValue("note"))
	if err != nil {
		s.samplingForm(w, r, month, err)
		return
	}
	redirect(w, r, "/staff/sampling?month="+month, "案件 "+it.CaseNo+" 已登记整改结果")
}

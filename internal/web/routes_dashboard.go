package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"

	"shebao/internal/access"
	"shebao/internal/dashboard"
)

// dashboardRoutes: the agency's dashboard (办公室, 审计科, administrators)
// and each section's (?section=), with the tables behind the charts and
// their export.
func (s *Server) dashboardRoutes() []route {
	return []route{
		{"GET /staff/dashboard", s.staffRoute(s.dashboardPage)},
		{"GET /staff/dashboard/export.xlsx", s.staffRoute(s.dashboardExport)},
		{"POST /staff/dashboard/refresh", s.staffRoute(s.dashboardRefresh)},
	}
}

// dashboardQuery reads the scope and periods; a clerk who may not see the
// agency's dashboard lands on their own section's.
func dashboardQuery(r *http.Request) (dashboard.Query, error) {
	in := queryInput(r)
	q := dashboard.Query{Section: access.Section(r.URL.Query().Get("section")), Days: in.OptionalInt("days", "统计天数"),
		Months: in.OptionalInt("months", "统计月数")}
	if err := in.Err(); err != nil {
		return q, err
	}
	if a := actorFrom(r.Context()); q.Section == "" && dashboard.CanAgency(a) != nil && a != nil && len(a.Sections) > 0 {
		q.Section = a.Sections[0]
	}
	return q, q.Check()
}

type dashboardView struct {
	*dashboard.View
	Periods, MonthChoices []int
	Scopes                []access.Section
	CanAgency             bool
}

func (s *Server) dashboardPage(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	q, err := dashboardQuery(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.Dashboard.Dashboard(r.Context(), a, q)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	dv := dashboardView{View: v, Periods: dashboard.Periods, MonthChoices: dashboard.MonthChoices, CanAgency: dashboard.CanAgency(a) == nil}
	for _, x := range access.Sections {
		if dv.CanAgency || a.In(x) {
			dv.Scopes = append(dv.Scopes, x)
		}
	}
	s.render(w, r, "dashboard", &Page{Title: v.Title, Data: dv})
}

func (s *Server) dashboardExport(w http.ResponseWriter, r *http.Request) {
	q, err := dashboardQuery(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := s.Dashboard.Export(r.Context(), actorFrom(r.Context()), q, &buf); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", "attachment; filename=\"dashboard.xlsx\"; filename*=UTF-8''"+
		url.PathEscape("运行情况-"+s.Clock.Now().Format("20060102")+".xlsx"))
	w.Write(buf.Bytes())
}

func (s *Server) dashboardRefresh(w http.ResponseWriter, r *http.Request) {
	sn, err := s.Dashboard.RefreshAs(r.Context(), actorFrom(r.Context()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/staff/dashboard", "统计数据已刷新（用时 "+strconv.FormatInt(sn.TookMS, 10)+" 毫秒）")
}

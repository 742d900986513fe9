package web

import (
	"io/fs"
	"net/http"
)

// route is one row of a route table: the ServeMux pattern ("METHOD /path")
// and its handler. Each business area lists its routes, pages and JSON
// endpoints alike, in a function returning []route (routes_<area>.go), and
// routeTable below names every such function once: that is the only way a
// route is registered. A handler that only a signed-in actor may reach at
// all is written s.loggedIn(h), one only staff may reach s.staffRoute(h);
// the service still decides everything finer.
type route struct {
	pattern string
	handler http.HandlerFunc
}

// routeTable is every route of the server.
func (s *Server) routeTable() []route {
	static, _ := fs.Sub(staticFS, "static")
	all := []route{
		{"GET /healthz", s.healthz},
		{"GET /static/", http.StripPrefix("/static/", s.staticFiles(static)).ServeHTTP},
		{"GET /{$}", s.home},
	}
	for _, area := range [][]route{
		s.opsRoutes(),
		s.accountRoutes(), s.accountAPIRoutes(),
		s.auditRoutes(), s.auditAPIRoutes(),
		s.policyRoutes(), s.policyAPIRoutes(),
		s.employerRoutes(), s.employerAPIRoutes(),
		s.personRoutes(),
		s.lookupRoutes(),
		s.caseworkRoutes(), s.caseworkAPIRoutes(), s.caseworkDeferredAPIRoutes(),
		s.injuryRoutes(),
		s.injuryClerkRoutes(),
		s.retirementRoutes(), s.certificationRoutes(),
		s.deathRoutes(),
		s.deathReportRoutes(),
		s.upkeepRoutes(),
		s.complaintRoutes(), s.complaintAPIRoutes(), s.complaintStaffAPIRoutes(),
		s.sensitiveRoutes(),
		s.injuryBenefitAPIRoutes(),
		s.appointmentRoutes(),
		s.noticeRoutes(),
		s.faqRoutes(),
		s.downloadRoutes(),
		s.channelRoutes(), s.channelAPIRoutes(),
		s.certificateRoutes(),
		s.staffChangeRoutes(),
		s.flexibleRoutes(), s.flexSelfRoutes(),
		s.contributionRoutes(), s.assessRoutes(), s.recordRoutes(),
		s.paymentRoutes(), s.paymentAPIRoutes(),
		s.calcRoutes(),
		s.apiDocRoutes(),
		s.injuryBenefitRoutes(),
		s.injuryHospitalRoutes(),
		s.hospitalWebRoutes(),
		s.payoutRoutes(),
		s.personalAccountRoutes(),
		s.transferRoutes(),
		s.recoveryRoutes(), s.dashboardRoutes(), s.samplingRoutes(), s.protectionRoutes(),
		s.statementRoutes(),
	} {
		all = append(all, area...)
	}
	return all
}

// Routes lists the pattern of every registered route, for the tests that
// check each one has a row in the route × role table and, for /api/v1, an
// entry in the OpenAPI document.
func (s *Server) Routes() []string {
	var out []string
	for _, rt := range s.routeTable() {
		out = append(out, rt.pattern)
	}
	return out
}

// routes registers the route table under the middleware chain, which is
// the same for every route.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	s.ops = newOpsMetrics(s, mux)
	for _, rt := range s.routeTable() {
		mux.HandleFunc(rt.pattern, rt.handler)
	}

	s.mux = mux
	h := s.unmatched(mux)
	h = s.checkText(h)
	h = s.csrf(h)
	h = s.parseForms(h)
	h = s.sameOrigin(h)
	h = s.session(h)
	h = s.limitBodies(h)
	h = s.securityHeaders(h)
	h = s.logRequests(h)
	h = s.recoverPanics(h)
	h = s.requestID(h)
	return h
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if err := s.DB.R.PingContext(r.Context()); err != nil {
		http.Error(w, "database unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// staticFiles serves the embedded files with an hour of caching; a
// missing file or a folder answers the Chinese 404 page (never a listing).
func (s *Server) staticFiles(static fs.FS) http.Handler {
	files := http.FileServerFS(static)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if st, err := fs.Stat(static, r.URL.Path); err != nil || st.IsDir() {
			s.pageNotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
}

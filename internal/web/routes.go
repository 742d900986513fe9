package web

import (
	"io/fs"
	"net/http"
)

// routes registers every route. Each business area registers its own in
// routes_<area>.go; the middleware chain is the same for all.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", s.staticFiles(static)))
	mux.HandleFunc("GET /{$}", s.home)

	s.opsRoutes(mux)
	s.accountRoutes(mux)
	s.auditRoutes(mux)
	s.policyRoutes(mux)
	s.employerRoutes(mux)
	s.personRoutes(mux)
	s.lookupRoutes(mux)
	s.caseworkRoutes(mux)
	s.injuryRoutes(mux)
	s.injuryClerkRoutes(mux)
	s.retirementRoutes(mux)
	s.injuryBenefitAPIRoutes(mux)
	s.injuryBenefitRoutes(mux)
	s.appointmentRoutes(mux)
	s.noticeRoutes(mux)
	s.faqRoutes(mux)
	s.downloadRoutes(mux)
	s.channelRoutes(mux)
	s.certificateRoutes(mux)
	s.staffChangeRoutes(mux)
	s.flexibleRoutes(mux)
	s.contributionRoutes(mux)
	s.paymentRoutes(mux)
	s.payoutRoutes(mux)
	s.calcRoutes(mux)
	s.apiDocRoutes(mux)

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

package web

import "net/http"

// certificateRoutes: the public page where anyone checks a payment
// certificate's verification code. Certificates are issued by the
// collection module (issue 3); until it is online no code can exist, and
// the page says so rather than pretending to look one up.
func (s *Server) certificateRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /certificate/check", s.certificateCheck)
}

func (s *Server) certificateCheck(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "certificate_check", &Page{Title: "缴费证明核验"})
}

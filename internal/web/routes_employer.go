package web

import "net/http"

// employerRoutes: registration, review queue, employer portal. TODO(employer helper).
func (s *Server) employerRoutes(mux *http.ServeMux) {}

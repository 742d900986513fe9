package web

import "net/http"

// auditRoutes: the audit section's log search. TODO(audit helper).
func (s *Server) auditRoutes(mux *http.ServeMux) {}

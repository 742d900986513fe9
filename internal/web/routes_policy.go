package web

import "net/http"

// policyRoutes: dated rules and emergency periods. TODO(policy helper).
func (s *Server) policyRoutes(mux *http.ServeMux) {}

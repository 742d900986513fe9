package web

import "net/http"

// apiDocRoutes serves /api/v1/openapi.json. TODO(employer helper).
func (s *Server) apiDocRoutes(mux *http.ServeMux) {}

package web

import (
	"net/http"
	"time"
)

// opsRoutes: /metrics. TODO(ops helper).
func (s *Server) opsRoutes(mux *http.ServeMux) {}

// observeRequest records a request in the metrics. TODO(ops helper).
func observeRequest(r *http.Request, status int, d time.Duration) {}

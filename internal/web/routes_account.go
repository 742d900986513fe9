package web

import "net/http"

// accountRoutes: login, logout, password change, staff/admin user management.
// TODO(account helper).
func (s *Server) accountRoutes(mux *http.ServeMux) {}

// session loads the session cookie into the request context (actor, CSRF
// token). TODO(account helper).
func (s *Server) session(next http.Handler) http.Handler { return next }

// csrf rejects unsafe requests without a valid token. TODO(account helper).
func (s *Server) csrf(next http.Handler) http.Handler { return next }

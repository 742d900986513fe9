package web

import "net/http"

// accountAPIRoutes lists the JSON endpoints of login and sessions.
func (s *Server) accountAPIRoutes() []apiRoute {
	return []apiRoute{
		{"POST", "/api/v1/session", s.apiLogin},
		{"DELETE", "/api/v1/session", s.apiLogout},
		{"GET", "/api/v1/me", s.apiMe},
		{"POST", "/api/v1/account/password", s.apiChangePassword},
	}
}

// accountRoutes: login, logout, password change, the staff console home
// and the administrator's user and API client management. The session and
// csrf middleware are in auth_session.go.
func (s *Server) accountRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.loginSubmit)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /account/password", s.passwordForm)
	mux.HandleFunc("POST /account/password", s.passwordSubmit)

	mux.HandleFunc("GET /staff", s.staffHome)
	mux.HandleFunc("GET /admin", s.adminHome)
	mux.HandleFunc("GET /admin/users", s.adminUsers)
	mux.HandleFunc("POST /admin/users", s.adminCreateStaff)
	mux.HandleFunc("GET /admin/users/{id}", s.adminUser)
	mux.HandleFunc("POST /admin/users/{id}/sections", s.adminSetSections)
	mux.HandleFunc("GET /admin/users/{id}/{action}", s.adminUserConfirm)
	mux.HandleFunc("POST /admin/users/{id}/{action}", s.adminUserAction)
	mux.HandleFunc("GET /admin/api-clients", s.adminAPIClients)
	mux.HandleFunc("POST /admin/api-clients", s.adminCreateAPIClient)
	mux.HandleFunc("GET /admin/api-clients/{id}/revoke", s.adminRevokeConfirm)
	mux.HandleFunc("POST /admin/api-clients/{id}/revoke", s.adminRevoke)

	for _, r := range s.accountAPIRoutes() {
		mux.HandleFunc(r.Method+" "+r.Path, r.Handler)
	}
}

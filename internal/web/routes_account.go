package web

// accountAPIRoutes lists the JSON endpoints of login and sessions.
func (s *Server) accountAPIRoutes() []route {
	return []route{
		{"POST /api/v1/session", s.apiLogin},
		{"DELETE /api/v1/session", s.apiLogout},
		{"GET /api/v1/me", s.apiMe},
		{"POST /api/v1/account/password", s.apiChangePassword},
	}
}

// accountRoutes: login, logout, password change, the staff console home
// and the administrator's user and API client management. The session and
// csrf middleware are in auth_session.go.
func (s *Server) accountRoutes() []route {
	return []route{
		{"GET /login", s.loginForm},
		{"POST /login", s.loginSubmit},
		{"POST /logout", s.logout},
		{"GET /account/password", s.passwordForm},
		{"POST /account/password", s.passwordSubmit},

		{"GET /staff", s.staffHome},
		{"GET /admin", s.adminHome},
		{"GET /admin/users", s.adminUsers},
		{"POST /admin/users", s.adminCreateStaff},
		{"GET /admin/users/{id}", s.adminUser},
		{"POST /admin/users/{id}/sections", s.adminSetSections},
		{"GET /admin/users/{id}/{action}", s.adminUserConfirm},
		{"POST /admin/users/{id}/{action}", s.adminUserAction},
		{"GET /admin/api-clients", s.adminAPIClients},
		{"POST /admin/api-clients", s.adminCreateAPIClient},
		{"GET /admin/api-clients/{id}/revoke", s.adminRevokeConfirm},
		{"POST /admin/api-clients/{id}/revoke", s.adminRevoke},
	}
}

// Package web serves Shebao's pages (server-rendered, zh-CN first, usable
// without JavaScript) and its JSON API under /api/v1. Handlers are thin:
// decode, call one service method, render HTML or JSON.
package web

import (
	"html/template"
	"log/slog"
	"net/http"

	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/employer"
	"shebao/internal/policy"
)

// Deps are the services the web layer calls.
type Deps struct {
	DB        *db.DB
	Clock     clock.Clock
	Log       *slog.Logger
	Audit     *audit.Service
	Accounts  *account.Service
	Policy    *policy.Service
	Employers *employer.Service
	// SecureCookies marks cookies Secure (set when served behind TLS).
	SecureCookies bool
	// ServerName identifies this process in logs and job runs.
	ServerName string
}

// Server is the HTTP front end.
type Server struct {
	Deps
	pages   map[string]*template.Template
	handler http.Handler
}

// New builds the server and parses every template once.
func New(d Deps) (*Server, error) {
	s := &Server{Deps: d}
	if s.Log == nil {
		s.Log = slog.Default()
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.handler = s.routes()
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Package account holds every actor's login: employers, insured persons,
// agency staff, administrators and API clients; passwords, sessions, login
// throttling and API keys.
package account

import (
	"context"
	"database/sql"

	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
)

// Service manages accounts and sessions.
type Service struct {
	db    *db.DB
	clock clock.Clock
	audit *audit.Service
}

// NewService returns the account service.
func NewService(d *db.DB, c clock.Clock, a *audit.Service) *Service {
	return &Service{db: d, clock: c, audit: a}
}

// CreateEmployerAccount creates the login of an approved employer inside
// the caller's transaction; username is the employer number. It returns the
// initial password (shown once; the employer must change it at first login).
func (s *Service) CreateEmployerAccount(ctx context.Context, tx *sql.Tx, employerID int64, username string) (initialPassword string, err error) {
	return "", nil // TODO(account helper)
}

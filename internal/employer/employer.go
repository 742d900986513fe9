// Package employer handles employer registration (企业参保登记): the online
// application, the coordination section's review, the employer record and
// profile change requests.
package employer

import (
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
)

// Service runs employer registration.
type Service struct {
	db       *db.DB
	clock    clock.Clock
	audit    *audit.Service
	accounts *account.Service
}

// NewService returns the employer service.
func NewService(d *db.DB, c clock.Clock, a *audit.Service, acc *account.Service) *Service {
	return &Service{db: d, clock: c, audit: a, accounts: acc}
}

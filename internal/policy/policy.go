// Package policy holds the effective-dated rules (average wages, base
// limits, rates, late-fee rate …, each with its legal basis), emergency
// periods with their measures, and the working-day calendar.
package policy

import (
	"context"

	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
)

// Service answers "which rule was in force on date D" and manages
// emergency periods.
type Service struct {
	db    *db.DB
	clock clock.Clock
	audit *audit.Service
}

// NewService returns the policy service.
func NewService(d *db.DB, c clock.Clock, a *audit.Service) *Service {
	return &Service{db: d, clock: c, audit: a}
}

// Banner is what every page shows while an emergency period is active.
type Banner struct {
	Title    string
	Since    string // YYYY-MM-DD
	Measures []string
}

// Banner returns the active emergency's banner, or nil when none is active.
func (s *Service) Banner(ctx context.Context) (*Banner, error) {
	return nil, nil // TODO(policy helper)
}

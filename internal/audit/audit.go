// Package audit keeps the append-only, hash-chained log of every change.
package audit

import (
	"context"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
)

// Entry describes one change. Before and After are marshalled to JSON;
// callers pass already-masked values for ID and phone numbers.
type Entry struct {
	Action   string // e.g. "employer.register.approve"
	Entity   string // table or business object, e.g. "employer_application"
	EntityID string
	Before   any
	After    any
	Note     string
}

// Service writes and searches the audit log.
type Service struct {
	db    *db.DB
	clock clock.Clock
}

// NewService returns the audit service.
func NewService(d *db.DB, c clock.Clock) *Service { return &Service{db: d, clock: c} }

// Record appends e to the log inside the caller's transaction q, so the
// entry exists exactly when the change does.
func (s *Service) Record(ctx context.Context, q db.Querier, a *access.Actor, e Entry) error {
	return nil // TODO(audit helper): implement the hash chain
}

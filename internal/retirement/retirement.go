// Package retirement is the retirement line of 保险福利科 and 个体参保科:
// who is about to reach the statutory retirement month (with flexible
// retirement earlier or later), the qualification confirmation
// (退休资格确认) an employer submits and a qualification approver confirms,
// the self-employed retirement application (个体退休申报), and the pension
// determination (待遇核定) computed by internal/pension from the person's
// contribution records, reviewed, checked by a second clerk and enrolled
// into the pension payroll (docs/rules.md "Retirement: who retires").
package retirement

import (
	"context"
	"database/sql"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/casework"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/document"
	"shebao/internal/money"
	"shebao/internal/notify"
	"shebao/internal/policy"
)

// DefaultSwitchDate is the first day a confirmed qualification is pushed
// inside the system to 保险福利科 (before it the employer sent the form by
// phone or e-mail).
var DefaultSwitchDate = time.Date(2024, 2, 3, 0, 0, 0, 0, clock.Shanghai)

// Enrolment is a determined pension handed to the payroll: the monthly
// amount from FirstMonth on, the months already passed paid as arrears.
type Enrolment struct {
	PersonID      int64
	Key           string // determination case number and version, unique
	Monthly       money.Fen
	FirstMonth    clock.Month
	ArrearsMonths int
	Arrears       money.Fen
	Difference    money.Fen // a correction: the monthly change (0 on the first version)
	Correction    bool
}

// Payroll is the pension payroll the determined amounts enter (a
// correction changes the amount). Without one, or while the first month is
// more than a month ahead, a determination waits as "ready to enrol".
type Payroll interface {
	Enrol(ctx context.Context, tx *sql.Tx, a *access.Actor, e Enrolment) error
}

// Service runs the retirement line.
type Service struct {
	db       *db.DB
	clock    clock.Clock
	audit    *audit.Service
	policy   *policy.Service
	cases    *casework.Service
	docs     *document.Store
	notify   notify.Notifier
	payroll  Payroll
	switchAt time.Time
	// suspender suspends pensions of missed certifications (nil: none).
	suspender Suspender
}

// Options connect the retirement line to the pension payroll and set the
// switch date.
type Options struct {
	Payroll   Payroll   // the decided pensions enter it (nil: they wait as ready to enrol)
	Suspender Suspender // suspends pensions of missed certifications (nil: none)
	// SwitchDate is the first day of the internal push (zero:
	// DefaultSwitchDate).
	SwitchDate time.Time
}

// NewService returns the service; it registers no case types of its own
// (the determination is casework's retirement_benefit case).
func NewService(d *db.DB, c clock.Clock, au *audit.Service, p *policy.Service, cases *casework.Service,
	docs *document.Store, n notify.Notifier, o Options) *Service {
	s := &Service{db: d, clock: c, audit: au, policy: p, cases: cases, docs: docs, notify: n,
		payroll: o.Payroll, suspender: o.Suspender, switchAt: DefaultSwitchDate}
	if !o.SwitchDate.IsZero() {
		s.switchAt = clock.DateOf(o.SwitchDate)
	}
	return s
}

// SwitchDate is the first day of the internal push.
func (s *Service) SwitchDate() time.Time { return s.switchAt }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Second) }

func (s *Service) thisMonth() clock.Month { return clock.MonthOf(clock.Today(s.clock)) }

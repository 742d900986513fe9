// Package policy holds the effective-dated rules (average wages, base
// limits, rates, late-fee rate …, each with its legal basis), emergency
// periods with their measures, and the working-day calendar.
package policy

import (
	"time"

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

// Measure is one special rule of an emergency period (措施).
type Measure string

// The measures of the seed's emergency plan.
const (
	MeasureCollectionExtended Measure = "collection_extended" // 征收期延长
	MeasureLateFeeWaived      Measure = "late_fee_waived"     // 免收滞纳金
	MeasureLateAccepted       Measure = "late_accepted"       // 逾期登记、缴费及时受理并标识
	MeasureMakeUpAllowed      Measure = "makeup_allowed"      // 疫情结束后三个月内补办
	MeasureDeferredOriginals  Measure = "deferred_originals"  // 容缺受理、告知承诺，原件后补
	MeasureCashRefused        Measure = "cash_refused"        // 暂不收取现金
	MeasureContactlessFirst   Measure = "contactless_first"   // 倡导不见面办理
)

// Emergency is a declared emergency period (应急期).
type Emergency struct {
	ID         int64
	Title      string
	Start      time.Time  // first day, Shanghai date
	End        *time.Time // last day; nil while open
	Scope      string
	LegalBasis string
	Measures   []Measure
	Version    int64
}

// MeasureInForce returns the emergency whose measure m applies on day, or
// nil when none does. TODO(policy helper).
func (s *Service) MeasureInForce(ctx context.Context, day time.Time, m Measure) (*Emergency, error) {
	return nil, nil
}

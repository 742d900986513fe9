// Package staffchange lets employers add (增员) and remove (减员) their
// insured staff, one at a time or by importing an Excel file from the
// template Shebao provides, correct a contribution base before the month
// is assessed, and ask 统筹科 to resolve a person still insured by another
// employer. Bases are clamped to the limits in force for the month; every
// change is audited with ID numbers masked.
package staffchange

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/policy"
)

// Reasons an employment ends (减员原因).
var Reasons = []string{"离职", "退休", "死亡", "转出", "其他"}

// ValidReason reports whether r is one of Reasons.
func ValidReason(r string) bool {
	for _, x := range Reasons {
		if x == r {
			return true
		}
	}
	return false
}

// Flags recorded on a change.
const (
	FlagLateAccepted = "late_accepted" // 逾期申报，应急期间受理并标识
	FlagLate         = "late"          // 补申报以前月份
)

// FlagName returns the Chinese label of a flag.
func FlagName(f string) string {
	switch f {
	case FlagLateAccepted:
		return "疫情期间逾期申报（已受理）"
	case FlagLate:
		return "补申报"
	}
	return f
}

// Service runs staff changes.
type Service struct {
	db     *db.DB
	clock  clock.Clock
	audit  *audit.Service
	policy *policy.Service
	deaths DeathRecorder
}

// DeathReason is the removal reason that reports the person's death.
const DeathReason = "死亡"

// DeathRecorder records a death reported by a removal with the reason
// 死亡, inside the removal's transaction.
type DeathRecorder interface {
	RecordFromRemovalTx(ctx context.Context, tx *sql.Tx, a *access.Actor, personID int64, endMonth string) error
}

// NewService returns the staff change service; deaths is the death line (a
// removal with the reason 死亡 then marks the person deceased; nil: not).
func NewService(d *db.DB, c clock.Clock, a *audit.Service, p *policy.Service, deaths DeathRecorder) *Service {
	return &Service{db: d, clock: c, audit: a, policy: p, deaths: deaths}
}

// today is the agency's date (Shanghai midnight).
func (s *Service) today() time.Time { return clock.Today(s.clock) }

// thisMonth is the agency's current month 'YYYY-MM'.
func (s *Service) thisMonth() string { return s.today().Format("2006-01") }

// Clamp is a declared wage turned into a contribution base for a month.
type Clamp struct {
	Month    string    `json:"month"`
	Declared money.Fen `json:"declared_fen"`
	Base     money.Fen `json:"base_fen"`
	Floor    money.Fen `json:"floor_fen"`
	Ceiling  money.Fen `json:"ceiling_fen"`
	Rounded  bool      `json:"rounded"` // bases are whole yuan in this month
}

// Note explains the clamp in Chinese, or "" when the base is the declared
// wage as it is.
func (c Clamp) Note() string {
	switch {
	case c.Declared < c.Floor:
		return "申报工资 " + c.Declared.String() + " 元低于下限，按 " + yuanText(c.Base) + " 元缴费"
	case c.Declared > c.Ceiling:
		return "申报工资 " + c.Declared.String() + " 元高于上限，按 " + yuanText(c.Base) + " 元缴费"
	case c.Base != c.Declared:
		return "申报工资 " + c.Declared.String() + " 元，缴费基数取整为 " + yuanText(c.Base) + " 元"
	}
	return ""
}

// yuanText formats whole yuan without decimals ("4,800"), others with two.
func yuanText(f money.Fen) string {
	s := f.String()
	if f%100 == 0 {
		return strings.TrimSuffix(s, ".00")
	}
	return s
}

// limits caches the base limits per month during one operation.
type limits map[string]Clamp

// clamp turns a declared wage into the base for month: rounded half-up to
// whole yuan when the rules say so, then clamped to [floor, ceiling].
// The rule: docs/rules.md §2.2.
func (s *Service) clamp(ctx context.Context, cache limits, month string, declared money.Fen) (Clamp, error) {
	c, ok := cache[month]
	if !ok {
		floor, ceiling, info, err := s.policy.Limits(ctx, month)
		if err != nil {
			if errs.KindOf(err) == errs.NotFound {
				return Clamp{}, errs.New(errs.Invalid, "no_limits", "该月份的缴费基数上下限尚未公布，请联系统筹科")
			}
			return Clamp{}, err
		}
		c = Clamp{Month: month, Floor: floor, Ceiling: ceiling, Rounded: info.Rounding.Value == "yuan"}
		if cache != nil {
			cache[month] = c
		}
	}
	c.Declared = declared
	base := declared
	if c.Rounded {
		base = base.RoundYuan()
	}
	c.Base = base.Clamp(c.Floor, c.Ceiling)
	return c, nil
}

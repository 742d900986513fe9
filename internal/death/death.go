// Package death is the death line of 保险福利科 (seed 三.2): deaths
// reported by employers (a staff removal with the reason 死亡), by
// relatives or by a clerk from a call or an e-mail, and found in the
// civil-affairs death register (a file import or the civil API); matching
// by ID number with a review queue; the pension stopped from the month
// after death and what was paid after it recovered (offset against the
// death benefits and the account balance, then claimed back with
// notices); and the death benefits by the rule in force on the date of
// death, paid to an heir who claims them after a clerk's review and a
// second clerk's check (docs/rules.md "Death: reports and matching").
package death

import (
	"context"
	"database/sql"
	"time"

	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/document"
	"shebao/internal/money"
	"shebao/internal/notify"
	"shebao/internal/payout"
	"shebao/internal/policy"
)

// Sources of a death.
const (
	SourceEmployer = "employer" // staff removal with the reason 死亡
	SourceRelative = "relative" // a relative online
	SourceClerk    = "clerk"    // a clerk from a call or an e-mail
	SourceCivil    = "civil"    // the civil-affairs register (file or API)
)

var sourceNames = map[string]string{SourceEmployer: "参保单位减员", SourceRelative: "亲属网上申报",
	SourceClerk: "电话或邮件报告", SourceCivil: "民政死亡数据"}

// SourceName is the Chinese source.
func SourceName(s string) string { return sourceNames[s] }

// Stop is what the payroll answers when a pension is stopped: the amount
// already paid for months after the last month, and how many months.
type Stop struct {
	Overpaid money.Fen
	Months   int
}

// Payroll stops a pensioner's pension after the month of death: one
// person, or many at once (a civil-affairs file; the answer has the
// persons in pay, by person id).
type Payroll interface {
	StopDeathTx(ctx context.Context, tx *sql.Tx, personID int64, last clock.Month, reason string) (Stop, error)
	StopDeathsTx(ctx context.Context, tx *sql.Tx, lasts map[int64]clock.Month, reason string) (map[int64]Stop, error)
}

// Service runs the death line.
type Service struct {
	db      *db.DB
	clock   clock.Clock
	audit   *audit.Service
	policy  *policy.Service
	notify  notify.Notifier
	payouts *payout.Service
	payroll Payroll
	docs    *document.Store
	// lap, when set (benchmarks), is told the end of each phase of a
	// civil-affairs import.
	lap func(phase string)
}

// NewService returns the service; docs keeps the scans relatives upload;
// pr is the pension payroll (nil: the months paid after death are those of
// the decided pension up to last month).
func NewService(d *db.DB, c clock.Clock, au *audit.Service, p *policy.Service, n notify.Notifier, po *payout.Service,
	docs *document.Store, pr Payroll) *Service {
	return &Service{db: d, clock: c, audit: au, policy: p, notify: n, payouts: po, docs: docs, payroll: pr}
}

// phaseDone tells lap that phase ended.
func (s *Service) phaseDone(phase string) {
	if s.lap != nil {
		s.lap(phase)
	}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Second) }

func (s *Service) today() time.Time { return clock.Today(s.clock) }

// Package dashboard computes the agency's dashboard (办公室 and the
// leaders) and each section's (its head and clerks): cases opened,
// closed and open per day, overdue, average handling time, the recovery
// register's progress, complaints, fund income and expense per month and
// scheme, payroll totals. The figures are computed by a job and kept as a
// snapshot (dashboard_snapshots), so a view reads one row; the page says
// when they were taken (docs/rules.md "Dashboards").
package dashboard

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// Days is how many days of case figures a snapshot keeps.
const Days = 180

// Months is how many months of fund and payroll figures it keeps.
const Months = 24

// Day is one day's case figures of a section (or of all).
type Day struct {
	Day    string `json:"day"`
	New    int    `json:"new"`
	Closed int    `json:"closed"`
}

// SectionFigures are the case figures of one section.
type SectionFigures struct {
	Section      access.Section `json:"section"`
	Open         int            `json:"open"`
	Overdue      int            `json:"overdue"`
	ClosedCount  int            `json:"closed_count"` // closed in the window
	HandlingHrs  float64        `json:"handling_hours"`
	Days         []Day          `json:"days"`
	RecoveryOpen int            `json:"recovery_open"`
	RecoveryDone int            `json:"recovery_made_up"`
	RecoveryLate int            `json:"recovery_overdue"`
}

// FundRow is one month's income and expense of a scheme.
type FundRow struct {
	Month   string    `json:"month"`
	Scheme  string    `json:"scheme"`
	Income  money.Fen `json:"income"`
	Expense money.Fen `json:"expense"`
}

// PayrollRow is one month's pension payroll.
type PayrollRow struct {
	Month  string    `json:"month"`
	People int64     `json:"people"`
	Total  money.Fen `json:"total"`
}

// ComplaintRow counts complaints of a category in a status.
type ComplaintRow struct {
	Category string `json:"category"`
	Status   string `json:"status"`
	Count    int    `json:"count"`
}

// Snapshot is every figure of the dashboards at one instant.
type Snapshot struct {
	Today      string           `json:"today"`
	Sections   []SectionFigures `json:"sections"`
	Fund       []FundRow        `json:"fund"`
	Payroll    []PayrollRow     `json:"payroll"`
	Complaints []ComplaintRow   `json:"complaints"`
	TakenAt    time.Time        `json:"-"`
	TookMS     int64            `json:"-"`
}

// Sources are the read APIs of the owning packages the refresh calls
// (wired in internal/app).
type Sources struct {
	// Fund returns income and expense per month and scheme of the last n
	// months up to m (the payout package's fund report).
	Fund func(ctx context.Context, m clock.Month, n int) ([]FundRow, error)
	// Payroll returns the pension payroll runs of the last n months.
	Payroll func(ctx context.Context, n int) ([]PayrollRow, error)
	// Recovery returns the register's counts of a section: open, made up,
	// overdue.
	Recovery func(ctx context.Context, section access.Section) (open, madeUp, overdue int, err error)
	// Complaints returns complaint counts by category and status (nil
	// until the complaints line provides them).
	Complaints func(ctx context.Context) ([]ComplaintRow, error)
}

// Service computes and serves the dashboards.
type Service struct {
	db    *db.DB
	clock clock.Clock
	audit *audit.Service
	src   Sources
}

// NewService returns the dashboards reading src.
func NewService(d *db.DB, c clock.Clock, a *audit.Service, src Sources) *Service {
	return &Service{db: d, clock: c, audit: a, src: src}
}

// CanAgency decides who sees the agency dashboard: 办公室, 审计科 and
// administrators (the agency's leaders). Errors: Unauthenticated, Forbidden.
func CanAgency(a *access.Actor) error {
	if a == nil {
		return errs.LoginRequired()
	}
	if a.IsAdmin() || a.In(access.Office) || a.In(access.Audit) {
		return nil
	}
	return errs.Forbid()
}

// CanSection decides who sees section x's dashboard: its staff and whoever
// sees the agency's. Errors: Unauthenticated, Forbidden, Invalid.
func CanSection(a *access.Actor, x access.Section) error {
	if a == nil {
		return errs.LoginRequired()
	}
	if !x.Valid() {
		return errs.Fields{{Field: "section", Message: "科室不在可选范围内"}}.Err()
	}
	if a.IsStaff() && a.In(x) || CanAgency(a) == nil {
		return nil
	}
	return errs.Forbid()
}

const scopeAgency = "agency"

// Latest returns the stored snapshot (nil when none was taken yet).
func (s *Service) Latest(ctx context.Context) (*Snapshot, error) {
	var data string
	var at time.Time
	var took int64
	err := s.db.Read().QueryRowContext(ctx, `SELECT data, taken_at, took_ms FROM dashboard_snapshots WHERE scope = $1`, scopeAgency).
		Scan(&data, &at, &took)
	if db.IsNoRows(err) {
		return nil, nil
	}
	if err != nil {
		return nil, errs.Wrap(err, "dashboard snapshot")
	}
	var sn Snapshot
	if err := json.Unmarshal([]byte(data), &sn); err != nil {
		return nil, errs.Wrap(err, "dashboard snapshot")
	}
	sn.TakenAt, sn.TookMS = at, took
	return &sn, nil
}

// Refresh computes the figures now and stores them (the job; and 办公室's
// 立即刷新 through RefreshAs).
func (s *Service) Refresh(ctx context.Context) (*Snapshot, error) {
	start := time.Now()
	sn, err := s.compute(ctx)
	if err != nil {
		return nil, err
	}
	sn.TookMS = time.Since(start).Milliseconds()
	sn.TakenAt = s.clock.Now()
	data, err := json.Marshal(sn)
	if err != nil {
		return nil, errs.Wrap(err, "dashboard snapshot")
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO dashboard_snapshots (scope, data, taken_at, took_ms) VALUES ($1, $2, $3, $4)
			ON CONFLICT (scope) DO UPDATE SET data = excluded.data, taken_at = excluded.taken_at, took_ms = excluded.took_ms`,
			scopeAgency, string(data), sn.TakenAt, sn.TookMS)
		return errs.Wrap(err, "dashboard snapshot")
	})
	return sn, err
}

// RefreshAs refreshes on behalf of a (who sees the agency dashboard),
// audited.
func (s *Service) RefreshAs(ctx context.Context, a *access.Actor) (*Snapshot, error) {
	if err := CanAgency(a); err != nil {
		return nil, err
	}
	sn, err := s.Refresh(ctx)
	if err != nil {
		return nil, err
	}
	return sn, s.audit.Record(ctx, s.db.W, a, audit.Entry{Action: "dashboard.refresh", Entity: "dashboard", EntityID: scopeAgency,
		After: map[string]any{"took_ms": sn.TookMS}})
}

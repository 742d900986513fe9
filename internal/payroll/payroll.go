// Package payroll is the monthly pension payroll (养老金发放): the register
// of pensioners in pay with their amount versions, the general adjustments
// (调待) as dated rules, overpayment deductions, and the monthly run that
// prepares one payout line per pensioner and month through package payout
// (with arrears and back pay for months already paid). A run is resumable:
// every line has a business key, so a run killed half-way and run again
// ends with exactly one line per pensioner and month.
package payroll

import (
	"context"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/payout"
	"shebao/internal/policy"
)

// Pensioner statuses.
const (
	Active    = "active"    // 正常发放
	Stopped   = "stopped"   // 停发（死亡等）
	Suspended = "suspended" // 暂停发放
)

var statusNames = map[string]string{Active: "正常发放", Stopped: "已停发", Suspended: "暂停发放"}

// StatusName is a pensioner status in Chinese.
func StatusName(s string) string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return s
}

// Stop kinds.
const (
	StopDeath      = "death"      // 死亡
	StopSuspension = "suspension" // 暂停（如未完成资格认证）
	StopOther      = "other"      // 其他
)

var stopNames = map[string]string{StopDeath: "死亡", StopSuspension: "暂停发放", StopOther: "其他原因停发"}

// StopKindName is a stop kind in Chinese.
func StopKindName(k string) string { return stopNames[k] }

// Source of the pension lines (payout.Request.SourceKind).
const SourceKind = "pensioner"

// Pensioner is one retiree in the payroll register.
type Pensioner struct {
	ID         int64       `json:"id"`
	PersonID   int64       `json:"person_id"`
	Name       string      `json:"name"`
	IDNumber   string      `json:"-"`
	First      clock.Month `json:"-"`
	Status     string      `json:"status"`
	Last       clock.Month `json:"-"`
	StopReason string      `json:"stop_reason,omitempty"`
	StopKind   string      `json:"stop_kind,omitempty"`
	RecalcFrom string      `json:"-"`
	SourceKind string      `json:"source_kind"`
	SourceID   string      `json:"source_id"`
	Monthly    money.Fen   `json:"monthly_fen"` // the latest version's amount
	Versions   []Version   `json:"-"`
	Version    int64       `json:"version"`
	CreatedAt  time.Time   `json:"created_at"`
}

// MaskedIDNumber is the ID number masked for lists.
func (p *Pensioner) MaskedIDNumber() string { return ident.MaskID(p.IDNumber) }

// StatusName is the pensioner's status in Chinese.
func (p *Pensioner) StatusName() string { return StatusName(p.Status) }

// FirstText is the first pension month in Chinese.
func (p *Pensioner) FirstText() string { return p.First.Chinese() }

// LastText is the last month paid (stopped or suspended) in Chinese.
func (p *Pensioner) LastText() string {
	if p.Last.IsZero() {
		return ""
	}
	return p.Last.Chinese()
}

func (p *Pensioner) state() pensionState {
	return pensionState{First: p.First, Last: p.Last, Versions: p.Versions}
}

// Service runs the payroll.
type Service struct {
	db      *db.DB
	clock   clock.Clock
	audit   *audit.Service
	payouts *payout.Service
	rules   Rules
	// Chunk is how many pensioners a run prepares per transaction.
	Chunk int
}

// Rules gives the dated rules in force (package policy): the payroll
// reads the pay day (policy.KeyPensionPayDay).
type Rules interface {
	Int(ctx context.Context, key, scope string, day time.Time) (int64, policy.Rule, error)
}

// PayDate is the pay date of month's pensions: the day of the dated rule
// pension_pay_day in force on the month's first day, the month's last day
// when the month is shorter (docs/rules.md "Monthly pension payroll").
// Invalid when the rule is missing or not a day of a month.
func (s *Service) PayDate(ctx context.Context, month clock.Month) (string, error) {
	if s.rules == nil {
		return "", nil
	}
	first := time.Date(month.Year, time.Month(month.Mon), 1, 0, 0, 0, 0, clock.Shanghai)
	day, _, err := s.rules.Int(ctx, policy.KeyPensionPayDay, "", first)
	if err != nil {
		if errs.KindOf(err) == errs.NotFound {
			return "", errs.Fields{{Field: "month", Message: "政策参数中没有" + month.Chinese() + "适用的养老金发放日，请先由管理员设置"}}.Err()
		}
		return "", err
	}
	if day < 1 || day > 31 {
		return "", errs.Fields{{Field: "month", Message: "政策参数中的养老金发放日应为每月1日至31日"}}.Err()
	}
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, int(min(day, int64(last)))-1).Format("2006-01-02"), nil
}

// NewService returns the payroll service; r gives the dated rules
// (nil: the lines carry no pay date, as in unit tests).
func NewService(d *db.DB, c clock.Clock, a *audit.Service, p *payout.Service, r Rules) *Service {
	return &Service{db: d, clock: c, audit: a, payouts: p, rules: r, Chunk: 10000}
}

// MayManage reports whether a may enrol, stop and change pensioners:
// staff of 保险福利科 (and administrators). Forbidden otherwise.
func MayManage(a *access.Actor) error { return a.RequireSection(access.Welfare) }

// MayRun reports whether a may run the payroll and set adjustments and
// deductions: staff of 基金管理科.
func MayRun(a *access.Actor) error { return a.RequireSection(access.Fund) }

// MayAdjust reports whether a may set adjustments (调待) and deductions:
// staff of 保险福利科 or 基金管理科.
func MayAdjust(a *access.Actor) error {
	if MayManage(a) == nil {
		return nil
	}
	return MayRun(a)
}

// MayView reports whether a may see the register: staff of either.
func MayView(a *access.Actor) error {
	if a.In(access.Welfare) || a.In(access.Fund) || a.In(access.Audit) {
		return nil
	}
	if a == nil {
		return errs.LoginRequired()
	}
	return errs.Forbid()
}

// thisMonth is the Shanghai month now.
func (s *Service) thisMonth() clock.Month { return clock.MonthOf(s.clock.Now()) }

// Package recovery keeps the emergency recovery register (延期业务登记):
// every piece of business deferred because of an emergency — late employer
// registrations and staff changes, late accident reports, deferred or
// unpaid bills, flexible workers' months to make up, originals and
// commitments owed after a 容缺 acceptance, held payouts — with its make-up
// deadline, the daily progress after the emergency ends, reminders before
// the deadline and the hand-over of what is still open after it
// (docs/rules.md "Emergency recovery register").
//
// The package reads the owning packages' tables (read only, in sources.go)
// and writes only its own: recovery_items, recovery_reminders and
// recovery_progress.
package recovery

import (
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/notify"
	"shebao/internal/policy"
)

// Kind is what was deferred.
type Kind string

// The kinds of deferred business.
const (
	KindRegistration  Kind = "employer_registration" // 逾期参保登记
	KindStaffChange   Kind = "staff_change"          // 逾期人员增减
	KindAccident      Kind = "accident_report"       // 逾期工伤事故报告
	KindEmployerBill  Kind = "employer_bill"         // 缓缴或欠缴的单位缴费
	KindFlexibleMonth Kind = "flexible_month"        // 灵活就业人员待补缴月份
	KindOriginal      Kind = "original"              // 容缺受理待补原件
	KindCommitment    Kind = "commitment"            // 告知承诺待核实
	KindHeldPayout    Kind = "held_payout"           // 暂缓发放的待遇
	KindCertification Kind = "certification"         // 未完成的待遇领取资格认证
)

// Kinds lists the kinds in display order.
var Kinds = []Kind{KindRegistration, KindStaffChange, KindAccident, KindEmployerBill, KindFlexibleMonth,
	KindOriginal, KindCommitment, KindHeldPayout, KindCertification}

var kindNames = map[Kind]string{
	KindRegistration: "逾期参保登记", KindStaffChange: "逾期人员增减", KindAccident: "逾期工伤事故报告",
	KindEmployerBill: "缓缴或欠缴的单位缴费", KindFlexibleMonth: "灵活就业人员待补缴月份",
	KindOriginal: "容缺受理待补原件", KindCommitment: "告知承诺待核实", KindHeldPayout: "暂缓发放的待遇",
	KindCertification: "未完成的待遇领取资格认证",
}

// Name is the Chinese name of the kind.
func (k Kind) Name() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return "其他延期业务"
}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { _, ok := kindNames[k]; return ok }

// Status is where an item stands.
type Status string

// The statuses of an item.
const (
	Open       Status = "open"        // 待补办
	MadeUp     Status = "made_up"     // 已补办
	HandedOver Status = "handed_over" // 逾期未补办，已移交科室处置
	Resolved   Status = "resolved"    // 科室已处置
)

// Statuses lists the statuses in display order.
var Statuses = []Status{Open, MadeUp, HandedOver, Resolved}

var statusNames = map[Status]string{Open: "待补办", MadeUp: "已补办", HandedOver: "逾期未补办（已移交科室）", Resolved: "科室已处置"}

// Name is the Chinese name of the status.
func (s Status) Name() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return "未知状态"
}

// Item is one entry of the register.
type Item struct {
	ID          int64
	EmergencyID int64
	Kind        Kind
	SourceRef   string
	Section     access.Section
	PartyKind   string
	PartyID     int64
	Subject     string // masked when it is a person
	Ref         string
	Detail      string
	OpenedOn    string
	DeadlineOn  string // '' while the emergency has not ended
	Status      Status
	MadeUpOn    string
	HandedOn    string
	ResolvedBy  string
	Note        string
	Version     int64
}

// Overdue reports whether the item is still open after its deadline on
// day 'YYYY-MM-DD'.
func (it Item) Overdue(day string) bool {
	return (it.Status == Open && it.DeadlineOn != "" && it.DeadlineOn < day) || it.Status == HandedOver
}

// DaysLeft is the number of days from day to the deadline (negative when
// past), and false while there is no deadline.
func (it Item) DaysLeft(day string) (int, bool) {
	if it.DeadlineOn == "" {
		return 0, false
	}
	d, err1 := clock.ParseDate(it.DeadlineOn)
	t, err2 := clock.ParseDate(day)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return int(d.Sub(t).Hours()+12) / 24, true
}

// Service runs the register.
type Service struct {
	db      *db.DB
	clock   clock.Clock
	audit   *audit.Service
	policy  *policy.Service
	notify  *notify.Service
	sources []Source
}

// NewService returns the register with the built-in sources; n may be nil
// (no reminders or hand-over notices are sent then).
func NewService(d *db.DB, c clock.Clock, a *audit.Service, p *policy.Service, n *notify.Service) *Service {
	s := &Service{db: d, clock: c, audit: a, policy: p, notify: n, sources: builtinSources()}
	if p != nil {
		p.OnEndChanged(s.endChanged)
	}
	return s
}

// AddSource adds a source of deferred business (call while wiring). The
// eligibility certification (待遇领取资格认证) of the retirement line is
// meant to come in this way, as a Source of KindCertification.
func (s *Service) AddSource(src Source) { s.sources = append(s.sources, src) }

// Action is something an actor may do with the register.
type Action int

// The actions.
const (
	See     Action = iota // read the register (items of the actor's sections; 审计科 and 办公室 all)
	Refresh               // harvest now (审计科, 办公室)
	Resolve               // record what the section did with a handed-over item
)

// Can decides whether a may do act with item it (nil = before loading).
// Errors: Unauthenticated, Forbidden, NotFound (another section's item).
func Can(a *access.Actor, act Action, it *Item) error {
	if a == nil {
		return errs.LoginRequired()
	}
	if !a.IsStaff() {
		return errs.Forbid()
	}
	seesAll := a.In(access.Audit) || a.In(access.Office)
	switch act {
	case Refresh:
		if !seesAll {
			return errs.Forbid()
		}
	case Resolve:
		if it != nil && !a.In(it.Section) {
			if seesAll {
				return errs.Forbid()
			}
			return errs.NotFoundf("没有找到这条延期业务记录")
		}
	}
	if it != nil && !seesAll && !a.In(it.Section) {
		return errs.NotFoundf("没有找到这条延期业务记录")
	}
	return nil
}

// SeesAll reports whether a reads every section's items.
func SeesAll(a *access.Actor) bool { return a.In(access.Audit) || a.In(access.Office) }

// today is the Shanghai date of the clock as 'YYYY-MM-DD'.
func (s *Service) today() string { return clock.Today(s.clock).Format(dayLayout) }

const dayLayout = "2006-01-02"

func dayOf(t time.Time) string { return clock.DateOf(t).Format(dayLayout) }

// displaySubject masks a person's name for lists.
func displaySubject(name string, person bool) string {
	if person {
		return ident.MaskName(name)
	}
	return name
}

// Package upkeep is retiree record upkeep (退休人员缴费记录维护): corrections
// of retirees' historical pension contribution records are raised by the
// retirement intake (保险福利科, from a retirement case) or by 个人账户科
// itself, each with evidence, and applied centrally by 个人账户科 in
// batches that a second clerk checks. Applying a batch corrects the
// records through internal/contribution and asks the pension
// determination (internal/retirement) to recompute; the rule is written
// in docs/rules.md "Retiree record upkeep".
package upkeep

import (
	"context"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/document"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/notify"
	"shebao/internal/policy"
	"shebao/internal/retirement"
)

// Correction statuses.
const (
	Pending = "pending" // 待集中处理
	Batched = "batched" // 已编入批次
	Applied = "applied" // 已更正
)

// Channels a correction comes from.
const (
	ChannelRetirement = "retirement" // 保险福利科 from a retirement case
	ChannelAccount    = "account"    // 个人账户科 directly
)

// Paid-status changes.
const (
	PaidUnchanged = ""
	PaidYes       = "paid"
	PaidNo        = "unpaid"
)

// Recomputation outcomes.
const (
	RecomputeChanged   = "changed"   // the pension changes: a new determination version
	RecomputeUnchanged = "unchanged" // the pension stays as it is
	RecomputeNone      = "none"      // no determination in Shebao to recompute
)

// Batch statuses.
const (
	BatchPrepared = "prepared"
	BatchChecked  = "checked"
	BatchApplied  = "applied"
)

var statusNames = map[string]string{Pending: "待集中处理", Batched: "已编入批次", Applied: "已更正"}
var channelNames = map[string]string{ChannelRetirement: "保险福利科（退休业务提请）", ChannelAccount: "个人账户科"}
var paidNames = map[string]string{PaidUnchanged: "不变", PaidYes: "改为已到账", PaidNo: "改为未到账"}
var recomputeNames = map[string]string{"": "待更正后确定", RecomputeChanged: "待遇金额变化，已提请重新核定",
	RecomputeUnchanged: "待遇金额不变，无需重新核定", RecomputeNone: "本系统无待遇核定记录，无需重新核定"}
var batchStatusNames = map[string]string{BatchPrepared: "已编制，待第二人复核", BatchChecked: "已复核，待执行更正",
	BatchApplied: "已执行更正"}

// StatusNames, PaidNames, RecomputeNames and BatchStatusNames are the
// Chinese names of the codes (for labels).
func StatusNames() map[string]string      { return statusNames }
func PaidNames() map[string]string        { return paidNames }
func RecomputeNames() map[string]string   { return recomputeNames }
func BatchStatusNames() map[string]string { return batchStatusNames }

// Correction is one requested correction of a retiree's records.
type Correction struct {
	ID         int64
	No         string
	PersonID   int64
	PersonName string
	IDNumber   string
	CaseNo     string
	Channel    string
	From, To   clock.Month
	Base       money.Fen // corrected base, 0 = unchanged
	Paid       string
	Reason     string
	Evidence   []int64
	Status     string
	BatchID    int64
	BatchNo    string
	RaisedBy   int64
	Recompute  string
	DetCaseNo  string
	DetVersion int64
	Before     money.Fen
	After      money.Fen
	AppliedAt  *time.Time
	CreatedAt  time.Time
	Version    int64
	Months     []Month
}

// Month is one record month a correction changed.
type Month struct {
	Month            clock.Month
	OldBase, NewBase money.Fen
	OldPaid, NewPaid bool
}

// StatusName is the Chinese status.
func (c *Correction) StatusName() string { return statusNames[c.Status] }

// ChannelName says who raised it.
func (c *Correction) ChannelName() string { return channelNames[c.Channel] }

// PaidName says what happens to the paid status.
func (c *Correction) PaidName() string { return paidNames[c.Paid] }

// RecomputeName is the outcome of the recomputation request.
func (c *Correction) RecomputeName() string { return recomputeNames[c.Recompute] }

// Masked is the masked ID number.
func (c *Correction) Masked() string { return ident.MaskID(c.IDNumber) }

// NameMasked is the masked name.
func (c *Correction) NameMasked() string { return ident.MaskName(c.PersonName) }

// Period shows the months.
func (c *Correction) Period() string {
	if c.From == c.To {
		return c.From.Chinese()
	}
	return c.From.Chinese() + " 至 " + c.To.Chinese()
}

// MonthCount is the number of months of the period.
func (c *Correction) MonthCount() int { return c.To.Sub(c.From) + 1 }

// Difference is the monthly pension's change (after − before).
func (c *Correction) Difference() money.Fen { return c.After - c.Before }

// DifferenceText is the change with its sign: "+47.91", "-12.00", "0.00".
func (c *Correction) DifferenceText() string {
	if d := c.Difference(); d > 0 {
		return "+" + d.String()
	}
	return c.Difference().String()
}

// Changed tells whether the recomputation changed the pension.
func (c *Correction) Changed() bool { return c.Recompute == RecomputeChanged }

// Batch is a batch of corrections processed together.
type Batch struct {
	ID         int64
	No         string
	Status     string
	Note       string
	PreparedBy int64
	CheckedBy  int64
	CheckedAt  *time.Time
	AppliedBy  int64
	AppliedAt  *time.Time
	CreatedAt  time.Time
	Version    int64
	Count      int
	Items      []*Correction
	// The clerks' names.
	PreparedName, CheckedName, AppliedName string
}

// StatusName is the Chinese status.
func (b *Batch) StatusName() string { return batchStatusNames[b.Status] }

// Service is retiree record upkeep.
type Service struct {
	db         *db.DB
	clock      clock.Clock
	audit      *audit.Service
	policy     *policy.Service
	docs       *document.Store
	retirement *retirement.Service
	notify     Notifier
}

// Notifier tells a retiree that a batch corrected their records
// (notify.Service; nil sends nothing).
type Notifier interface {
	NotifyParty(ctx context.Context, p notify.Party, m notify.Message) error
}

// NotifyKind is the kind of the message a retiree gets when a batch
// corrected their records.
const NotifyKind = "upkeep.applied"

// NewService returns the service.
func NewService(d *db.DB, c clock.Clock, au *audit.Service, pol *policy.Service, docs *document.Store, ret *retirement.Service,
	n Notifier) *Service {
	return &Service{db: d, clock: c, audit: au, policy: pol, docs: docs, retirement: ret, notify: n}
}

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Second) }

// Actions of Can.
const (
	RaiseFromCase = "raise_case"   // 保险福利科 raises from a retirement case
	RaiseDirect   = "raise_direct" // 个人账户科 raises for a retiree
	SeeQueue      = "see_queue"    // see the queue and the corrections
	Process       = "process"      // batch, check, apply
	SeeOwn        = "see_own"      // a person sees the corrections of their own records
)

// Can says whether the actor may do action: Unauthenticated or Forbidden
// otherwise. Pages ask it to show or hide forms.
func Can(a *access.Actor, action string) error {
	if a == nil {
		return errs.LoginRequired()
	}
	ok := false
	switch action {
	case RaiseFromCase:
		ok = a.In(access.Welfare)
	case RaiseDirect, Process:
		ok = a.In(access.Account)
	case SeeQueue:
		ok = a.In(access.Account) || a.In(access.Welfare)
	case SeeOwn:
		ok = a.Role == access.RolePerson && a.PersonID != 0
	}
	if !ok {
		return errs.New(errs.Forbidden, "upkeep_forbidden", forbiddenText[action])
	}
	return nil
}

var forbiddenText = map[string]string{
	RaiseFromCase: "从退休业务提请缴费记录维护由保险福利科办理",
	RaiseDirect:   "直接登记缴费记录维护由个人账户科办理",
	Process:       "缴费记录维护的批次处理由个人账户科办理",
	SeeQueue:      "缴费记录维护由个人账户科、保险福利科办理",
	SeeOwn:        "仅参保人本人可查看自己的缴费记录维护",
}

// check is Can for the service methods.
func (s *Service) check(a *access.Actor, action string) error { return Can(a, action) }

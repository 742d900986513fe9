// Package employer handles employer registration (企业参保登记): the online
// application, the coordination section's review, the employer record and
// profile change requests.
//
// Tables (migrations/005_employer.sql): employer_applications, employers,
// employer_change_requests and employer_counters.
package employer

import (
	"context"
	"time"

	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/policy"
)

// DefaultNumberPrefix starts every employer number (单位社保编号): the
// district's administrative code (GB/T 2260). See docs/decisions/0005.
const DefaultNumberPrefix = "110105"

// KeyRegistrationDays is the policy rule (days) an employer has after its
// establishment to register; RegistrationDays applies when no rule is in
// force on the establishment date.
const KeyRegistrationDays = "employer_registration_days"

// RegistrationDays is the default registration period (SIL art. 58 style).
const RegistrationDays = 30

// ReviewWorkingDays is the service promise to applicants: 统筹科 decides
// an application within this many working days.
const ReviewWorkingDays = 5

// Service runs employer registration.
type Service struct {
	db       *db.DB
	clock    clock.Clock
	audit    *audit.Service
	accounts *account.Service
	policy   measures // nil: no emergency measures are considered
	prefix   string
}

// measures is the part of policy the service uses (a fake in tests).
type measures interface {
	MeasureInForce(ctx context.Context, day time.Time, m policy.Measure) (*policy.Emergency, error)
	Int(ctx context.Context, key, scope string, day time.Time) (int64, policy.Rule, error)
}

// NewService returns the employer service. pol may be nil (no emergency
// measures are then considered).
func NewService(d *db.DB, c clock.Clock, a *audit.Service, acc *account.Service, pol *policy.Service) *Service {
	s := &Service{db: d, clock: c, audit: a, accounts: acc, prefix: DefaultNumberPrefix}
	if pol != nil {
		s.policy = pol
	}
	return s
}

// Channel is how an application reached the agency.
type Channel string

// The channels. Web applications come from the applicant; the others are
// recorded by a clerk of 统筹科.
const (
	ChannelWeb     Channel = "web"
	ChannelPhone   Channel = "phone"
	ChannelEmail   Channel = "email"
	ChannelCounter Channel = "counter"
	ChannelPost    Channel = "post"
	ChannelWechat  Channel = "wechat"
)

var channelNames = map[Channel]string{
	ChannelWeb: "网上申报", ChannelPhone: "电话", ChannelEmail: "电子邮件", ChannelCounter: "窗口",
	ChannelPost: "邮寄", ChannelWechat: "微信",
}

// Channels lists every channel in display order.
var Channels = []Channel{ChannelWeb, ChannelPhone, ChannelEmail, ChannelCounter, ChannelPost, ChannelWechat}

// ClerkChannels are the channels a clerk may record.
var ClerkChannels = []Channel{ChannelPhone, ChannelEmail, ChannelCounter, ChannelPost, ChannelWechat}

// Name returns the Chinese name of the channel.
func (c Channel) Name() string {
	if n, ok := channelNames[c]; ok {
		return n
	}
	return string(c)
}

// Valid reports whether c is a known channel.
func (c Channel) Valid() bool { _, ok := channelNames[c]; return ok }

// Status is the state of an application.
type Status string

// Application states.
const (
	StatusSubmitted Status = "submitted"
	StatusApproved  Status = "approved"
	StatusReturned  Status = "returned"
	StatusWithdrawn Status = "withdrawn"
)

var statusNames = map[Status]string{
	StatusSubmitted: "待审核", StatusApproved: "已通过", StatusReturned: "已退回", StatusWithdrawn: "已撤回",
}

// Statuses lists the application states in display order.
var Statuses = []Status{StatusSubmitted, StatusApproved, StatusReturned, StatusWithdrawn}

// Name returns the Chinese name of the status.
func (s Status) Name() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return string(s)
}

// Info is what an employer declares about itself, in an application and
// on its record. EstablishedOn is a calendar date YYYY-MM-DD.
type Info struct {
	USCC          string `json:"uscc"`
	Name          string `json:"name"`
	LegalRep      string `json:"legal_rep"`
	Address       string `json:"address"`
	ContactName   string `json:"contact_name"`
	ContactPhone  string `json:"contact_phone"`
	ContactEmail  string `json:"contact_email"`
	Industry      string `json:"industry"`
	RiskClass     int    `json:"risk_class"`
	BankName      string `json:"bank_name"`
	BankAccount   string `json:"bank_account"`
	EstablishedOn string `json:"established_on"`
}

// ApplicationInput is a registration request. Channel is set by clerks;
// web applications leave it empty.
type ApplicationInput struct {
	Info
	Channel Channel `json:"channel,omitempty"`
}

// Application is a stored registration request.
type Application struct {
	ID int64 `json:"id"`
	Info
	AppNo         string     `json:"app_no"`
	Channel       Channel    `json:"channel"`
	RecordedBy    int64      `json:"recorded_by,omitempty"`
	Status        Status     `json:"status"`
	ReturnReasons string     `json:"return_reasons,omitempty"`
	Late          bool       `json:"late"`
	LateBasis     string     `json:"late_basis,omitempty"`
	ReviewerID    int64      `json:"reviewer_id,omitempty"`
	DecidedAt     *time.Time `json:"decided_at,omitempty"`
	EmployerID    int64      `json:"employer_id,omitempty"`
	EmployerNo    string     `json:"employer_no,omitempty"`
	PreviousID    int64      `json:"previous_id,omitempty"`
	SubmittedAt   time.Time  `json:"submitted_at"`
	Version       int64      `json:"version"`
}

// EmployerStatus is the state of an employer record.
type EmployerStatus string

// Employer states.
const (
	EmployerActive    EmployerStatus = "active"
	EmployerSuspended EmployerStatus = "suspended"
	EmployerClosed    EmployerStatus = "closed"
)

// Name returns the Chinese name of the employer status.
func (s EmployerStatus) Name() string {
	switch s {
	case EmployerActive:
		return "正常参保"
	case EmployerSuspended:
		return "暂停缴费"
	case EmployerClosed:
		return "已注销"
	}
	return string(s)
}

// Employer is a registered employer (参保单位).
type Employer struct {
	ID         int64  `json:"id"`
	EmployerNo string `json:"employer_no"`
	Info
	InjuryFloat  money.Rate     `json:"injury_float_ppm"` // work-injury float, 1,000,000 = ×1.0
	Status       EmployerStatus `json:"status"`
	RegisteredOn string         `json:"registered_on"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
	Version      int64          `json:"version"`
}

// CountEmployers returns how many employers are registered.
func (s *Service) CountEmployers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM employers`).Scan(&n); err != nil {
		return 0, errs.Wrap(err, "count employers")
	}
	return n, nil
}

func (s *Service) today() time.Time { return clock.Today(s.clock) }

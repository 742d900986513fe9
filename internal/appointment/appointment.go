// Package appointment books counter appointments (预约) for the business
// that truly needs a visit to the hall: stamped certificates, originals,
// social security cards. 办公室 opens time slots with a small capacity;
// employers and persons book and cancel; the counter works from a day list;
// the day before, each booker is reminded.
//
// Capacity is never exceeded: a booking takes its place with one
// conditional UPDATE (booked < capacity) inside the booking transaction,
// which SQLite's single writer and PostgreSQL's row lock both serialise.
package appointment

import (
	"context"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/ident"
)

// Notifier delivers a message to a user (email, portal, SMS …). The
// notifications area implements it; until one is set, reminders stay in
// the appt_reminders outbox.
type Notifier interface {
	Notify(ctx context.Context, userID int64, subject, body string) error
}

// Calendar says which days the hall is open; *policy.Service implements it.
type Calendar interface {
	IsWorkingDay(ctx context.Context, day time.Time) (bool, error)
}

// Service is the appointment book.
type Service struct {
	db       *db.DB
	clock    clock.Clock
	audit    *audit.Service
	calendar Calendar
	notifier Notifier
}

// NewService returns the service; cal may be nil (then Monday to Friday);
// n is where reminders go (nil: outbox only).
func NewService(d *db.DB, c clock.Clock, a *audit.Service, cal Calendar, n Notifier) *Service {
	return &Service{db: d, clock: c, audit: a, calendar: cal, notifier: n}
}

// Service codes seeded by SeedDefaults; other areas book with these.
const (
	ServiceStampedCertificate = "stamped_certificate" // 加盖印章的缴费证明
	ServiceOriginals          = "originals"           // 递交原件
	ServiceSocialCard         = "social_card"         // 社保卡相关
	ServiceOther              = "other"               // 其他确需到大厅办理的业务
)

// DefaultCapacity is the places per slot when 办公室 gives none: small, to
// keep the hall uncrowded.
const DefaultCapacity = 3

// Advice is shown wherever booking starts.
const Advice = "请优先网上办理；确需到大厅的业务请预约。"

// BookableService is one kind of business that may be booked.
type BookableService struct {
	ID          int64          `json:"id"`
	Code        string         `json:"code"`
	Name        string         `json:"name"`
	Section     access.Section `json:"section,omitempty"`
	SectionName string         `json:"section_name"`
	Description string         `json:"description"`
	Active      bool           `json:"active"`
}

// Slot is one period at one counter.
type Slot struct {
	ID        int64     `json:"id"`
	Day       string    `json:"date"`
	Start     string    `json:"start"`
	End       string    `json:"end"`
	StartsAt  time.Time `json:"starts_at"`
	Counter   string    `json:"counter"`
	Capacity  int       `json:"capacity"`
	Booked    int       `json:"booked"`
	Version   int64     `json:"version"`
	Remaining int       `json:"remaining"`
}

// Status of a booking.
type Status string

// Booking statuses.
const (
	Booked    Status = "booked"
	Cancelled Status = "cancelled"
	Attended  Status = "attended"
	NoShow    Status = "no_show"
)

var statusNames = map[Status]string{Booked: "已预约", Cancelled: "已取消", Attended: "已到场", NoShow: "未到场"}

// Name is the Chinese label of the status.
func (st Status) Name() string { return statusNames[st] }

// Booking is one appointment.
type Booking struct {
	ID          int64      `json:"-"`
	Code        string     `json:"code"`
	SlotID      int64      `json:"slot_id"`
	Day         string     `json:"date"`
	Start       string     `json:"start"`
	End         string     `json:"end"`
	StartsAt    time.Time  `json:"starts_at"`
	Counter     string     `json:"counter"`
	ServiceCode string     `json:"service"`
	ServiceName string     `json:"service_name"`
	UserID      int64      `json:"-"`
	Name        string     `json:"name"`
	Phone       string     `json:"phone"`
	Note        string     `json:"note"`
	Status      Status     `json:"status"`
	StatusName  string     `json:"status_name"`
	CreatedAt   time.Time  `json:"created_at"`
	CancelledAt *time.Time `json:"cancelled_at,omitempty"`
	TurnedAway  bool       `json:"turned_away"` // cancelled at the counter: health screening failed (劝离)
	Version     int64      `json:"-"`
}

// statusName is the Chinese status, with 劝离 for a visitor turned away.
func (b Booking) statusName() string {
	if b.Status == Cancelled && b.TurnedAway {
		return "已劝离（可另约时段或远程办理）"
	}
	return b.Status.Name()
}

// Masked returns the booking with the phone masked, for lists.
func (b Booking) Masked() Booking {
	b.Phone = ident.MaskPhone(b.Phone)
	return b
}

// Cancellable reports whether the booker may still cancel at now.
func (b Booking) Cancellable(now time.Time) bool {
	return b.Status == Booked && now.Before(b.StartsAt)
}

// NotifierFunc adapts a function to Notifier, e.g. to queue reminders in
// the notification service's portal inbox and outbox.
type NotifierFunc func(ctx context.Context, userID int64, subject, body string) error

// Notify implements Notifier.
func (f NotifierFunc) Notify(ctx context.Context, userID int64, subject, body string) error {
	return f(ctx, userID, subject, body)
}

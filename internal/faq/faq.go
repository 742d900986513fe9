// Package faq keeps the answers to common questions (常见问题): 办公室 and
// the sections write, publish, check and retire them; everyone searches the
// published ones by Chinese words; searches that find nothing are counted
// so 办公室 sees which questions recur without an answer.
package faq

import (
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
)

// Category is the business a question is about.
type Category string

// Categories, one per business of the agency's guide.
const (
	Registration Category = "registration" // 参保登记
	StaffChange  Category = "staffchange"  // 人员增减
	Assessment   Category = "assessment"   // 缴费核定
	Certificate  Category = "certificate"  // 缴费证明
	Accident     Category = "accident"     // 工伤事故报告
	Retirement   Category = "retirement"   // 退休
	Death        Category = "death"        // 死亡待遇
	Transfer     Category = "transfer"     // 转移接续
	Flexible     Category = "flexible"     // 灵活就业
	Emergency    Category = "emergency"    // 应急期措施
	Appointment  Category = "appointment"  // 预约
	Other        Category = "other"        // 其他
)

// Categories lists them in display order.
var Categories = []Category{Registration, StaffChange, Assessment, Certificate, Accident, Retirement, Death,
	Transfer, Flexible, Emergency, Appointment, Other}

var categoryNames = map[Category]string{Registration: "参保登记", StaffChange: "人员增减", Assessment: "缴费核定",
	Certificate: "缴费证明", Accident: "工伤事故报告", Retirement: "退休", Death: "死亡待遇", Transfer: "转移接续",
	Flexible: "灵活就业", Emergency: "应急期措施", Appointment: "预约", Other: "其他"}

// Name is the Chinese label.
func (c Category) Name() string { return categoryNames[c] }

// Valid reports whether c is a known category.
func (c Category) Valid() bool { _, ok := categoryNames[c]; return ok }

// Status of an answer.
type Status string

// Statuses.
const (
	Draft     Status = "draft"
	Published Status = "published"
	Retired   Status = "retired"
)

var statusNames = map[Status]string{Draft: "草稿", Published: "已发布", Retired: "已停用"}

// Name is the Chinese label.
func (s Status) Name() string { return statusNames[s] }

// Valid reports whether s is a known status.
func (s Status) Valid() bool { _, ok := statusNames[s]; return ok }

// FAQ is one question and its answer.
type FAQ struct {
	ID         int64          `json:"id"`
	Question   string         `json:"question"`
	Answer     string         `json:"answer"`
	Category   Category       `json:"category"`
	Section    access.Section `json:"section"`
	Keywords   string         `json:"keywords"`
	ValidFrom  string         `json:"valid_from,omitempty"`
	ValidUntil string         `json:"valid_until,omitempty"`
	Status     Status         `json:"status"`
	CheckedOn  string         `json:"checked_on"`
	NoticeIDs  []int64        `json:"notice_ids"`
	UpdatedAt  time.Time      `json:"updated_at"`
	Version    int64          `json:"version"`
}

// Paragraphs splits the answer into its non-empty lines.
func (f *FAQ) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(f.Answer, "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// SectionName is the Chinese name of the section that keeps the answer.
func (f *FAQ) SectionName() string { return f.Section.Name() }

// Service manages the answers.
type Service struct {
	db    *db.DB
	clock clock.Clock
	audit *audit.Service
}

// NewService returns the service.
func NewService(d *db.DB, c clock.Clock, a *audit.Service) *Service {
	return &Service{db: d, clock: c, audit: a}
}

// PageSize is the length of a page of answers.
const PageSize = 20

// today is the Shanghai date as 'YYYY-MM-DD'.
func (s *Service) today() string { return clock.Today(s.clock).Format("2006-01-02") }

// mayEdit reports whether a staff actor keeps answers of section x:
// 办公室 keeps every answer, a section its own.
func mayEdit(a *access.Actor, x access.Section) bool {
	return a.In(access.Office) || a.In(x)
}

// MayEdit is mayEdit for templates and handlers hiding buttons.
func MayEdit(a *access.Actor, f *FAQ) bool { return a.IsStaff() && mayEdit(a, f.Section) }

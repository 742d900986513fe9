// Package notice publishes the agency's notices (公告): the emergency
// measures, how to do each business without a visit, and how to reach
// every section. 办公室 writes, publishes and withdraws them; everyone may
// read the published ones. Bodies are plain text, escaped on display.
package notice

import (
	"strings"
	"time"

	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
)

// Category groups notices.
type Category string

// Categories.
const (
	Emergency Category = "emergency" // 应急措施
	Guide     Category = "guide"     // 办事指南
	Contact   Category = "contact"   // 联系方式
	Other     Category = "other"     // 其他
)

// Categories lists them in display order.
var Categories = []Category{Emergency, Guide, Contact, Other}

var categoryNames = map[Category]string{Emergency: "应急措施", Guide: "办事指南", Contact: "联系方式", Other: "其他"}

// Name is the Chinese label.
func (c Category) Name() string { return categoryNames[c] }

// Valid reports whether c is a known category.
func (c Category) Valid() bool { _, ok := categoryNames[c]; return ok }

// Status of a notice.
type Status string

// Statuses.
const (
	Draft     Status = "draft"
	Published Status = "published"
	Withdrawn Status = "withdrawn"
)

var statusNames = map[Status]string{Draft: "草稿", Published: "已发布", Withdrawn: "已撤回"}

// Name is the Chinese label.
func (s Status) Name() string { return statusNames[s] }

// Notice is one notice.
type Notice struct {
	ID          int64      `json:"id"`
	Title       string     `json:"title"`
	Body        string     `json:"body"`
	Category    Category   `json:"category"`
	Pinned      bool       `json:"pinned"`
	Status      Status     `json:"status"`
	PublishedAt *time.Time `json:"published_at,omitempty"`
	ExpiresAt   *time.Time `json:"expires_at,omitempty"`
	AuthorName  string     `json:"-"`
	CreatedAt   time.Time  `json:"-"`
	UpdatedAt   time.Time  `json:"updated_at"`
	Version     int64      `json:"version"`
}

// Paragraphs splits the body into paragraphs at line breaks, dropping
// empty lines; templates print each one escaped.
func (n *Notice) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(n.Body, "\r\n", "\n"), "\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Visible reports whether the public sees the notice at now.
func (n *Notice) Visible(now time.Time) bool {
	return n.Status == Published && n.PublishedAt != nil && !n.PublishedAt.After(now) &&
		(n.ExpiresAt == nil || now.Before(*n.ExpiresAt))
}

// Service manages notices.
type Service struct {
	db    *db.DB
	clock clock.Clock
	audit *audit.Service
}

// NewService returns the service.
func NewService(d *db.DB, c clock.Clock, a *audit.Service) *Service {
	return &Service{db: d, clock: c, audit: a}
}

// PageSize is the length of a page of the public list.
const PageSize = 20

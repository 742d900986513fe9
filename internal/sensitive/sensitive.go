// Package sensitive is the reporting of major and sensitive matters
// (重大、敏感事项请示报告): a clerk flags a case, a complaint or an event
// with the reason; the matter climbs the configured chain of posts
// (section head → office head → agency head by default), each level
// acknowledging it with its instruction within its working days; a level
// that does not is passed over by a job and the next one is asked
// (docs/rules.md "Sensitive matters").
package sensitive

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

// Level is one post of the chain and its working days to acknowledge.
type Level struct {
	Post account.Post
	Days int
}

// Chain is the ordered list of levels a matter climbs.
type Chain []Level

// DefaultChain is the chain when none is configured.
const DefaultChain = "section_head:2,office_head:1,agency_head:1"

// ParseChain reads "post:days,post:days…". Errors: Invalid.
func ParseChain(s string) (Chain, error) {
	if strings.TrimSpace(s) == "" {
		s = DefaultChain
	}
	var c Chain
	for _, part := range strings.Split(s, ",") {
		post, days, ok := strings.Cut(strings.TrimSpace(part), ":")
		n, err := strconv.Atoi(days)
		p := account.Post(strings.TrimSpace(post))
		if !ok || err != nil || n < 1 || n > 30 || !p.Valid() {
			return nil, errs.New(errs.Invalid, "bad_chain", "重大敏感事项上报链条配置有误：应为“职务:工作日数”，以逗号分隔，如 "+DefaultChain)
		}
		c = append(c, Level{Post: p, Days: n})
	}
	return c, nil
}

// String writes the chain back in the configuration form.
func (c Chain) String() string {
	parts := make([]string, len(c))
	for i, l := range c {
		parts[i] = fmt.Sprintf("%s:%d", l.Post, l.Days)
	}
	return strings.Join(parts, ",")
}

// Holders answers who holds a post (account.Service).
type Holders interface {
	Holders(ctx context.Context, q db.Querier, post account.Post, section access.Section) ([]int64, error)
	PostsOf(ctx context.Context, q db.Querier, userID int64) ([]account.Holding, error)
}

// Service runs sensitive matters.
type Service struct {
	db      *db.DB
	clock   clock.Clock
	audit   *audit.Service
	policy  *policy.Service
	holders Holders
	chain   Chain
}

// NewService returns the service with the configured chain.
func NewService(d *db.DB, c clock.Clock, au *audit.Service, p *policy.Service, h Holders, chain Chain) *Service {
	if len(chain) == 0 {
		chain, _ = ParseChain(DefaultChain)
	}
	return &Service{db: d, clock: c, audit: au, policy: p, holders: h, chain: chain}
}

// Chain returns the configured chain.
func (s *Service) Chain() Chain { return s.chain }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Second) }

// Subject kinds.
const (
	SubjectCase      = "case"
	SubjectComplaint = "complaint"
	SubjectEvent     = "event"
)

var subjectNames = map[string]string{SubjectCase: "业务", SubjectComplaint: "投诉举报", SubjectEvent: "其他事件"}

// SubjectName is the Chinese name of a subject kind.
func SubjectName(k string) string {
	if n, ok := subjectNames[k]; ok {
		return n
	}
	return "未知"
}

// Matter is a flagged matter.
type Matter struct {
	ID          int64
	No          string
	SubjectKind string
	SubjectRef  string
	Title       string
	Reason      string
	Section     access.Section
	Chain       Chain
	Level       int
	Status      string
	DueAt       *time.Time
	FlaggedBy   int64
	FlaggedName string
	FlaggedAt   time.Time
	ClosedAt    *time.Time
	Version     int64
	Overdue     bool // the current level's deadline has passed
}

// SubjectName is the Chinese subject kind.
func (m *Matter) SubjectName() string { return SubjectName(m.SubjectKind) }

// StatusName is the Chinese status.
func (m *Matter) StatusName() string {
	if m.Status == "closed" {
		return "已办结"
	}
	return "待" + m.WaitingFor() + "批示"
}

// SectionName is the Chinese name of the flagging section.
func (m *Matter) SectionName() string { return m.Section.Name() }

// Current is the level the matter waits for.
func (m *Matter) Current() Level {
	if m.Level < len(m.Chain) {
		return m.Chain[m.Level]
	}
	return m.Chain[len(m.Chain)-1]
}

// WaitingFor names the post the matter waits for.
func (m *Matter) WaitingFor() string { return postName(m.Current().Post, m.Section) }

// DueText is the current deadline, formatted.
func (m *Matter) DueText() string {
	if m.DueAt == nil {
		return ""
	}
	return m.DueAt.In(clock.Shanghai).Format("2006-01-02 15:04")
}

// ChainText names the chain's posts in order.
func (m *Matter) ChainText() string {
	parts := make([]string, len(m.Chain))
	for i, l := range m.Chain {
		parts[i] = fmt.Sprintf("%s（%d 个工作日）", postName(l.Post, m.Section), l.Days)
	}
	return strings.Join(parts, " → ")
}

func postName(p account.Post, sec access.Section) string {
	return account.Holding{Post: p, Section: sec}.Name()
}

// Step is one level reached.
type Step struct {
	Level          int
	Post           account.Post
	PostName       string
	ReachedAt      time.Time
	DueAt          time.Time
	AckBy          int64
	AckName        string
	AcknowledgedAt *time.Time
	Instruction    string
	Overdue        bool
}

// AckText is when it was acknowledged, formatted ("" when not).
func (s Step) AckText() string {
	if s.AcknowledgedAt == nil {
		return ""
	}
	return s.AcknowledgedAt.In(clock.Shanghai).Format("2006-01-02 15:04")
}

// View is a matter with its steps and what the viewer may do.
type View struct {
	Matter *Matter
	Steps  []Step
	CanAck bool
}

func fieldErr(field, msg string) error {
	var f errs.Fields
	f.Add(field, msg)
	return f.Err()
}

// Package protection keeps staff and hall protection (干部职工防护与大厅
// 防控): each clerk's daily health check-in (a clerk with symptoms is told
// to stay home and the section head is notified), the hall duty log
// (disinfection rounds, posters checked) and the deletion of health data
// after the configured retention (docs/rules.md "Staff and hall
// protection"). Health data is seen only by 办公室; a clerk sees his own.
package protection

import (
	"context"
	"slices"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/notify"
)

// FeverTenths is the temperature, in tenths of a degree, from which a
// check-in or a screening fails (37.3 °C).
const FeverTenths = 373

// DefaultRetentionDays is how long health data is kept when none is configured.
const DefaultRetentionDays = 30

// Symptom codes a clerk may report.
const (
	SymptomFever    = "fever"
	SymptomCough    = "dry_cough"
	SymptomFatigue  = "fatigue"
	SymptomThroat   = "sore_throat"
	SymptomTaste    = "taste_smell"
	SymptomBreath   = "breath"
	SymptomDiarrhea = "diarrhea"
)

// Symptoms lists the symptom codes in display order.
var Symptoms = []string{SymptomFever, SymptomCough, SymptomFatigue, SymptomThroat, SymptomTaste, SymptomBreath, SymptomDiarrhea}

var symptomNames = map[string]string{
	SymptomFever: "发热", SymptomCough: "干咳", SymptomFatigue: "乏力", SymptomThroat: "咽痛",
	SymptomTaste: "嗅觉或味觉减退", SymptomBreath: "气促", SymptomDiarrhea: "腹泻",
}

// SymptomName is the Chinese name of a symptom code.
func SymptomName(code string) string {
	if n, ok := symptomNames[code]; ok {
		return n
	}
	return "其他症状"
}

// Round kinds of the hall duty log.
const (
	RoundDisinfection = "disinfection"
	RoundPosters      = "posters"
	RoundMasks        = "masks"
)

// RoundKinds lists the round kinds in display order.
var RoundKinds = []string{RoundDisinfection, RoundPosters, RoundMasks}

var roundNames = map[string]string{RoundDisinfection: "消毒", RoundPosters: "检查防控海报和标语", RoundMasks: "发放口罩手套"}

// RoundName is the Chinese name of a round kind.
func RoundName(kind string) string {
	if n, ok := roundNames[kind]; ok {
		return n
	}
	return "其他"
}

// Holders answers who holds a post (account.Service).
type Holders interface {
	Holders(ctx context.Context, q db.Querier, post account.Post, section access.Section) ([]int64, error)
}

// Notifier queues a message inside the caller's transaction (notify.Service).
type Notifier interface {
	NotifyTx(ctx context.Context, q db.Querier, to notify.Recipient, m notify.Message) error
}

// Service keeps the check-ins and the duty log.
type Service struct {
	db        *db.DB
	clock     clock.Clock
	audit     *audit.Service
	holders   Holders
	notifier  Notifier
	retention int
}

// NewService returns the service; retentionDays ≤ 0 means DefaultRetentionDays.
func NewService(d *db.DB, c clock.Clock, au *audit.Service, h Holders, n Notifier, retentionDays int) *Service {
	if retentionDays <= 0 {
		retentionDays = DefaultRetentionDays
	}
	return &Service{db: d, clock: c, audit: au, holders: h, notifier: n, retention: retentionDays}
}

// RetentionDays is how long health data is kept.
func (s *Service) RetentionDays() int { return s.retention }

// Cutoff is the first day whose health data is still kept at now: data of
// earlier days is deleted by Purge.
func (s *Service) Cutoff(now time.Time) string {
	return clock.DateOf(now).AddDate(0, 0, -s.retention).Format("2006-01-02")
}

func (s *Service) today() string { return clock.DateOf(s.clock.Now()).Format("2006-01-02") }

// errOwnOnly refuses an entry made in another clerk's name.
var errOwnOnly = errs.New(errs.Forbidden, "own_entry_only", "只能填报本人的记录，不能替其他工作人员填报")

// requireClerk admits a signed-in staff member with an account, entering
// for himself (forUser 0 or his own id).
func requireClerk(a *access.Actor, forUser int64) error {
	if a == nil {
		return errs.LoginRequired()
	}
	if !a.IsStaff() || a.UserID == 0 {
		return errs.Forbid()
	}
	if forUser != 0 && forUser != a.UserID {
		return errOwnOnly
	}
	return nil
}

// CanReadHealth reports whether a may read others' health data (办公室).
func CanReadHealth(a *access.Actor) error { return a.RequireSection(access.Office) }

// FormatTenths writes a temperature in tenths as "37.3".
func FormatTenths(t int) string {
	neg := ""
	if t < 0 {
		neg, t = "-", -t
	}
	return neg + itoa(t/10) + "." + itoa(t%10)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// ParseTenths reads "36.5" (one decimal at most) as tenths of a degree.
func ParseTenths(s string) (int, bool) {
	s = strings.TrimSpace(s)
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(frac) > 1 {
		return 0, false
	}
	n := 0
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
		if n > 10000 {
			return 0, false
		}
	}
	if frac == "" {
		n *= 10
	}
	return n, true
}

// symptomList validates and sorts symptom codes.
func symptomList(codes []string) ([]string, bool) {
	var out []string
	for _, c := range codes {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if _, ok := symptomNames[c]; !ok {
			return nil, false
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(x, y string) int { return slices.Index(Symptoms, x) - slices.Index(Symptoms, y) })
	return out, true
}

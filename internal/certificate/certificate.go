// Package certificate issues payment certificates (参保缴费证明) for a
// person or an employer, renders them as PDF (internal/pdfdoc) or
// printable HTML from the same stored snapshot, lets anyone check a
// verification code on a public, rate-limited page that shows only masked
// data, and lets 统筹科 revoke a certificate.
package certificate

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
	"time"

	"shebao/internal/clock"
	"shebao/internal/ident"
	"shebao/internal/pdfdoc"
)

// Subject kinds.
const (
	SubjectPerson   = "person"
	SubjectEmployer = "employer"
)

// Statuses.
const (
	StatusValid   = "valid"
	StatusRevoked = "revoked"
)

// NoRecordsNote is printed when a person has no paid bills yet and the
// certificate lists the employment periods instead.
const NoRecordsNote = "缴费记录以核定和到账为准"

// SealDisclaimer says honestly what the drawn seal is.
const SealDisclaimer = "本证明所附红色印章为系统生成的图形标记及校验值，不是《电子签名法》意义上的可靠电子签章；需加盖实体印章的，请预约到大厅办理。"

// Content is the snapshot of what a certificate states.
type Content struct {
	Title   string          `json:"title"`
	Intro   string          `json:"intro"`
	Facts   []pdfdoc.KV     `json:"facts"`
	Columns []pdfdoc.Column `json:"columns"`
	Rows    [][]string      `json:"rows"`
	Total   []string        `json:"total,omitempty"`
	Note    string          `json:"note,omitempty"`
}

// Certificate is one issued certificate.
type Certificate struct {
	ID            int64
	Code          string // 20 characters, stored without separators
	SubjectKind   string
	PersonID      int64
	EmployerID    int64
	SubjectName   string
	SubjectNumber string
	PeriodFrom    string
	PeriodTo      string
	Issuer        string
	Content       Content
	Sealed        bool
	IssuedAt      time.Time
	Status        string
	RevokedAt     *time.Time
	RevokeReason  string
	Version       int64
}

// Grouped is the code as printed: five groups of four characters.
func (c *Certificate) Grouped() string { return GroupCode(c.Code) }

// StatusName is the status in Chinese.
func (c *Certificate) StatusName() string {
	if c.Status == StatusRevoked {
		return "已撤销"
	}
	return "有效"
}

// KindName is the subject kind in Chinese.
func (c *Certificate) KindName() string {
	if c.SubjectKind == SubjectEmployer {
		return "参保单位"
	}
	return "参保人"
}

// Period as shown, e.g. "2024-01 至 2024-03".
func (c *Certificate) Period() string { return c.PeriodFrom + " 至 " + c.PeriodTo }

// Check is what the public check page shows: enough to confirm a printed
// certificate without disclosing it (masked name and number, the period
// and the totals as printed, never the month-by-month lines).
type Check struct {
	Code      string
	Kind      string
	Name      string // masked: 张*明
	Number    string // masked: 3401**********5849
	Period    string
	Months    int    // months listed (paid months of a person, bill months of an employer); 0 when none
	Totals    string // the total line as printed, e.g. "缴费金额合计 1,234.56 元"
	Issuer    string
	IssuedOn  string
	Valid     bool
	RevokedOn string
}

// Masked returns the public view of the certificate.
func (c *Certificate) Masked() Check {
	ch := Check{Code: c.Grouped(), Kind: c.KindName(), Name: ident.MaskNameEnds(c.SubjectName),
		Number: ident.MaskID(c.SubjectNumber), Period: c.Period(), Months: c.Content.months(),
		Totals: c.Content.totals(), Issuer: c.Issuer, IssuedOn: c.IssuedAt.In(clock.Shanghai).Format("2006-01-02"),
		Valid: c.Status == StatusValid}
	if c.RevokedAt != nil {
		ch.RevokedOn = c.RevokedAt.In(clock.Shanghai).Format("2006-01-02")
	}
	return ch
}

// monthColumn is the title of the first column of tables listed by month.
const monthColumn = "费款所属期"

// months counts the distinct months the content lists (0 when its table
// is not by month, e.g. the employment periods).
func (c Content) months() int {
	if len(c.Columns) == 0 || c.Columns[0].Title != monthColumn {
		return 0
	}
	seen := map[string]bool{}
	for _, r := range c.Rows {
		if len(r) > 0 {
			seen[r[0]] = true
		}
	}
	return len(seen)
}

// totals renders the printed total line with its column titles, e.g.
// "应缴金额合计 2,380.00 元；已缴金额合计 1,190.00 元".
func (c Content) totals() string {
	var parts []string
	for i, v := range c.Total {
		if i == 0 || v == "" || i >= len(c.Columns) || !c.Columns[i].Right {
			continue
		}
		parts = append(parts, c.Columns[i].Title+"合计 "+v+" 元")
	}
	return strings.Join(parts, "；")
}

// codeLen is the code length: 20 base32 characters carry 100 bits.
const codeLen = 20

var enc = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewCode returns a fresh random verification code (100 bits, base32).
func NewCode() string {
	var b [13]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("certificate: no randomness: " + err.Error())
	}
	return enc.EncodeToString(b[:])[:codeLen]
}

// GroupCode prints a code in groups of four: ABCD-EFGH-….
func GroupCode(code string) string {
	var sb strings.Builder
	for i, r := range code {
		if i > 0 && i%4 == 0 {
			sb.WriteByte('-')
		}
		sb.WriteRune(r)
	}
	return sb.String()
}

// NormalizeCode accepts a code as people type it: any case, with spaces
// or dashes, 0/1/8 for O/I/B. It returns "" if it cannot be a code.
func NormalizeCode(s string) string {
	var sb strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ' || r == '\t':
		case r == '0':
			sb.WriteByte('O')
		case r == '1':
			sb.WriteByte('I')
		case r == '8':
			sb.WriteByte('B')
		case (r >= 'A' && r <= 'Z') || (r >= '2' && r <= '7'):
			sb.WriteRune(r)
		default:
			return ""
		}
	}
	if sb.Len() != codeLen {
		return ""
	}
	return sb.String()
}

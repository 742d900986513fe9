package certificate

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/pdfdoc"
	"shebao/internal/person"
)

// Check page limits: at most CheckLimit checks per client per CheckWindow.
const (
	CheckLimit  = 30
	CheckWindow = 10 * time.Minute
)

// Options configure the certificates.
type Options struct {
	Issuer  string // the agency's name printed as issuer and on the seal
	BaseURL string // public address the QR code points to, e.g. https://shebao.example
	Seal    bool   // the office enables electronically sealed PDFs
	// OtherCodes lets the check page also find the codes of other
	// documents that print the same check address (the personal rights
	// statements): it is asked for a well-formed code no certificate has,
	// after the attempt was counted (nil: none).
	OtherCodes func(ctx context.Context, code string) (*Check, error)
}

// DefaultIssuer is the issuer printed when none is configured.
const DefaultIssuer = "区社会保险事业管理中心"

// Service issues, lists, renders, checks and revokes certificates.
type Service struct {
	db    *db.DB
	clock clock.Clock
	audit *audit.Service
	opt   Options
}

// NewService returns the service; an empty Issuer is DefaultIssuer.
func NewService(d *db.DB, c clock.Clock, a *audit.Service, o Options) *Service {
	if o.Issuer == "" {
		o.Issuer = DefaultIssuer
	}
	return &Service{db: d, clock: c, audit: a, opt: o}
}

// Options returns the configuration (the web layer shows whether sealing is on).
func (s *Service) Options() Options { return s.opt }

// CheckPath is the path of the public check page for a code.
func CheckPath(code string) string { return "/certificate/check?code=" + GroupCode(code) }

// CheckURL is the address the QR code encodes: the configured public
// address (Options.BaseURL) when set, else requestBase — the address the
// current request came to, e.g. http://10.1.2.3:8080, which the caller
// has validated — so a phone can open it either way.
func (s *Service) CheckURL(requestBase, code string) string {
	base := s.opt.BaseURL
	if base == "" {
		base = requestBase
	}
	return strings.TrimRight(base, "/") + CheckPath(code)
}

func (s *Service) period(from, to string) (string, string, error) {
	cur := clock.Today(s.clock).Format("2006-01")
	var f errs.Fields
	if from != "" && !person.ValidMonth(from) {
		f.Add("from", "起始月份格式应为 YYYY-MM，如 2024-01")
	}
	if to == "" {
		to = cur
	} else if !person.ValidMonth(to) {
		f.Add("to", "终止月份格式应为 YYYY-MM，如 2024-03")
	} else if to > cur {
		f.Add("to", "终止月份不能晚于本月")
	}
	if from == "" {
		from = "1990-01"
	}
	if from > to && f.Err() == nil {
		f.Add("from", "起始月份不能晚于终止月份")
	}
	return from, to, f.Err()
}

func canPerson(a *access.Actor, personID int64) error {
	if a == nil {
		return errs.LoginRequired()
	}
	if (a.Role == access.RolePerson && a.PersonID == personID && personID != 0) || a.In(access.Coordination) {
		return nil
	}
	return errs.Forbid()
}

// IssueForPerson issues a certificate of the person's paid months in the
// period (from empty: all; to empty: this month). Without any paid bill it
// lists the employment periods and says the records follow assessment and
// receipt. The person or 统筹科.
func (s *Service) IssueForPerson(ctx context.Context, a *access.Actor, personID int64, from, to string) (*Certificate, error) {
	if err := canPerson(a, personID); err != nil {
		return nil, err
	}
	from, to, err := s.period(from, to)
	if err != nil {
		return nil, err
	}
	p, err := person.Load(ctx, s.db.Read(), personID)
	if err != nil {
		return nil, err
	}
	rows, err := personRows(ctx, s.db.Read(), personID, from, to)
	if err != nil {
		return nil, err
	}
	moved, err := transferredYears(ctx, s.db.Read(), personID)
	if err != nil {
		return nil, err
	}
	moved = yearsIn(moved, from, to)
	var content Content
	if len(rows) > 0 || len(moved) > 0 {
		content = personContent(rows)
		addTransferred(&content, moved)
		if from == "1990-01" && len(rows) > 0 {
			from = rows[0].month
		}
	} else if content, err = employmentContent(ctx, s.db.Read(), personID, from, to); err != nil {
		return nil, err
	}
	content.Facts = []pdfdoc.KV{{Key: "姓名", Value: p.Name}, {Key: "公民身份号码", Value: p.IDNumber}}
	c := &Certificate{SubjectKind: SubjectPerson, PersonID: personID, SubjectName: p.Name, SubjectNumber: p.IDNumber,
		PeriodFrom: from, PeriodTo: to, Content: content}
	return c, s.issue(ctx, a, c)
}

// IssueForEmployer issues a certificate of the employer's bills and their
// payment status in the period. The employer or 统筹科.
func (s *Service) IssueForEmployer(ctx context.Context, a *access.Actor, employerID int64, from, to string) (*Certificate, error) {
	if err := a.RequireEmployer(employerID); err != nil {
		return nil, err
	}
	from, to, err := s.period(from, to)
	if err != nil {
		return nil, err
	}
	var name, uscc string
	err = s.db.Read().QueryRowContext(ctx, `SELECT name, uscc FROM employers WHERE id = $1`, employerID).Scan(&name, &uscc)
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("未找到该参保单位")
	}
	if err != nil {
		return nil, errs.Wrap(err, "certificate employer")
	}
	content, err := employerContent(ctx, s.db.Read(), employerID, from, to)
	if err != nil {
		return nil, err
	}
	if from == "1990-01" && len(content.Rows) > 0 {
		from = content.Rows[0][0]
	}
	content.Facts = []pdfdoc.KV{{Key: "单位名称", Value: name}, {Key: "统一社会信用代码", Value: uscc}}
	c := &Certificate{SubjectKind: SubjectEmployer, EmployerID: employerID, SubjectName: name, SubjectNumber: uscc,
		PeriodFrom: from, PeriodTo: to, Content: content}
	return c, s.issue(ctx, a, c)
}

func (s *Service) issue(ctx context.Context, a *access.Actor, c *Certificate) error {
	c.Issuer, c.Sealed, c.IssuedAt, c.Status, c.Version = s.opt.Issuer, s.opt.Seal, s.clock.Now().UTC(), StatusValid, 1
	c.Content.Facts = append(c.Content.Facts, pdfdoc.KV{Key: "缴费期间", Value: c.Period()},
		pdfdoc.KV{Key: "出具机构", Value: c.Issuer}, pdfdoc.KV{Key: "出具日期", Value: c.IssuedAt.In(clock.Shanghai).Format("2006年01月02日")})
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c.Code = NewCode()
		if err := insert(ctx, tx, c, a.UserID); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "certificate.issue", Entity: "certificate",
			EntityID: strconv.FormatInt(c.ID, 10), After: map[string]string{"subject": c.SubjectKind,
				"name": ident.MaskName(c.SubjectName), "number": ident.MaskID(c.SubjectNumber), "period": c.Period()}})
	})
}

func canSee(a *access.Actor, c *Certificate) error {
	if a == nil {
		return errs.LoginRequired()
	}
	switch {
	case a.IsStaff():
		return nil
	case c.SubjectKind == SubjectPerson && a.Role == access.RolePerson && a.PersonID == c.PersonID:
		return nil
	case c.SubjectKind == SubjectEmployer && a.Role == access.RoleEmployer && a.EmployerID == c.EmployerID:
		return nil
	}
	return errs.NotFoundf("未找到该证明") // another's certificate: as if absent
}

// Get returns a certificate its subject or staff may see.
func (s *Service) Get(ctx context.Context, a *access.Actor, id int64) (*Certificate, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	c, err := byID(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	return c, canSee(a, c)
}

// ListForPerson lists the person's certificates, newest first.
func (s *Service) ListForPerson(ctx context.Context, a *access.Actor, personID int64) ([]Certificate, error) {
	if err := canPerson(a, personID); err != nil {
		return nil, err
	}
	return list(ctx, s.db.Read(), "person_id", personID)
}

// ListForEmployer lists the employer's certificates, newest first.
func (s *Service) ListForEmployer(ctx context.Context, a *access.Actor, employerID int64) ([]Certificate, error) {
	if err := a.RequireEmployer(employerID); err != nil {
		return nil, err
	}
	return list(ctx, s.db.Read(), "employer_id", employerID)
}

// ByCode finds a certificate for staff (the revoke page). 统筹科 only.
func (s *Service) ByCode(ctx context.Context, a *access.Actor, code string) (*Certificate, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	n := NormalizeCode(code)
	if n == "" {
		var f errs.Fields
		f.Add("code", "验证码格式不正确：应为20位字母和数字（如 ABCD-EFGH-JKLM-NPQR-STUV）")
		return nil, f.Err()
	}
	return byCode(ctx, s.db.Read(), n)
}

// Revoke revokes a valid certificate with a reason. 统筹科 only; audited.
func (s *Service) Revoke(ctx context.Context, a *access.Actor, id, version int64, reason string) (*Certificate, error) {
	if err := a.RequireSection(access.Coordination); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if reason == "" || len([]rune(reason)) > 200 {
		var f errs.Fields
		f.Add("reason", "请填写撤销原因（不超过200字）")
		return nil, f.Err()
	}
	var c *Certificate
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var err error
		if c, err = byID(ctx, tx, id); err != nil {
			return err
		}
		if c.Status == StatusRevoked {
			return errs.New(errs.Conflict, "already_revoked", "该证明已撤销")
		}
		if err := revoke(ctx, tx, id, version, a.UserID, reason, s.clock.Now().UTC()); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "certificate.revoke", Entity: "certificate",
			EntityID: strconv.FormatInt(id, 10), Before: map[string]string{"status": StatusValid},
			After: map[string]string{"status": StatusRevoked}, Note: reason})
	})
	if err != nil {
		return nil, err
	}
	return byID(ctx, s.db.Read(), id)
}

// Check looks a code up for the public page, counting the check against
// the client's limit first (every server shares the counters). It returns
// masked data only. Malformed codes are refused before counting (they
// cannot find anything). Errors: Invalid, TooMany, NotFound.
func (s *Service) Check(ctx context.Context, clientAddr, code string) (*Check, error) {
	norm := NormalizeCode(code)
	if norm == "" {
		var f errs.Fields
		f.Add("code", "验证码应为20位字母和数字（如 ABCD-EFGH-JKLM-NPQR-STUV），请核对后重新输入")
		return nil, f.Err()
	}
	sum := sha256.Sum256([]byte("certificate-check\x00" + clientAddr))
	window := s.clock.Now().Unix() / int64(CheckWindow/time.Second)
	var n int64
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var err error
		n, err = hit(ctx, tx, hex.EncodeToString(sum[:12]), window)
		return err
	})
	if err != nil {
		return nil, err
	}
	if n > CheckLimit {
		return nil, errs.New(errs.TooMany, "too_many_checks", "核验过于频繁：每个网络地址10分钟内最多核验30次，请稍后再试")
	}
	c, err := byCode(ctx, s.db.Read(), norm)
	if err != nil && s.opt.OtherCodes != nil {
		if o, oerr := s.opt.OtherCodes(ctx, norm); oerr == nil {
			return o, nil
		}
	}
	if err != nil {
		return nil, errs.NotFoundf("未找到该验证码对应的证明，请核对验证码；证明可能是伪造的")
	}
	m := c.Masked()
	return &m, nil
}

// PDF renders the certificate with a QR code of checkURL (see CheckURL).
// Errors wrap pdfdoc.ErrNoFont when the CJK font is missing: offer the
// HTML version then.
func (s *Service) PDF(c *Certificate, checkURL string) ([]byte, error) {
	d, err := pdfdoc.New()
	if err != nil {
		return nil, err
	}
	d.SetDate(c.IssuedAt)
	d.Title(c.Content.Title)
	d.Text(c.Content.Intro)
	d.KeyValues(c.Content.Facts)
	if len(c.Content.Rows) > 0 {
		d.Lines(c.Content.Columns, c.Content.Rows, c.Content.Total)
	}
	if c.Content.Note != "" {
		d.Text("注：" + c.Content.Note)
	}
	if c.Status == StatusRevoked {
		d.Text("【本证明已于 " + c.RevokedAt.In(clock.Shanghai).Format("2006-01-02") + " 撤销，不再有效】")
	}
	if c.Sealed {
		d.Seal(c.Issuer, c.SealHash())
		d.Text(SealDisclaimer)
	}
	d.Footer(c.Grouped(), checkURL, "核验：扫描二维码，或访问本机构网站“缴费证明核验”页面输入验证码。核验页仅显示脱敏信息。")
	return d.Bytes()
}

// SealHash is the signature hash printed under the drawn seal: SHA-256 of
// the code and the content, first 16 bytes in hex.
func (c *Certificate) SealHash() string {
	h := sha256.New()
	h.Write([]byte(c.Code + "\x00" + c.Issuer + "\x00" + c.SubjectNumber + "\x00" + c.Period()))
	for _, r := range c.Content.Rows {
		h.Write([]byte(strings.Join(r, "\x1f") + "\x1e"))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

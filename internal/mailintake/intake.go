// Package mailintake receives mail sent to the agency's public section
// mailboxes (gongshang@…, tongchou@… — one per section), by its own SMTP
// listener or from .eml files, and turns each message into a draft case in
// the addressed section's queue, with its JPEG/PNG/PDF attachments stored
// as documents, and an acknowledgement with the case number to the sender.
// Spam, oversized, malformed or misaddressed mail goes to a quarantine a
// clerk releases or deletes; nothing a sender writes can crash the listener.
package mailintake

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/document"
	"shebao/internal/errs"
	"shebao/internal/notify"
)

// Mailboxes maps the local part of each section's public address to the
// section (e.g. gongshang@shebao.example → 工伤保险待遇科).
var Mailboxes = map[string]access.Section{
	"tongchou": access.Coordination, "gongshang": access.Injury, "fuli": access.Welfare, "jijin": access.Fund,
	"shenji": access.Audit, "geti": access.SelfEmployed, "zhanghu": access.Account, "bangongshi": access.Office,
}

// Address returns the public mailbox of a section in domain.
func Address(s access.Section, domain string) string {
	for local, sec := range Mailboxes {
		if sec == s {
			return local + "@" + domain
		}
	}
	return ""
}

// Draft is a received message that becomes a draft case. Its fields match
// casework.DraftInput one for one, so the app converts with
// casework.DraftInput(d).
type Draft struct {
	Section     access.Section
	Channel     string // "email"
	FromName    string
	FromEmail   string
	Subject     string
	Body        string
	DocumentIDs []int64
	ReceivedAt  time.Time
}

// CaseOpener opens draft cases (casework.Service through an adapter in
// internal/app).
type CaseOpener interface {
	OpenDraft(ctx context.Context, d Draft) (caseNo string, err error)
}

// Config sets the intake's limits and domain.
type Config struct {
	Domain          string // e.g. shebao.example; mailboxes are <local>@Domain
	MaxMessageBytes int64  // whole message; default 25 MB
	MaxRecipients   int    // per message at the SMTP level; default 10
}

// Service accepts messages.
type Service struct {
	db     *db.DB
	clock  clock.Clock
	docs   *document.Store
	notify notify.Notifier
	opener CaseOpener
	raw    *document.Folder
	log    *slog.Logger
	cfg    Config
}

// NewService returns the intake. rawDir keeps quarantined raw messages.
func NewService(d *db.DB, c clock.Clock, docs *document.Store, n notify.Notifier, opener CaseOpener,
	rawDir string, cfg Config, log *slog.Logger) *Service {
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = 25 << 20
	}
	if cfg.MaxRecipients <= 0 {
		cfg.MaxRecipients = 10
	}
	if cfg.Domain == "" {
		cfg.Domain = "shebao.example"
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, clock: c, docs: docs, notify: n, opener: opener, raw: document.NewFolder(rawDir), log: log, cfg: cfg}
}

// SetOpener sets the case opener (when casework is built after intake).
func (s *Service) SetOpener(o CaseOpener) { s.opener = o }

// Domain returns the mail domain of the section mailboxes.
func (s *Service) Domain() string { return s.cfg.Domain }

// SectionFor returns the section whose mailbox addr is.
func (s *Service) SectionFor(addr string) (access.Section, bool) {
	a, err := mail.ParseAddress(addr)
	if err == nil {
		addr = a.Address
	}
	local, domain, ok := strings.Cut(strings.ToLower(strings.Trim(strings.TrimSpace(addr), "<>")), "@")
	if !ok || domain != strings.ToLower(s.cfg.Domain) {
		return "", false
	}
	sec, ok := Mailboxes[local]
	return sec, ok
}

// Envelope is how a message arrived: SMTP MAIL FROM and RCPT TO (empty
// for an imported .eml; the To and Cc headers are used instead).
type Envelope struct {
	From       string
	To         []string
	RemoteAddr string
}

// Result says what became of a message: a draft case, or quarantine.
type Result struct {
	CaseNo       string
	Section      access.Section
	DocumentIDs  []int64
	Skipped      []string // attachments not kept and why
	QuarantineID int64
	Reason       string // why it was quarantined
	Subject      string
	Duplicate    bool // the same Message-ID from the same sender was already accepted
}

// Accept turns one raw message into a draft case, or quarantines it. An
// error means the message could not be handled now (database or case
// service down): the SMTP listener answers 451 so the sender retries.
func (s *Service) Accept(ctx context.Context, env Envelope, raw []byte) (res *Result, err error) {
	return s.accept(ctx, env, raw, false)
}

func (s *Service) accept(ctx context.Context, env Envelope, raw []byte, release bool) (res *Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("mail intake panic", "panic", fmt.Sprint(p))
			res, err = s.quarantine(ctx, env, raw, "", "邮件无法处理（解析出错）", 0)
		}
	}()
	if int64(len(raw)) > s.cfg.MaxMessageBytes {
		return s.quarantine(ctx, env, nil, "", fmt.Sprintf("邮件超过 %d MB 上限", s.cfg.MaxMessageBytes>>20), 0)
	}
	p, perr := parse(raw)
	if perr != nil {
		return s.quarantine(ctx, env, raw, "", "邮件格式错误："+perr.Error(), 0)
	}
	sec, ok := s.section(env, p)
	if !ok {
		return s.quarantine(ctx, env, raw, p.Subject, "收件地址不是本机构的科室邮箱", 0)
	}
	if score, why := spamScore(p, len(env.To)); score >= SpamThreshold && !release {
		return s.quarantine(ctx, env, raw, p.Subject, "疑似垃圾邮件："+strings.Join(why, "；"), score)
	}
	if s.opener == nil {
		return nil, errs.New(errs.Internal, "no_case_opener", "业务受理服务未就绪")
	}
	if no, err := s.seen(ctx, p); err != nil || no != "" {
		return &Result{CaseNo: no, Section: sec, Subject: p.Subject, Duplicate: true}, err
	}
	res = &Result{Section: sec, Subject: p.Subject}
	for _, a := range p.Attachments {
		if executable(a) { // only reached on release: never store programs
			res.Skipped = append(res.Skipped, a.Name+"：可执行文件，未保存")
			continue
		}
		doc, err := s.docs.Put(ctx, nil, a.Name, bytes.NewReader(a.Data))
		if errs.KindOf(err) == errs.Invalid {
			res.Skipped = append(res.Skipped, a.Name+"："+errs.As(err).Message)
			continue
		}
		if err != nil {
			return nil, err
		}
		res.DocumentIDs = append(res.DocumentIDs, doc.ID)
	}
	body := p.Body
	if len(res.Skipped) > 0 {
		body += "\n\n【未保存的附件】\n" + strings.Join(res.Skipped, "\n")
	}
	res.CaseNo, err = s.opener.OpenDraft(ctx, Draft{
		Section: sec, Channel: "email", FromName: p.FromName, FromEmail: p.FromEmail,
		Subject: p.Subject, Body: body, DocumentIDs: res.DocumentIDs, ReceivedAt: s.clock.Now(),
	})
	if err != nil {
		return nil, err
	}
	s.remember(ctx, p, res.CaseNo)
	s.acknowledge(ctx, p, sec, res)
	s.log.Info("mail accepted", "case", res.CaseNo, "section", sec, "attachments", len(res.DocumentIDs))
	return res, nil
}

// section picks the first section mailbox among the envelope recipients,
// or, for imported files, among the To and Cc headers.
func (s *Service) section(env Envelope, p *parsed) (access.Section, bool) {
	rcpts := env.To
	if len(rcpts) == 0 {
		rcpts = p.HeaderRcpts
	}
	for _, r := range rcpts {
		if sec, ok := s.SectionFor(r); ok {
			return sec, true
		}
	}
	return "", false
}

// acknowledge queues the reply with the case number, unless the message
// is automatic (no replies to auto-replies or to ourselves: mail loops).
func (s *Service) acknowledge(ctx context.Context, p *parsed, sec access.Section, res *Result) {
	auto := strings.ToLower(strings.TrimSpace(p.Header.Get("Auto-Submitted")))
	if p.FromEmail == "" || (auto != "" && auto != "no") || strings.HasSuffix(p.FromEmail, "@"+strings.ToLower(s.cfg.Domain)) ||
		strings.HasPrefix(p.FromEmail, "mailer-daemon@") {
		return
	}
	body := fmt.Sprintf("您好！\n\n您发给%s的邮件（主题：%s）已收到，受理编号 %s。\n经办人员将确认业务类型后办理，进度可凭此编号查询。\n",
		sec.Name(), orNone(p.Subject), res.CaseNo)
	if len(res.DocumentIDs) > 0 {
		body += fmt.Sprintf("已保存附件 %d 个。\n", len(res.DocumentIDs))
	}
	if len(res.Skipped) > 0 {
		body += "以下附件未能保存，请改为 JPEG、PNG 或 PDF 格式后重新发送：\n" + strings.Join(res.Skipped, "\n") + "\n"
	}
	body += "\n本邮件由系统自动发送，请勿直接回复。"
	err := s.notify.Notify(ctx, notify.Recipient{Email: p.FromEmail},
		notify.Message{Subject: "来件已受理：" + res.CaseNo, Body: body, Kind: "mail.ack"})
	if err != nil { // the case exists; a missing acknowledgement must not lose it
		s.log.Error("mail acknowledgement not queued", "case", res.CaseNo, "err", err)
	}
}

func orNone(s string) string {
	if s == "" {
		return "（无主题）"
	}
	return s
}

// seen returns the case already opened for this Message-ID and sender, or "".
func (s *Service) seen(ctx context.Context, p *parsed) (string, error) {
	if p.MessageID == "" || p.FromEmail == "" {
		return "", nil
	}
	var no string
	err := s.db.Read().QueryRowContext(ctx, `SELECT case_no FROM mail_received WHERE message_id = $1 AND from_email = $2`,
		clip(p.MessageID, 500), p.FromEmail).Scan(&no)
	if db.IsNoRows(err) {
		return "", nil
	}
	return no, errs.Wrap(err, "mail received")
}

// remember records an accepted message so a retried delivery is not a
// second case. Failing to record it only risks that duplicate.
func (s *Service) remember(ctx context.Context, p *parsed, caseNo string) {
	if p.MessageID == "" || p.FromEmail == "" {
		return
	}
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO mail_received (message_id, from_email, case_no, received_at) VALUES ($1, $2, $3, $4)`,
		clip(p.MessageID, 500), p.FromEmail, caseNo, s.clock.Now())
	if err != nil && !db.IsUniqueViolation(err) {
		s.log.Warn("mail message-id not recorded", "case", caseNo, "err", err)
	}
}

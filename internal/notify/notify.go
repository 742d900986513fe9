// Package notify tells applicants and staff what happened: by email (real
// SMTP through a configurable relay), SMS and WeChat (providers behind one
// interface) and the portal inbox. Notify only writes rows — the outbox and
// the inbox — inside the caller's transaction or its own, so a request is
// never slowed by a mail server; the Drainer sends pending rows in the
// background with retries and exponential backoff.
package notify

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
)

// Channel is how a message travels.
type Channel string

// Channels.
const (
	Email  Channel = "email"
	SMS    Channel = "sms"
	WeChat Channel = "wechat"
	Portal Channel = "portal"
)

// Channels lists the outbox channels (portal messages go to the inbox).
var Channels = []Channel{Email, SMS, WeChat}

// Name returns the Chinese name of the channel.
func (c Channel) Name() string {
	switch c {
	case Email:
		return "电子邮件"
	case SMS:
		return "短信"
	case WeChat:
		return "微信"
	case Portal:
		return "站内消息"
	}
	return string(c)
}

// Status of an outbox row.
type Status string

// Statuses.
const (
	Pending Status = "pending"
	Sent    Status = "sent"
	Failed  Status = "failed"
)

// Name returns the Chinese name of the status.
func (s Status) Name() string {
	switch s {
	case Pending:
		return "待发送"
	case Sent:
		return "已发送"
	case Failed:
		return "发送失败"
	}
	return string(s)
}

// Recipient says where a message goes; every non-empty address gets it
// (UserID: the portal inbox).
type Recipient struct {
	UserID       int64
	Email        string
	Phone        string
	WeChatOpenID string
}

// Message is what is said. Kind is a machine label (e.g.
// "mail.ack", "case.deadline") for filtering.
type Message struct {
	Subject string
	Body    string
	Kind    string
}

// Notifier queues a message for a recipient. It never waits for delivery.
type Notifier interface {
	Notify(ctx context.Context, to Recipient, m Message) error
}

// Service is the Notifier backed by the outbox and inbox tables.
type Service struct {
	db    *db.DB
	clock clock.Clock
}

// NewService returns the notification service.
func NewService(d *db.DB, c clock.Clock) *Service { return &Service{db: d, clock: c} }

// Notify implements Notifier in its own transaction.
func (s *Service) Notify(ctx context.Context, to Recipient, m Message) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error { return s.NotifyTx(ctx, tx, to, m) })
}

// NotifyTx queues the message inside the caller's transaction, so the
// notification exists exactly when the change it reports does.
func (s *Service) NotifyTx(ctx context.Context, q db.Querier, to Recipient, m Message) error {
	m.Subject = strings.TrimSpace(m.Subject)
	if m.Subject == "" && m.Body == "" {
		return errs.New(errs.Invalid, "notify_empty", "消息内容为空")
	}
	now := s.clock.Now()
	if to.UserID != 0 {
		if _, err := q.ExecContext(ctx, `INSERT INTO user_messages (user_id, subject, body, kind, created_at)
			VALUES ($1, $2, $3, $4, $5)`, to.UserID, m.Subject, m.Body, m.Kind, now); err != nil {
			return errs.Wrap(err, "insert user message")
		}
	}
	addrs := map[Channel]string{Email: to.Email, SMS: to.Phone, WeChat: to.WeChatOpenID}
	if err := addChosen(ctx, q, to.UserID, addrs); err != nil {
		return err
	}
	for _, ch := range Channels {
		addr := strings.TrimSpace(addrs[ch])
		if addr == "" {
			continue
		}
		if _, err := q.ExecContext(ctx, `INSERT INTO outbox (channel, recipient, user_id, subject, body, kind, status, next_attempt_at, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7, $7)`, string(ch), addr, to.UserID, m.Subject, m.Body, m.Kind, now); err != nil {
			return errs.Wrap(err, "insert outbox")
		}
	}
	return nil
}

// addChosen routes a message for an account to the channels it chose on
// its notices page, where the caller gave no address of that channel.
func addChosen(ctx context.Context, q db.Querier, userID int64, addrs map[Channel]string) error {
	if userID == 0 {
		return nil
	}
	p, err := loadPrefs(ctx, q, userID)
	if err != nil {
		return err
	}
	for _, ch := range p.Channels {
		if strings.TrimSpace(addrs[ch]) == "" {
			addrs[ch] = p.address(ch)
		}
	}
	return nil
}

// MaskRecipient hides most of an address for lists: z***@example.com,
// 138****5678, an OpenID's ends.
func MaskRecipient(ch Channel, addr string) string {
	switch ch {
	case Email:
		at := strings.LastIndexByte(addr, '@')
		if at < 1 {
			return "***"
		}
		return addr[:1] + "***" + addr[at:]
	case SMS:
		return ident.MaskPhone(addr)
	default:
		if len(addr) <= 6 {
			return "***"
		}
		return addr[:3] + "***" + addr[len(addr)-3:]
	}
}

// backoff is the wait before attempt n+1 after n failed attempts:
// 30s, 1m, 2m, 4m … capped at one hour.
func backoff(n int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

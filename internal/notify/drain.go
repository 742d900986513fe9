package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// Delivery is one claimed outbox row handed to a provider.
type Delivery struct {
	ID        int64
	Channel   Channel
	To        string
	Subject   string
	Body      string
	Kind      string
	Attempts  int // failed attempts so far
	CreatedAt time.Time
}

// Provider delivers messages of one channel (an SMTP relay, an SMS
// gateway, a WeChat official account). Send returns nil once the provider
// has accepted the message; a *HoldError to leave it pending untouched; a
// *PermanentError to fail it without retrying; any other error is retried
// with exponential backoff.
//
// SMTP (email) and WeChatOA (WeChat template messages) are the real
// providers. To plug in an SMS gateway, implement Send (call the vendor's
// HTTP API with Delivery.To and Body) and pass it to NewDrainer in
// internal/app (channels.go); every row held so far is sent on the next
// round.
type Provider interface {
	Send(ctx context.Context, d Delivery) error
}

// HoldError leaves a row pending with the reason as last_error: the
// channel has no provider yet. It is not counted as an attempt.
type HoldError struct{ Reason string }

func (e *HoldError) Error() string { return e.Reason }

// PermanentError fails a row at once (e.g. SMTP 5xx: no such mailbox).
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Hold is the default "log-and-hold" provider for an unconfigured channel.
type Hold struct{ Reason string }

// Send implements Provider: it never sends.
func (h Hold) Send(context.Context, Delivery) error { return &HoldError{Reason: h.Reason} }

// Drainer sends pending outbox rows. Several servers may run one each:
// rows are claimed (FOR UPDATE SKIP LOCKED on PostgreSQL; the single
// writer connection serialises claims on SQLite) with a lease, so each row
// goes to one server at a time, and a crashed server's claims expire.
type Drainer struct {
	db          *db.DB
	clock       clock.Clock
	server      string
	log         *slog.Logger
	providers   map[Channel]Provider
	MaxAttempts int           // failed attempts before a row is failed (default 8)
	Batch       int           // rows claimed per round (default 20)
	Lease       time.Duration // how long a claim lasts (default 2 minutes)
	HoldFor     time.Duration // wait before retrying a held row (default 10 minutes)
}

// NewDrainer returns a drainer for server (its name in claims) sending
// through providers; a channel without one gets the log-and-hold provider.
func NewDrainer(d *db.DB, c clock.Clock, server string, log *slog.Logger, providers map[Channel]Provider) *Drainer {
	if log == nil {
		log = slog.Default()
	}
	all := map[Channel]Provider{
		Email:  Hold{Reason: "未配置邮件中继（--smtp-relay）"},
		SMS:    Hold{Reason: "未配置短信服务商"},
		WeChat: Hold{Reason: "未配置微信服务号接口"},
	}
	for ch, p := range providers {
		all[ch] = p
	}
	return &Drainer{
		db: d, clock: c, server: server, log: log, providers: all,
		MaxAttempts: 8, Batch: 20, Lease: 2 * time.Minute, HoldFor: 10 * time.Minute,
	}
}

// Run drains every interval until ctx ends.
func (dr *Drainer) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := dr.DrainOnce(ctx); err != nil && ctx.Err() == nil {
			dr.log.Warn("outbox drain", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// DrainOnce claims due rows until none are left and tries each once. It
// returns the number of rows sent.
func (dr *Drainer) DrainOnce(ctx context.Context) (int, error) {
	sent := 0
	for {
		batch, err := dr.claim(ctx)
		if err != nil || len(batch) == 0 {
			return sent, err
		}
		for _, d := range batch {
			ok, err := dr.deliver(ctx, d)
			if err != nil {
				return sent, err
			}
			if ok {
				sent++
			}
		}
		if len(batch) < dr.Batch {
			return sent, nil
		}
	}
}

const claimSQL = `UPDATE outbox SET claimed_by = $1, claimed_until = $2
	WHERE id IN (SELECT id FROM outbox
		WHERE status = 'pending' AND next_attempt_at <= $3 AND (claimed_until IS NULL OR claimed_until < $3)
		ORDER BY next_attempt_at, id LIMIT $4%s)
	RETURNING id, channel, recipient, subject, body, kind, attempts, created_at`

func (dr *Drainer) claim(ctx context.Context) ([]Delivery, error) {
	now := dr.clock.Now()
	var out []Delivery
	err := db.Each(ctx, dr.db.W, func(r db.Scanner) error {
		var d Delivery
		var ch string
		if err := r.Scan(&d.ID, &ch, &d.To, &d.Subject, &d.Body, &d.Kind, &d.Attempts, &d.CreatedAt); err != nil {
			return errs.Wrap(err, "scan outbox")
		}
		d.Channel = Channel(ch)
		out = append(out, d)
		return nil
	}, fmt.Sprintf(claimSQL, dr.db.Dialect.SkipLocked()), dr.server, now.Add(dr.Lease), now, dr.Batch)
	return out, errs.Wrap(err, "claim outbox")
}

// deliver sends one claimed row and records the outcome.
func (dr *Drainer) deliver(ctx context.Context, d Delivery) (bool, error) {
	p := dr.providers[d.Channel]
	var err error
	if p == nil {
		err = &PermanentError{Err: errors.New("未知的发送渠道 " + string(d.Channel))}
	} else {
		sendCtx, cancel := context.WithTimeout(ctx, dr.Lease/2)
		err = p.Send(sendCtx, d)
		cancel()
	}
	now := dr.clock.Now()
	var hold *HoldError
	var perm *PermanentError
	var q string
	var args []any
	switch {
	case err == nil:
		q, args = `UPDATE outbox SET status = 'sent', sent_at = $3, attempts = attempts + 1, last_error = '' `, []any{now}
	case errors.As(err, &hold):
		q, args = `UPDATE outbox SET next_attempt_at = $3, last_error = $4 `, []any{now.Add(dr.HoldFor), hold.Reason}
	case errors.As(err, &perm) || d.Attempts+1 >= dr.MaxAttempts:
		q, args = `UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_error = $3 `, []any{clip(err.Error())}
	default:
		q, args = `UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $3, last_error = $4 `,
			[]any{now.Add(backoff(d.Attempts + 1)), clip(err.Error())}
	}
	if err != nil && hold == nil {
		dr.log.Warn("notification not sent", "outbox_id", d.ID, "channel", d.Channel, "attempt", d.Attempts+1, "err", err)
	}
	_, uerr := dr.db.W.ExecContext(ctx, q+`, claimed_by = '', claimed_until = NULL WHERE id = $1 AND claimed_by = $2`,
		append([]any{d.ID, dr.server}, args...)...)
	return err == nil, errs.Wrap(uerr, "update outbox")
}

func clip(s string) string {
	if r := []rune(s); len(r) > 500 {
		return string(r[:500])
	}
	return s
}

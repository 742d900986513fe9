package notify

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// Item is one outbox row as the outbox page shows it; Recipient is masked.
type Item struct {
	ID            int64
	Channel       Channel
	Recipient     string
	Subject       string
	Kind          string
	Status        Status
	Attempts      int
	NextAttemptAt time.Time
	LastError     string
	CreatedAt     time.Time
	SentAt        time.Time
}

// Filter selects outbox rows; empty fields match all.
type Filter struct {
	Status  Status
	Channel Channel
	Limit   int // default 50, at most 200
	Offset  int
}

// requireOutbox lets the office (办公室) and administrators see the outbox.
func requireOutbox(a *access.Actor) error { return a.RequireSection(access.Office) }

// List returns outbox rows, newest first, and the total matching.
func (s *Service) List(ctx context.Context, a *access.Actor, f Filter) ([]Item, int, error) {
	if err := requireOutbox(a); err != nil {
		return nil, 0, err
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 50
	}
	where, args := "WHERE 1=1", []any{}
	if f.Status != "" {
		args = append(args, string(f.Status))
		where += fmt.Sprintf(" AND status = $%d", len(args))
	}
	if f.Channel != "" {
		args = append(args, string(f.Channel))
		where += fmt.Sprintf(" AND channel = $%d", len(args))
	}
	var total int
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox `+where, args...).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "count outbox")
	}
	args = append(args, f.Limit, f.Offset)
	var out []Item
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var it Item
		var ch, st string
		var sent sql.NullTime
		if err := r.Scan(&it.ID, &ch, &it.Recipient, &it.Subject, &it.Kind, &st, &it.Attempts,
			&it.NextAttemptAt, &it.LastError, &it.CreatedAt, &sent); err != nil {
			return errs.Wrap(err, "scan outbox")
		}
		it.Channel, it.Status, it.SentAt = Channel(ch), Status(st), sent.Time
		it.Recipient = MaskRecipient(it.Channel, it.Recipient)
		out = append(out, it)
		return nil
	}, fmt.Sprintf(`SELECT id, channel, recipient, subject, kind, status, attempts,
		next_attempt_at, last_error, created_at, sent_at FROM outbox %s ORDER BY id DESC LIMIT $%d OFFSET $%d`,
		where, len(args)-1, len(args)), args...)
	return out, total, errs.Wrap(err, "list outbox")
}

// Retry puts a failed or pending row back in the queue for now, with its
// attempts counted from zero. Errors: NotFound, Conflict (already sent).
func (s *Service) Retry(ctx context.Context, a *access.Actor, id int64) error {
	if err := requireOutbox(a); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var st string
		err := tx.QueryRowContext(ctx, `SELECT status FROM outbox WHERE id = $1`, id).Scan(&st)
		if db.IsNoRows(err) {
			return errs.NotFoundf("没有这条待发消息")
		}
		if err != nil {
			return errs.Wrap(err, "get outbox")
		}
		if Status(st) == Sent {
			return errs.New(errs.Conflict, "outbox_sent", "该消息已发送，无需重发")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $2,
			claimed_by = '', claimed_until = NULL WHERE id = $1`, id, s.clock.Now()); err != nil {
			return errs.Wrap(err, "retry outbox")
		}
		return audit.NewService(s.db, s.clock).Record(ctx, tx, a, audit.Entry{
			Action: "outbox.retry", Entity: "outbox", EntityID: fmt.Sprint(id), Before: map[string]string{"status": st},
			After: map[string]string{"status": string(Pending)},
		})
	})
}

// InboxMessage is one portal message of a user.
type InboxMessage struct {
	ID        int64
	Subject   string
	Body      string
	Kind      string
	CreatedAt time.Time
	ReadAt    time.Time
}

// Unread reports whether the message has not been marked read.
func (m InboxMessage) Unread() bool { return m.ReadAt.IsZero() }

// Inbox returns the actor's latest portal messages (at most 100) and the
// number unread.
func (s *Service) Inbox(ctx context.Context, a *access.Actor) ([]InboxMessage, int, error) {
	if a == nil || a.UserID == 0 {
		return nil, 0, errs.LoginRequired()
	}
	unread, err := s.UnreadCount(ctx, a)
	if err != nil {
		return nil, 0, err
	}
	var out []InboxMessage
	err = db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var m InboxMessage
		var read sql.NullTime
		if err := r.Scan(&m.ID, &m.Subject, &m.Body, &m.Kind, &m.CreatedAt, &read); err != nil {
			return errs.Wrap(err, "scan inbox")
		}
		m.ReadAt = read.Time
		out = append(out, m)
		return nil
	}, `SELECT id, subject, body, kind, created_at, read_at
		FROM user_messages WHERE user_id = $1 ORDER BY id DESC LIMIT 100`, a.UserID)
	return out, unread, errs.Wrap(err, "inbox")
}

// UnreadCount returns how many portal messages the actor has not read.
func (s *Service) UnreadCount(ctx context.Context, a *access.Actor) (int, error) {
	if a == nil || a.UserID == 0 {
		return 0, nil
	}
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM user_messages WHERE user_id = $1 AND read_at IS NULL`, a.UserID).Scan(&n)
	return n, errs.Wrap(err, "unread count")
}

// MarkAllRead marks every portal message of the actor read.
func (s *Service) MarkAllRead(ctx context.Context, a *access.Actor) error {
	if a == nil || a.UserID == 0 {
		return errs.LoginRequired()
	}
	_, err := s.db.W.ExecContext(ctx, `UPDATE user_messages SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL`, a.UserID, s.clock.Now())
	return errs.Wrap(err, "mark read")
}

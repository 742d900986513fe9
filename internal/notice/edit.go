package notice

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/errs"
)

// Input is the notice form.
type Input struct {
	Title    string   `json:"title"`
	Body     string   `json:"body"`
	Category Category `json:"category"`
	Pinned   bool     `json:"pinned"`
	// ExpiresOn is the last day shown ('YYYY-MM-DD'), empty for no end.
	ExpiresOn string `json:"expires_on"`
}

// ExpiresOn is the last day the notice is shown, ” without an end.
func (n *Notice) ExpiresOn() string {
	if n.ExpiresAt == nil {
		return ""
	}
	return clock.DateOf(n.ExpiresAt.Add(-time.Second)).Format("2006-01-02")
}

// validate checks the form and returns the expiry instant (midnight
// after the last day), or nil.
func (in *Input) validate(today time.Time) (*time.Time, error) {
	var f errs.Fields
	in.Title = strings.TrimSpace(in.Title)
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	if n := utf8.RuneCountInString(in.Title); n == 0 || n > 100 {
		f.Add("title", "请填写标题（不超过 100 个字）")
	}
	if n := utf8.RuneCountInString(in.Body); n == 0 || n > 20000 {
		f.Add("body", "请填写正文（不超过 20000 个字）")
	}
	if !in.Category.Valid() {
		f.Add("category", "请选择类别")
	}
	var exp *time.Time
	if s := strings.TrimSpace(in.ExpiresOn); s != "" {
		d, err := clock.ParseDate(s)
		switch {
		case err != nil:
			f.Add("expires_on", "请按 2024-03-31 的格式填写有效期，或留空表示长期有效")
		case d.Before(today):
			f.Add("expires_on", "有效期不能早于今天")
		default:
			t := d.AddDate(0, 0, 1).UTC()
			exp = &t
		}
	}
	return exp, f.Err()
}

// auditView is what the audit log keeps of a notice.
func auditView(n *Notice) map[string]any {
	return map[string]any{"title": n.Title, "category": n.Category, "pinned": n.Pinned, "status": n.Status,
		"expires_on": n.ExpiresOn(), "version": n.Version, "body_chars": utf8.RuneCountInString(n.Body)}
}

// Create saves a draft (办公室 only). Errors: Forbidden, Invalid.
func (s *Service) Create(ctx context.Context, a *access.Actor, in Input) (*Notice, error) {
	if err := a.RequireSection(access.Office); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	exp, err := in.validate(clock.DateOf(now))
	if err != nil {
		return nil, err
	}
	var out *Notice
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		id, err := insert(ctx, tx, in, exp, a, now, "")
		if err != nil {
			return err
		}
		if out, err = byID(ctx, tx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "notice.create", Entity: "notices",
			EntityID: strconv.FormatInt(id, 10), After: auditView(out)})
	})
	return out, err
}

func insert(ctx context.Context, tx *sql.Tx, in Input, exp *time.Time, a *access.Actor, now time.Time, seedKey string) (int64, error) {
	var key any
	if seedKey != "" {
		key = seedKey
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO notices (title, body, category, pinned, status, expires_at, author_id,
		author_name, seed_key, created_at, updated_at) VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $9) RETURNING id`,
		in.Title, in.Body, string(in.Category), in.Pinned, exp, a.UserID, a.Name(), key, now).Scan(&id)
	return id, errs.Wrap(err, "insert notice")
}

// Update changes a notice's text (办公室 only); version is the one the form
// showed. A published notice stays published with the new text.
// Errors: Forbidden, Invalid, NotFound, Conflict (stale version).
func (s *Service) Update(ctx context.Context, a *access.Actor, id, version int64, in Input) (*Notice, error) {
	if err := a.RequireSection(access.Office); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	exp, err := in.validate(clock.DateOf(now))
	if err != nil {
		return nil, err
	}
	return s.change(ctx, a, id, "notice.update", func(tx *sql.Tx, before *Notice) error {
		r, err := tx.ExecContext(ctx, `UPDATE notices SET title = $1, body = $2, category = $3, pinned = $4, expires_at = $5,
			updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8`,
			in.Title, in.Body, string(in.Category), in.Pinned, exp, now, id, version)
		return oneRow(r, err)
	})
}

// Publish makes a draft or withdrawn notice public from now (办公室 only).
// Errors: Forbidden, NotFound, Conflict (already published, stale version).
func (s *Service) Publish(ctx context.Context, a *access.Actor, id, version int64) (*Notice, error) {
	if err := a.RequireSection(access.Office); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	return s.change(ctx, a, id, "notice.publish", func(tx *sql.Tx, before *Notice) error {
		if before.Status == Published {
			return errs.New(errs.Conflict, "already_published", "该公告已发布")
		}
		r, err := tx.ExecContext(ctx, `UPDATE notices SET status = 'published', published_at = $1, updated_at = $1,
			version = version + 1 WHERE id = $2 AND version = $3`, now, id, version)
		return oneRow(r, err)
	})
}

// Withdraw takes a published notice off the public site (办公室 only).
// Errors: Forbidden, NotFound, Conflict (not published, stale version).
func (s *Service) Withdraw(ctx context.Context, a *access.Actor, id, version int64) (*Notice, error) {
	if err := a.RequireSection(access.Office); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	return s.change(ctx, a, id, "notice.withdraw", func(tx *sql.Tx, before *Notice) error {
		if before.Status != Published {
			return errs.New(errs.Conflict, "not_published", "只有已发布的公告可以撤回")
		}
		r, err := tx.ExecContext(ctx, `UPDATE notices SET status = 'withdrawn', updated_at = $1,
			version = version + 1 WHERE id = $2 AND version = $3`, now, id, version)
		return oneRow(r, err)
	})
}

// change runs one audited change of notice id in a transaction.
func (s *Service) change(ctx context.Context, a *access.Actor, id int64, action string, fn func(tx *sql.Tx, before *Notice) error) (*Notice, error) {
	var out *Notice
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		before, err := byID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := fn(tx, before); err != nil {
			return err
		}
		if out, err = byID(ctx, tx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: action, Entity: "notices",
			EntityID: strconv.FormatInt(id, 10), Before: auditView(before), After: auditView(out)})
	})
	return out, err
}

// oneRow turns an optimistic-lock update result into StaleVersion.
func oneRow(r sql.Result, err error) error {
	if err != nil {
		return errs.Wrap(err, "update notice")
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return errs.StaleVersion()
	}
	return nil
}

package mailintake

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/document"
	"shebao/internal/errs"
	"shebao/internal/logredact"
)

// Quarantine statuses.
const (
	Held     = "held"
	Released = "released"
	Deleted  = "deleted"
)

// Quarantined is one held message.
type Quarantined struct {
	ID         int64
	ReceivedAt time.Time
	From       string
	To         string
	Subject    string
	Reason     string
	Score      int
	RawSHA256  string
	RawSize    int64
	RemoteAddr string
	Status     string
	CaseNo     string
	DecidedAt  time.Time
}

// StatusName returns the Chinese name of the status.
func (q Quarantined) StatusName() string {
	switch q.Status {
	case Held:
		return "隔离中"
	case Released:
		return "已放行"
	case Deleted:
		return "已删除"
	}
	return q.Status
}

// quarantine stores raw (if any) and records why the message was held.
func (s *Service) quarantine(ctx context.Context, env Envelope, raw []byte, subject, reason string, score int) (*Result, error) {
	sha := ""
	if len(raw) > 0 {
		sum := sha256.Sum256(raw)
		sha = hex.EncodeToString(sum[:])
		if err := s.raw.Put(ctx, sha, bytes.NewReader(raw)); err != nil {
			return nil, errs.Wrap(err, "store quarantined mail")
		}
	}
	reason = clean(reason)
	res := &Result{Reason: reason, Subject: subject}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO mail_quarantine (received_at, mail_from, rcpt_to, subject, reason, score,
			raw_sha256, raw_size, remote_addr, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'held') RETURNING id`,
			s.clock.Now(), clip(clean(env.From), 300), clip(clean(strings.Join(env.To, ", ")), 1000), clip(subject, 300),
			clip(clean(reason), 1000), score, sha, int64(len(raw)), env.RemoteAddr).Scan(&res.QuarantineID)
	})
	if err != nil {
		return nil, errs.Wrap(err, "insert quarantine")
	}
	s.log.Warn("mail quarantined", "quarantine_id", res.QuarantineID, "reason", reason, "size", len(raw))
	return res, nil
}

// RecordOversized notes a message refused during DATA for its size.
func (s *Service) RecordOversized(ctx context.Context, env Envelope) error {
	_, err := s.quarantine(ctx, env, nil, "", fmt.Sprintf("邮件超过 %d MB 上限，已拒收（552）", s.cfg.MaxMessageBytes>>20), 0)
	return err
}

func requireClerk(a *access.Actor) error { return a.RequireSection(access.Office) }

const quarantineCols = `id, received_at, mail_from, rcpt_to, subject, reason, score, raw_sha256, raw_size, remote_addr, status, case_no, decided_at`

func scanQuarantined(sc interface{ Scan(...any) error }) (Quarantined, error) {
	var q Quarantined
	var dec sql.NullTime
	err := sc.Scan(&q.ID, &q.ReceivedAt, &q.From, &q.To, &q.Subject, &q.Reason, &q.Score, &q.RawSHA256, &q.RawSize,
		&q.RemoteAddr, &q.Status, &q.CaseNo, &dec)
	q.DecidedAt = dec.Time
	q.Subject = logredact.Text(q.Subject) // ID and phone numbers masked on screen
	return q, err
}

// ListQuarantine returns quarantined messages of a status (default held),
// newest first, at most 200. Office (办公室) and administrators only.
func (s *Service) ListQuarantine(ctx context.Context, a *access.Actor, status string) ([]Quarantined, error) {
	if err := requireClerk(a); err != nil {
		return nil, err
	}
	if status != Released && status != Deleted {
		status = Held
	}
	var out []Quarantined
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		q, err := scanQuarantined(r)
		if err != nil {
			return errs.Wrap(err, "scan quarantine")
		}
		out = append(out, q)
		return nil
	}, `SELECT `+quarantineCols+` FROM mail_quarantine WHERE status = $1 ORDER BY id DESC LIMIT 200`, status)
	return out, errs.Wrap(err, "list quarantine")
}

// GetQuarantine returns one message and the start of its raw text (at
// most 16 KB, for the clerk to judge; shown escaped, with ID and phone
// numbers masked).
func (s *Service) GetQuarantine(ctx context.Context, a *access.Actor, id int64) (*Quarantined, string, error) {
	if err := requireClerk(a); err != nil {
		return nil, "", err
	}
	q, err := scanQuarantined(s.db.Read().QueryRowContext(ctx, `SELECT `+quarantineCols+` FROM mail_quarantine WHERE id = $1`, id))
	if db.IsNoRows(err) {
		return nil, "", errs.NotFoundf("隔离区中没有这封邮件")
	}
	if err != nil {
		return nil, "", errs.Wrap(err, "get quarantine")
	}
	preview := ""
	if raw, err := s.readRaw(ctx, q.RawSHA256, 16<<10); err == nil {
		preview = logredact.Text(strings.ToValidUTF8(string(raw), "\uFFFD"))
	}
	return &q, preview, nil
}

// readRaw reads up to limit bytes of a stored raw message (limit 0: all,
// verifying the checksum).
func (s *Service) readRaw(ctx context.Context, sha string, limit int64) ([]byte, error) {
	if sha == "" {
		return nil, errs.New(errs.Conflict, "no_raw", "该邮件未保存原文（超过大小上限被拒收），无法放行")
	}
	rc, err := s.raw.Get(ctx, sha)
	if err != nil {
		return nil, errs.Wrap(err, "read quarantined mail")
	}
	defer rc.Close()
	if limit > 0 {
		return io.ReadAll(io.LimitReader(rc, limit))
	}
	raw, err := io.ReadAll(rc)
	if err != nil {
		return nil, errs.Wrap(err, "read quarantined mail")
	}
	if sum := sha256.Sum256(raw); hex.EncodeToString(sum[:]) != sha {
		s.log.Error("QUARANTINED MAIL CORRUPTED", "sha256", sha)
		return nil, errs.Wrap(document.ErrCorrupt, "quarantined mail")
	}
	return raw, nil
}

// Release processes a held message as if it had just arrived, skipping
// the spam rules (the clerk vouched for it), and returns the draft case.
// Errors: NotFound, Conflict (already decided, or still not deliverable:
// the reason is in the message).
func (s *Service) Release(ctx context.Context, a *access.Actor, id int64) (*Result, error) {
	q, _, err := s.GetQuarantine(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if q.Status != Held {
		return nil, errs.New(errs.Conflict, "quarantine_decided", "该邮件已处理，请刷新页面")
	}
	raw, err := s.readRaw(ctx, q.RawSHA256, 0)
	if err != nil {
		return nil, err
	}
	// Take the row first, so two clerks releasing at once open one case.
	r, err := s.db.W.ExecContext(ctx, `UPDATE mail_quarantine SET status = 'releasing' WHERE id = $1 AND status = 'held'`, id)
	if err != nil {
		return nil, errs.Wrap(err, "release quarantine")
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return nil, errs.New(errs.Conflict, "quarantine_decided", "该邮件已处理，请刷新页面")
	}
	undo := func() {
		s.db.W.ExecContext(context.WithoutCancel(ctx), `UPDATE mail_quarantine SET status = 'held' WHERE id = $1`, id)
	}
	var to []string
	if q.To != "" {
		to = strings.Split(q.To, ", ")
	}
	res, err := s.accept(ctx, Envelope{From: q.From, To: to, RemoteAddr: q.RemoteAddr}, raw, true)
	if err != nil {
		undo()
		return nil, err
	}
	if res.CaseNo == "" { // quarantined again (malformed, wrong address): drop the duplicate row
		s.db.W.ExecContext(ctx, `DELETE FROM mail_quarantine WHERE id = $1`, res.QuarantineID)
		undo()
		return nil, errs.New(errs.Conflict, "quarantine_undeliverable", "无法放行："+res.Reason)
	}
	return res, s.decide(ctx, a, q, "releasing", Released, res.CaseNo)
}

// Delete discards a held message; its raw text is removed unless another
// row holds the same bytes. The row stays (status deleted) for the record.
func (s *Service) Delete(ctx context.Context, a *access.Actor, id int64) error {
	q, _, err := s.GetQuarantine(ctx, a, id)
	if err != nil {
		return err
	}
	if q.Status != Held {
		return errs.New(errs.Conflict, "quarantine_decided", "该邮件已处理，请刷新页面")
	}
	if err := s.decide(ctx, a, q, Held, Deleted, ""); err != nil {
		return err
	}
	if q.RawSHA256 != "" {
		var n int
		s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM mail_quarantine WHERE raw_sha256 = $1 AND status = 'held'`, q.RawSHA256).Scan(&n)
		if n == 0 {
			if err := os.Remove(s.raw.Path(q.RawSHA256)); err != nil && !errors.Is(err, os.ErrNotExist) {
				s.log.Warn("quarantined mail not removed", "err", err)
			}
		}
	}
	return nil
}

// decide records a clerk's decision once (optimistic on the status).
func (s *Service) decide(ctx context.Context, a *access.Actor, q *Quarantined, from, status, caseNo string) error {
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE mail_quarantine SET status = $2, case_no = $3, decided_by = $4, decided_at = $5
			WHERE id = $1 AND status = $6`, q.ID, status, caseNo, a.UserID, s.clock.Now(), from)
		if err != nil {
			return errs.Wrap(err, "decide quarantine")
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return errs.StaleVersion()
		}
		return audit.NewService(s.db, s.clock).Record(ctx, tx, a, audit.Entry{
			Action: "mail.quarantine." + status, Entity: "mail_quarantine", EntityID: fmt.Sprint(q.ID),
			Before: map[string]string{"status": Held}, After: map[string]string{"status": status, "case_no": caseNo},
			Note: q.Reason,
		})
	})
}

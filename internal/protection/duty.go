package protection

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// RoundInput is one round of the hall duty log. ForUser is whom the form
// says did it: 0 or the clerk himself.
type RoundInput struct {
	ForUser int64
	Kind    string
	Area    string
	Note    string
}

// Round is a recorded round.
type Round struct {
	ID         int64
	Day        string
	Kind       string
	Area       string
	Note       string
	By         string // display name of the clerk on duty
	RecordedAt time.Time
}

// KindName is the Chinese name of the round's kind.
func (r Round) KindName() string { return RoundName(r.Kind) }

// RecordRound adds a round done now by the signed-in clerk to the hall
// duty log. Errors: Unauthenticated, Forbidden (not staff; own_entry_only),
// Invalid.
func (s *Service) RecordRound(ctx context.Context, a *access.Actor, in RoundInput) (*Round, error) {
	if err := requireClerk(a, in.ForUser); err != nil {
		return nil, err
	}
	var f errs.Fields
	if _, ok := roundNames[in.Kind]; !ok {
		f.Add("kind", "请选择巡查内容（消毒、检查防控海报和标语、发放口罩手套）")
	}
	area, note := strings.TrimSpace(in.Area), strings.TrimSpace(in.Note)
	if n := utf8.RuneCountInString(area); n == 0 || n > 50 {
		f.Add("area", "请填写区域，如 一楼服务大厅、二号窗口（50 字以内）")
	}
	if utf8.RuneCountInString(note) > 500 {
		f.Add("note", "情况说明不超过 500 字")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC().Truncate(time.Second)
	r := &Round{Day: s.today(), Kind: in.Kind, Area: area, Note: note, RecordedAt: now}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		r.By = displayName(ctx, tx, a)
		if err := tx.QueryRowContext(ctx, `INSERT INTO hall_duty_rounds (day, kind, area, note, recorded_by, recorded_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, r.Day, r.Kind, r.Area, r.Note, a.UserID, now).Scan(&r.ID); err != nil {
			return errs.Wrap(err, "insert round")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "hall.round", Entity: "hall_duty_rounds",
			EntityID: strconv.FormatInt(r.ID, 10), After: map[string]string{"kind": r.Kind, "area": r.Area}})
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// Rounds lists the duty log of a day, latest first (any staff member).
// Errors: Unauthenticated, Forbidden, Invalid (date).
func (s *Service) Rounds(ctx context.Context, a *access.Actor, day string) ([]Round, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	if !a.IsStaff() {
		return nil, errs.Forbid()
	}
	if day == "" {
		day = s.today()
	}
	if _, err := time.Parse("2006-01-02", day); err != nil {
		var f errs.Fields
		f.Add("date", "请填写日期，如 2026-03-01")
		return nil, f.Err()
	}
	var out []Round
	err := db.Each(ctx, s.db.Read(), func(row db.Scanner) error {
		var r Round
		if err := row.Scan(&r.ID, &r.Day, &r.Kind, &r.Area, &r.Note, &r.By, &r.RecordedAt); err != nil {
			return err
		}
		r.RecordedAt = r.RecordedAt.UTC()
		out = append(out, r)
		return nil
	}, `SELECT r.id, r.day, r.kind, r.area, r.note, COALESCE(u.display_name, ''), r.recorded_at
		FROM hall_duty_rounds r LEFT JOIN users u ON u.id = r.recorded_by WHERE r.day = $1 ORDER BY r.recorded_at DESC, r.id DESC`, day)
	return out, errs.Wrap(err, "rounds")
}

// Today is the date the service counts as today (Shanghai), "YYYY-MM-DD".
func (s *Service) Today() string { return s.today() }

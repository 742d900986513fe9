package faq

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/errs"
)

// Pick returns the answer a clerk gives on a consultation (a phone call
// recorded as a case): only a published answer in force today may be
// given; a question without a published answer is refused with a field
// error on faq_id saying so. Errors: Unauthenticated, Forbidden, Invalid.
func (s *Service) Pick(ctx context.Context, a *access.Actor, ref string) (*FAQ, error) {
	if !a.IsStaff() {
		return nil, a.RequireSection(access.Office)
	}
	var f errs.Fields
	id, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(ref), "#"), 10, 64)
	if err != nil || id <= 0 {
		f.Add("faq_id", "请填写常见问题的编号（数字），或从查找结果中选择")
		return nil, f.Err()
	}
	q, err := byID(ctx, s.db.Read(), id)
	if errs.KindOf(err) == errs.NotFound {
		f.Add("faq_id", fmt.Sprintf("没有编号为 %d 的常见问题，请核对", id))
		return nil, f.Err()
	}
	if err != nil {
		return nil, err
	}
	if !q.Visible(s.today()) || strings.TrimSpace(q.Answer) == "" {
		f.Add("faq_id", fmt.Sprintf("常见问题 %d《%s》没有已发布的答复（%s），不能选用；请选用已发布的答复，或在说明中写明答复内容", id, q.Question, q.notGivenWhy(s.today())))
		return nil, f.Err()
	}
	return q, nil
}

// notGivenWhy says why an answer cannot be given today.
func (f *FAQ) notGivenWhy(day string) string {
	switch {
	case f.Status == Draft:
		return "还是草稿"
	case f.Status == Retired:
		return "已停用"
	case f.ValidFrom != "" && f.ValidFrom > day:
		return "尚未生效"
	case f.ValidUntil != "" && f.ValidUntil < day:
		return "已失效"
	}
	return "答复为空"
}

// GivenText is what a case records of an answer given: its number,
// question and answer (the answer cut at 1,000 characters).
func (f *FAQ) GivenText() string {
	ans := f.Answer
	if utf8.RuneCountInString(ans) > 1000 {
		ans = string([]rune(ans)[:1000]) + "…"
	}
	return fmt.Sprintf("已按常见问题第 %d 号答复（%s）：%s\n%s", f.ID, f.CheckedOn+" 核对", f.Question, ans)
}

// RecordUse records that answer id was given on case caseNo received by
// channel, so 办公室 sees which answers are used. Errors: Forbidden.
func (s *Service) RecordUse(ctx context.Context, a *access.Actor, id int64, caseNo, channel string) error {
	if !a.IsStaff() {
		return errs.Forbid()
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO faq_uses (faq_id, case_no, channel, used_by, used_at) VALUES ($1, $2, $3, $4, $5)`,
			id, caseNo, channel, a.UserID, s.clock.Now()); err != nil {
			return errs.Wrap(err, "faq use")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "faq.use", Entity: "faqs", EntityID: strconv.FormatInt(id, 10),
			After: map[string]any{"case": caseNo, "channel": channel}})
	})
}

// Uses counts how often answer id was given on consultations.
func (s *Service) Uses(ctx context.Context, id int64) (int, error) {
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM faq_uses WHERE faq_id = $1`, id).Scan(&n)
	return n, errs.Wrap(err, "faq uses")
}

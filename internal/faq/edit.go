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
	"shebao/internal/clock"
	"shebao/internal/errs"
)

// Input is the answer form.
type Input struct {
	Question string         `json:"question"`
	Answer   string         `json:"answer"`
	Category Category       `json:"category"`
	Section  access.Section `json:"section"`
	Keywords string         `json:"keywords"`
	// ValidFrom and ValidUntil ('YYYY-MM-DD', empty for open) bound the
	// days the answer is shown.
	ValidFrom  string `json:"valid_from"`
	ValidUntil string `json:"valid_until"`
	// Notices lists the numbers of linked notices, separated by commas or spaces.
	Notices string `json:"notices"`

	noticeIDs []int64
}

// validate checks the form (the notices' existence is checked in the
// transaction).
func (in *Input) validate() error {
	var f errs.Fields
	in.Question = strings.TrimSpace(in.Question)
	in.Answer = strings.TrimSpace(strings.ReplaceAll(in.Answer, "\r\n", "\n"))
	in.Keywords = strings.Join(strings.Fields(in.Keywords), " ")
	if n := utf8.RuneCountInString(in.Question); n == 0 || n > 200 {
		f.Add("question", "请填写问题（不超过 200 个字）")
	}
	if utf8.RuneCountInString(in.Answer) > 5000 {
		f.Add("answer", "答复不能超过 5000 个字")
	}
	if !in.Category.Valid() {
		f.Add("category", "请选择业务类别")
	}
	if !in.Section.Valid() {
		f.Add("section", "请选择负责科室")
	}
	if utf8.RuneCountInString(in.Keywords) > 200 {
		f.Add("keywords", "关键词不能超过 200 个字")
	}
	in.ValidFrom, in.ValidUntil = strings.TrimSpace(in.ValidFrom), strings.TrimSpace(in.ValidUntil)
	for _, d := range []struct{ field, val, label string }{{"valid_from", in.ValidFrom, "生效日期"}, {"valid_until", in.ValidUntil, "失效日期"}} {
		if _, err := clock.ParseDate(d.val); d.val != "" && err != nil {
			f.Add(d.field, "请按 2024-03-31 的格式填写"+d.label+"，或留空")
		}
	}
	if !f.Has("valid_from") && !f.Has("valid_until") && in.ValidFrom != "" && in.ValidUntil != "" && in.ValidUntil < in.ValidFrom {
		f.Add("valid_until", "失效日期不能早于生效日期")
	}
	in.noticeIDs = nil
	for _, s := range strings.FieldsFunc(in.Notices, func(r rune) bool { return r == ',' || r == '，' || r == ' ' || r == '、' }) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			f.Add("notices", "关联公告请填写公告编号（数字），多个用逗号分隔")
			break
		}
		in.noticeIDs = append(in.noticeIDs, n)
	}
	return f.Err()
}

// checkNotices refuses links to notices that do not exist.
func (in *Input) checkNotices(ctx context.Context, tx *sql.Tx) error {
	missing, err := noticesExist(ctx, tx, dedup(in.noticeIDs))
	if err != nil || len(missing) == 0 {
		in.noticeIDs = dedup(in.noticeIDs)
		return err
	}
	var f errs.Fields
	f.Add("notices", fmt.Sprintf("没有编号为 %d 的公告，请核对关联公告", missing[0]))
	return f.Err()
}

func dedup(ids []int64) []int64 {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// auditView is what the audit log keeps of an answer.
func auditView(f *FAQ) map[string]any {
	return map[string]any{"question": f.Question, "category": f.Category, "section": f.Section, "status": f.Status,
		"keywords": f.Keywords, "valid_from": f.ValidFrom, "valid_until": f.ValidUntil, "checked_on": f.CheckedOn,
		"notices": f.NoticeIDs, "answer_chars": utf8.RuneCountInString(f.Answer), "version": f.Version}
}

// requireEditor checks that a is staff keeping answers of section x.
func requireEditor(a *access.Actor, x access.Section) error {
	if !a.IsStaff() {
		return a.RequireSection(access.Office)
	}
	if x.Valid() && !mayEdit(a, x) {
		return errs.New(errs.Forbidden, "forbidden", "只能编写本科室负责的常见问题")
	}
	return nil
}

// Create saves a draft; the answer may still be empty. Staff of 办公室
// write for any section, other staff for their own.
// Errors: Unauthenticated, Forbidden, Invalid.
func (s *Service) Create(ctx context.Context, a *access.Actor, in Input) (*FAQ, error) {
	if err := requireEditor(a, in.Section); err != nil {
		return nil, err
	}
	if err := in.validate(); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var out *FAQ
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := in.checkNotices(ctx, tx); err != nil {
			return err
		}
		id, err := insertFAQ(ctx, tx, &in, Draft, s.today(), "", now)
		if err != nil {
			return err
		}
		if out, err = byID(ctx, tx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "faq.create", Entity: "faqs",
			EntityID: strconv.FormatInt(id, 10), After: auditView(out)})
	})
	return out, err
}

// Update changes an answer (version is the one the form showed); saving
// counts as checking it today. A published answer stays published, but
// not with its answer emptied.
// Errors: Forbidden, Invalid, NotFound, Conflict (stale version).
func (s *Service) Update(ctx context.Context, a *access.Actor, id, version int64, in Input) (*FAQ, error) {
	return s.change(ctx, a, id, "faq.update", func(tx *sql.Tx, before *FAQ) error {
		if err := in.validate(); err != nil {
			return err
		}
		if err := requireEditor(a, in.Section); err != nil {
			return err
		}
		if before.Status == Published && in.Answer == "" {
			return noAnswer()
		}
		if err := in.checkNotices(ctx, tx); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `UPDATE faqs SET question = $1, answer = $2, category = $3, section = $4, keywords = $5,
			valid_from = $6, valid_until = $7, checked_on = $8, updated_at = $9, version = version + 1 WHERE id = $10 AND version = $11`,
			in.Question, in.Answer, string(in.Category), string(in.Section), in.Keywords, in.ValidFrom, in.ValidUntil,
			s.today(), s.clock.Now(), id, version)
		if err := oneRow(r, err); err != nil {
			return err
		}
		return writeLinksAndIndex(ctx, tx, id, &in)
	})
}

func noAnswer() error {
	var f errs.Fields
	f.Add("answer", "这个问题还没有答复：请先填写答复再发布（问题已保存为草稿，不会丢失）")
	return f.Err()
}

// Publish shows an answer to the public. A question without an answer is
// refused with a field error and stays a draft.
// Errors: Forbidden, NotFound, Invalid (no answer), Conflict (already
// published, stale version).
func (s *Service) Publish(ctx context.Context, a *access.Actor, id, version int64) (*FAQ, error) {
	return s.setStatus(ctx, a, id, version, "faq.publish", func(before *FAQ) error {
		if before.Status == Published {
			return errs.New(errs.Conflict, "already_published", "这条常见问题已发布")
		}
		if strings.TrimSpace(before.Answer) == "" {
			return noAnswer()
		}
		return nil
	}, Published)
}

// Retire takes an answer off the public pages; it can be published again.
// Errors: Forbidden, NotFound, Conflict (already retired, stale version).
func (s *Service) Retire(ctx context.Context, a *access.Actor, id, version int64) (*FAQ, error) {
	return s.setStatus(ctx, a, id, version, "faq.retire", func(before *FAQ) error {
		if before.Status == Retired {
			return errs.New(errs.Conflict, "already_retired", "这条常见问题已停用")
		}
		return nil
	}, Retired)
}

// Check records that the answer was checked today and is still right.
// Errors: Forbidden, NotFound, Conflict (stale version).
func (s *Service) Check(ctx context.Context, a *access.Actor, id, version int64) (*FAQ, error) {
	return s.change(ctx, a, id, "faq.check", func(tx *sql.Tx, before *FAQ) error {
		r, err := tx.ExecContext(ctx, `UPDATE faqs SET checked_on = $1, updated_at = $2, version = version + 1
			WHERE id = $3 AND version = $4`, s.today(), s.clock.Now(), id, version)
		return oneRow(r, err)
	})
}

func (s *Service) setStatus(ctx context.Context, a *access.Actor, id, version int64, action string, ok func(*FAQ) error, to Status) (*FAQ, error) {
	return s.change(ctx, a, id, action, func(tx *sql.Tx, before *FAQ) error {
		if err := ok(before); err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `UPDATE faqs SET status = $1, updated_at = $2, version = version + 1
			WHERE id = $3 AND version = $4`, string(to), s.clock.Now(), id, version)
		return oneRow(r, err)
	})
}

// change runs one audited change of answer id in a transaction, after
// checking the actor keeps the answer's section.
func (s *Service) change(ctx context.Context, a *access.Actor, id int64, action string, fn func(tx *sql.Tx, before *FAQ) error) (*FAQ, error) {
	if err := requireEditor(a, ""); err != nil {
		return nil, err
	}
	var out *FAQ
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		before, err := byID(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := requireEditor(a, before.Section); err != nil {
			return err
		}
		if err := fn(tx, before); err != nil {
			return err
		}
		if out, err = byID(ctx, tx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: action, Entity: "faqs",
			EntityID: strconv.FormatInt(id, 10), Before: auditView(before), After: auditView(out)})
	})
	return out, err
}

// oneRow turns an optimistic-lock update result into StaleVersion.
func oneRow(r sql.Result, err error) error {
	if err != nil {
		return errs.Wrap(err, "update faq")
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return errs.StaleVersion()
	}
	return nil
}

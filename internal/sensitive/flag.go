package sensitive

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// FlagInput is what a clerk reports.
type FlagInput struct {
	SubjectKind string // case, complaint, event
	SubjectRef  string // the case or complaint number; for an event, where or when (optional)
	Title       string
	Reason      string
	Section     access.Section // the reporting section; "" = the clerk's first
}

// Flag reports a matter as major or sensitive. Every post of the chain
// must have a holder (for the section head: of the reporting section),
// or nothing is recorded and the error names the missing posts.
// Errors: Unauthenticated, Forbidden, Invalid.
func (s *Service) Flag(ctx context.Context, a *access.Actor, in FlagInput) (*Matter, error) {
	if !a.IsStaff() {
		if a == nil {
			return nil, errs.LoginRequired()
		}
		return nil, errs.Forbid()
	}
	m, err := s.checkFlag(ctx, a, in)
	if err != nil {
		return nil, err
	}
	if err := s.checkHolders(ctx, m.Section); err != nil {
		return nil, err
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := insertMatter(ctx, tx, m); err != nil {
			return err
		}
		if err := insertStep(ctx, tx, m.ID, 0, m.Chain[0].Post, m.FlaggedAt, *m.DueAt); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "sensitive.flag", Entity: "sensitive_matter", EntityID: m.No,
			After: map[string]any{"subject": m.SubjectKind, "ref": m.SubjectRef, "section": string(m.Section), "chain": m.Chain.String()}})
	})
	return m, err
}

func (s *Service) checkFlag(ctx context.Context, a *access.Actor, in FlagInput) (*Matter, error) {
	var f errs.Fields
	if _, ok := subjectNames[in.SubjectKind]; !ok {
		f.Add("subject_kind", "请选择报告的事项类型（业务、投诉举报或其他事件）")
	}
	ref := strings.TrimSpace(in.SubjectRef)
	if in.SubjectKind != SubjectEvent && (ref == "" || !subjectExists(ctx, s.db.Read(), in.SubjectKind, ref)) {
		f.Add("subject_ref", "未找到该编号的业务或投诉举报，请核对编号")
	}
	if utf8.RuneCountInString(ref) > 100 {
		f.Add("subject_ref", "编号或事件地点不超过 100 字")
	}
	title, reason := strings.TrimSpace(in.Title), strings.TrimSpace(in.Reason)
	if title == "" || utf8.RuneCountInString(title) > 60 {
		f.Add("title", "请填写事项标题（60 字以内）")
	}
	if utf8.RuneCountInString(reason) < 4 || utf8.RuneCountInString(reason) > 2000 {
		f.Add("reason", "请写明列为重大敏感事项的理由（4 至 2000 字）")
	}
	sec := in.Section
	if sec == "" && len(a.Sections) > 0 {
		sec = a.Sections[0]
	}
	if !sec.Valid() || !a.In(sec) {
		f.Add("section", "请选择您所在的科室")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	now := s.now()
	m := &Matter{SubjectKind: in.SubjectKind, SubjectRef: ref, Title: title, Reason: reason, Section: sec, Chain: s.chain,
		Status: "open", FlaggedBy: a.UserID, FlaggedAt: now}
	due, err := s.dueAfter(ctx, now, s.chain[0].Days)
	if err != nil {
		return nil, err
	}
	m.DueAt = &due
	return m, nil
}

// checkHolders names every post of the chain nobody holds.
func (s *Service) checkHolders(ctx context.Context, sec access.Section) error {
	missing, err := s.missing(ctx, sec)
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		return errs.New(errs.Invalid, "chain_unheld", "上报链条中以下职务无人担任："+strings.Join(missing, "、")+
			"。请联系系统管理员在“职务设置”中指定后再报告，本次报告未保存")
	}
	return nil
}

func (s *Service) missing(ctx context.Context, sec access.Section) ([]string, error) {
	var out []string
	for _, l := range s.chain {
		ids, err := s.holders.Holders(ctx, nil, l.Post, sec)
		if err != nil {
			return nil, err
		}
		if len(ids) == 0 {
			out = append(out, postName(l.Post, sec))
		}
	}
	return out, nil
}

// MissingHolders lists, for the administrator, each post of the chain
// without a holder (section heads per section). It checks no permission.
func (s *Service) MissingHolders(ctx context.Context) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, sec := range access.Sections {
		m, err := s.missing(ctx, sec)
		if err != nil {
			return nil, err
		}
		for _, x := range m {
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		}
	}
	return out, nil
}

// dueAfter is the same time of day n working days after t.
func (s *Service) dueAfter(ctx context.Context, t time.Time, n int) (time.Time, error) {
	day, err := s.policy.AddWorkingDays(ctx, clock.DateOf(t), n)
	if err != nil {
		return time.Time{}, err
	}
	local := t.In(clock.Shanghai)
	return time.Date(day.Year(), day.Month(), day.Day(), local.Hour(), local.Minute(), local.Second(), 0, clock.Shanghai).UTC(), nil
}

// holds says whether the actor holds the post the matter waits for.
func (s *Service) holds(ctx context.Context, q db.Querier, a *access.Actor, m *Matter) (bool, error) {
	if a == nil || !a.IsStaff() || m.Status != "open" {
		return false, nil
	}
	hs, err := s.holders.PostsOf(ctx, q, a.UserID)
	if err != nil {
		return false, err
	}
	want := account.Holding{Post: m.Current().Post}
	if want.Post.Scoped() {
		want.Section = m.Section
	}
	return slices.Contains(hs, want), nil
}

// Acknowledge records the instruction of the level the matter waits for
// (only a holder of that post) and passes it up to the next level, or
// closes it at the top. Errors: Forbidden, NotFound, Invalid, Conflict.
func (s *Service) Acknowledge(ctx context.Context, a *access.Actor, id, version int64, instruction string) (*Matter, error) {
	instruction = strings.TrimSpace(instruction)
	if utf8.RuneCountInString(instruction) < 2 || utf8.RuneCountInString(instruction) > 2000 {
		return nil, fieldErr("instruction", "请填写批示意见（2 至 2000 字）")
	}
	var out *Matter
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		m, err := byID(ctx, tx, id)
		if err != nil {
			return err
		}
		ok, err := s.holds(ctx, tx, a, m)
		if err != nil {
			return err
		}
		if !ok {
			return errs.New(errs.Forbidden, "sensitive_not_yours", "该事项当前待"+m.WaitingFor()+"批示，您不能批示")
		}
		if m.Version != version {
			return errs.StaleVersion()
		}
		now := s.now()
		if _, err := tx.ExecContext(ctx, `UPDATE sensitive_steps SET acknowledged_by = $3, acknowledged_at = $4, instruction = $5
			WHERE matter_id = $1 AND level = $2`, m.ID, m.Level, a.UserID, now, instruction); err != nil {
			return errs.Wrap(err, "acknowledge")
		}
		if err := s.climb(ctx, tx, m, now, true); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, tx, a, audit.Entry{Action: "sensitive.acknowledge", Entity: "sensitive_matter", EntityID: m.No,
			Before: map[string]any{"level": m.Level}, Note: instruction}); err != nil {
			return err
		}
		out, err = byID(ctx, tx, id)
		return err
	})
	return out, err
}

// climb moves the matter from its level to the next (new step and
// deadline), or closes it at the top when close is set. It changes
// nothing when the matter is no longer at that level (idempotent).
func (s *Service) climb(ctx context.Context, tx *sql.Tx, m *Matter, now time.Time, closeAtTop bool) error {
	next := m.Level + 1
	if next >= len(m.Chain) {
		if !closeAtTop {
			return nil
		}
		_, err := tx.ExecContext(ctx, `UPDATE sensitive_matters SET status = 'closed', closed_at = $3, due_at = NULL, version = version + 1
			WHERE id = $1 AND level = $2 AND status = 'open'`, m.ID, m.Level, now)
		return errs.Wrap(err, "close sensitive matter")
	}
	due, err := s.dueAfter(ctx, now, m.Chain[next].Days)
	if err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE sensitive_matters SET level = $3, due_at = $4, version = version + 1
		WHERE id = $1 AND level = $2 AND status = 'open'`, m.ID, m.Level, next, due)
	if err != nil {
		return errs.Wrap(err, "climb")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return nil
	}
	return insertStep(ctx, tx, m.ID, next, m.Chain[next].Post, now, due)
}

// Escalate passes every open matter whose level's deadline has passed to
// the next level, marking the level overdue (the top level is only marked).
// Run by the job sensitive.escalate; running it twice changes nothing more.
// It returns how many matters it moved or marked.
func (s *Service) Escalate(ctx context.Context) (int, error) {
	now := s.now()
	due, err := list(ctx, s.db.Read(), `m.status = 'open' AND m.due_at < $1`, now)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range due {
		moved, err := s.escalateOne(ctx, m, now)
		if err != nil {
			return n, err
		}
		if moved {
			n++
		}
	}
	return n, nil
}

func (s *Service) escalateOne(ctx context.Context, m *Matter, now time.Time) (bool, error) {
	moved := false
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE sensitive_steps SET overdue = TRUE
			WHERE matter_id = $1 AND level = $2 AND NOT overdue AND acknowledged_at IS NULL`, m.ID, m.Level)
		if err != nil {
			return errs.Wrap(err, "escalate")
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return nil
		}
		moved = true
		if err := s.climb(ctx, tx, m, now, false); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, access.System, audit.Entry{Action: "sensitive.escalate", Entity: "sensitive_matter",
			EntityID: m.No, Before: map[string]any{"level": m.Level}, Note: "逾期未批示，自动上报"})
	})
	return moved, err
}

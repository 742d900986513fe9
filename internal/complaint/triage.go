package complaint

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

// Action is one step a clerk of 审计科 takes on a complaint.
type Action struct {
	Kind    string // accept, transfer, reject, assign, answer, close
	Version int64
	Section access.Section // accept, assign: the section to investigate
	To      string         // transfer: the competent body
	Text    string         // the reason, the answer, the note
}

// transitions: the statuses each action starts from and leads to ("" =
// unchanged).
var transitions = map[string]struct {
	from []string
	to   string
}{
	"accept":   {[]string{Received}, Accepted},
	"transfer": {[]string{Received}, Transferred},
	"reject":   {[]string{Received}, Rejected},
	"assign":   {[]string{Accepted, Objected}, ""},
	"answer":   {[]string{Accepted, Objected}, Answered},
	"close":    {[]string{Answered}, Closed},
}

// Act takes a triage step (审计科 only): accept and assign to a section,
// transfer to the competent body with the reason, reject with the reason,
// reassign, answer in writing, close an answered complaint. Errors:
// Forbidden, NotFound, Invalid, Conflict.
func (s *Service) Act(ctx context.Context, a *access.Actor, id int64, act Action) (*Complaint, error) {
	if err := MayTriage(a); err != nil {
		return nil, err
	}
	tr, ok := transitions[act.Kind]
	if !ok {
		return nil, errs.NotFoundf("未知的办理操作")
	}
	if err := checkAction(act); err != nil {
		return nil, err
	}
	var out *Complaint
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, err := byID(ctx, tx, id)
		if err != nil {
			return err
		}
		if !slices.Contains(tr.from, c.Status) {
			return errs.New(errs.Conflict, "complaint_state", "该投诉举报当前为“"+c.StatusName()+"”，不能"+actionNames[act.Kind])
		}
		to := tr.to
		if to == "" {
			to = c.Status
		}
		if err := s.apply(ctx, tx, a, c, act, to); err != nil {
			return err
		}
		out, err = byID(ctx, tx, id)
		return err
	})
	return out, err
}

// MayTriage says whether the actor may take triage steps (Act): 审计科
// only. Errors: Unauthenticated, Forbidden.
func MayTriage(a *access.Actor) error { return a.RequireSection(access.Audit) }

var actionNames = map[string]string{"accept": "受理", "transfer": "转办", "reject": "不予受理", "assign": "分派",
	"answer": "答复", "close": "办结"}

func checkAction(act Action) error {
	var f errs.Fields
	text := strings.TrimSpace(act.Text)
	switch act.Kind {
	case "accept", "assign":
		if !act.Section.Valid() {
			f.Add("section", "请选择负责调查的科室")
		}
	case "transfer":
		if t := strings.TrimSpace(act.To); t == "" || utf8.RuneCountInString(t) > 100 {
			f.Add("to", "请填写转办的主管部门（如区劳动保障监察大队）")
		}
		fallthrough
	case "reject":
		if utf8.RuneCountInString(text) < 4 || utf8.RuneCountInString(text) > 1000 {
			f.Add("text", "请写明理由（4 至 1000 字），将告知投诉举报人")
		}
	case "answer":
		if utf8.RuneCountInString(text) < 10 || utf8.RuneCountInString(text) > MaxBody {
			f.Add("text", fmt.Sprintf("请填写书面答复（10 至 %d 字）", MaxBody))
		}
	}
	return f.Err()
}

// apply writes the step, its timeline entry and its audit entry.
func (s *Service) apply(ctx context.Context, tx *sql.Tx, a *access.Actor, c *Complaint, act Action, to string) error {
	now, text := s.now(), strings.TrimSpace(act.Text)
	ev := Event{ComplaintID: c.ID, At: now, ActorID: a.UserID, Kind: act.Kind + "ed", Public: true}
	var err error
	switch act.Kind {
	case "accept":
		ev.Kind, ev.Text = "accepted", "已受理，由"+act.Section.Name()+"调查，答复期限 "+c.AnswerDue
		err = update(ctx, tx, c.ID, act.Version, `status = $3, section = $4, acknowledged_at = $5`, to, string(act.Section), now)
	case "transfer":
		ev.Kind, ev.Text = "transferred", "已转 "+strings.TrimSpace(act.To)+" 办理。理由："+text
		err = update(ctx, tx, c.ID, act.Version, `status = $3, transfer_to = $4, decision_reason = $5, acknowledged_at = $6, closed_at = $6`,
			to, strings.TrimSpace(act.To), text, now)
	case "reject":
		ev.Kind, ev.Text = "rejected", "不予受理。理由："+text
		err = update(ctx, tx, c.ID, act.Version, `status = $3, decision_reason = $4, acknowledged_at = $5, closed_at = $5`, to, text, now)
	case "assign":
		ev.Kind, ev.Text, ev.Public = "assigned", "改由"+act.Section.Name()+"调查", false
		err = update(ctx, tx, c.ID, act.Version, `section = $3`, string(act.Section))
	case "answer":
		ev.Kind, ev.Text = "answered", text
		err = update(ctx, tx, c.ID, act.Version, `status = $3, answer = $4, answered_at = $5, feedback = '', feedback_text = ''`, to, text, now)
	case "close":
		ev.Kind, ev.Text = "closed", "已办结"
		err = update(ctx, tx, c.ID, act.Version, `status = $3, closed_at = $4`, to, now)
	}
	if err != nil {
		return err
	}
	if err := insertEvent(ctx, tx, ev); err != nil {
		return err
	}
	if subject, body := stepNotice(c, act.Kind, text, act.To); subject != "" {
		if _, err := s.tellReporter(ctx, tx, c, subject, body); err != nil {
			return err
		}
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "complaint." + act.Kind, Entity: "complaint", EntityID: c.No,
		Before: map[string]any{"status": c.Status, "section": string(c.Section)},
		After:  map[string]any{"status": to, "section": string(act.Section), "to": act.To}, Note: clean(text)})
}

// Note adds an investigation note, optionally with documents (images or
// PDFs), by 审计科 or the section investigating; notes are never shown to
// the reporter. Errors: Forbidden, NotFound, Invalid.
func (s *Service) Note(ctx context.Context, a *access.Actor, id int64, text string, ups []Upload) error {
	c, err := s.get(ctx, a, id)
	if err != nil {
		return err
	}
	if !canNote(a, c) {
		return errs.New(errs.Forbidden, "complaint_note_forbidden", "调查记录由审计科或负责调查的科室填写")
	}
	text = strings.TrimSpace(text)
	if (text == "" && len(ups) == 0) || utf8.RuneCountInString(text) > MaxBody {
		return fieldErr("note", fmt.Sprintf("请填写调查记录（%d 字以内）或选择材料", MaxBody))
	}
	if len(ups) > MaxAttachments {
		return fieldErr("attachments", fmt.Sprintf("最多上传 %d 个附件", MaxAttachments))
	}
	docs, err := s.store(ctx, a, ups)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		now := s.now()
		if text != "" {
			if err := insertEvent(ctx, tx, Event{ComplaintID: id, At: now, ActorID: a.UserID, Kind: "note", Text: text}); err != nil {
				return err
			}
		}
		for _, d := range docs {
			if err := insertEvent(ctx, tx, Event{ComplaintID: id, At: now, ActorID: a.UserID, Kind: "document", Text: "调查材料", DocumentID: d}); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "complaint.note", Entity: "complaint", EntityID: c.No,
			After: map[string]any{"documents": len(docs)}})
	})
}

// Feedback is the reporter's answer to the written answer: satisfied
// closes it; an objection reopens it for review (复查) by 审计科 with a new
// answer deadline (docs/rules.md "Complaints: objection"). The reporter is
// the signed-in filer or the holder of the tracking code. Errors:
// Forbidden, NotFound, Invalid, Conflict, TooMany.
func (s *Service) Feedback(ctx context.Context, r Reporter, satisfied bool, text string) error {
	c, err := s.reporterComplaint(ctx, r)
	if err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if !satisfied && (utf8.RuneCountInString(text) < 4 || utf8.RuneCountInString(text) > 1000) {
		return fieldErr("feedback_text", "请写明异议的理由（4 至 1000 字）")
	}
	if c.Status != Answered {
		return errs.New(errs.Conflict, "complaint_state", "只有已答复的投诉举报可以反馈意见")
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error { return s.feedbackTx(ctx, tx, r.Actor, c, satisfied, text) })
}

func (s *Service) feedbackTx(ctx context.Context, tx *sql.Tx, a *access.Actor, c *Complaint, satisfied bool, text string) error {
	now := s.now()
	kind, status := "satisfied", Closed
	var err error
	if satisfied {
		err = update(ctx, tx, c.ID, c.Version, `status = $3, feedback = 'satisfied', feedback_text = $4, closed_at = $5`, status, text, now)
	} else {
		kind, status = "objection", Objected
		due, derr := s.policy.AddWorkingDays(ctx, clock.DateOf(now), s.answerDays(ctx, now))
		if derr != nil {
			return derr
		}
		err = update(ctx, tx, c.ID, c.Version, `status = $3, feedback = 'objection', feedback_text = $4, escalations = escalations + 1,
			answer_due = $5`, status, text, due.Format(time.DateOnly))
	}
	if err != nil {
		return err
	}
	evText := "对答复满意"
	if !satisfied {
		evText = "对答复有异议，已提交审计科复查：" + text
	}
	if err := insertEvent(ctx, tx, Event{ComplaintID: c.ID, At: now, Kind: kind, Text: evText, Public: true}); err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "complaint." + kind, Entity: "complaint", EntityID: c.No,
		Before: map[string]any{"status": c.Status}, After: map[string]any{"status": status}})
}

func (s *Service) answerDays(ctx context.Context, now time.Time) int {
	n, _ := s.days(ctx, policy.KeyComplaintAnswerDays, clock.DateOf(now), DefaultAnswerDays)
	return n
}

// MediationInput records a dispute settled by mediation.
type MediationInput struct {
	Version   int64
	HeldOn    string // YYYY-MM-DD
	Parties   string
	Agreement string
}

// Mediate records the mediation that settles a dispute about rights
// (labour relations) and closes the complaint (审计科). Errors: Forbidden,
// NotFound, Invalid, Conflict.
func (s *Service) Mediate(ctx context.Context, a *access.Actor, id int64, in MediationInput) error {
	if err := a.RequireSection(access.Audit); err != nil {
		return err
	}
	var f errs.Fields
	held, err := time.Parse(time.DateOnly, strings.TrimSpace(in.HeldOn))
	if err != nil || held.After(s.now()) {
		f.Add("held_on", "请填写调解日期（如 2024-03-01），不能晚于今天")
	}
	if p := strings.TrimSpace(in.Parties); utf8.RuneCountInString(p) < 2 || utf8.RuneCountInString(p) > 200 {
		f.Add("parties", "请填写参加调解的各方（200 字以内）")
	}
	if g := strings.TrimSpace(in.Agreement); utf8.RuneCountInString(g) < 4 || utf8.RuneCountInString(g) > MaxBody {
		f.Add("agreement", "请填写调解达成的协议内容")
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		c, err := byID(ctx, tx, id)
		if err != nil {
			return err
		}
		if c.Category != CatLabour || (c.Status != Accepted && c.Status != Objected) {
			return errs.New(errs.Conflict, "complaint_state", "只有已受理的劳动关系权益争议可以登记调解结案")
		}
		now := s.now()
		m := Mediation{HeldOn: held.Format(time.DateOnly), Parties: strings.TrimSpace(in.Parties), Agreement: strings.TrimSpace(in.Agreement), RecordedAt: now}
		if err := insertMediation(ctx, tx, id, m, a.UserID); err != nil {
			return err
		}
		if err := update(ctx, tx, id, in.Version, `status = $3, outcome = 'mediated', closed_at = $4`, Closed, now); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, Event{ComplaintID: id, At: now, ActorID: a.UserID, Kind: "mediated",
			Text: m.HeldOn + " 调解达成协议：" + m.Agreement, Public: true}); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "complaint.mediate", Entity: "complaint", EntityID: c.No,
			Before: map[string]any{"status": c.Status}, After: map[string]any{"status": Closed, "held_on": m.HeldOn}})
	})
}

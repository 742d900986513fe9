package casework

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/errs"
)

// DraftInput is a received e-mail (or another unconfirmed message) that
// becomes a draft case in Section's queue.
type DraftInput struct {
	Section     access.Section
	Channel     string // usually "email"
	FromName    string
	FromEmail   string
	Subject     string
	Body        string
	DocumentIDs []int64
	ReceivedAt  time.Time
}

// draftData is what a draft keeps in its data column.
type draftData struct {
	FromName   string    `json:"from_name"`
	FromEmail  string    `json:"from_email"`
	Subject    string    `json:"subject"`
	ReceivedAt time.Time `json:"received_at"`
}

// OpenDraft records a message as a draft case of the generic type "mail"
// (邮件来件) in the section's queue, with its attachments linked as
// documents, and returns the case number for the acknowledgement. A clerk
// later confirms it (ConfirmDraft). It runs as the system (mail intake).
// Errors: Invalid (unknown section or channel).
func (s *Service) OpenDraft(ctx context.Context, in DraftInput) (caseNo string, err error) {
	if !in.Section.Valid() {
		return "", errs.New(errs.Invalid, "bad_section", "收件科室无效")
	}
	if in.Channel == "" {
		in.Channel = "email"
	}
	if !validChannel(in.Channel) {
		return "", errs.New(errs.Invalid, "bad_channel", "来件渠道无效")
	}
	now := s.now()
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = now
	}
	title := clip(strings.TrimSpace(in.Subject), 200)
	if title == "" {
		title = "（无主题）"
	}
	data, _ := json.Marshal(draftData{FromName: in.FromName, FromEmail: in.FromEmail, Subject: in.Subject,
		ReceivedAt: in.ReceivedAt.UTC()})
	c := &Case{Type: MailType, Section: in.Section, State: Draft, Channel: in.Channel,
		Applicant: Applicant{Kind: ApplicantAnonymous, Name: clip(in.FromName, 100), Email: clip(in.FromEmail, 200)},
		Title:     title, Summary: clip(in.Body, 20000), Data: data, SubmittedAt: in.ReceivedAt.UTC().Truncate(time.Second), Version: 1}
	a := access.System
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if c.No, err = nextNo(ctx, tx, "YJ", now.In(clock.Shanghai).Format("20060102")); err != nil {
			return err
		}
		if err := insertCase(ctx, tx, c, "", now); err != nil {
			return err
		}
		if err := s.event(ctx, tx, a, c.ID, Event{Kind: "opened", To: Draft, Public: true,
			Body: fmt.Sprintf("收到%s来件，附件 %d 个，待经办人员确认业务类型", ChannelName(c.Channel), len(in.DocumentIDs))}); err != nil {
			return err
		}
		for _, id := range in.DocumentIDs {
			if err := linkDocument(ctx, tx, c.ID, id, "", 0, now); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "case.draft", Entity: "case", EntityID: c.No,
			After: map[string]any{"section": c.Section, "channel": c.Channel, "attachments": len(in.DocumentIDs)}})
	})
	if err != nil {
		return "", err
	}
	return c.No, nil
}

// ConfirmInput turns a draft into a case of a concrete type.
type ConfirmInput struct {
	Type            string
	Applicant       Applicant
	SubjectIDNumber string
	Title           string
	// Data, Start and After as in OpenInput: a type with its own form
	// (the accident report) brings its facts and the start of its
	// deadline (the accident), and stores its own row in the transaction.
	Data  any
	Start time.Time
	After func(ctx context.Context, tx *sql.Tx, c *Case) error
}

// ConfirmDraft sets the type and applicant of a draft (staff of its
// section), computes its deadline from in.Start, else from the time the
// message arrived, flags it late when it arrived after that deadline (or
// refuses it if the type takes no late cases) and moves it to submitted.
// Errors: NotFound, Forbidden, Invalid, Conflict.
func (s *Service) ConfirmDraft(ctx context.Context, a *access.Actor, no string, version int64, in ConfirmInput) (*Case, error) {
	c, p, err := s.load(ctx, s.db.Read(), a, no)
	if err != nil {
		return nil, err
	}
	if p != ByStaff {
		return nil, errs.Forbid()
	}
	if c.State != Draft {
		return nil, errs.New(errs.Conflict, "not_draft", "该业务已确认，无需再次确认")
	}
	t, err := s.openable(in.Type, in.Data)
	if err != nil {
		return nil, err
	}
	if !a.In(t.Section) {
		return nil, errs.New(errs.Forbidden, "other_section", "该业务类型由"+t.Section.Name()+"办理，请转交")
	}
	if in.Title == "" {
		in.Title = c.Title
	}
	in.Applicant.Email = firstNonEmpty(in.Applicant.Email, c.Applicant.Email)
	app, err := applicantFor(a, t, OpenInput{Applicant: in.Applicant})
	if err != nil {
		return nil, err
	}
	if err := validateOpen(OpenInput{Channel: c.Channel, Title: in.Title, SubjectIDNumber: in.SubjectIDNumber}); err != nil {
		return nil, err
	}
	start := in.Start
	if start.IsZero() {
		start = c.SubmittedAt
	}
	dl, err := s.ComputeDeadline(ctx, t.Deadline, start)
	if err != nil {
		return nil, err
	}
	if c.Late, c.LateBy, err = lateness(t, dl, c.SubmittedAt); err != nil {
		return nil, err
	}
	data := c.Data
	if in.Data != nil {
		if data, err = json.Marshal(in.Data); err != nil {
			return nil, errs.Wrap(err, "case data")
		}
	}
	now := s.now()
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := bump(ctx, tx, c, version, now, staleCase()); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE cases SET type = $2, section = $3, state = $4, applicant_kind = $5,
			employer_id = $6, person_id = $7, applicant_name = $8, applicant_email = $9, subject_id_hash = $10,
			title = $11, deadline_at = $12, deadline_rule = $13, sort_at = $14, recorded_by = $15, recorded_name = $16,
			overdue_at = $17, deadline_emergency_id = $18, deadline_days = $19, late = $20, late_by = $21, data = $22,
			applicant_phone = $23 WHERE id = $1`, c.ID, t.Code, string(t.Section), string(Submitted), app.Kind, nullable(app.EmployerID),
			nullable(app.PersonID), app.Name, app.Email, IDHash(in.SubjectIDNumber), in.Title, dl.At, dl.Rule,
			sortAt(dl.At), a.UserID, a.Name(), overdueAt(Submitted, dl.At), nullable(dl.EmergencyID), dl.Days,
			c.Late, c.LateBy, string(data), app.Phone)
		if err != nil {
			return errs.Wrap(err, "confirm draft")
		}
		if in.After != nil {
			if err := in.After(ctx, tx, c); err != nil {
				return err
			}
		}
		body := "确认为“" + t.Name + "”"
		if c.Late {
			body += "；" + c.LateBy + "，已受理并标识"
		}
		if err := s.event(ctx, tx, a, c.ID, Event{Kind: "confirm", From: Draft, To: Submitted, Public: true,
			Body: body}); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "case.confirm", Entity: "case", EntityID: c.No,
			Before: map[string]any{"type": MailType}, After: map[string]any{"type": t.Code, "applicant_kind": app.Kind, "late": c.Late, "late_by": c.LateBy}})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, a, no)
}

func validChannel(c string) bool {
	for _, x := range Channels {
		if x == c {
			return true
		}
	}
	return false
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// clip cuts s to at most n runes.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// CloseDraftTx closes a mail draft inside the caller's transaction because
// it became another record (a complaint): label and note (which names that
// record) go to the draft's history; it returns the draft's attachments
// for the new record to keep. Staff of the draft's section only. Errors:
// NotFound, Forbidden, Conflict (no longer a draft, or changed meanwhile).
func (s *Service) CloseDraftTx(ctx context.Context, tx *sql.Tx, a *access.Actor, no, label, note string) ([]int64, error) {
	c, p, err := s.load(ctx, tx, a, no)
	if err != nil {
		return nil, err
	}
	if p != ByStaff {
		return nil, errs.Forbid()
	}
	if c.State != Draft || c.Type != MailType {
		return nil, errs.New(errs.Conflict, "not_draft", "来件 "+c.No+" 已确认为业务或已作废，不能再转办")
	}
	docs, err := loadDocuments(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	var out *Case
	tr := Transition{From: []State{Draft}, To: Closed, By: ByStaff, Label: label}
	if err := s.move(ctx, tx, a, c, s.typeOf(c), tr, note, p, &out); err != nil {
		return nil, err
	}
	ids := make([]int64, len(docs))
	for i, d := range docs {
		ids[i] = d.DocumentID
	}
	return ids, nil
}

package casework

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// Recipient is who a notice goes to: a user, a whole section, or an
// applicant's contact.
type Recipient struct {
	UserID     int64
	Section    access.Section
	EmployerID int64
	PersonID   int64
	Name       string
	Email      string
	Phone      string
}

// Notifier delivers notices (e-mail, SMS, portal). The notifications area
// implements it; until it is wired, notices are visible as case events.
// Notify must not block for long: implementations queue to an outbox.
type Notifier interface {
	Notify(ctx context.Context, to Recipient, subject, body string) error
}

// RemindBefore is how long before a deadline the reminder job warns.
const RemindBefore = 24 * time.Hour

// OwedRemindDays is how many days before an owed original's due date the
// applicant is reminded.
const OwedRemindDays = 7

// notifySection tells the case's section (and its assignee) about c.
func (s *Service) notifySection(ctx context.Context, c *Case, subject, body string) {
	if s.notifier == nil {
		return
	}
	to := Recipient{Section: c.Section, UserID: c.AssigneeID, Name: c.Section.Name()}
	_ = s.notifier.Notify(ctx, to, subject, body)
}

func applicantRecipient(c *Case) Recipient {
	return Recipient{EmployerID: c.Applicant.EmployerID, PersonID: c.Applicant.PersonID, Name: c.Applicant.Name,
		Email: c.Applicant.Email, Phone: c.Applicant.Phone}
}

// afterMove tells the applicant about a state change.
func (s *Service) afterMove(ctx context.Context, c *Case) {
	if s.notifier == nil || c == nil {
		return
	}
	_ = s.notifier.Notify(ctx, applicantRecipient(c), "业务 "+c.No+" "+c.State.Name(),
		fmt.Sprintf("您的%s（%s）状态已变更为“%s”。", c.TypeName, c.No, c.State.Name()))
}

// remindTarget is one reminder the job may send.
type remindTarget struct {
	caseID    int64
	no        string
	threshold string
	applicant bool
	subject   string
	body      string
}

// RemindDue sends reminders, once per case and threshold: to the section
// (or assignee) when the deadline of a case the agency must act on (and
// whose type has RemindDeadline) is within RemindBefore or has passed, and
// to the applicant when an owed original is due within OwedRemindDays or
// overdue. Each reminder
// is written to the case history and, when a Notifier is set, sent.
// It returns how many reminders were sent. Safe to run repeatedly and on
// several servers at once.
func (s *Service) RemindDue(ctx context.Context, now time.Time) (int, error) {
	targets, err := s.dueTargets(ctx, now)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, t := range targets {
		ok, err := s.remindOnce(ctx, t, now)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

func (s *Service) dueTargets(ctx context.Context, now time.Time) ([]remindTarget, error) {
	var out []remindTarget
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, case_no, type, deadline_at FROM cases
		WHERE overdue_at <= $1 AND deadline_at IS NOT NULL`, now.Add(RemindBefore))
	if err != nil {
		return nil, errs.Wrap(err, "due cases")
	}
	for rows.Next() {
		var t remindTarget
		var typ string
		var dl time.Time
		if err := rows.Scan(&t.caseID, &t.no, &typ, &dl); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "due cases")
		}
		if ct := s.Type(typ); ct == nil || !ct.RemindDeadline {
			continue
		}
		when := dl.In(clock.Shanghai).Format("2006-01-02 15:04")
		t.threshold, t.subject = "before:"+dl.UTC().Format(time.RFC3339), "业务即将到期："+t.no
		t.body = "业务 " + t.no + " 的办理时限为 " + when + "，请及时办理。"
		if !now.Before(dl) {
			t.threshold, t.subject = "after:"+dl.UTC().Format(time.RFC3339), "业务已超期："+t.no
			t.body = "业务 " + t.no + " 已超过办理时限 " + when + "，请尽快办理。"
		}
		out = append(out, t)
	}
	rows.Close()
	return s.owedTargets(ctx, now, out)
}

func (s *Service) owedTargets(ctx context.Context, now time.Time, out []remindTarget) ([]remindTarget, error) {
	today := clock.DateOf(now)
	soon := today.AddDate(0, 0, OwedRemindDays).Format("2006-01-02")
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var t remindTarget
		var id int64
		var item, due string
		if err := r.Scan(&t.caseID, &t.no, &id, &item, &due); err != nil {
			return err
		}
		t.applicant = true
		t.threshold = fmt.Sprintf("owed:%d:%s:before", id, due)
		t.subject, t.body = "请按时提交原件："+t.no, "业务 "+t.no+" 的“"+item+"”原件须于 "+due+" 前提交。"
		if due < today.Format("2006-01-02") {
			t.threshold = fmt.Sprintf("owed:%d:%s:after", id, due)
			t.subject, t.body = "原件逾期未交："+t.no, "业务 "+t.no+" 的“"+item+"”原件已超过 "+due+"，请尽快提交。"
		}
		out = append(out, t)
		return nil
	}, `SELECT o.case_id, c.case_no, o.id, o.item, o.due_on
		FROM case_owed_originals o JOIN cases c ON c.id = o.case_id
		WHERE o.received_at IS NULL AND o.due_on IS NOT NULL AND o.due_on <= $1`, soon)
	return out, errs.Wrap(err, "due originals")
}

// remindOnce records the reminder unless it was sent already.
func (s *Service) remindOnce(ctx context.Context, t remindTarget, now time.Time) (bool, error) {
	var c *Case
	sent := false
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO case_reminders (case_id, threshold, sent_at) VALUES ($1,$2,$3)
			ON CONFLICT (case_id, threshold) DO NOTHING`, t.caseID, t.threshold, now.UTC().Truncate(time.Second))
		if err != nil {
			return errs.Wrap(err, "reminder")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		if c, err = caseByNo(ctx, tx, t.no); err != nil {
			return err
		}
		sent = true
		return s.event(ctx, tx, access.System, t.caseID, Event{Kind: "reminder", Public: t.applicant, Body: t.body})
	})
	if err != nil || !sent {
		return false, err
	}
	if s.notifier != nil {
		to := Recipient{Section: c.Section, UserID: c.AssigneeID, Name: c.Section.Name()}
		if t.applicant {
			to = applicantRecipient(c)
		}
		_ = s.notifier.Notify(ctx, to, t.subject, t.body)
	}
	return true, nil
}

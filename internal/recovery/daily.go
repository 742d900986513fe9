package recovery

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/errs"
	"shebao/internal/notify"
)

// ReminderSteps are the days before the deadline on which the employer or
// person is reminded, once each (docs/rules.md "Emergency recovery register").
var ReminderSteps = []int{30, 7, 1}

// DailyResult is what one run of the daily job did.
type DailyResult struct {
	SyncResult
	Reminded, HandedOver, Snapshots int
}

// Daily is the job recovery.daily: harvest, hand over what is open after
// its deadline, send the reminders due, and record the day's progress of
// every ended emergency. Safe to run again the same day.
func (s *Service) Daily(ctx context.Context) (DailyResult, error) {
	var r DailyResult
	var err error
	if r.SyncResult, err = s.Sync(ctx); err != nil {
		return r, err
	}
	if r.HandedOver, err = s.handOver(ctx); err != nil {
		return r, err
	}
	if r.Reminded, err = s.remind(ctx); err != nil {
		return r, err
	}
	r.Snapshots, err = s.snapshot(ctx)
	return r, err
}

// handOver marks every open item past its deadline as handed over to its
// section, and tells each section how many it received.
func (s *Service) handOver(ctx context.Context) (int, error) {
	today := s.today()
	perSection := map[access.Section]int{}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id, section, emergency_id FROM recovery_items
			WHERE status = 'open' AND deadline_on <> '' AND deadline_on < $1`, today)
		if err != nil {
			return errs.Wrap(err, "recovery hand-over")
		}
		var ids []int64
		var secs []access.Section
		ems := map[int64]bool{}
		for rows.Next() {
			var id, em int64
			var sec string
			if err := rows.Scan(&id, &sec, &em); err != nil {
				rows.Close()
				return errs.Wrap(err, "recovery hand-over")
			}
			ids, secs, ems[em] = append(ids, id), append(secs, access.Section(sec)), true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return errs.Wrap(err, "recovery hand-over")
		}
		now := s.clock.Now()
		for i, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE recovery_items SET status = 'handed_over', handed_on = $1, updated_at = $2,
				version = version + 1 WHERE id = $3 AND status = 'open'`, today, now, id); err != nil {
				return errs.Wrap(err, "recovery hand-over")
			}
			perSection[secs[i]]++
		}
		if len(ids) == 0 {
			return nil
		}
		for em := range ems {
			if err := recount(ctx, tx, em); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, tx, access.System, audit.Entry{Action: "recovery.handover", Entity: "recovery_register",
			EntityID: today, After: map[string]int{"handed_over": len(ids)}, Note: fmt.Sprintf("逾期未补办 %d 项移交科室处置", len(ids))})
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for sec, c := range perSection {
		n += c
		s.tell(ctx, notify.Party{Section: sec}, notify.Message{Kind: "recovery",
			Subject: "逾期未补办的延期业务已移交本科室",
			Body:    fmt.Sprintf("应急期结束后补办期限已过仍未补办的延期业务 %d 项已移交%s处置，请在“延期业务登记”中查看并记录处置结果。", c, sec.Name())})
	}
	return n, nil
}

func (s *Service) tell(ctx context.Context, p notify.Party, m notify.Message) {
	if s.notify == nil {
		return
	}
	_ = s.notify.NotifyParty(ctx, p, m)
}

// due is one reminder to send.
type due struct {
	id        int64
	kind      Kind
	partyKind string
	partyID   int64
	email     string
	phone     string
	ref       string
	detail    string
	deadline  string
}

// remind sends each open item's reminder once per step: the step is the
// smallest of ReminderSteps at least the days left, so a missed day still
// sends the nearer reminder, never an earlier one twice.
func (s *Service) remind(ctx context.Context) (int, error) {
	today := s.today()
	limit := dayStart(today).AddDate(0, 0, ReminderSteps[0]).Format(dayLayout)
	rows, err := s.db.Read().QueryContext(ctx, `SELECT id, kind, party_kind, party_id, party_email, party_phone, ref, detail, deadline_on
		FROM recovery_items WHERE status = 'open' AND deadline_on >= $1 AND deadline_on <= $2 AND party_kind <> ''
		ORDER BY deadline_on, id`, today, limit)
	if err != nil {
		return 0, errs.Wrap(err, "recovery reminders")
	}
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.kind, &d.partyKind, &d.partyID, &d.email, &d.phone, &d.ref, &d.detail, &d.deadline); err != nil {
			rows.Close()
			return 0, errs.Wrap(err, "recovery reminders")
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, errs.Wrap(err, "recovery reminders")
	}
	n := 0
	for _, d := range list {
		sent, err := s.remindOne(ctx, d, today)
		if err != nil {
			return n, err
		}
		if sent {
			n++
		}
	}
	return n, nil
}

// StepFor returns the reminder step for days left (0 when none is due).
func StepFor(left int) int {
	step := 0
	for _, st := range ReminderSteps {
		if left <= st && left >= 0 {
			step = st
		}
	}
	return step
}

// remindOne claims (item, step) and queues the message in the same
// transaction, so a reminder is recorded exactly when it is queued.
func (s *Service) remindOne(ctx context.Context, d due, today string) (bool, error) {
	left, _ := Item{DeadlineOn: d.deadline}.DaysLeft(today)
	step := StepFor(left)
	if step == 0 {
		return false, nil
	}
	sent := false
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO recovery_reminders (item_id, step, sent_at) VALUES ($1, $2, $3)
			ON CONFLICT (item_id, step) DO NOTHING`, d.id, step, s.clock.Now())
		if err != nil {
			return errs.Wrap(err, "recovery reminder")
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		sent = true
		return s.audit.Record(ctx, tx, access.System, audit.Entry{Action: "recovery.remind", Entity: "recovery_item",
			EntityID: strconv.FormatInt(d.id, 10), After: map[string]any{"step": step, "deadline": d.deadline}})
	})
	if err != nil || !sent {
		return false, err
	}
	p := notify.Party{Email: d.email, Phone: d.phone}
	switch d.partyKind {
	case "employer":
		p = notify.Party{EmployerID: d.partyID}
	case "person":
		p = notify.Party{PersonID: d.partyID}
	}
	s.tell(ctx, p, notify.Message{Kind: "recovery", Subject: fmt.Sprintf("请在 %s 前补办延期业务", d.deadline),
		Body: fmt.Sprintf("您在应急期间延期办理的“%s”（%s，%s）须在 %s 前补办完毕，还剩 %d 天。逾期未补办的将移交经办科室处理。",
			d.kind.Name(), d.ref, d.detail, d.deadline, left)})
	return true, nil
}

// Counts are the items of a register by status, with the open ones past
// their deadline counted as overdue too.
type Counts struct {
	Open, MadeUp, Overdue, HandedOver, Resolved, Total int
}

// snapshot records today's counts of every ended emergency (upsert).
func (s *Service) snapshot(ctx context.Context) (int, error) {
	ems, err := s.policy.Emergencies(ctx)
	if err != nil {
		return 0, err
	}
	today, n := s.today(), 0
	for _, e := range ems {
		if e.End == nil || e.EndDay() >= today {
			continue
		}
		c, err := s.counts(ctx, s.db.Read(), Filter{EmergencyID: e.ID}, today)
		if err != nil {
			return n, err
		}
		_, err = s.db.W.ExecContext(ctx, `INSERT INTO recovery_progress (emergency_id, day, open_count, made_up, overdue, handed_over, resolved, taken_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (emergency_id, day) DO UPDATE SET open_count = excluded.open_count,
			made_up = excluded.made_up, overdue = excluded.overdue, handed_over = excluded.handed_over, resolved = excluded.resolved,
			taken_at = excluded.taken_at`, e.ID, today, c.Open, c.MadeUp, c.Overdue, c.HandedOver, c.Resolved, s.clock.Now())
		if err != nil {
			return n, errs.Wrap(err, "recovery progress")
		}
		n++
	}
	return n, nil
}

package death

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/notify"
)

// The steps of claiming back an overpaid pension: a notice, a reminder
// and a final reminder, each RecoveryStepDays after the one before
// (docs/rules.md "Death: stop and overpayment").
const (
	RecoveryLastStep = 3
	RecoveryStepDays = 30
)

var recoverySubjects = [RecoveryLastStep + 1]string{1: "多发养老金退回通知", 2: "多发养老金退回催告", 3: "多发养老金退回最后催告"}

type noticeState struct {
	step   int
	sentOn string
}

// SendRecoveryNotices sends the notice step due of each death whose
// overpayment is not yet recovered: the first notice at once, then a
// reminder and a final reminder each 30 days after the previous one. Each
// death and step is sent once (a unique row per step), so the scheduled
// job may run any number of times on any number of servers. It returns
// how many notices it sent.
func (s *Service) SendRecoveryNotices(ctx context.Context) (int, error) {
	ds, err := deathsWhere(ctx, s.db.Read(), "d.recovery = 'open'", 100_000)
	if err != nil {
		return 0, err
	}
	states, err := noticeStates(ctx, s.db.Read())
	if err != nil {
		return 0, err
	}
	today := s.today()
	sent := 0
	for _, d := range ds {
		st := states[d.ID]
		if d.Outstanding() == 0 || !stepDue(st, today) {
			continue
		}
		ok, err := s.sendStep(ctx, d, st.step+1, today)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// stepDue tells whether the next step after st is due on today.
func stepDue(st noticeState, today time.Time) bool {
	if st.step >= RecoveryLastStep {
		return false
	}
	if st.step == 0 {
		return true
	}
	last, err := clock.ParseDate(st.sentOn)
	return err == nil && !today.Before(last.AddDate(0, 0, RecoveryStepDays))
}

func noticeStates(ctx context.Context, q db.Querier) (map[int64]noticeState, error) {
	out := map[int64]noticeState{}
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var id int64
		var st noticeState
		if err := r.Scan(&id, &st.step, &st.sentOn); err != nil {
			return err
		}
		out[id] = st
		return nil
	}, `SELECT death_id, step, sent_on FROM death_recovery_notices n
		WHERE step = (SELECT MAX(step) FROM death_recovery_notices m WHERE m.death_id = n.death_id)`)
	return out, errs.Wrap(err, "recovery notices")
}

// sendStep records step for d and queues its message in one transaction;
// false when the step was already recorded (another run got there first).
func (s *Service) sendStep(ctx context.Context, d *Death, step int, today time.Time) (bool, error) {
	sent := false
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO death_recovery_notices (death_id, step, outstanding_fen, sent_on, created_at)
			VALUES ($1, $2, $3, $4, $5)`, d.ID, step, d.Outstanding(), today.Format(time.DateOnly), s.now())
		if db.IsUniqueViolation(err) {
			return nil
		}
		if err != nil {
			return errs.Wrap(err, "recovery notice")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE deaths SET notices = $2, last_notice_at = $3 WHERE id = $1`, d.ID, step, s.now()); err != nil {
			return errs.Wrap(err, "recovery notice")
		}
		sent = true
		return s.recoveryMessage(ctx, tx, d, step)
	})
	return sent, err
}

func (s *Service) recoveryMessage(ctx context.Context, tx *sql.Tx, d *Death, step int) error {
	var phone string
	_ = tx.QueryRowContext(ctx, `SELECT phone FROM persons WHERE id = $1`, d.PersonID).Scan(&phone)
	if s.notify == nil || phone == "" {
		return nil
	}
	body := fmt.Sprintf("%s 于 %s 去世后多发基本养老金 %s 元，尚有 %s 元未退回，请于 30 日内退回社会保险经办机构。",
		d.NameMasked(), d.Date, d.Overpaid, d.Outstanding())
	if step == RecoveryLastStep {
		body += "逾期未退回的，将依法追回。"
	}
	m := notify.Message{Subject: recoverySubjects[step], Body: body, Kind: "death.recovery"}
	// Queued in the step's transaction: a second connection would wait for
	// this one's write lock on SQLite.
	if n, ok := s.notify.(interface {
		NotifyTx(ctx context.Context, q db.Querier, to notify.Recipient, m notify.Message) error
	}); ok {
		return n.NotifyTx(ctx, tx, notify.Recipient{Phone: phone}, m)
	}
	return s.notify.Notify(ctx, notify.Recipient{Phone: phone}, m)
}

// recoveryNotices lists the notice steps sent for a death.
func recoveryNotices(ctx context.Context, q db.Querier, deathID int64) ([]RecoveryNotice, error) {
	out, err := db.Collect(ctx, q, db.Fields(func(n *RecoveryNotice) []any { return []any{&n.Step, &n.Outstanding, &n.SentOn} }), `SELECT step, outstanding_fen, sent_on FROM death_recovery_notices WHERE death_id = $1 ORDER BY step`, deathID)
	return out, errs.Wrap(err, "recovery notices")
}

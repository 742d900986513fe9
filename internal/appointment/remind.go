package appointment

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// Reminder is one queued reminder.
type Reminder struct {
	BookingID int64
	UserID    int64
	Subject   string
	Body      string
	SentAt    *time.Time
}

// RemindTomorrow queues one reminder for each active booking on the day
// after now (Shanghai) and hands unsent reminders to the notifier, if set.
// Running it again queues nothing twice. It returns how many it queued.
func (s *Service) RemindTomorrow(ctx context.Context, now time.Time) (int, error) {
	day := clock.DateOf(now).AddDate(0, 0, 1).Format("2006-01-02")
	list, err := queryBookings(ctx, s.db.Read(), `b.day = $1 AND b.status = 'booked' ORDER BY b.id`, day)
	if err != nil {
		return 0, err
	}
	queued := 0
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		for _, b := range list {
			subject := "预约提醒：" + b.Day + " " + b.Start + " " + b.ServiceName
			body := fmt.Sprintf("您预约了 %s %s–%s 到社保经办大厅%s办理“%s”，预约号 %s。请佩戴口罩，按时到场；"+
				"如不能前来，请在时段开始前登录取消预约。能网上办理的业务请优先网上办理。",
				b.Day, b.Start, b.End, counterText(b.Counter), b.ServiceName, b.Code)
			r, err := tx.ExecContext(ctx, `INSERT INTO appt_reminders (booking_id, user_id, subject, body, created_at)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (booking_id) DO NOTHING`, b.ID, b.UserID, subject, body, now.UTC())
			if err != nil {
				return errs.Wrap(err, "queue reminder")
			}
			n, _ := r.RowsAffected()
			queued += int(n)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return queued, s.deliver(ctx)
}

func counterText(c string) string {
	if c == "" {
		return ""
	}
	return "（" + c + "）"
}

// deliver hands unsent reminders to the notifier and marks them sent.
func (s *Service) deliver(ctx context.Context) error {
	if s.notifier == nil {
		return nil
	}
	list, err := s.pendingReminders(ctx)
	if err != nil {
		return err
	}
	for _, r := range list {
		if err := s.notifier.Notify(ctx, r.UserID, r.Subject, r.Body); err != nil {
			return errs.Wrap(err, "notify")
		}
		if _, err := s.db.W.ExecContext(ctx, `UPDATE appt_reminders SET sent_at = $1 WHERE booking_id = $2`,
			s.clock.Now(), r.BookingID); err != nil {
			return errs.Wrap(err, "mark reminder")
		}
	}
	return nil
}

func (s *Service) pendingReminders(ctx context.Context) ([]Reminder, error) {
	return s.reminders(ctx, `WHERE sent_at IS NULL ORDER BY id`)
}

// Reminders lists the reminder outbox (newest last), for tests and ops.
func (s *Service) Reminders(ctx context.Context) ([]Reminder, error) {
	return s.reminders(ctx, `ORDER BY id`)
}

func (s *Service) reminders(ctx context.Context, tail string) ([]Reminder, error) {
	var out []Reminder
	err := db.Each(ctx, s.db.Read(), func(row db.Scanner) error {
		var r Reminder
		var sent sql.NullTime
		if err := row.Scan(&r.BookingID, &r.UserID, &r.Subject, &r.Body, &sent); err != nil {
			return err
		}
		if sent.Valid {
			t := sent.Time.UTC()
			r.SentAt = &t
		}
		out = append(out, r)
		return nil
	}, `SELECT booking_id, user_id, subject, body, sent_at FROM appt_reminders `+tail)
	return out, errs.Wrap(err, "reminders")
}

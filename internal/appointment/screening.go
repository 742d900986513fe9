package appointment

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// Screening is the booker's answers to the health questions asked at
// booking (docs/rules.md "Staff and hall protection"); each must be
// answered. The answers are not stored.
type Screening struct {
	Fever   *bool `json:"fever"`   // fever in the last 14 days
	Cough   *bool `json:"cough"`   // dry cough or other respiratory symptoms
	Contact *bool `json:"contact"` // contact with a confirmed or suspected case in the last 14 days
}

// FeverTenths is the temperature, in tenths of a degree, from which a
// visitor is turned away at the counter (37.3 °C).
const FeverTenths = 373

// RemoteAdvice is what a visitor who may not come to the hall is offered.
const RemoteAdvice = "您可以网上办理，或通过科室电子邮箱、咨询电话办理（见“不见面办理”）；确需到大厅的，请在症状消失满 14 天后重新预约。"

// errScreenedOut refuses a booking whose screening failed.
var errScreenedOut = errs.New(errs.Conflict, "screening_failed",
	"为保护您和他人的健康，近 14 天内有发热、干咳等症状或有接触史的，暂不能预约到大厅办理。"+RemoteAdvice)

// ErrScreenedOut reports whether err is the refusal of a booking whose
// screening failed.
func ErrScreenedOut(err error) bool {
	e := errs.As(err)
	return e != nil && e.Code == errScreenedOut.Code
}

// check validates the answers into f and reports whether any is "yes".
func (sc Screening) check(f *errs.Fields) bool {
	yes := false
	for _, q := range []struct {
		field, question string
		v               *bool
	}{{"screen_fever", "近 14 天内是否发热", sc.Fever}, {"screen_cough", "是否有干咳等呼吸道症状", sc.Cough},
		{"screen_contact", "近 14 天内是否接触过确诊或疑似病例", sc.Contact}} {
		if q.v == nil {
			f.Add(q.field, "请回答健康筛查问题：“"+q.question+"”")
			continue
		}
		yes = yes || *q.v
	}
	return yes
}

// ScreenInput is the counter's screening of a booked visitor.
type ScreenInput struct {
	Tenths int  // temperature in tenths of a degree
	Cough  bool // coughing
}

// Screened is the outcome of a counter screening.
type Screened struct {
	Booking  *Booking
	Passed   bool
	Notified bool // a turned-away booker was sent the offer of a new slot or remote handling
}

// Screen records the health screening of a booked visitor at the counter
// (staff, on the booked day). Passed: the visitor is recorded as attended.
// Failed (37.3 °C or more, or a cough): the visitor is turned away — the
// booking is cancelled as 劝离, its place freed, and the booker is sent a
// message offering a new slot or remote handling.
// Errors: Unauthenticated, Forbidden, Invalid (temperature), NotFound,
// Conflict (not_active, not_today).
func (s *Service) Screen(ctx context.Context, a *access.Actor, code string, in ScreenInput) (*Screened, error) {
	if !a.IsStaff() {
		if a == nil {
			return nil, errs.LoginRequired()
		}
		return nil, errs.Forbid()
	}
	if in.Tenths < 340 || in.Tenths > 430 {
		var f errs.Fields
		f.Add("temperature", "请填写测得的体温，如 36.5（34.0 至 43.0 摄氏度）")
		return nil, f.Err()
	}
	b, err := bookingByCode(ctx, s.db.Read(), code)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now().UTC().Truncate(time.Second)
	if b.Status != Booked {
		return nil, errs.New(errs.Conflict, "not_active", "该预约"+b.StatusName+"，不能再筛查")
	}
	if b.Day != clock.DateOf(now).Format("2006-01-02") {
		return nil, errs.New(errs.Conflict, "not_today", "只能在预约当天到场时筛查")
	}
	passed := in.Tenths < FeverTenths && !in.Cough
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO appt_screenings (booking_id, day, temperature_tenths, cough, passed, screened_by, screened_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, b.ID, b.Day, in.Tenths, in.Cough, passed, a.UserID, now); err != nil {
			return errs.Wrap(err, "insert screening")
		}
		if passed {
			return s.markTx(ctx, tx, a, b, Attended, now)
		}
		return s.turnAwayTx(ctx, tx, a, b, now)
	})
	if err != nil {
		return nil, err
	}
	out := &Screened{Booking: b, Passed: passed}
	if !passed {
		out.Notified = s.tellTurnedAway(ctx, b)
	}
	m := b.Masked()
	out.Booking = &m
	return out, nil
}

func (s *Service) markTx(ctx context.Context, tx *sql.Tx, a *access.Actor, b *Booking, st Status, now time.Time) error {
	r, err := tx.ExecContext(ctx, `UPDATE appt_bookings SET status = $1, marked_at = $2, version = version + 1
		WHERE id = $3 AND status = 'booked'`, string(st), now, b.ID)
	if err != nil {
		return errs.Wrap(err, "mark")
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return errs.StaleVersion()
	}
	b.Status, b.StatusName = st, st.Name()
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "appointment.mark", Entity: "appt_bookings",
		EntityID: b.Code, Before: map[string]string{"status": string(Booked)}, After: map[string]string{"status": string(st)}})
}

// turnAwayTx cancels the booking as 劝离 and frees its place.
func (s *Service) turnAwayTx(ctx context.Context, tx *sql.Tx, a *access.Actor, b *Booking, now time.Time) error {
	r, err := tx.ExecContext(ctx, `UPDATE appt_bookings SET status = 'cancelled', turned_away = TRUE, cancelled_at = $1,
		version = version + 1 WHERE id = $2 AND status = 'booked'`, now, b.ID)
	if err != nil {
		return errs.Wrap(err, "turn away")
	}
	if n, _ := r.RowsAffected(); n != 1 {
		return errs.StaleVersion()
	}
	if _, err := tx.ExecContext(ctx, `UPDATE appt_slots SET booked = booked - 1 WHERE id = $1 AND booked > 0`, b.SlotID); err != nil {
		return errs.Wrap(err, "free place")
	}
	b.Status, b.TurnedAway, b.CancelledAt = Cancelled, true, &now
	b.StatusName = b.statusName()
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "appointment.turn_away", Entity: "appt_bookings",
		EntityID: b.Code, Before: map[string]string{"status": string(Booked)}, After: map[string]string{"status": string(Cancelled)}})
}

// tellTurnedAway sends the booker, once the turning away is committed,
// the offer of a new slot or remote handling; false when no notifier is
// set or it failed (the counter then tells the visitor in person).
func (s *Service) tellTurnedAway(ctx context.Context, b *Booking) bool {
	if s.notifier == nil {
		return false
	}
	body := "您预约的 " + b.Day + " " + b.Start + "—" + b.End + " " + b.ServiceName + "（预约号 " + b.Code +
		"）因到场健康筛查未通过，已为您取消，名额已释放。" + RemoteAdvice + "重新预约请登录后进入“大厅预约”。"
	return s.notifier.Notify(ctx, b.UserID, "大厅预约已取消：健康筛查未通过", body) == nil
}

// ScreeningRow is one counter screening, for 办公室.
type ScreeningRow struct {
	Code        string
	Name        string
	ServiceName string
	Start       string
	Tenths      int
	Cough       bool
	Passed      bool
	ScreenedAt  time.Time
}

// Screenings lists a day's counter screenings (办公室 only: health data).
// Errors: Unauthenticated, Forbidden.
func (s *Service) Screenings(ctx context.Context, a *access.Actor, day string) ([]ScreeningRow, error) {
	if err := a.RequireSection(access.Office); err != nil {
		return nil, err
	}
	var out []ScreeningRow
	err := db.Each(ctx, s.db.Read(), func(row db.Scanner) error {
		var r ScreeningRow
		if err := row.Scan(&r.Code, &r.Name, &r.ServiceName, &r.Start, &r.Tenths, &r.Cough, &r.Passed, &r.ScreenedAt); err != nil {
			return err
		}
		r.ScreenedAt = r.ScreenedAt.UTC()
		out = append(out, r)
		return nil
	}, `SELECT b.code, b.name, v.name, s.start_time, x.temperature_tenths, x.cough, x.passed, x.screened_at
		FROM appt_screenings x JOIN appt_bookings b ON b.id = x.booking_id JOIN appt_slots s ON s.id = b.slot_id
		JOIN appt_services v ON v.id = b.service_id WHERE x.day = $1 ORDER BY x.screened_at, x.id`, strings.TrimSpace(day))
	return out, errs.Wrap(err, "screenings")
}

// PurgeScreenings deletes the counter screenings of days before cutoff
// ("YYYY-MM-DD"): health data is kept only for the retention period.
func (s *Service) PurgeScreenings(ctx context.Context, cutoff string) (int64, error) {
	var n int64
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `DELETE FROM appt_screenings WHERE day < $1`, cutoff)
		if err != nil {
			return errs.Wrap(err, "purge screenings")
		}
		if n, err = r.RowsAffected(); err != nil || n == 0 {
			return errs.Wrap(err, "purge screenings")
		}
		return s.audit.Record(ctx, tx, access.System, audit.Entry{Action: "appointment.screenings_purge", Entity: "appt_screenings",
			EntityID: cutoff, After: map[string]any{"deleted": n, "before": cutoff}})
	})
	return n, err
}

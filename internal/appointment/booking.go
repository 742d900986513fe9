package appointment

import (
	"context"
	"crypto/rand"
	"database/sql"
	"strings"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
)

// BookInput is a booking request.
type BookInput struct {
	Service string `json:"service"` // service code
	SlotID  int64  `json:"slot_id"`
	Name    string `json:"name"`  // who will come
	Phone   string `json:"phone"` // to reach them
	Note    string `json:"note"`
	// Screening is the health questions' answers (required).
	Screening Screening `json:"screening"`
}

// Errors a booker sees.
var (
	errFull      = errs.New(errs.Conflict, "slot_full", "该时段已约满，请选择其他时段")
	errDuplicate = errs.New(errs.Conflict, "duplicate_booking", "您当天已预约该业务，如需改时段请先取消原预约")
)

// ErrFull reports whether err is the "slot full" refusal.
func ErrFull(err error) bool { e := errs.As(err); return e != nil && e.Code == errFull.Code }

func requireBooker(a *access.Actor) error {
	if a == nil {
		return errs.LoginRequired()
	}
	if (a.Role == access.RoleEmployer && a.EmployerID != 0) || (a.Role == access.RolePerson && a.PersonID != 0) {
		return nil
	}
	return errs.New(errs.Forbidden, "booker_only", "预约由参保单位或参保人本人登录后办理")
}

func (in *BookInput) validate() (phone string, err error) {
	var f errs.Fields
	in.Name = strings.TrimSpace(in.Name)
	in.Note = strings.TrimSpace(in.Note)
	if in.Service == "" {
		f.Add("service", "请选择要办理的业务")
	}
	if in.SlotID <= 0 {
		f.Add("slot_id", "请选择预约时段")
	}
	if n := utf8.RuneCountInString(in.Name); n == 0 || n > 50 {
		f.Add("name", "请填写到场办理人姓名（不超过 50 个字）")
	}
	phone, perr := ident.ParsePhone(in.Phone)
	if perr != nil {
		msg := "请填写正确的联系电话"
		if e := errs.As(perr); e != nil {
			msg = e.Message
		}
		f.Add("phone", msg)
	}
	if utf8.RuneCountInString(in.Note) > 200 {
		f.Add("note", "备注不超过 200 个字")
	}
	failed := in.Screening.check(&f)
	if err := f.Err(); err != nil {
		return phone, err
	}
	if failed {
		return phone, errScreenedOut
	}
	return phone, nil
}

// Book takes one place of a slot for the actor (an employer or a person).
// Errors: Invalid (form, slot begun), Conflict slot_full when no place is
// left, Conflict duplicate_booking when the actor already holds an active
// booking for the same service that day, Forbidden for other roles.
func (s *Service) Book(ctx context.Context, a *access.Actor, in BookInput) (*Booking, error) {
	if err := requireBooker(a); err != nil {
		return nil, err
	}
	phone, err := in.validate()
	if err != nil {
		return nil, err
	}
	svc, err := s.serviceByCode(ctx, in.Service)
	if err != nil {
		return nil, err
	}
	slot, err := slotByID(ctx, s.db.Read(), in.SlotID)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if !now.Before(slot.StartsAt) {
		var f errs.Fields
		f.Add("slot_id", "该时段已开始或已过，请选择其他时段")
		return nil, f.Err()
	}
	b := &Booking{Code: newCode(), SlotID: slot.ID, Day: slot.Day, Start: slot.Start, End: slot.End, StartsAt: slot.StartsAt,
		Counter: slot.Counter, ServiceCode: svc.Code, ServiceName: svc.Name, UserID: a.UserID, Name: in.Name,
		Phone: phone, Note: in.Note, Status: Booked, StatusName: Booked.Name(), CreatedAt: now, Version: 1}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM appt_bookings WHERE user_id = $1 AND service_id = $2 AND day = $3
			AND status = 'booked'`, a.UserID, svc.ID, slot.Day).Scan(&one)
		if err == nil {
			return errDuplicate
		} else if !db.IsNoRows(err) {
			return errs.Wrap(err, "duplicate check")
		}
		// The one place where capacity is enforced: atomic on both engines.
		r, err := tx.ExecContext(ctx, `UPDATE appt_slots SET booked = booked + 1 WHERE id = $1 AND booked < capacity`, slot.ID)
		if err != nil {
			return errs.Wrap(err, "take place")
		}
		n, err := r.RowsAffected()
		if err != nil {
			return errs.Wrap(err, "take place")
		}
		if n != 1 {
			return errFull
		}
		err = tx.QueryRowContext(ctx, `INSERT INTO appt_bookings (code, slot_id, service_id, day, user_id, name, phone, note, status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'booked', $9) RETURNING id`,
			b.Code, slot.ID, svc.ID, slot.Day, a.UserID, b.Name, b.Phone, b.Note, now).Scan(&b.ID)
		if db.IsUniqueViolation(err) {
			return errDuplicate
		} else if err != nil {
			return errs.Wrap(err, "insert booking")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "appointment.book", Entity: "appt_bookings",
			EntityID: b.Code, After: b.Masked()})
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// codeAlphabet avoids letters and digits that are easily confused.
const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// newCode returns an unguessable 10-character booking code.
func newCode() string {
	b := make([]byte, 10)
	rand.Read(b)
	for i := range b {
		b[i] = codeAlphabet[int(b[i])%len(codeAlphabet)]
	}
	return string(b)
}

// normCode tidies a code typed by a person.
func normCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

const bookingCols = `b.id, b.code, b.slot_id, b.day, s.start_time, s.end_time, s.starts_at, s.counter, v.code, v.name,
	b.user_id, b.name, b.phone, b.note, b.status, b.created_at, b.cancelled_at, b.turned_away, b.version`

const bookingFrom = ` FROM appt_bookings b JOIN appt_slots s ON s.id = b.slot_id JOIN appt_services v ON v.id = b.service_id`

func scanBooking(row interface{ Scan(...any) error }) (*Booking, error) {
	var b Booking
	var cancelled sql.NullTime
	if err := row.Scan(&b.ID, &b.Code, &b.SlotID, &b.Day, &b.Start, &b.End, &b.StartsAt, &b.Counter, &b.ServiceCode,
		&b.ServiceName, &b.UserID, &b.Name, &b.Phone, &b.Note, &b.Status, &b.CreatedAt, &cancelled, &b.TurnedAway, &b.Version); err != nil {
		return nil, err
	}
	b.StartsAt, b.CreatedAt = b.StartsAt.UTC(), b.CreatedAt.UTC()
	if cancelled.Valid {
		t := cancelled.Time.UTC()
		b.CancelledAt = &t
	}
	b.StatusName = b.statusName()
	return &b, nil
}

func bookingByCode(ctx context.Context, q db.Querier, code string) (*Booking, error) {
	b, err := scanBooking(q.QueryRowContext(ctx, `SELECT `+bookingCols+bookingFrom+` WHERE b.code = $1`, normCode(code)))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("没有这条预约，请核对预约号")
	}
	return b, errs.Wrap(err, "booking")
}

func queryBookings(ctx context.Context, q db.Querier, where string, args ...any) ([]Booking, error) {
	out, err := db.Collect(ctx, q, db.Deref(scanBooking), `SELECT `+bookingCols+bookingFrom+` WHERE `+where, args...)
	return out, errs.Wrap(err, "bookings")
}

// visible reports whether a may see booking b: its booker, or staff.
func visible(a *access.Actor, b *Booking) bool {
	return a != nil && ((a.UserID != 0 && a.UserID == b.UserID && !a.IsStaff()) || a.IsStaff())
}

// ByCode returns a booking to its booker or to staff; to anyone else it
// does not exist.
func (s *Service) ByCode(ctx context.Context, a *access.Actor, code string) (*Booking, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	b, err := bookingByCode(ctx, s.db.Read(), code)
	if err != nil {
		return nil, err
	}
	if !visible(a, b) {
		return nil, errs.NotFoundf("没有这条预约，请核对预约号")
	}
	return b, nil
}

// Mine lists the actor's bookings, latest slot first (at most 100).
func (s *Service) Mine(ctx context.Context, a *access.Actor) ([]Booking, error) {
	if err := requireBooker(a); err != nil {
		return nil, err
	}
	return queryBookings(ctx, s.db.Read(), `b.user_id = $1 ORDER BY s.starts_at DESC, b.id DESC LIMIT 100`, a.UserID)
}

// Cancel cancels a booking before its slot starts. Only its booker (or
// 办公室 staff, e.g. when asked by phone) may cancel; the place is freed.
// Errors: NotFound (no such code, or another's booking), Conflict
// (not_active, slot_started, stale), Unauthenticated.
func (s *Service) Cancel(ctx context.Context, a *access.Actor, code string) (*Booking, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	b, err := bookingByCode(ctx, s.db.Read(), code)
	if err != nil {
		return nil, err
	}
	owner := !a.IsStaff() && a.UserID != 0 && a.UserID == b.UserID
	if !owner && !a.In(access.Office) {
		return nil, errs.NotFoundf("没有这条预约，请核对预约号")
	}
	if b.Status != Booked {
		return nil, errs.New(errs.Conflict, "not_active", "该预约"+b.Status.Name()+"，不能取消")
	}
	now := s.clock.Now()
	if !now.Before(b.StartsAt) {
		return nil, errs.New(errs.Conflict, "slot_started", "预约时段已开始，不能再取消；如不能到场，请致电办公室说明")
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, `UPDATE appt_bookings SET status = 'cancelled', cancelled_at = $1, version = version + 1
			WHERE id = $2 AND status = 'booked'`, now, b.ID)
		if err != nil {
			return errs.Wrap(err, "cancel")
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return errs.StaleVersion()
		}
		if _, err := tx.ExecContext(ctx, `UPDATE appt_slots SET booked = booked - 1 WHERE id = $1 AND booked > 0`, b.SlotID); err != nil {
			return errs.Wrap(err, "free place")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "appointment.cancel", Entity: "appt_bookings",
			EntityID: b.Code, Before: map[string]string{"status": string(Booked)}, After: map[string]string{"status": string(Cancelled)}})
	})
	if err != nil {
		return nil, err
	}
	b.Status, b.StatusName, b.CancelledAt = Cancelled, Cancelled.Name(), &now
	return b, nil
}

// DayList is the counter's list of one day's bookings (staff only), phones
// masked, ordered by time and counter. Errors: Forbidden, Invalid (date).
func (s *Service) DayList(ctx context.Context, a *access.Actor, day string) ([]Booking, error) {
	if !a.IsStaff() {
		if a == nil {
			return nil, errs.LoginRequired()
		}
		return nil, errs.Forbid()
	}
	if _, err := clock.ParseDate(day); err != nil {
		var f errs.Fields
		f.Add("date", "请填写日期，如 2024-03-01")
		return nil, f.Err()
	}
	list, err := queryBookings(ctx, s.db.Read(), `b.day = $1 AND b.status <> 'cancelled' ORDER BY s.starts_at, s.counter, b.id`, day)
	for i := range list {
		list[i] = list[i].Masked()
	}
	return list, err
}

// Mark records at the counter whether the booker came (staff only, on or
// after the booked day; no-show only once the slot has begun).
// Errors: Forbidden, Invalid (status), NotFound, Conflict (not_active,
// not_today, not_started).
func (s *Service) Mark(ctx context.Context, a *access.Actor, code string, st Status) (*Booking, error) {
	if !a.IsStaff() {
		if a == nil {
			return nil, errs.LoginRequired()
		}
		return nil, errs.Forbid()
	}
	if st != Attended && st != NoShow {
		var f errs.Fields
		f.Add("status", "请选择“已到场”或“未到场”")
		return nil, f.Err()
	}
	b, err := bookingByCode(ctx, s.db.Read(), code)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	if b.Status != Booked {
		return nil, errs.New(errs.Conflict, "not_active", "该预约"+b.Status.Name()+"，不能再登记")
	}
	if b.Day > clock.DateOf(now).Format("2006-01-02") {
		return nil, errs.New(errs.Conflict, "not_today", "预约日期未到，不能登记到场情况")
	}
	if st == NoShow && now.Before(b.StartsAt) {
		return nil, errs.New(errs.Conflict, "not_started", "预约时段尚未开始，不能登记为未到场")
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error { return s.markTx(ctx, tx, a, b, st, now) })
	if err != nil {
		return nil, err
	}
	m := b.Masked()
	return &m, nil
}

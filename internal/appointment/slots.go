package appointment

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// MaxCapacity bounds the places of one slot.
const MaxCapacity = 50

// maxSlotDays bounds the date range of one bulk creation.
const maxSlotDays = 62

// SlotsInput is 办公室's bulk creation form: every working day from From to
// To (inclusive, 'YYYY-MM-DD'), in each period of Periods ("09:00-11:30,
// 13:30-16:30"), slots of Minutes minutes with Capacity places at Counter.
type SlotsInput struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Periods  string `json:"periods"`
	Minutes  int    `json:"minutes"`
	Capacity int    `json:"capacity"`
	Counter  string `json:"counter"`
}

// SlotsResult says what CreateSlots did.
type SlotsResult struct {
	Days    int `json:"days"`    // working days in the range
	Created int `json:"created"` // new slots
	Skipped int `json:"skipped"` // slots that already existed or had begun
}

type period struct{ from, to int } // minutes after midnight

// parseClock reads "HH:MM" as minutes after midnight.
func parseClock(s string) (int, bool) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(h) != 2 || len(m) != 2 {
		return 0, false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, false
	}
	return hh*60 + mm, true
}

func clockText(min int) string { return fmt.Sprintf("%02d:%02d", min/60, min%60) }

func parsePeriods(s string) ([]period, bool) {
	s = strings.NewReplacer("，", ",", "；", ",", ";", ",", "～", "-", "~", "-", "–", "-", "—", "-").Replace(s)
	var out []period
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		a, b, ok := strings.Cut(part, "-")
		if !ok {
			return nil, false
		}
		from, ok1 := parseClock(a)
		to, ok2 := parseClock(b)
		if !ok1 || !ok2 || to <= from {
			return nil, false
		}
		out = append(out, period{from, to})
	}
	return out, len(out) > 0
}

// validate checks the form and returns the first and last day.
func (in *SlotsInput) validate(today time.Time) (from, to time.Time, ps []period, err error) {
	var f errs.Fields
	from, e1 := clock.ParseDate(strings.TrimSpace(in.From))
	to, e2 := clock.ParseDate(strings.TrimSpace(in.To))
	switch {
	case e1 != nil:
		f.Add("from", "请填写开始日期，如 2024-03-01")
	case from.Before(today):
		f.Add("from", "开始日期不能早于今天")
	}
	switch {
	case e2 != nil:
		f.Add("to", "请填写结束日期，如 2024-03-15")
	case e1 == nil && to.Before(from):
		f.Add("to", "结束日期不能早于开始日期")
	case e1 == nil && to.Sub(from) > maxSlotDays*24*time.Hour:
		f.Add("to", fmt.Sprintf("一次最多开放 %d 天", maxSlotDays))
	}
	ps, ok := parsePeriods(in.Periods)
	if !ok {
		f.Add("periods", "请按“09:00-11:30,13:30-16:30”的格式填写办理时间段")
	}
	if in.Minutes == 0 {
		in.Minutes = 30
	}
	if in.Minutes < 10 || in.Minutes > 240 {
		f.Add("minutes", "每个时段的长度应在 10 到 240 分钟之间")
	}
	if in.Capacity == 0 {
		in.Capacity = DefaultCapacity
	}
	if in.Capacity < 1 || in.Capacity > MaxCapacity {
		f.Add("capacity", fmt.Sprintf("每个时段可预约人数应在 1 到 %d 之间", MaxCapacity))
	}
	in.Counter = strings.TrimSpace(in.Counter)
	if len([]rune(in.Counter)) > 20 {
		f.Add("counter", "窗口名称不超过 20 个字")
	}
	return from, to, ps, f.Err()
}

// CreateSlots opens slots in bulk on the working days of a range (办公室
// only). Existing slots (same day, start and counter) and slots already
// begun are skipped, so the form may be submitted again safely.
// Errors: Forbidden (not 办公室), Invalid (the form), Internal.
func (s *Service) CreateSlots(ctx context.Context, a *access.Actor, in SlotsInput) (*SlotsResult, error) {
	if err := a.RequireSection(access.Office); err != nil {
		return nil, err
	}
	now := s.clock.Now()
	from, to, ps, err := in.validate(clock.DateOf(now))
	if err != nil {
		return nil, err
	}
	var days []time.Time
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		ok, err := s.workingDay(ctx, d)
		if err != nil {
			return nil, err
		}
		if ok {
			days = append(days, d)
		}
	}
	res := &SlotsResult{Days: len(days)}
	var rows []newSlot
	for _, d := range days {
		for _, p := range ps {
			for m := p.from; m+in.Minutes <= p.to; m += in.Minutes {
				if starts := d.Add(time.Duration(m) * time.Minute); starts.After(now) {
					rows = append(rows, newSlot{day: d, from: m, to: m + in.Minutes})
				} else {
					res.Skipped++ // already begun
				}
			}
		}
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		for len(rows) > 0 {
			n := min(len(rows), slotBatch)
			created, err := insertSlots(ctx, tx, rows[:n], in.Counter, in.Capacity, now)
			if err != nil {
				return err
			}
			res.Created += created
			res.Skipped += n - created
			rows = rows[n:]
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "appointment.slots.create", Entity: "appt_slots",
			After: map[string]any{"input": in, "result": res}})
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func (s *Service) workingDay(ctx context.Context, d time.Time) (bool, error) {
	if s.calendar == nil {
		return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday, nil
	}
	ok, err := s.calendar.IsWorkingDay(ctx, d)
	if err != nil {
		return false, errs.Wrap(err, "working day")
	}
	return ok, nil
}

// newSlot is one slot to open: a day and minutes after midnight.
type newSlot struct {
	day      time.Time
	from, to int
}

// slotBatch bounds the rows of one INSERT (7 parameters each).
const slotBatch = 500

// insertSlots adds rows with one statement, skipping those that exist,
// and returns how many it added.
func insertSlots(ctx context.Context, tx *sql.Tx, rows []newSlot, counter string, capacity int, now time.Time) (int, error) {
	var b strings.Builder
	b.WriteString(`INSERT INTO appt_slots (day, start_time, end_time, starts_at, counter, capacity, created_at) VALUES `)
	args := make([]any, 0, 7*len(rows))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&b, "($%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7)
		args = append(args, r.day.Format("2006-01-02"), clockText(r.from), clockText(r.to),
			r.day.Add(time.Duration(r.from)*time.Minute).UTC(), counter, capacity, now)
	}
	b.WriteString(` ON CONFLICT (day, start_time, counter) DO NOTHING`)
	res, err := tx.ExecContext(ctx, b.String(), args...)
	if err != nil {
		return 0, errs.Wrap(err, "insert slots")
	}
	n, err := res.RowsAffected()
	return int(n), errs.Wrap(err, "insert slots")
}

// SetCapacity changes a slot's places (办公室 only); never below the places
// already booked. version is the slot version the form showed.
// Errors: Forbidden, NotFound, Invalid (capacity out of range or below the
// bookings), Conflict (stale version).
func (s *Service) SetCapacity(ctx context.Context, a *access.Actor, slotID int64, capacity int, version int64) (*Slot, error) {
	if err := a.RequireSection(access.Office); err != nil {
		return nil, err
	}
	if capacity < 0 || capacity > MaxCapacity {
		var f errs.Fields
		f.Add("capacity", fmt.Sprintf("可预约人数应在 0 到 %d 之间", MaxCapacity))
		return nil, f.Err()
	}
	var out *Slot
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		before, err := slotByID(ctx, tx, slotID)
		if err != nil {
			return err
		}
		r, err := tx.ExecContext(ctx, `UPDATE appt_slots SET capacity = $1, version = version + 1
			WHERE id = $2 AND version = $3 AND booked <= $1`, capacity, slotID, version)
		if err != nil {
			return errs.Wrap(err, "set capacity")
		}
		if n, _ := r.RowsAffected(); n == 0 {
			if before.Version != version {
				return errs.StaleVersion()
			}
			var f errs.Fields
			f.Add("capacity", fmt.Sprintf("已有 %d 人预约该时段，可预约人数不能少于 %d", before.Booked, before.Booked))
			return f.Err()
		}
		if out, err = slotByID(ctx, tx, slotID); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "appointment.slot.capacity", Entity: "appt_slots",
			EntityID: strconv.FormatInt(slotID, 10), Before: map[string]int{"capacity": before.Capacity},
			After: map[string]int{"capacity": capacity}})
	})
	return out, err
}

const slotCols = `id, day, start_time, end_time, starts_at, counter, capacity, booked, version`

func scanSlot(row interface{ Scan(...any) error }) (*Slot, error) {
	var x Slot
	if err := row.Scan(&x.ID, &x.Day, &x.Start, &x.End, &x.StartsAt, &x.Counter, &x.Capacity, &x.Booked, &x.Version); err != nil {
		return nil, err
	}
	x.StartsAt = x.StartsAt.UTC()
	x.Remaining = max(0, x.Capacity-x.Booked)
	return &x, nil
}

func slotByID(ctx context.Context, q db.Querier, id int64) (*Slot, error) {
	x, err := scanSlot(q.QueryRowContext(ctx, `SELECT `+slotCols+` FROM appt_slots WHERE id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("没有这个预约时段")
	}
	return x, errs.Wrap(err, "slot")
}

func querySlots(ctx context.Context, q db.Querier, where string, args ...any) ([]Slot, error) {
	out, err := db.Collect(ctx, q, db.Deref(scanSlot), `SELECT `+slotCols+` FROM appt_slots WHERE `+where+` ORDER BY starts_at, counter`, args...)
	return out, errs.Wrap(err, "slots")
}

// Slot returns one slot.
func (s *Service) Slot(ctx context.Context, id int64) (*Slot, error) {
	return slotByID(ctx, s.db.Read(), id)
}

// OpenSlots returns the slots of day ('YYYY-MM-DD') that have not begun,
// with their remaining places (full ones included, shown as full).
// Errors: Invalid (bad date).
func (s *Service) OpenSlots(ctx context.Context, day string) ([]Slot, error) {
	if _, err := clock.ParseDate(day); err != nil {
		var f errs.Fields
		f.Add("date", "请选择日期，如 2024-03-01")
		return nil, f.Err()
	}
	return querySlots(ctx, s.db.Read(), `day = $1 AND starts_at > $2 AND capacity > 0`, day, s.clock.Now())
}

// DayInfo is one day with open places, for the date choice.
type DayInfo struct {
	Day       string `json:"date"`
	Remaining int    `json:"remaining"`
}

// OpenDays lists the next days (up to limit) with slots not yet begun and
// the places left on each.
func (s *Service) OpenDays(ctx context.Context, limit int) ([]DayInfo, error) {
	var out []DayInfo
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var d DayInfo
		if err := r.Scan(&d.Day, &d.Remaining); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	}, `SELECT day, SUM(capacity - booked) FROM appt_slots
		WHERE starts_at > $1 AND capacity > 0 GROUP BY day ORDER BY day LIMIT $2`, s.clock.Now(), limit)
	return out, errs.Wrap(err, "open days")
}

// SlotsBetween lists every slot from..to (dates) for 办公室's management page.
func (s *Service) SlotsBetween(ctx context.Context, a *access.Actor, from, to string) ([]Slot, error) {
	if err := a.RequireSection(access.Office); err != nil {
		return nil, err
	}
	return querySlots(ctx, s.db.Read(), `day >= $1 AND day <= $2`, from, to)
}

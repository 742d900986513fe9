package appointment

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

// monday is 2024-03-04 08:00 Shanghai, a working Monday.
var monday = time.Date(2024, 3, 4, 8, 0, 0, 0, clock.Shanghai)

var (
	office   = &access.Actor{UserID: 900, Username: "office1", Role: access.RoleStaff, Sections: []access.Section{access.Office}}
	clerk    = &access.Actor{UserID: 901, Username: "coord1", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
	personA  = &access.Actor{UserID: 10, Username: "110101199001011237", Role: access.RolePerson, PersonID: 1}
	personB  = &access.Actor{UserID: 11, Username: "110101199001011245", Role: access.RolePerson, PersonID: 2}
	employer = &access.Actor{UserID: 12, Username: "E0001", Role: access.RoleEmployer, EmployerID: 1}
)

func person(uid int64) *access.Actor {
	return &access.Actor{UserID: uid, Username: fmt.Sprintf("p%d", uid), Role: access.RolePerson, PersonID: uid}
}

type fakeCal map[string]bool // day -> working, overrides weekdays

func (f fakeCal) IsWorkingDay(_ context.Context, d time.Time) (bool, error) {
	if w, ok := f[d.Format("2006-01-02")]; ok {
		return w, nil
	}
	return d.Weekday() != time.Saturday && d.Weekday() != time.Sunday, nil
}

func newSvc(t *testing.T, d *db.DB) (*Service, *clock.Fixed) {
	t.Helper()
	c := clock.NewFixed(monday)
	s := NewService(d, c, audit.NewService(d, c), fakeCal{"2024-03-05": false, "2024-03-09": true}, nil)
	if err := s.SeedDefaults(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := s.SeedDefaults(context.Background()); err != nil { // idempotent
		t.Fatal(err)
	}
	return s, c
}

// oneSlot opens one slot of the given capacity on 2024-03-04 at 09:00.
func oneSlot(t *testing.T, s *Service, capacity int) *Slot {
	t.Helper()
	ctx := context.Background()
	if _, err := s.CreateSlots(ctx, office, SlotsInput{From: "2024-03-04", To: "2024-03-04", Periods: "09:00-09:30",
		Minutes: 30, Capacity: capacity, Counter: "1号窗口"}); err != nil {
		t.Fatal(err)
	}
	list, err := s.OpenSlots(ctx, "2024-03-04")
	if err != nil || len(list) != 1 {
		t.Fatalf("open slots: %v %v", list, err)
	}
	return &list[0]
}

func book(s *Service, a *access.Actor, slot int64, svc string) (*Booking, error) {
	return s.Book(context.Background(), a, BookInput{Service: svc, SlotID: slot, Name: "张三", Phone: "13812345678",
		Screening: NoSymptoms()})
}

// NoSymptoms answers "no" to every screening question.
func NoSymptoms() Screening {
	no := false
	return Screening{Fever: &no, Cough: &no, Contact: &no}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	e := errs.As(err)
	if e == nil || e.Code != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
}

func TestCreateSlots(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newSvc(t, d)
		ctx := context.Background()
		in := SlotsInput{From: "2024-03-04", To: "2024-03-10", Periods: "08:00-09:00，13:30-14:30"}
		res, err := s.CreateSlots(ctx, office, in)
		if err != nil {
			t.Fatal(err)
		}
		// Working days: Mon 4, Wed 6, Thu 7, Fri 8, Sat 9 (调休); Tue 5 is a holiday.
		// Mon 08:00 has begun (now is 08:00): skipped.
		if res.Days != 5 || res.Created != 5*4-1 || res.Skipped != 1 {
			t.Fatalf("result %+v", res)
		}
		again, err := s.CreateSlots(ctx, office, in)
		if err != nil || again.Created != 0 || again.Skipped != 20 {
			t.Fatalf("second run %+v %v", again, err)
		}
		list, _ := s.SlotsBetween(ctx, office, "2024-03-05", "2024-03-05")
		if len(list) != 0 {
			t.Fatalf("holiday has slots: %v", list)
		}
		list, _ = s.OpenSlots(ctx, "2024-03-06")
		if len(list) != 4 || list[0].Start != "08:00" || list[0].End != "08:30" || list[0].Capacity != DefaultCapacity {
			t.Fatalf("slots %+v", list)
		}
		// A long range goes in several INSERT batches.
		big, err := s.CreateSlots(ctx, office, SlotsInput{From: "2024-03-11", To: "2024-05-11",
			Periods: "08:00-12:00,13:00-17:00", Minutes: 15, Capacity: 2})
		if err != nil || big.Created != big.Days*32 || big.Skipped != 0 || big.Created <= slotBatch {
			t.Fatalf("big range: %+v %v", big, err)
		}
		if _, err := s.CreateSlots(ctx, clerk, in); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("clerk of another section created slots: %v", err)
		}
		if _, err := s.CreateSlots(ctx, personA, in); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("person created slots: %v", err)
		}
	})
}

func TestCreateSlotsInvalid(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newSvc(t, d)
		for _, tc := range []struct {
			in    SlotsInput
			field string
		}{
			{SlotsInput{From: "2024-03-01", To: "2024-03-08", Periods: "09:00-10:00"}, "from"},
			{SlotsInput{From: "2024-03-08", To: "2024-03-07", Periods: "09:00-10:00"}, "to"},
			{SlotsInput{From: "2024-03-08", To: "2024-08-07", Periods: "09:00-10:00"}, "to"},
			{SlotsInput{From: "2024-03-08", To: "2024-03-08", Periods: "10:00-09:00"}, "periods"},
			{SlotsInput{From: "2024-03-08", To: "2024-03-08", Periods: "25:00-26:00"}, "periods"},
			{SlotsInput{From: "2024-03-08", To: "2024-03-08", Periods: "09:00-10:00", Capacity: 51}, "capacity"},
			{SlotsInput{From: "2024-03-08", To: "2024-03-08", Periods: "09:00-10:00", Minutes: 5}, "minutes"},
		} {
			_, err := s.CreateSlots(context.Background(), office, tc.in)
			e := errs.As(err)
			if e == nil || !errs.Fields(e.Fields).Has(tc.field) {
				t.Errorf("%+v: error %v, want field %s", tc.in, err, tc.field)
			}
		}
	})
}

func TestBookingRules(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := newSvc(t, d)
		ctx := context.Background()
		slot := oneSlot(t, s, 2)

		b, err := book(s, personA, slot.ID, ServiceStampedCertificate)
		if err != nil {
			t.Fatal(err)
		}
		if len(b.Code) != 10 || b.Status != Booked || b.Start != "09:00" {
			t.Fatalf("booking %+v", b)
		}
		// Same person, same service, same day: refused.
		_, err = book(s, personA, slot.ID, ServiceStampedCertificate)
		wantCode(t, err, "duplicate_booking")
		// Another service the same day is fine.
		if _, err := book(s, personA, slot.ID, ServiceOriginals); err != nil {
			t.Fatal(err)
		}
		// Capacity 2 is now full.
		_, err = book(s, employer, slot.ID, ServiceStampedCertificate)
		wantCode(t, err, "slot_full")
		if !ErrFull(err) {
			t.Fatal("ErrFull false")
		}
		// Staff, unknown service, bad phone.
		if _, err := book(s, office, slot.ID, ServiceOther); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("staff booked: %v", err)
		}
		if _, err := book(s, personB, slot.ID, "nope"); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("unknown service: %v", err)
		}
		_, err = s.Book(ctx, personB, BookInput{Service: ServiceOther, SlotID: slot.ID, Name: "李四", Phone: "12"})
		if e := errs.As(err); e == nil || !errs.Fields(e.Fields).Has("phone") {
			t.Fatalf("bad phone: %v", err)
		}

		// Another person cannot see or cancel A's booking.
		if _, err := s.Cancel(ctx, personB, b.Code); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("B cancelled A's booking: %v", err)
		}
		if _, err := s.ByCode(ctx, personB, b.Code); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("B saw A's booking: %v", err)
		}
		// A cancels: the place is free again and the same service may be rebooked.
		if _, err := s.Cancel(ctx, personA, b.Code); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Cancel(ctx, personA, b.Code); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("cancelled twice: %v", err)
		}
		if x, _ := s.Slot(ctx, slot.ID); x.Booked != 1 {
			t.Fatalf("booked %d after cancel, want 1", x.Booked)
		}
		b2, err := book(s, personA, slot.ID, ServiceStampedCertificate)
		if err != nil {
			t.Fatalf("rebook after cancel: %v", err)
		}
		mine, _ := s.Mine(ctx, personA)
		if len(mine) != 3 {
			t.Fatalf("mine: %d bookings, want 3", len(mine))
		}

		// Capacity cannot go below the 2 booked places.
		x, _ := s.Slot(ctx, slot.ID)
		_, err = s.SetCapacity(ctx, office, slot.ID, 1, x.Version)
		if e := errs.As(err); e == nil || !errs.Fields(e.Fields).Has("capacity") {
			t.Fatalf("capacity below bookings: %v", err)
		}
		if _, err := s.SetCapacity(ctx, clerk, slot.ID, 5, x.Version); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("clerk set capacity: %v", err)
		}
		if _, err := s.SetCapacity(ctx, office, slot.ID, 2, x.Version+7); !errors.Is(err, errs.E(errs.Conflict)) {
			t.Fatalf("stale version: %v", err)
		}
		y, err := s.SetCapacity(ctx, office, slot.ID, 3, x.Version)
		if err != nil || y.Capacity != 3 || y.Remaining != 1 {
			t.Fatalf("set capacity: %+v %v", y, err)
		}

		// Staff of other sections cannot cancel; 办公室 can (asked by phone).
		bb, err := book(s, personB, slot.ID, ServiceOther)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Cancel(ctx, clerk, bb.Code); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("clerk cancelled: %v", err)
		}
		if got, err := s.Cancel(ctx, office, bb.Code); err != nil || got.Status != Cancelled {
			t.Fatalf("office cancel: %v", err)
		}

		// After the slot starts: no booking, no cancelling.
		c.Set(time.Date(2024, 3, 4, 9, 0, 0, 0, clock.Shanghai))
		_, err = book(s, personB, slot.ID, ServiceOther)
		if e := errs.As(err); e == nil || !errs.Fields(e.Fields).Has("slot_id") {
			t.Fatalf("booked a begun slot: %v", err)
		}
		_, err = s.Cancel(ctx, personA, b2.Code)
		wantCode(t, err, "slot_started")
	})
}

func TestCounterDay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := newSvc(t, d)
		ctx := context.Background()
		slot := oneSlot(t, s, 3)
		b, _ := book(s, personA, slot.ID, ServiceOriginals)
		b2, _ := book(s, personB, slot.ID, ServiceOriginals)
		if _, err := s.DayList(ctx, personA, "2024-03-04"); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("person saw the day list: %v", err)
		}
		list, err := s.DayList(ctx, clerk, "2024-03-04")
		if err != nil || len(list) != 2 || list[0].Phone != "138****5678" {
			t.Fatalf("day list %+v %v", list, err)
		}
		_, err = s.Mark(ctx, clerk, b.Code, NoShow)
		wantCode(t, err, "not_started")
		if _, err := s.Mark(ctx, personA, b.Code, Attended); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("person marked: %v", err)
		}
		if m, err := s.Mark(ctx, clerk, b.Code, Attended); err != nil || m.Status != Attended {
			t.Fatalf("mark attended: %v", err)
		}
		c.Set(time.Date(2024, 3, 4, 10, 0, 0, 0, clock.Shanghai))
		if _, err := s.Mark(ctx, clerk, b2.Code, NoShow); err != nil {
			t.Fatal(err)
		}
		_, err = s.Mark(ctx, clerk, b2.Code, Attended)
		wantCode(t, err, "not_active")
	})
}

func TestRemindTomorrow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newSvc(t, d)
		ctx := context.Background()
		if _, err := s.CreateSlots(ctx, office, SlotsInput{From: "2024-03-06", To: "2024-03-06", Periods: "09:00-09:30"}); err != nil {
			t.Fatal(err)
		}
		list, _ := s.OpenSlots(ctx, "2024-03-06")
		b, _ := book(s, personA, list[0].ID, ServiceOriginals)
		c2, _ := book(s, personB, list[0].ID, ServiceOriginals)
		if _, err := s.Cancel(ctx, personB, c2.Code); err != nil {
			t.Fatal(err)
		}
		// Monday evening: nothing tomorrow (Tuesday).
		if n, err := s.RemindTomorrow(ctx, monday.Add(10*time.Hour)); err != nil || n != 0 {
			t.Fatalf("monday: %d %v", n, err)
		}
		tuesday := monday.Add(24*time.Hour + 10*time.Hour)
		if n, err := s.RemindTomorrow(ctx, tuesday); err != nil || n != 1 {
			t.Fatalf("tuesday: %d %v", n, err)
		}
		if n, _ := s.RemindTomorrow(ctx, tuesday); n != 0 {
			t.Fatalf("second run queued %d", n)
		}
		rs, _ := s.Reminders(ctx)
		if len(rs) != 1 || rs[0].UserID != personA.UserID || rs[0].SentAt != nil {
			t.Fatalf("outbox %+v", rs)
		}
		n := &recNotifier{}
		s.notifier = n
		if _, err := s.RemindTomorrow(ctx, tuesday); err != nil {
			t.Fatal(err)
		}
		if len(n.sent) != 1 || n.sent[0] != personA.UserID {
			t.Fatalf("notified %v", n.sent)
		}
		if _, err := s.RemindTomorrow(ctx, tuesday); err != nil || len(n.sent) != 1 {
			t.Fatalf("notified twice: %v", n.sent)
		}
		_ = b
	})
}

type recNotifier struct {
	mu   sync.Mutex
	sent []int64
}

func (r *recNotifier) Notify(_ context.Context, uid int64, subject, body string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, uid)
	return nil
}

// TestConcurrentBookings: 1,000 distinct bookers race for 20 places.
func TestConcurrentBookings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newSvc(t, d)
		slot := oneSlot(t, s, 20)
		const n = 1000
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, full, other := 0, 0, []error{}
		start := time.Now()
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func(uid int64) {
				defer wg.Done()
				_, err := book(s, person(uid), slot.ID, ServiceStampedCertificate)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case ErrFull(err) && errs.As(err).Message == "该时段已约满，请选择其他时段":
					full++
				default:
					other = append(other, err)
				}
			}(int64(1000 + i))
		}
		wg.Wait()
		t.Logf("%s: %d concurrent bookings in %v", d.Dialect, n, time.Since(start))
		if ok != 20 || full != 980 || len(other) != 0 {
			t.Fatalf("ok %d full %d other %d (%v)", ok, full, len(other), other[:min(3, len(other))])
		}
		var count, booked int
		d.R.QueryRow(`SELECT COUNT(*) FROM appt_bookings WHERE slot_id = $1 AND status = 'booked'`, slot.ID).Scan(&count)
		d.R.QueryRow(`SELECT booked FROM appt_slots WHERE id = $1`, slot.ID).Scan(&booked)
		if count != 20 || booked != 20 {
			t.Fatalf("rows %d, booked %d", count, booked)
		}
	})
}

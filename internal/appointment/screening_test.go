package appointment

import (
	"context"
	"strings"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

type sentNote struct {
	user          int64
	subject, body string
}

// TestBookingAsksTheScreeningQuestions: unanswered questions are field
// errors; any "yes" refuses the booking with the offer of remote handling,
// takes no place and stores nothing.
func TestBookingAsksTheScreeningQuestions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newSvc(t, d)
		ctx := context.Background()
		slot := oneSlot(t, s, 1)
		_, err := s.Book(ctx, personA, BookInput{Service: ServiceOther, SlotID: slot.ID, Name: "张三", Phone: "13812345678"})
		e := errs.As(err)
		if e == nil || !errs.Fields(e.Fields).Has("screen_fever") || !errs.Fields(e.Fields).Has("screen_contact") {
			t.Fatalf("unanswered screening: %v", err)
		}
		yes := true
		sc := NoSymptoms()
		sc.Cough = &yes
		_, err = s.Book(ctx, personA, BookInput{Service: ServiceOther, SlotID: slot.ID, Name: "张三", Phone: "13812345678", Screening: sc})
		if !ErrScreenedOut(err) || errs.KindOf(err) != errs.Conflict {
			t.Fatalf("cough booked: %v", err)
		}
		if e := errs.As(err); e == nil || !strings.Contains(e.Message, "网上办理") || !strings.Contains(e.Message, "14 天") {
			t.Fatalf("refusal offers no alternative: %v", err)
		}
		list, _ := s.OpenSlots(ctx, "2024-03-04")
		if list[0].Booked != 0 {
			t.Fatalf("a refused booking took a place: %+v", list[0])
		}
		if _, err := book(s, personA, slot.ID, ServiceOther); err != nil {
			t.Fatalf("no symptoms: %v", err)
		}
	})
}

// TestCounterScreeningTurnsAwayAFever: a fever at the counter cancels the
// booking as 劝离, frees the place, tells the booker, and only 办公室 reads
// the screening; a passed one records the visitor as attended; the
// retention purge deletes old screenings.
func TestCounterScreeningTurnsAwayAFever(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := newSvc(t, d)
		var sent []sentNote
		s.notifier = NotifierFunc(func(_ context.Context, u int64, subject, body string) error {
			sent = append(sent, sentNote{u, subject, body})
			return nil
		})
		ctx := context.Background()
		slot := oneSlot(t, s, 2)
		a, err := book(s, personA, slot.ID, ServiceOther)
		if err != nil {
			t.Fatal(err)
		}
		b, err := book(s, personB, slot.ID, ServiceOther)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Screen(ctx, clerk, a.Code, ScreenInput{Tenths: 300}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("30 °C accepted: %v", err)
		}
		if _, err := s.Screen(ctx, personB, a.Code, ScreenInput{Tenths: 365}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("a person screened: %v", err)
		}
		res, err := s.Screen(ctx, clerk, a.Code, ScreenInput{Tenths: 375})
		if err != nil {
			t.Fatal(err)
		}
		if res.Passed || !res.Booking.TurnedAway || res.Booking.Status != Cancelled || !res.Notified {
			t.Fatalf("fever: %+v %+v", res, res.Booking)
		}
		if len(sent) != 1 || sent[0].user != personA.UserID || !strings.Contains(sent[0].body, "重新预约") || !strings.Contains(sent[0].body, "网上办理") {
			t.Fatalf("booker told %+v", sent)
		}
		got, _ := s.ByCode(ctx, personA, a.Code)
		if got.StatusName != "已劝离（可另约时段或远程办理）" {
			t.Fatalf("status %q", got.StatusName)
		}
		list, _ := s.OpenSlots(ctx, "2024-03-04")
		if list[0].Booked != 1 {
			t.Fatalf("place not freed: %+v", list[0])
		}
		if _, err := s.Screen(ctx, clerk, a.Code, ScreenInput{Tenths: 365}); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("screened twice: %v", err)
		}
		ok, err := s.Screen(ctx, clerk, b.Code, ScreenInput{Tenths: 364})
		if err != nil || !ok.Passed || ok.Booking.Status != Attended {
			t.Fatalf("passed: %+v %v", ok, err)
		}
		if _, err := s.Screenings(ctx, clerk, "2024-03-04"); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("a coordination clerk read health data: %v", err)
		}
		rows, err := s.Screenings(ctx, office, "2024-03-04")
		if err != nil || len(rows) != 2 || rows[0].Passed || rows[0].Tenths != 375 || !rows[1].Passed {
			t.Fatalf("screenings %+v %v", rows, err)
		}
		if n, err := s.PurgeScreenings(ctx, "2024-03-04"); err != nil || n != 0 {
			t.Fatalf("purged today's: %d %v", n, err)
		}
		c.Set(monday.Add(40 * 24 * time.Hour))
		if n, err := s.PurgeScreenings(ctx, "2024-03-05"); err != nil || n != 2 {
			t.Fatalf("purge: %d %v", n, err)
		}
		if rows, _ := s.Screenings(ctx, office, "2024-03-04"); len(rows) != 0 {
			t.Fatalf("kept after purge: %+v", rows)
		}
	})
}

package app_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/appointment"
)

// TestAppointmentReminderInbox: the day before the visit, the wired app
// puts the reminder in the booker's portal inbox, once.
func TestAppointmentReminderInbox(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		a := env.App
		office, person := env.Actor(t, apptest.Staff(access.Office)), env.Actor(t, apptest.PersonA)
		if _, err := a.Appointments.CreateSlots(ctx, office, appointment.SlotsInput{From: "2024-02-18", To: "2024-02-18",
			Periods: "09:00-09:30"}); err != nil {
			t.Fatal(err)
		}
		slots, _ := a.Appointments.OpenSlots(ctx, "2024-02-18")
		no := false
		b, err := a.Appointments.Book(ctx, person, appointment.BookInput{Service: appointment.ServiceOriginals,
			SlotID: slots[0].ID, Name: "张伟", Phone: "13800138000", Screening: appointment.Screening{Fever: &no, Cough: &no, Contact: &no}})
		if err != nil {
			t.Fatal(err)
		}
		eve := apptest.Start.AddDate(0, 0, 7).Add(7 * time.Hour) // 2024-02-17 16:00
		for i := 0; i < 2; i++ {
			if _, err := a.Appointments.RemindTomorrow(ctx, eve); err != nil {
				t.Fatal(err)
			}
		}
		inbox, unread, err := a.Notify.Inbox(ctx, person)
		if err != nil || unread != 1 || len(inbox) != 1 {
			t.Fatalf("inbox %d unread %d: %v", len(inbox), unread, err)
		}
		if !strings.Contains(inbox[0].Body, b.Code) || !strings.Contains(inbox[0].Subject, "2024-02-18 09:00") {
			t.Fatalf("reminder %q / %q", inbox[0].Subject, inbox[0].Body)
		}
	})
}

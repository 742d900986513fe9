package policy_test

import (
	"context"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/policy"
)

// TestEmergencyRelieves: business due by the end and done from the start
// to the end of the make-up window is relieved; LateAccepting finds the
// emergency only for late business under its late_accepted measure.
func TestEmergencyRelieves(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newService(t, d, "2024-02-10")
		e, err := s.Declare(ctx, admin, policy.Epidemic2024())
		if err != nil {
			t.Fatal(err)
		}
		if e, err = s.SetEnd(ctx, admin, e.ID, e.Version, "2024-04-30"); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			due, day string
			want     bool
		}{
			{"2024-01-15", "2024-01-22", false}, // done before the start
			{"2024-01-15", "2024-01-23", true},  // due before, done on the first day
			{"2024-04-30", "2024-07-30", true},  // due on the last day, done on the window's last day
			{"2024-04-30", "2024-07-31", false}, // one day after the window
			{"2024-05-15", "2024-05-20", false}, // due after the end
		}
		for _, c := range cases {
			if got := e.Relieves(date(t, c.due), date(t, c.day)); got != c.want {
				t.Errorf("due %s done %s: %v", c.due, c.day, got)
			}
			got, err := s.LateAccepting(ctx, date(t, c.due), date(t, c.day))
			if err != nil || (got != nil) != c.want {
				t.Errorf("LateAccepting due %s done %s: %+v %v", c.due, c.day, got, err)
			}
		}
		if got, _ := s.LateAccepting(ctx, date(t, "2024-03-31"), date(t, "2024-03-31")); got != nil {
			t.Error("on time is not late business")
		}
	})
}

package policy_test

import (
	"context"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

func TestWorkingDays(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newService(t, d, "2024-02-10")
		add := []struct {
			from string
			n    int
			want string
		}{
			{"2024-02-09", 1, "2024-02-18"}, // Spring Festival: Sunday 02-18 is worked
			{"2024-02-08", 3, "2024-02-19"},
			{"2024-02-02", 1, "2024-02-04"}, // Sunday 02-04 is worked
			{"2024-02-10", 0, "2024-02-10"},
			{"2024-02-19", -1, "2024-02-18"},
			{"2024-02-18", -1, "2024-02-09"},
			{"2024-09-27", 1, "2024-09-29"}, // National Day: Sunday 09-29 worked
			{"2024-09-29", 1, "2024-09-30"},
			{"2024-09-30", 1, "2024-10-08"},
			{"2024-10-11", 1, "2024-10-12"}, // Saturday 10-12 worked
			{"2024-10-12", 1, "2024-10-14"},
			{"2024-09-13", 1, "2024-09-14"}, // Mid-Autumn: Saturday 09-14 worked, 15–17 off
			{"2024-09-14", 1, "2024-09-18"},
			{"2023-09-28", 1, "2023-10-07"}, // 2023: 09-29..10-06 off, 10-07/08 worked
			{"2025-01-27", 1, "2025-02-05"}, // 2025 Spring Festival 01-28..02-04
			{"2025-01-24", 1, "2025-01-26"},
			{"2025-04-30", 1, "2025-05-06"},
			{"2025-09-30", 1, "2025-10-09"},
			{"2024-12-31", 1, "2025-01-02"},
			{"2024-03-01", 15, "2024-03-22"}, // an ordinary month: weekends only
			{"2024-09-20", 15, "2024-10-16"}, // a transfer step across National Day
		}
		for _, c := range add {
			got, err := s.AddWorkingDays(ctx, date(t, c.from), c.n)
			if err != nil || dayOf(got) != c.want {
				t.Errorf("%s %+d working days = %s %v, want %s", c.from, c.n, dayOf(got), err, c.want)
				continue
			}
			if c.n > 0 {
				if n, _ := s.WorkingDaysBetween(ctx, date(t, c.from), got); n != c.n {
					t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", c.from, c.want, n, c.n)
				}
			}
		}
		working := []struct {
			day  string
			want bool
		}{
			{"2024-02-09", true}, {"2024-02-10", false}, {"2024-02-12", false}, {"2024-02-17", false},
			{"2024-02-18", true}, {"2024-02-04", true}, {"2024-02-03", false},
			{"2024-10-07", false}, {"2024-10-12", true}, {"2024-05-11", true}, {"2024-04-07", true},
			{"2023-01-28", true}, {"2023-04-05", false}, {"2025-06-02", false}, {"2025-09-28", true},
		}
		for _, c := range working {
			// A UTC instant late in the evening is still that Shanghai day.
			inst := date(t, c.day).Add(23 * time.Hour).UTC()
			if got, err := s.IsWorkingDay(ctx, inst); err != nil || got != c.want {
				t.Errorf("IsWorkingDay(%s) = %v %v, want %v", c.day, got, err, c.want)
			}
		}
		if n, _ := s.WorkingDaysBetween(ctx, date(t, "2024-09-27"), date(t, "2024-10-14")); n != 8 {
			t.Errorf("working days 09-27..10-14 = %d, want 8", n)
		}
		if n, _ := s.WorkingDaysBetween(ctx, date(t, "2024-10-14"), date(t, "2024-09-27")); n != 0 {
			t.Errorf("backwards range = %d, want 0", n)
		}
		_, err := s.AddWorkingDays(ctx, date(t, "2024-01-01"), 1_000_000)
		wantKind(t, err, errs.Invalid)
	})
}

func TestSetCalendarDay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newService(t, d, "2024-02-10")
		in := policy.CalendarInput{Day: "2026-01-01", Kind: policy.DayHoliday, Name: "元旦", LegalBasis: "国办发明电（测试）"}
		_, err := s.SetCalendarDay(ctx, clerk, in)
		wantKind(t, err, errs.Forbidden)
		_, err = s.SetCalendarDay(ctx, admin, policy.CalendarInput{Day: "2026-02-30", Kind: "party", Name: ""})
		if e := wantKind(t, err, errs.Invalid); len(e.Fields) != 3 {
			t.Fatalf("fields %+v", e.Fields)
		}
		if _, err := s.SetCalendarDay(ctx, admin, in); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.IsWorkingDay(ctx, date(t, "2026-01-01")); ok {
			t.Fatal("added holiday is a working day")
		}
		in.Kind, in.Name = policy.DayWorkday, "测试调休"
		if _, err := s.SetCalendarDay(ctx, admin, in); err != nil {
			t.Fatal(err)
		}
		if ok, _ := s.IsWorkingDay(ctx, date(t, "2026-01-01")); !ok {
			t.Fatal("changed day is not a working day")
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = 'policy.calendar.set' AND entity_id = '2026-01-01'`); n != 2 {
			t.Fatalf("%d calendar audit entries", n)
		}
		days, _ := s.CalendarDays(ctx, 2024)
		if len(days) < 30 || days[0].Day != "2024-01-01" {
			t.Fatalf("2024 days: %d, first %+v", len(days), days[0])
		}
	})
}

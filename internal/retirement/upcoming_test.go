package retirement

import (
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

// TestUpcomingList: by category and flexible month, months against the
// minimum and the gaps; employers see their own staff; persons refused.
func TestUpcomingList(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		// Men born 1966-03 retire in 2026-07 (60 and 4 months).
		a, aID := e.person(t, "1966-03-10", "M", e.emp, "2000-01", "2026-05", 500_000)
		b, bID := e.person(t, "1966-02-10", "M", e.emp, "2015-01", "2026-05", 500_000)
		e.records(t, b, "2010-01", "2012-12", 500_000)
		_, _ = e.person(t, "1970-01-10", "M", e.emp, "2000-01", "2026-05", 500_000)
		other := e.employer(t)
		c, _ := e.person(t, "1966-04-10", "M", other, "2000-01", "2026-05", 500_000)
		page, err := e.s.ListUpcoming(ctxBg, e.clerk1, UpcomingFilter{Months: 3})
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]Upcoming{}
		for _, r := range page.Rows {
			got[r.PersonID] = r
		}
		if page.Total != 3 || len(got) != 3 {
			t.Fatalf("total %d rows %+v", page.Total, page.Rows)
		}
		if got[a].Retire.String() != "2026-07" || got[a].Short != 0 || got[b].Short != 180-(137+36) || len(got[b].Gaps) != 1 {
			t.Fatalf("a %+v b %+v", got[a], got[b])
		}
		if got[a].IDMasked == "" || got[a].Name == "张" {
			t.Fatalf("masking: %+v", got[a])
		}
		// Search: the last digits or the whole ID number, or the name.
		var cName string
		if err := d.W.QueryRowContext(ctxBg, `SELECT name FROM persons WHERE id = $1`, c).Scan(&cName); err != nil {
			t.Fatal(err)
		}
		for q, want := range map[string]int64{aID[12:]: a, strings.ToLower(bID): b, " " + cName + " ": c} {
			found, err := e.s.ListUpcoming(ctxBg, e.clerk1, UpcomingFilter{Months: 3, Query: q})
			if err != nil || found.Total != 1 || found.Rows[0].PersonID != want {
				t.Fatalf("search %q: %v %+v", q, err, found)
			}
		}
		if _, err := e.s.ListUpcoming(ctxBg, e.clerk1, UpcomingFilter{Months: 3, Query: "123"}); !hasField(err, "q") {
			t.Fatalf("three digits: %v", err)
		}
		mine, err := e.s.ListUpcoming(ctxBg, employerActor(other), UpcomingFilter{Months: 3})
		if err != nil || mine.Total != 1 || mine.Rows[0].PersonID != c {
			t.Fatalf("employer list: %v %+v", err, mine)
		}
		// a chooses to retire 3 months later (agreed, recorded by the clerk): off the 3-month list.
		if _, err := e.s.SetPlan(ctxBg, e.clerk1, PlanInput{PersonID: a, Month: "2026-10"}); err != nil {
			t.Fatal(err)
		}
		page, _ = e.s.ListUpcoming(ctxBg, e.clerk1, UpcomingFilter{Months: 3})
		if page.Total != 2 {
			t.Fatalf("after plan: %d", page.Total)
		}
		// The person may not choose a later month, nor earlier than the original age.
		pa := &access.Actor{UserID: 77, Role: access.RolePerson, PersonID: c}
		if _, err := e.s.SetPlan(ctxBg, pa, PlanInput{PersonID: c, Month: "2026-12"}); !hasField(err, "month") {
			t.Fatalf("person later: %v", err)
		}
		if _, err := e.s.SetPlan(ctxBg, pa, PlanInput{PersonID: c, Month: "2026-03"}); !hasField(err, "month") {
			t.Fatalf("below original age: %v", err)
		}
		if _, err := e.s.ListUpcoming(ctxBg, pa, UpcomingFilter{}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("person list: %v", err)
		}
		// A woman worker born 1976-05: originally 2026-05, 16 months after 2025-01, delayed 9 months to 2027-02.
		w, _ := e.person(t, "1976-05-10", "F", e.emp, "2000-01", "2026-05", 500_000)
		page, _ = e.s.ListUpcoming(ctxBg, e.clerk1, UpcomingFilter{Months: 9, Category: "female_worker"})
		if page.Total != 1 || page.Rows[0].PersonID != w || page.Rows[0].Retire.String() != "2027-02" {
			t.Fatalf("woman: %+v", page)
		}
	})
}

// TestRemindersOnce: a month ahead, once; the person's account gets it.
func TestRemindersOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		// A man born 1966-03 retires in 2026-07, a month after 2026-06.
		pid, _ := e.person(t, "1966-03-10", "M", e.emp, "2000-01", "2026-05", 500_000)
		var uid int64
		if err := d.W.QueryRowContext(ctxBg, `INSERT INTO users (username, password_hash, role, person_id, created_at) VALUES ('p1', 'x', 'person', $1, $2) RETURNING id`,
			pid, testNow).Scan(&uid); err != nil {
			t.Fatal(err)
		}
		n, err := e.s.RemindDue(ctxBg)
		if err != nil || n != 1 {
			t.Fatalf("first run: %d %v", n, err)
		}
		if n, _ := e.s.RemindDue(ctxBg); n != 0 {
			t.Fatalf("second run sent %d", n)
		}
		var msgs int
		_ = d.W.QueryRowContext(ctxBg, `SELECT COUNT(*) FROM user_messages WHERE user_id = $1`, uid).Scan(&msgs)
		if msgs != 1 {
			t.Fatalf("messages %d", msgs)
		}
	})
}

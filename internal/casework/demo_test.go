package casework_test

import (
	"context"
	"fmt"
	"testing"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// TestDemoCases: the demo's history of cases is written on both engines,
// 2% of it open in the queues of the right sections, the rest closed;
// case numbers are unique and never of the form real cases get, and the
// queues read the open ones.
func TestDemoCases(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2025-02-10 09:00")
		ctx := context.Background()
		var first int64
		for i := range 3 {
			var id int64
			err := d.W.QueryRowContext(ctx, `INSERT INTO employers (employer_no, uscc, name, legal_rep, address, industry,
				risk_class, established_on, registered_on, created_at, updated_at)
				VALUES ($1, $2, $3, '王某', '北京', '软件', 1, '2000-01-01', '2000-01-02', $4, $4) RETURNING id`,
				fmt.Sprintf("D%06d", i), fmt.Sprintf("DUSCC%013d", i), fmt.Sprintf("演示单位%d", i), e.clock.Now()).Scan(&id)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = id
			}
		}
		n, err := casework.DemoCases(ctx, d, 2500, first, 3, e.clock.Now())
		if err != nil || n != 2500 {
			t.Fatalf("%d cases: %v", n, err)
		}
		var total, open, distinct, fourDigit, noEmployer int
		err = d.W.QueryRowContext(ctx, `SELECT COUNT(*), SUM(CASE WHEN is_open THEN 1 ELSE 0 END), COUNT(DISTINCT case_no),
			SUM(CASE WHEN length(case_no) = 15 THEN 1 ELSE 0 END), SUM(CASE WHEN employer_id IS NULL THEN 1 ELSE 0 END)
			FROM cases`).Scan(&total, &open, &distinct, &fourDigit, &noEmployer)
		if err != nil {
			t.Fatal(err)
		}
		if total != 2500 || open != 50 || distinct != 2500 || fourDigit != 0 || noEmployer != 0 {
			t.Errorf("total %d open %d distinct %d short numbers %d without employer %d", total, open, distinct, fourDigit, noEmployer)
		}
		var closedOpen int
		d.W.QueryRowContext(ctx, `SELECT COUNT(*) FROM cases WHERE (state = 'closed') = is_open`).Scan(&closedOpen)
		if closedOpen != 0 {
			t.Errorf("%d cases open and closed at once", closedOpen)
		}
		clerk := &access.Actor{UserID: 3, Username: "clerk", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
		res, err := e.svc.Queue(ctx, clerk, casework.QueueFilter{Section: access.Coordination})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) == 0 || res.Counts[casework.ViewAll] >= open {
			t.Fatalf("coordination queue: %d items, %d open", len(res.Items), res.Counts[casework.ViewAll])
		}
		for _, c := range res.Items {
			if c.Section != access.Coordination || c.DeadlineAt == nil {
				t.Errorf("case %s: section %s deadline %v", c.No, c.Section, c.DeadlineAt)
			}
		}
	})
}

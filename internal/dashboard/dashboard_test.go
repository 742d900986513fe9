package dashboard_test

import (
	"bytes"
	"context"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/casework"
	"shebao/internal/complaint"
	"shebao/internal/dashboard"
	"shebao/internal/errs"
	"shebao/internal/sheet"
)

// openChecks opens n contribution checks (统筹科) as employer A.
func openChecks(t *testing.T, env *apptest.Env, n int) {
	t.Helper()
	boss := env.Actor(t, apptest.EmployerA)
	for range n {
		if _, err := env.App.Cases.Open(context.Background(), boss, casework.OpenInput{Type: "contribution_check", Channel: "web",
			Applicant: casework.Applicant{Kind: "employer", EmployerID: boss.EmployerID, Name: "北京甲测试科技有限公司"},
			Title:     "缴费基数核对"}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDashboardMatchesTheQueues: after a refresh the agency dashboard
// counts today's new cases and the open ones per section as the section's
// queue does; a section's clerk sees only their section; the export holds
// the same figures.
func TestDashboardMatchesTheQueues(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		a := env.App
		openChecks(t, env, 3)
		if _, err := a.Complaints.File(ctx, env.Actor(t, apptest.PersonA), complaint.Input{Category: complaint.CatFraud,
			Subject: "冒领养老金", Body: "邻居去世后家属仍在领取养老金，请核查。"}); err != nil {
			t.Fatal(err)
		}
		office, coord := env.Actor(t, apptest.Staff(access.Office)), env.Actor(t, apptest.Staff(access.Coordination))
		// The first reader of a new installation builds the snapshot.
		if v, err := a.Dashboard.Dashboard(ctx, office, dashboard.Query{Days: 7}); err != nil || !v.Ready || v.New != 3 {
			t.Fatalf("before the first refresh: %+v %v", v, err)
		}
		if _, err := a.Dashboard.RefreshAs(ctx, coord); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("a clerk refreshes: %v", err)
		}
		if _, err := a.Dashboard.RefreshAs(ctx, office); err != nil {
			t.Fatal(err)
		}
		v, err := a.Dashboard.Dashboard(ctx, office, dashboard.Query{Days: 7})
		if err != nil || !v.Ready {
			t.Fatalf("agency %+v %v", v, err)
		}
		q, err := a.Cases.Queue(ctx, coord, casework.QueueFilter{Section: access.Coordination})
		if err != nil {
			t.Fatal(err)
		}
		if v.New != 3 || v.Open != q.Counts[casework.ViewAll] || len(v.Days) != 7 || v.Days[6].New != 3 || v.FundChart == "" {
			t.Fatalf("agency figures: new %d open %d (queue %d) days %+v", v.New, v.Open, q.Counts[casework.ViewAll], v.Days)
		}
		if len(v.Complaints) != 1 || v.Complaints[0].Count != 1 || v.Complaints[0].Category != complaint.CategoryName(complaint.CatFraud) ||
			v.Complaints[0].Status != complaint.StatusName(complaint.Received) {
			t.Fatalf("complaints on the dashboard: %+v", v.Complaints)
		}
		mine, err := a.Dashboard.Dashboard(ctx, coord, dashboard.Query{Section: access.Coordination})
		if err != nil || mine.Open != 3 || len(mine.Sections) != 1 || mine.FundChart != "" {
			t.Fatalf("section %+v %v", mine, err)
		}
		for _, q := range []dashboard.Query{{}, {Section: access.Fund}} {
			if _, err := a.Dashboard.Dashboard(ctx, coord, q); errs.KindOf(err) != errs.Forbidden {
				t.Errorf("clerk reads %+v: %v", q, err)
			}
		}
		for _, q := range []dashboard.Query{{Days: 5}, {Months: 7}, {Section: "x"}} {
			if _, err := a.Dashboard.Dashboard(ctx, office, q); errs.KindOf(err) != errs.Invalid {
				t.Errorf("bad query %+v: %v", q, err)
			}
		}
		var buf bytes.Buffer
		if err := a.Dashboard.Export(ctx, office, dashboard.Query{Days: 7}, &buf); err != nil {
			t.Fatal(err)
		}
		book, err := sheet.Open(buf.Bytes(), sheet.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		defer book.Close()
		rows, err := book.Rows("每日业务量")
		if err != nil {
			t.Fatal(err)
		}
		var last []string
		n := 0
		for rows.Next() {
			n++
			last = rows.Cells()
		}
		if n != 8 || len(last) < 2 || last[1] != "3" {
			t.Fatalf("export: %d rows, last %v", n, last)
		}
		for _, name := range []string{"各科室概况", "基金收支", "养老金发放"} {
			if !book.Has(name) {
				t.Errorf("export lacks sheet %s", name)
			}
		}
	})
}

package e2e_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/casework"
	"shebao/internal/db"
	"shebao/internal/e2e"
)

// TestDashboardJourney: employer A sends four contribution checks; 办公室
// refreshes the dashboard, whose chart and tables show four new cases
// today and four open in 统筹科 — the same counts 统筹科's queue page
// shows; the home page of 统筹科's clerk shows the section's counts.
func TestDashboardJourney(t *testing.T) {
	ctx := e2e.Browser(t)
	env := apptest.New(t, db.SQLite)
	boss := env.Actor(t, apptest.EmployerA)
	for range 4 {
		if _, err := env.App.Cases.Open(context.Background(), boss, casework.OpenInput{Type: "contribution_check", Channel: "web",
			Applicant: casework.Applicant{Kind: "employer", EmployerID: boss.EmployerID, Name: "北京甲测试科技有限公司"},
			Title:     "缴费基数核对"}); err != nil {
			t.Fatal(err)
		}
	}
	base := env.Server.URL
	login(t, ctx, base, env.User(t, apptest.Staff(access.Office)).Username)
	// The first visit builds the figures; a refresh says so once done.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/staff/dashboard"), chromedp.WaitVisible(chromedp.CSS("#freshness")),
		chromedp.Click(chromedp.CSS(`form[action="/staff/dashboard/refresh"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(@class, "flash")][contains(., "统计数据已刷新")]`))); err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if n := text(t, ctx, "#total-new"); n != "4" {
		t.Fatalf("new cases %q", n)
	}
	svg, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("#case-chart svg")))
	if err != nil || !strings.Contains(svg, "新收 4") {
		t.Fatalf("chart %v: %.300s", err, svg)
	}
	row := text(t, ctx, "#section-table tbody tr:first-child")
	shot(t, ctx, "dashboard-agency")
	logout(t, ctx)

	login(t, ctx, base, env.User(t, apptest.Staff(access.Coordination)).Username)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/staff/cases?section=coordination"),
		chromedp.WaitVisible(chromedp.CSS("nav.filters"))); err != nil {
		t.Fatal(err)
	}
	views := text(t, ctx, "nav.filters")
	if !strings.Contains(views, "全部在办（4）") || !strings.HasPrefix(row, "统筹科\t4") && !strings.HasPrefix(strings.Join(strings.Fields(row), " "), "统筹科 4") {
		t.Fatalf("queue %q against dashboard row %q", views, row)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/staff"), chromedp.WaitVisible(chromedp.CSS("p.work"))); err != nil {
		t.Fatal(err)
	}
	if w := text(t, ctx, "p.work"); !strings.Contains(w, "待领取 "+strconv.Itoa(4)+" 件") {
		t.Fatalf("home counts %q", w)
	}
	shot(t, ctx, "staff-home")
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/staff/dashboard"), chromedp.WaitVisible(chromedp.CSS("h1"))); err != nil {
		t.Fatal(err)
	}
	if h := text(t, ctx, "h1"); h != "统筹科运行情况" {
		t.Fatalf("clerk's dashboard %q", h)
	}
	shot(t, ctx, "dashboard-section")
}

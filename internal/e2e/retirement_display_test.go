package e2e

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/ident"
)

// TestUpcomingListEmployerAndYears: on the about-to-retire list every row
// names an employer (the current one, the last one of someone whose
// insurance ended, 灵活就业 for a flexible worker, 无在职单位 for nobody) and
// contribution lengths read in years and months (2 个月, 15 年 3 个月),
// never as a decimal of years.
func TestUpcomingListEmployerAndYears(t *testing.T) {
	env := retireEnv(t)
	ctx := Browser(t)
	base, bg := env.Server.URL, context.Background()
	boss := env.User(t, apptest.EmployerA)
	var employer string
	if err := env.App.DB.W.QueryRow(`SELECT name FROM employers WHERE id = $1`, boss.EmployerID).Scan(&employer); err != nil {
		t.Fatal(err)
	}
	birth := time.Date(1966, 3, 10, 0, 0, 0, 0, time.UTC)
	insured(t, env, "周在职", birth, 41, boss.EmployerID, "1991-06", "2026-05", 600_000)
	insured(t, env, "吴灵活", birth, 51, 0, "2026-04", "2026-05", 400_000)
	left, _ := insured(t, env, "郑离职", birth, 61, boss.EmployerID, "2011-01", "2026-03", 500_000)
	none, _ := insured(t, env, "王无单", birth, 71, 0, "2025-01", "2025-12", 400_000)
	if _, err := env.App.DB.W.ExecContext(bg, `UPDATE employments SET end_month = '2026-03' WHERE person_id = $1`, left); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.DB.W.ExecContext(bg, `UPDATE persons SET kind = 'employee' WHERE id = $1`, none); err != nil {
		t.Fatal(err)
	}
	clerk := env.User(t, apptest.Staff(access.Welfare))
	login(t, ctx, base, clerk.Username, clerk.Password)
	run(t, ctx, "upcoming list",
		chromedp.Navigate(base+"/staff/retirement/upcoming?months=6"),
		chromedp.WaitVisible(chromedp.CSS("#upcoming")),
	)
	shot(t, ctx, "retire-upcoming")
	want := map[string][]string{
		"周在职": {employer, "35 年 / 15 年", "已满"},
		"吴灵活": {"灵活就业", "2 个月 / 15 年", "差 14 年 10 个月"},
		"郑离职": {employer, "已减员", "15 年 3 个月 / 15 年", "已满"},
		"王无单": {"无在职单位", "1 年 / 15 年", "差 14 年"},
	}
	page := text(t, ctx)
	for name, cells := range want {
		row, err := chromedp.Run(ctx, chromedp.Text(chromedp.Search(`//table[@id="upcoming"]//tr[contains(., "`+ident.MaskName(name)+`")]`)))
		if err != nil {
			t.Fatalf("row of %s: %v\n%s", name, err, page)
		}
		for _, c := range cells {
			if !strings.Contains(row, c) {
				t.Errorf("row of %s lacks %q: %s", name, c, row)
			}
		}
	}
	if strings.Contains(page, "0.17") || strings.Contains(page, ".92 年") {
		t.Errorf("the list shows decimal years:\n%s", page)
	}
	// One month ahead names the month once (not "2026年6月至2026年6月").
	run(t, ctx, "upcoming this month",
		chromedp.Navigate(base+"/staff/retirement/upcoming?months=1"),
		chromedp.WaitVisible(chromedp.Search(`//p[contains(., "达到退休时间的人员共") and not(contains(., "月至"))]`)),
	)
	if page := text(t, ctx); strings.Contains(page, "月至") || !strings.Contains(page, "达到退休时间的人员共") {
		t.Errorf("one-month window:\n%s", page)
	}
	// The clerk looks one person up by name: only that row is left.
	run(t, ctx, "upcoming search",
		chromedp.Navigate(base+"/staff/retirement/upcoming?months=6&q="+url.QueryEscape("周在职")),
		chromedp.WaitVisible(chromedp.Search(`//p[contains(., "达到退休时间的人员共 1 人")]`)),
	)
	if page := text(t, ctx); !strings.Contains(page, ident.MaskName("周在职")) || strings.Contains(page, ident.MaskName("吴灵活")) {
		t.Errorf("search by name:\n%s", page)
	}
}

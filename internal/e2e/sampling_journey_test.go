package e2e_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/casework"
	"shebao/internal/db"
	"shebao/internal/e2e"
)

// TestSamplingJourney: 审计科 draws January's sample on its page, checks
// the drawn case with a finding and records the rectification.
func TestSamplingJourney(t *testing.T) {
	ctx := e2e.Browser(t)
	env := apptest.New(t, db.SQLite)
	boss := env.Actor(t, apptest.EmployerA)
	for range 2 {
		if _, err := env.App.Cases.Open(context.Background(), boss, casework.OpenInput{Type: "contribution_check", Channel: "web",
			Applicant: casework.Applicant{Kind: "employer", EmployerID: boss.EmployerID, Name: "北京甲测试科技有限公司"}, Title: "核对"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := env.App.DB.W.Exec(`UPDATE cases SET is_open = FALSE, state = 'closed', closed_at = '2024-01-20 02:00:00+00:00'`); err != nil {
		t.Fatal(err)
	}
	base := env.Server.URL
	login(t, ctx, base, env.User(t, apptest.Staff(access.Audit)).Username)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/staff/sampling?month=2024-01"),
		chromedp.Click(chromedp.CSS(`form[method=post][action="/staff/sampling"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//h2[contains(., "抽查 1 件")]`))); err != nil {
		t.Fatalf("draw: %v", err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`input[name=confirmed][value=complete]`)),
		chromedp.SetValue(chromedp.CSS(`textarea[name=finding]`), "缺少劳动合同"),
		chromedp.SetValue(chromedp.CSS(`textarea[name=rectification]`), "补充劳动合同"),
		chromedp.Click(chromedp.CSS(`form[action$="/check"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/rectify"]`))); err != nil {
		t.Fatalf("check: %v", err)
	}
	shot(t, ctx, "sampling")
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS(`textarea[name=note]`), "已补充"),
		chromedp.Click(chromedp.CSS(`form[action$="/rectify"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//td[contains(., "整改结果：已补充")]`))); err != nil {
		t.Fatalf("rectify: %v", err)
	}
	if s := text(t, ctx, "main"); !strings.Contains(s, "已整改") || !strings.Contains(s, "随机种子") {
		t.Fatalf("after: %s", s)
	}
}

package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/casework"
	"shebao/internal/db"
	"shebao/internal/e2e"
)

// TestClerkFilesMailedAccidentReport: an accident report e-mailed to
// 工伤保险待遇科 two hours after the accident waits as a draft; the next
// day the clerk finds the employer by name (no internal ID), fills in the
// accident's facts and files it; it is not late, because the 24 hours run
// from the accident and the mail arrived within them. Then the clerk
// records a phoned-in report that is 1 hour late.
func TestClerkFilesMailedAccidentReport(t *testing.T) {
	ctx, cancel := context.WithTimeout(e2e.Browser(t), 90*time.Second) // a missing form fails fast
	defer cancel()
	env := apptest.New(t, db.SQLite)
	workerID := employWorker(t, env)
	no, err := env.App.Cases.OpenDraft(context.Background(), casework.DraftInput{Section: access.Injury,
		Channel: "email", FromName: "李丽", Subject: "工伤事故报告", Body: "二号车间叉车撞伤一人",
		ReceivedAt: env.Clock.Now().Add(-23 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	base := env.Server.URL
	login(t, ctx, base, env.User(t, apptest.Staff(access.Injury)).Username)
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/staff/cases/"+no),
		chromedp.WaitVisible(chromedp.CSS("#lookup-q")),
		chromedp.SetValue(chromedp.CSS("#lookup-kind"), "employer"),
		chromedp.SetValue(chromedp.CSS("#lookup-q"), "甲测试"),
		chromedp.Click(chromedp.CSS("#lookup-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-injury input[name="applicant_ref"]`)),
		chromedp.Click(chromedp.CSS(`#confirm-injury input[name="applicant_ref"]`)))
	if err != nil {
		t.Fatalf("find the employer: %v", err)
	}
	if found := text(t, ctx, "#confirm-injury table"); !strings.Contains(found, "北京甲测试科技有限公司") {
		t.Fatalf("search result %q", found)
	}
	fill := func(form string, fields map[string]string) []chromedp.Action[chromedp.Void] {
		var steps []chromedp.Action[chromedp.Void]
		for sel, v := range fields {
			steps = append(steps, chromedp.SetValue(chromedp.CSS(form+" "+sel), v))
		}
		return steps
	}
	facts := map[string]string{"#worker_id_number": workerID, "#accident_at": "2024-02-09T08:00",
		"#place": "二号车间", "#what": "搬运货物时被叉车撞伤", "#injury": "左腿骨折", "#hospital": "区人民医院",
		"#contact_name": "李丽", "#contact_phone": "13800138001"}
	// Wait for the filed case, not just any case page: the draft's own page
	// has #case-state too, and reading it before the answer arrives races.
	steps := append(fill("#confirm-injury", facts), chromedp.Click(chromedp.CSS("#confirm-injury-submit")),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="case-state"][not(contains(., "待确认"))]`)))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("file the draft: %v", err)
	}
	page := text(t, ctx, "main")
	for _, want := range []string{"工伤事故报告", "已提交", "左腿骨折", "区人民医院", "2024-02-10 08:00"} {
		if !strings.Contains(page, want) {
			t.Errorf("filed report lacks %q:\n%s", want, page)
		}
	}
	if strings.Contains(page, "迟报") {
		t.Errorf("a mail that arrived 2 hours after the accident is flagged late:\n%s", page)
	}

	// A report by phone, now (25 hours after the accident).
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/staff/cases/new"),
		chromedp.Click(chromedp.CSS("#clerk-injury-link")),
		chromedp.WaitVisible(chromedp.CSS("#lookup-q")),
		chromedp.SetValue(chromedp.CSS("#lookup-q"), "甲测试"),
		chromedp.Click(chromedp.CSS("#lookup-submit")),
		chromedp.WaitVisible(chromedp.CSS(`#clerk-report input[name="applicant_ref"]`)),
		chromedp.Click(chromedp.CSS(`#clerk-report input[name="applicant_ref"]`)))
	if err != nil {
		t.Fatalf("clerk form: %v", err)
	}
	steps = append(fill("#clerk-report", facts), chromedp.SetValue(chromedp.CSS("#channel"), "phone"),
		chromedp.Click(chromedp.CSS("#submit-clerk-report")), chromedp.WaitVisible(chromedp.CSS("#late-flag")))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("record the phoned report: %v", err)
	}
	if late := text(t, ctx, "#late-flag"); late != "迟报 1 小时" {
		t.Errorf("late flag %q", late)
	}
}

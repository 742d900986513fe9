package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/retirement"
)

// TestSelfEmployedPortalJourney: a flexible worker applies for retirement
// on the portal with both sides of the ID card, the application letter and
// two mobile numbers; a letter that is not an image or a PDF by its bytes
// is refused with the field named and nothing filed; the application goes
// to 个体参保科's queue, is approved on 10 August, and the worker's page
// says pooling starts in September, the first month of the pension.
func TestSelfEmployedPortalJourney(t *testing.T) {
	env := retireEnv(t)
	ctx := Browser(t)
	base, bg := env.Server.URL, context.Background()
	pid, idn := insured(t, env, "冯秀英", time.Date(1966, 3, 10, 0, 0, 0, 0, time.UTC), 87, 0, "1995-01", "2026-05", 500_000)
	if err := retirement.ImportBalance(bg, env.App.DB.W, pid, 8_000_000, clock.Month{Year: 2026, Mon: 5}, retireNow); err != nil {
		t.Fatal(err)
	}
	me := env.AddLogin(t, account.NewAccount{Role: access.RolePerson, Username: idn, PersonID: pid, DisplayName: "冯秀英"}, false)
	dir := t.TempDir()
	file := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	front, back := certificateScan(t), file("国徽面.pdf", "%PDF-1.4\n% back\n%%EOF\n")
	letter, notScan := file("申请书.pdf", "%PDF-1.4\n% letter\n%%EOF\n"), file("申请书.pdf.txt", "我申请退休")
	fill := func(letterPath string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.SetValue(chromedp.CSS("#phone1"), "13800138001"),
			chromedp.SetValue(chromedp.CSS("#phone2"), "13900139002"),
			chromedp.SetUploadFiles(chromedp.CSS("#id_front"), []string{front}),
			chromedp.SetUploadFiles(chromedp.CSS("#id_back"), []string{back}),
			chromedp.SetUploadFiles(chromedp.CSS("#letter"), []string{letterPath}),
			chromedp.Click(chromedp.CSS("#submit-apply")),
		}
	}

	// 1. A letter that is no scan is refused; then the application is filed.
	login(t, ctx, base, me.Username, me.Password)
	run(t, ctx, "portal form",
		chromedp.Navigate(base+"/person/retirement"),
		chromedp.Click(chromedp.CSS("#apply-self")),
		chromedp.WaitVisible(chromedp.CSS("#submit-apply")),
	)
	run(t, ctx, "bad letter", append(fill(notScan), chromedp.WaitVisible(chromedp.Search(`//p[@class="field-error"][contains(., "退休申请书")]`)))...)
	if qs, err := env.App.Retirement.Qualifications(bg, env.Actor(t, apptest.Staff(access.SelfEmployed)), ""); err != nil || len(qs) != 0 {
		t.Fatalf("filed from a bad letter: %d %v", len(qs), err)
	}
	run(t, ctx, "apply", append(fill(letter), chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已提交个体退休申报")]`)))...)
	shot(t, ctx, "selfemployed-portal")
	if gone, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('#apply-self') === null`)); err != nil || !gone {
		t.Errorf("the page still offers to apply after applying (%v)", err)
	}
	if page := text(t, ctx); !strings.Contains(page, "个体退休申报") || !strings.Contains(page, "待") {
		t.Fatalf("own page after applying:\n%s", page)
	}
	signOut(t, ctx)

	// 2. 个体参保科 approves it on 10 August.
	geti := env.User(t, apptest.Staff(access.SelfEmployed))
	qs, err := env.App.Retirement.Qualifications(bg, geti.Actor(), retirement.QualSubmitted)
	if err != nil || len(qs) != 1 || qs[0].PersonID != pid || qs[0].Channel != "web" {
		t.Fatalf("queue %v %v", qs, err)
	}
	env.Clock.Set(time.Date(2026, 8, 10, 9, 0, 0, 0, clock.Shanghai))
	login(t, ctx, base, geti.Username, geti.Password)
	run(t, ctx, "approve",
		chromedp.Navigate(base+"/staff/retirement/qualifications?status=submitted"),
		chromedp.Click(chromedp.CSS(`a[href="/staff/retirement/qualifications/`+qs[0].No+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#approve")),
		chromedp.Click(chromedp.CSS("#approve")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已确认退休资格")]`)),
	)
	signOut(t, ctx)

	// 3. The worker sees pooling from September.
	login(t, ctx, base, me.Username, me.Password)
	run(t, ctx, "own page",
		chromedp.Navigate(base+"/person/retirement"),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "自 2026年9月 起纳入统筹")]`)),
	)
}

package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/demo"
	"shebao/internal/mailintake"
	"shebao/internal/retirement"
)

// selectByText picks the option of a select whose text contains part.
func selectByText(t *testing.T, ctx context.Context, sel, part string) {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const s = document.querySelector(`+quoteJS(sel)+`);
		const o = [...s.options].find(o => o.text.includes(`+quoteJS(part)+`)); if (!o) return false; s.value = o.value; return true })()`))
	if err != nil || !ok {
		t.Fatalf("select %s %s: %v", sel, part, err)
	}
}

func quoteJS(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }

// TestSelfEmployedRetirementJourney: a flexible worker e-mails 个体参保科
// both sides of the ID card, the application letter and two mobile
// numbers; the mail becomes a draft case; the clerk records the
// application from it (phones found in the text), approves it in August
// and pooling starts in September; the determination's first month is
// September.
func TestSelfEmployedRetirementJourney(t *testing.T) {
	env := retireEnv(t)
	ctx := Browser(t)
	base, bg := env.Server.URL, context.Background()
	pid, idn := insured(t, env, "钱桂芬", time.Date(1966, 3, 10, 0, 0, 0, 0, time.UTC), 51, 0, "1995-01", "2026-05", 500_000)
	if err := retirement.ImportBalance(bg, env.App.DB.W, pid, 8_000_000, clock.Month{Year: 2026, Mon: 5}, retireNow); err != nil {
		t.Fatal(err)
	}
	to := mailintake.Address(access.SelfEmployed, env.App.Mail.Domain())
	raw := demo.SelfEmployedMail("qian.guifen@example.com", to, "钱桂芬", idn, "13800138001", "13900139002", retireNow)
	res, err := env.App.Mail.Accept(bg, mailintake.Envelope{From: "qian.guifen@example.com", To: []string{to}}, raw)
	if err != nil || res.CaseNo == "" {
		t.Fatalf("mail intake: %+v %v", res, err)
	}
	geti := env.User(t, apptest.Staff(access.SelfEmployed))

	// 1. The clerk records the application from the mail draft.
	login(t, ctx, base, geti.Username, geti.Password)
	run(t, ctx, "from the draft",
		chromedp.Navigate(base+"/staff/retirement/selfemployed/new?draft="+res.CaseNo),
		chromedp.WaitVisible(chromedp.CSS("#submit-self")),
	)
	p1, err1 := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#phone1")))
	p2, err2 := chromedp.Run(ctx, chromedp.Value(chromedp.CSS("#phone2")))
	if err1 != nil || err2 != nil || p1 != "13800138001" || p2 != "13900139002" {
		t.Fatalf("phones from the mail: %q %q %v %v", p1, p2, err1, err2)
	}
	selectByText(t, ctx, "#id_front", "人像面")
	selectByText(t, ctx, "#id_back", "国徽面")
	selectByText(t, ctx, "#letter", "申请书")
	run(t, ctx, "record",
		chromedp.SetValue(chromedp.CSS("#id_number"), idn),
		chromedp.Click(chromedp.CSS("#submit-self")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已登记个体退休申报")]`)),
	)
	qs, err := env.App.Retirement.Qualifications(bg, geti.Actor(), "")
	if err != nil || len(qs) != 1 || qs[0].CaseNo != res.CaseNo {
		t.Fatalf("application %v", err)
	}

	// 2. Approved on 10 August: pooled from September.
	signOut(t, ctx)
	env.Clock.Set(time.Date(2026, 8, 10, 9, 0, 0, 0, clock.Shanghai))
	login(t, ctx, base, geti.Username, geti.Password)
	run(t, ctx, "approve",
		chromedp.Navigate(base+"/staff/retirement/qualifications/"+qs[0].No),
		chromedp.Click(chromedp.CSS("#approve")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已确认退休资格")]`)),
	)
	if page := text(t, ctx); !strings.Contains(page, "2026年9月起") {
		t.Fatalf("pooling:\n%s", page)
	}
	q, err := env.App.Retirement.Qualification(bg, geti.Actor(), qs[0].No)
	if err != nil || q.PooledFrom != "2026-09" {
		t.Fatalf("pooled from %q %v", q.PooledFrom, err)
	}

	// 3. The determination starts in September.
	run(t, ctx, "compute",
		chromedp.Navigate(base+"/staff/retirement/cases/"+q.CaseNo),
		chromedp.Click(chromedp.CSS("#compute")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已计算待遇，请复核")]`)),
	)
	_, ds, err := env.App.Retirement.CaseDeterminations(bg, geti.Actor(), q.CaseNo)
	if err != nil || len(ds) != 1 || ds[0].FirstMonth.String() != "2026-09" {
		t.Fatalf("determination %v", err)
	}
	pensionAgrees(t, env, ds[0], "1966-03")
}

package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/e2e"
	"shebao/internal/policy"
)

// shot saves a full-page screenshot of the current page to
// SHEBAO_TEST_SHOTS (when set), for a person to look at.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("SHEBAO_TEST_SHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func shanghaiDay(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 9, 0, 0, 0, clock.Shanghai)
}

// TestRecoveryRegisterJourney: during the 2024 epidemic an employer's
// January bill stays unpaid and a pension payout is held; the
// administrator ends the emergency on its page; the register shows the
// deadline three months later; 30 days before it the employer finds the
// reminder in its messages; after it the held payout is handed over to
// 保险福利科, whose clerk records what was done.
func TestRecoveryRegisterJourney(t *testing.T) {
	ctx := e2e.Browser(t)
	env := apptest.New(t, db.SQLite)
	bg := context.Background()
	a := env.App
	e, err := a.Policy.Declare(bg, env.Actor(t, apptest.Admin), policy.Epidemic2024())
	if err != nil {
		t.Fatal(err)
	}
	env.SeedBill(t, apptest.EmployerA, 1)
	if _, err := a.DB.W.ExecContext(bg, `INSERT INTO payout_lines (business_key, payee_kind, payee_id, payee_name, amount_fen, scheme,
		benefit, source_kind, source_id, period, status, hold_reason, prepared_by, prepared_at, updated_at)
		VALUES ('pension/pensioner:1/person:1/2024-02', 'person', $1, '张伟', 350000, 'pension', 'pension', 'pensioner', '1', '2024-02',
		'held', 'card', 'fuli', $2, $2)`, env.Actor(t, apptest.PersonA).PersonID, shanghaiDay(2024, 2, 20).UTC()); err != nil {
		t.Fatal(err)
	}
	env.Clock.Set(shanghaiDay(2024, 4, 10))
	if _, err := a.Recovery.Daily(bg); err != nil {
		t.Fatal(err)
	}
	base := env.Server.URL

	// The administrator ends the emergency on 2024-05-31 (two steps).
	login(t, ctx, base, env.User(t, apptest.Admin).Username)
	id := strconv.FormatInt(e.ID, 10)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin/emergencies/"+id), chromedp.WaitVisible(chromedp.CSS("#end")),
		chromedp.SetValue(chromedp.CSS("#end"), "2024-05-31"),
		chromedp.Click(chromedp.CSS(`form[action$="/end/confirm"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/end"] button[type=submit]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/end"] button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`form[action$="/end"] input[name=version]`))); err != nil {
		t.Fatalf("end the emergency: %v", err)
	}
	// The register shows the deadline of every item: 2024-08-31.
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/staff/deferred"),
		chromedp.WaitVisible(chromedp.CSS("table tbody tr"))); err != nil {
		t.Fatal(err)
	}
	body := text(t, ctx, "main")
	if strings.Count(body, "2024-08-31") != 2 || !strings.Contains(body, "缓缴或欠缴的单位缴费") || !strings.Contains(body, "暂缓发放的待遇") {
		t.Fatalf("register after the end: %s", body)
	}
	shot(t, ctx, "recovery-register")
	logout(t, ctx)

	// 30 days before the deadline the daily job reminds the employer.
	env.Clock.Set(shanghaiDay(2024, 8, 1))
	if r, err := a.Recovery.Daily(bg); err != nil || r.Reminded != 2 {
		t.Fatalf("reminders: %+v %v", r, err)
	}
	login(t, ctx, base, env.User(t, apptest.EmployerA).Username)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/messages"),
		chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatal(err)
	}
	if m := text(t, ctx, "main"); !strings.Contains(m, "请在 2024-08-31 前补办延期业务") || !strings.Contains(m, "还剩 30 天") {
		t.Fatalf("employer's messages: %s", m)
	}
	logout(t, ctx)

	// The bill is paid; the payout is still held after the deadline and is handed over.
	if _, err := a.DB.W.ExecContext(bg, `UPDATE bills SET status = 'paid', paid_fen = total_fen`); err != nil {
		t.Fatal(err)
	}
	env.Clock.Set(shanghaiDay(2024, 9, 1))
	if r, err := a.Recovery.Daily(bg); err != nil || r.HandedOver != 1 || r.MadeUp != 1 {
		t.Fatalf("hand-over: %+v %v", r, err)
	}
	login(t, ctx, base, env.User(t, apptest.Staff(access.Welfare)).Username)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/staff/deferred?status=overdue"),
		chromedp.WaitVisible(chromedp.CSS("table tbody tr a"))); err != nil {
		t.Fatal(err)
	}
	if l := text(t, ctx, "table tbody"); !strings.Contains(l, "逾期未补办（已移交科室）") || strings.Contains(l, "缓缴") {
		t.Fatalf("welfare's overdue items: %s", l)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("table tbody tr a")), chromedp.WaitVisible(chromedp.CSS("textarea[name=note]"))); err != nil {
		t.Fatal(err)
	}
	shot(t, ctx, "recovery-item")
	if err := chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("textarea[name=note]"), "已电话联系，社保卡补办后发放"),
		chromedp.Click(chromedp.CSS(`form[action$="/resolve"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.Search(`//dd[contains(., "已电话联系")]`))); err != nil {
		t.Fatalf("resolve: %v", err)
	}
	if s := text(t, ctx, "main"); !strings.Contains(s, "科室已处置") {
		t.Fatalf("after resolving: %s", s)
	}
}

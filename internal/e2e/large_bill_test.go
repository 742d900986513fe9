package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shebao/internal/app/apptest"
	"shebao/internal/db"
)

// TestLargeBillInBrowser: an employer with 189 staff opens the January
// bill of 567 lines; the confirm button is on the first screen, the page
// shows 50 lines and stays short, and the search and the next-page link
// work in a real browser.
func TestLargeBillInBrowser(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	hires, billID := env.SeedBill(t, apptest.EmployerA, 189)
	ctx := Browser(t)
	base := env.Server.URL
	boss := env.User(t, apptest.EmployerA)
	login(t, ctx, base, boss.Username, boss.Password)

	path := base + "/employer/bills/" + strconv.FormatInt(billID, 10)
	err := chromedp.Do(ctx,
		chromedp.Navigate(path),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/confirm"] button`)),
	)
	if err != nil {
		t.Fatalf("bill page: %v\n%s", err, text(t, ctx))
	}
	confirmTop := evalNumber(t, ctx, `document.querySelector('form[action$="/confirm"] button').getBoundingClientRect().top`)
	viewport := evalNumber(t, ctx, `window.innerHeight`)
	height := evalNumber(t, ctx, `document.documentElement.scrollHeight`)
	rows := evalNumber(t, ctx, lineRowsJS)
	if confirmTop <= 0 || confirmTop > viewport {
		t.Errorf("confirm button at %.0f px, outside the first screen of %.0f px", confirmTop, viewport)
	}
	if rows != 50 || height > 12000 {
		t.Errorf("page shows %.0f lines and is %.0f px tall", rows, height)
	}
	t.Logf("bill of 567 lines: page %.0f px tall, confirm button at %.0f px", height, confirmTop)

	h := hires[77]
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#q"), h.Name),
		chromedp.Click(chromedp.CSS(`form.filters button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.filters a[href="?#lines"]`)),
	)
	if err != nil {
		t.Fatalf("search: %v\n%s", err, text(t, ctx))
	}
	rows = evalNumber(t, ctx, lineRowsJS)
	if page := text(t, ctx); rows != 3 || !strings.Contains(page, h.Name) || !strings.Contains(page, "找到 3 行") {
		t.Errorf("search for %s shows %.0f lines:\n%s", h.Name, rows, page)
	}

	err = chromedp.Do(ctx,
		chromedp.Navigate(path),
		chromedp.WaitVisible(chromedp.CSS(`nav.pager a`)),
		chromedp.Click(chromedp.CSS(`nav.pager a`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.pager a + span`)),
	)
	if err != nil {
		t.Fatalf("next page: %v", err)
	}
	if second, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#lines ~ p.hint`))); err != nil || !strings.Contains(second, "第 2 / 12 页") {
		t.Fatalf("next page: %v %q", err, second)
	}
}

// lineRowsJS counts the rows of the bill's line table.
const lineRowsJS = `document.querySelectorAll('#lines ~ .table-wrap tbody tr').length`

// evalNumber evaluates a JavaScript expression giving a number.
func evalNumber(t *testing.T, ctx context.Context, expr string) float64 {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[float64](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

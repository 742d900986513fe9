package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
	"shebao/internal/e2e"
)

// TestStaffFollowsAppointmentsLogin: a clerk on the public appointments
// page follows its "登录" link, logs in and lands on the counter's booking
// list (not a 403 on the booking form); once logged in the page links the
// list directly.
func TestStaffFollowsAppointmentsLogin(t *testing.T) {
	ctx := e2e.Browser(t)
	env := apptest.New(t, db.SQLite)
	base := env.Server.URL
	// A 403 page has no logout form: fail in seconds, not at the browser's timeout.
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	err := chromedp.Do(wctx, chromedp.Navigate(base+"/appointments"),
		chromedp.Click(chromedp.CSS(`main a[href^="/login"]`)), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SetValue(chromedp.CSS("#username"), env.User(t, apptest.Staff(access.Office)).Username),
		chromedp.SetValue(chromedp.CSS("#password"), apptest.Password),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)))
	if err != nil {
		t.Fatalf("login from the appointments page: %v", err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(strings.SplitN(loc, "?", 2)[0], "/staff/appointments") {
		t.Fatalf("clerk landed on %s, want the booking list", loc)
	}
	if h := text(t, ctx, "main h1"); !strings.HasPrefix(h, "大厅预约名单") {
		t.Fatalf("heading %q", h)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/appointments"),
		chromedp.Click(chromedp.CSS(`#staff-appointments a`)), chromedp.WaitVisible(chromedp.CSS(`form[action="/staff/appointments"]`))); err != nil {
		t.Fatalf("link to the booking list: %v", err)
	}
}

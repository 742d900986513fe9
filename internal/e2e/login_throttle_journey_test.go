package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
)

// TestLoginThrottleJourney walks the login throttle in a real browser: an
// employer's password mistyped five times makes the next try wait a second
// (said in Chinese), a staff account guessed at too often is locked, the
// administrator sees it on the system page and unlocks it, and the staff
// member logs in again.
func TestLoginThrottleJourney(t *testing.T) {
	env := apptest.NewWith(t, db.SQLite, func(c *app.Config) { c.StaffLockAfter = 3 })
	ctx := Browser(t)
	base := env.Server.URL
	emp := env.User(t, apptest.EmployerA)
	clerk := env.User(t, apptest.Staff(access.Fund))
	admin := env.User(t, apptest.Admin)

	for i := 0; i < 5; i++ {
		failLogin(t, ctx, base, emp.Username, "Wrong-pass-1", "用户名或密码错误")
	}
	failLogin(t, ctx, base, emp.Username, emp.Password, "登录尝试过于频繁，请 1 秒后再试")
	env.Clock.Advance(time.Second)
	login(t, ctx, base, emp.Username, emp.Password)
	signOut(t, ctx)

	for i := 0; i < 3; i++ {
		failLogin(t, ctx, base, clerk.Username, "Wrong-pass-1", "用户名或密码错误")
	}
	failLogin(t, ctx, base, clerk.Username, clerk.Password, "请联系系统管理员解锁")

	login(t, ctx, base, admin.Username, admin.Password)
	unlock := `main a[href="/admin/users/` + strconv.FormatInt(clerk.ID, 10) + `/unlock"]`
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/admin"),
		chromedp.WaitVisible(chromedp.CSS(unlock)),
	)
	if err != nil {
		t.Fatalf("%v\n%s", err, text(t, ctx))
	}
	if page := text(t, ctx); !strings.Contains(page, "须解锁的账户") || !strings.Contains(page, clerk.Username) {
		t.Fatalf("locked account not listed:\n%s", page)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(unlock)),
		chromedp.WaitVisible(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	if err != nil {
		t.Fatalf("%v\n%s", err, text(t, ctx))
	}
	if page := text(t, ctx); !strings.Contains(page, "账户已解除锁定") || strings.Contains(page, "须解锁") {
		t.Fatalf("after unlock:\n%s", page)
	}
	signOut(t, ctx)
	login(t, ctx, base, clerk.Username, clerk.Password)
	if page := text(t, ctx); !strings.Contains(page, "经办") {
		t.Fatalf("staff home:\n%s", page)
	}
}

// failLogin submits the login form and expects it back with the message.
func failLogin(t *testing.T, ctx context.Context, base, user, pw, want string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.SetValue(chromedp.CSS("#username"), user),
		chromedp.SetValue(chromedp.CSS("#password"), pw),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.error[role="alert"]`)),
	)
	if err != nil {
		t.Fatalf("login %s: %v\n%s", user, err, text(t, ctx))
	}
	if page := text(t, ctx); !strings.Contains(page, want) {
		t.Fatalf("login %s: want %q on the page:\n%s", user, want, page)
	}
}

package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
	"shebao/internal/ident"
)

// TestRegistrationJourney walks employer registration in a real browser:
// a new enterprise applies online (first with a mistyped credit code, which
// the form rejects with a Chinese message), a 统筹科 clerk approves it and
// sees the initial password once, and the employer logs in, is made to
// change the password, and sees its profile.
func TestRegistrationJourney(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	ctx := Browser(t)
	base := env.Server.URL
	uscc := ident.MakeUSCC("91", "110105", "MA01BC2D")
	bad := uscc[:17] + string(otherCheck(uscc[17]))
	clerk := env.User(t, apptest.Staff(access.Coordination))

	fill := chromedp.Steps(
		chromedp.SetValue(chromedp.CSS("#name"), "北京青禾软件有限公司"),
		chromedp.SetValue(chromedp.CSS("#legal_rep"), "李青禾"),
		chromedp.SetValue(chromedp.CSS("#established_on"), "2024-02-01"),
		chromedp.SetValue(chromedp.CSS("#address"), "北京市朝阳区望京街10号"),
		chromedp.SetValue(chromedp.CSS("#industry"), "软件和信息技术服务业"),
		chromedp.SetValue(chromedp.CSS("#risk_class"), "1"),
		chromedp.SetValue(chromedp.CSS("#contact_name"), "王小禾"),
		chromedp.SetValue(chromedp.CSS("#contact_phone"), "13912345678"),
		chromedp.SetValue(chromedp.CSS("#bank_name"), "中国工商银行北京望京支行"),
		chromedp.SetValue(chromedp.CSS("#bank_account"), "6222020200112233445"),
	)
	// 1. Apply online, first with a wrong check character.
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/register"),
		fill,
		chromedp.SetValue(chromedp.CSS("#uscc"), bad),
		chromedp.Click(chromedp.CSS(`input[name="agree"]`)),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(".field-error")),
	)
	if err != nil {
		t.Fatal(err)
	}
	page := text(t, ctx)
	if !strings.Contains(page, "校验位") {
		t.Fatalf("wrong check character not explained:\n%s", page)
	}
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS("#uscc"), uscc),
		chromedp.Click(chromedp.CSS(`form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("main .once")),
	)
	if err != nil {
		t.Fatalf("%v\n%s", err, text(t, ctx))
	}
	appNo := regexp.MustCompile(`DJ\d{8}-\d{4}`).FindString(text(t, ctx))
	if appNo == "" {
		t.Fatalf("no application number shown:\n%s", text(t, ctx))
	}

	// 2. The clerk logs in, finds it in the queue and approves it.
	login(t, ctx, base, clerk.Username, clerk.Password)
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/staff/registrations"),
		chromedp.Click(chromedp.CSS(`table a[href^="/staff/registrations/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/approve"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/approve"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".once")),
	)
	if err != nil {
		t.Fatalf("%v\n%s", err, text(t, ctx))
	}
	approved := text(t, ctx)
	employerNo := regexp.MustCompile(`\d{12}`).FindString(approved)
	password, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(".once code")))
	if err != nil || employerNo == "" || password == "" {
		t.Fatalf("employer number %q / password %q not shown: %v\n%s", employerNo, password, err, approved)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`header form button`)),
		chromedp.WaitVisible(chromedp.CSS(`header a[href="/login"]`))); err != nil {
		t.Fatal(err)
	}

	// 3. The employer logs in, must change the initial password, then sees its profile.
	login(t, ctx, base, employerNo, password)
	err = chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS("#new_password")),
		chromedp.SetValue(chromedp.CSS("#old_password"), password),
		chromedp.SetValue(chromedp.CSS("#new_password"), "Qinghe2024new"),
		chromedp.SetValue(chromedp.CSS("#confirm_password"), "Qinghe2024new"),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#old_password")),
		chromedp.Navigate(base+"/employer"),
		chromedp.WaitVisible(chromedp.CSS("main dl")),
	)
	if err != nil {
		t.Fatalf("%v\n%s", err, text(t, ctx))
	}
	home := text(t, ctx)
	for _, want := range []string{employerNo, uscc, "北京青禾软件有限公司"} {
		if !strings.Contains(home, want) {
			t.Errorf("employer home lacks %q:\n%s", want, home)
		}
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/employer") {
		t.Errorf("employer ended on %s", loc)
	}
}

func login(t *testing.T, ctx context.Context, base, user, pw string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/login"),
		chromedp.SetValue(chromedp.CSS("#username"), user),
		chromedp.SetValue(chromedp.CSS("#password"), pw),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS("#password")),
	)
	if err != nil {
		t.Fatalf("login %s: %v\n%s", user, err, text(t, ctx))
	}
}

func text(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatalf("read page: %v", err)
	}
	return s
}

// otherCheck returns a different valid credit-code character.
func otherCheck(c byte) byte {
	if c == '0' {
		return '1'
	}
	return '0'
}

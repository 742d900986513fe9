package e2e

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
)

// codeLike matches what a reader must never see: dotted or snake_case
// codes, and the rounding and unit codes.
var codeLike = regexp.MustCompile(`\b[a-z]+(?:[._][a-z]+)+\b|\b(?:yuan|fen|rate_ppm|csv-utf8)\b|404 page not found`)

// pageText opens path and returns the text of its main area.
func pageText(t *testing.T, ctx context.Context, url string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestPagesSpeakChineseInBrowser: in Chromium, an unknown address shows
// the Chinese 404 page in the site layout; the auditor reads audit
// actions and objects in Chinese; the admin's rule form names units in
// Chinese; the employer's bill says 按元取整.
func TestPagesSpeakChineseInBrowser(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	_, billID := env.SeedBill(t, apptest.EmployerA, 3)
	ctx := Browser(t)
	base := env.Server.URL

	notFound := pageText(t, ctx, base+"/no-such-page")
	if !strings.Contains(notFound, "页面不存在") || !strings.Contains(notFound, "社保不见面服务") || codeLike.MatchString(notFound) {
		t.Errorf("404 page:\n%s", notFound)
	}

	boss := env.User(t, apptest.EmployerA)
	login(t, ctx, base, boss.Username, boss.Password)
	bill := pageText(t, ctx, base+"/employer/bills/"+strconv.FormatInt(billID, 10))
	if !strings.Contains(bill, "按元取整") || codeLike.MatchString(bill) {
		t.Errorf("bill page shows codes %q:\n%s", codeLike.FindAllString(bill, 5), bill)
	}
	signOut(t, ctx)

	auditor := env.User(t, apptest.Staff(access.Audit))
	login(t, ctx, base, auditor.Username, auditor.Password)
	page := pageText(t, ctx, base+"/staff/audit")
	list, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main table"))) // the records, not the filter's choices
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"增员", "月度缴费核定", "参保关系", "系统（自动）"} {
		if !strings.Contains(list, want) {
			t.Errorf("audit list lacks %q", want)
		}
	}
	if codeLike.MatchString(page) {
		t.Errorf("audit list shows codes %q", codeLike.FindAllString(page, 10))
	}
	signOut(t, ctx)

	admin := env.User(t, apptest.Admin)
	login(t, ctx, base, admin.Username, admin.Password)
	form := pageText(t, ctx, base+"/admin/policy/new")
	if !strings.Contains(form, "全口径城镇单位就业人员月平均工资（A）（金额，元）") || codeLike.MatchString(form) ||
		regexp.MustCompile(`（(fen|int|text|days|hours|months)）`).MatchString(form) {
		t.Errorf("rule form:\n%s", form)
	}
}

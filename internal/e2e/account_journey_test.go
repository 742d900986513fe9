package e2e

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/personalaccount"
	"shebao/internal/policy"
)

// TestAccountCreditsJourney: a new employee's personal account stays empty
// while the January bill is assessed and confirmed; the credit (the
// individual pension share of the paid bill line) appears once the fund
// clerk imports the bank statement paying it; the interest appears after
// 个人账户科 runs the 2024 year-end interest in the browser, equal to the
// interest calculator's figure at the published rate.
func TestAccountCreditsJourney(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	ctx := Browser(t)
	base := env.Server.URL
	bg := context.Background()
	boss := env.User(t, apptest.EmployerA)
	hires := []newHire{{ident.MakeID("110105", time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC), 301, true), "王建军", "8000"}}

	login(t, ctx, base, boss.Username, boss.Password)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/employer/staff/import"), chromedp.WaitVisible(chromedp.CSS("#submit-import")),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{staffFile(t, env, hires)}),
		chromedp.Click(chromedp.CSS("#submit-import")), chromedp.WaitVisible(chromedp.CSS("main p.once, main p.field-error"))); err != nil {
		t.Fatalf("staff import: %v", err)
	}
	if res, err := env.App.Contribution.AssessMonth(bg, env.Actor(t, apptest.Staff(access.Coordination)), "2024-01", nil); err != nil || res.Created != 1 {
		t.Fatalf("assess: %+v %v", res, err)
	}
	setReceivingAccount(t, env)
	ref, total := confirmOnly(t, ctx, base)
	signOut(t, ctx)

	var pid int64
	if err := env.App.DB.Read().QueryRowContext(bg, `SELECT id FROM persons WHERE id_number = $1`, hires[0].ID).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	worker := env.AddLogin(t, account.NewAccount{Role: access.RolePerson, Username: hires[0].ID, PersonID: pid, DisplayName: hires[0].Name}, false)
	login(t, ctx, base, worker.Username, worker.Password)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/person/account"), chromedp.WaitVisible(chromedp.CSS("#account-empty"))); err != nil {
		t.Fatalf("an unpaid bill credited the account: %v\n%s", err, text(t, ctx))
	}
	signOut(t, ctx)

	env.Clock.Set(time.Date(2024, 2, 12, 9, 0, 0, 0, clock.Shanghai))
	clerk := env.User(t, apptest.Staff(access.Fund))
	login(t, ctx, base, clerk.Username, clerk.Password)
	payByStatement(t, ctx, base, "2024-02-12", ref, total)
	signOut(t, ctx)

	var credit money.Fen
	if err := env.App.DB.Read().QueryRowContext(bg, `SELECT SUM(l.individual_fen) FROM bill_lines l
		WHERE l.person_id = $1 AND l.scheme = 'pension'`, pid).Scan((*int64)(&credit)); err != nil || credit == 0 {
		t.Fatalf("bill line credit %s %v", credit, err)
	}
	login(t, ctx, base, worker.Username, worker.Password)
	row := accountRow(t, ctx, base, "2024")
	if !strings.Contains(row, credit.String()) || !strings.Contains(row, "待计息") {
		t.Fatalf("after payment the 2024 row is %q, want the credit %s and no interest yet", row, credit)
	}
	signOut(t, ctx)

	env.Clock.Set(time.Date(2025, 1, 6, 9, 0, 0, 0, clock.Shanghai))
	acct := env.User(t, apptest.Staff(access.Account))
	login(t, ctx, base, acct.Username, acct.Password)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/staff/accounts/interest"), chromedp.WaitVisible(chromedp.CSS("#start-interest")),
		chromedp.SetValue(chromedp.CSS("#year"), "2024"), chromedp.Click(chromedp.CSS(`input[name=confirm]`)),
		chromedp.Click(chromedp.CSS("#start-interest")),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="run-status"][contains(., "已完成")]`))); err != nil {
		t.Fatalf("interest run: %v\n%s", err, text(t, ctx))
	}
	signOut(t, ctx)

	rate, _, err := env.App.Policy.Rate(bg, policy.KeyAccountInterestRate, "", time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	want, err := personalaccount.YearInterest(personalaccount.InterestInput{Credits: credit, Rate: rate, Year: 2024})
	if err != nil || want.Interest <= 0 {
		t.Fatalf("calculator %+v %v", want, err)
	}
	login(t, ctx, base, worker.Username, worker.Password)
	row = accountRow(t, ctx, base, "2024")
	if !strings.Contains(row, want.Interest.String()) || !strings.Contains(row, (credit+want.Interest).String()) || strings.Contains(row, "待计息") {
		t.Fatalf("after the year-end run the 2024 row is %q, want interest %s", row, want.Interest)
	}
}

// accountRow is the text of the year's row on the person's account page.
func accountRow(t *testing.T, ctx context.Context, base, year string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/person/account"), chromedp.WaitVisible(chromedp.CSS("#account-years"))); err != nil {
		t.Fatalf("account page: %v\n%s", err, text(t, ctx))
	}
	row, err := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll("#account-years tbody tr"))
		.map(r => r.innerText).filter(s => s.startsWith("`+year+`")).join("\n")`))
	if err != nil {
		t.Fatal(err)
	}
	return row
}

// payByStatement imports a bank statement line of day paying ref.
func payByStatement(t *testing.T, ctx context.Context, base, day, ref string, total money.Fen) {
	t.Helper()
	csv := "交易日期,交易流水号,对方户名,对方账号,贷方金额,附言\n" +
		day + ",HX20240212000777,北京某人力资源服务有限公司,6222020200998877665," + total.Plain() + ",社保费 " + ref + "\n"
	path := filepath.Join(t.TempDir(), "对账单.csv")
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/staff/statements"), chromedp.WaitVisible(chromedp.CSS("#file")),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{path}),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS("main h2"))); err != nil {
		t.Fatalf("statement import: %v\n%s", err, text(t, ctx))
	}
	if page := text(t, ctx); !strings.Contains(page, "自动入账\n1 笔") {
		t.Fatalf("statement not applied:\n%s", page)
	}
}

// confirmOnly confirms the employer's draft January bill and returns its
// payment reference and total.
func confirmOnly(t *testing.T, ctx context.Context, base string) (string, money.Fen) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/employer/bills"),
		chromedp.WaitVisible(chromedp.CSS(`table a[href^="/employer/bills/"]`)),
		chromedp.Click(chromedp.CSS(`table a[href^="/employer/bills/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/confirm"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/confirm"] button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`form[action$="/confirm"]`)),
		chromedp.WaitVisible(chromedp.CSS("main dl.kv"))); err != nil {
		t.Fatalf("confirm: %v\n%s", err, text(t, ctx))
	}
	done := text(t, ctx)
	ref := refPattern.FindString(done)
	m := regexp.MustCompile(`应缴合计\s*([0-9,]+\.\d\d) 元`).FindStringSubmatch(done)
	if ref == "" || m == nil {
		t.Fatalf("confirmed bill lacks reference or total:\n%s", done)
	}
	total, err := money.ParseYuan(m[1])
	if err != nil {
		t.Fatal(err)
	}
	return ref, total
}

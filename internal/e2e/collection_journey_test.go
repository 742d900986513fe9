package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/demo"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/policy"
	"shebao/internal/staffchange"
)

// refPattern matches a payment reference.
var refPattern = regexp.MustCompile(`SB[0-9A-Z]{6,}`)

// newHire is one row of the staff Excel file the employer uploads.
type newHire struct {
	ID, Name, Wage string
}

// TestCollectionJourney walks the collection line in a real browser: the
// employer uploads three new staff from the Excel template, the January
// bill is assessed (the batch job) and the employer checks and confirms it,
// the fund clerk imports a bank statement paying it by reference, the
// employer opens and downloads the receipt, and one of the new staff
// issues a payment certificate whose code the public page verifies with
// masked data only.
func TestCollectionJourney(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	ctx := Browser(t)
	base := env.Server.URL
	boss := env.User(t, apptest.EmployerA)
	hires := []newHire{
		{ident.MakeID("110105", time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC), 301, true), "王建军", "8000"},
		{ident.MakeID("110108", time.Date(1995, 11, 23, 0, 0, 0, 0, time.UTC), 402, false), "刘芳", "12345.67"},
		{ident.MakeID("110101", time.Date(1988, 1, 2, 0, 0, 0, 0, time.UTC), 503, true), "陈小明", "9500"},
	}

	// 1. The employer uploads the staff file through the browser.
	login(t, ctx, base, boss.Username, boss.Password)
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/employer/staff/import"),
		chromedp.WaitVisible(chromedp.CSS("#submit-import")),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{staffFile(t, env, hires)}),
		chromedp.Click(chromedp.CSS("#submit-import")),
		chromedp.WaitVisible(chromedp.CSS("main p.once, main p.field-error")),
	)
	if err != nil {
		t.Fatalf("staff import: %v\n%s", err, text(t, ctx))
	}
	if page := text(t, ctx); !strings.Contains(page, "导入成功：增员 3 人，减员 0 人") {
		t.Fatalf("staff import not applied:\n%s", page)
	}

	// 2. The monthly assessment runs (in production: shebao assess).
	res, err := env.App.Contribution.AssessMonth(context.Background(),
		env.Actor(t, apptest.Staff(access.Coordination)), "2024-01", nil)
	if err != nil || res.Created != 1 {
		t.Fatalf("assess 2024-01: %+v, %v", res, err)
	}

	// 3. The employer checks the draft bill and confirms it; the page
	// says where to transfer the money.
	setReceivingAccount(t, env)
	ref, total, billNo := confirmBill(t, ctx, base, hires)

	// 3a. The bill (due 2024-02-15) is still unpaid on 2024-02-20; an
	// emergency waiving late fees began on 2024-02-18. The bill shows
	// today's late fee: 5 days late, the 2 before the start charged.
	declareEmergency(t, env, "2024-02-18")
	env.Clock.Set(time.Date(2024, 2, 20, 9, 0, 0, 0, clock.Shanghai))
	login(t, ctx, base, boss.Username, boss.Password) // ten days later the session has expired
	fee := lateFeeOnBill(t, ctx, base, total)

	// 4. The fund clerk imports the bank statement paying it by reference.
	signOut(t, ctx)
	clerk := env.User(t, apptest.Staff(access.Fund))
	login(t, ctx, base, clerk.Username, clerk.Password)
	importStatement(t, ctx, base, ref, total+fee)

	// 5. The employer sees the payment and downloads the receipt.
	signOut(t, ctx)
	login(t, ctx, base, boss.Username, boss.Password)
	checkReceipt(t, ctx, env, base, billNo, total, fee)

	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/employer/bills"),
		chromedp.WaitVisible(chromedp.CSS("table .badge.ok"))); err != nil {
		t.Fatalf("bill not shown as paid: %v\n%s", err, text(t, ctx))
	}
	if st := text(t, ctx); !strings.Contains(st, billNo) || !strings.Contains(st, "已缴清") {
		t.Errorf("bill list after payment:\n%s", st)
	}
	// Paid late under the emergency: the bill is flagged 疫情逾期受理.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`table a[href^="/employer/bills/"]`)),
		chromedp.WaitVisible(chromedp.CSS("#bill-flags"))); err != nil {
		t.Fatalf("bill flags: %v\n%s", err, text(t, ctx))
	}
	if st := text(t, ctx); !strings.Contains(st, "疫情逾期受理") || !strings.Contains(st, "缴费日 2024-02-20，原缴费期限 2024-02-15") {
		t.Errorf("paid bill lacks the flag and its basis:\n%s", st)
	}

	// 6. A new employee issues a certificate; the public page verifies it.
	signOut(t, ctx)
	code := issueCertificate(t, ctx, env, hires[0])
	signOut(t, ctx)
	checkCertificate(t, ctx, base, code, hires[0])
}

// staffFile fills the downloaded template's data sheet with the hires
// (start month 2024-01) and returns the path of the saved file.
func staffFile(t *testing.T, env *apptest.Env, hires []newHire) string {
	t.Helper()
	var tpl bytes.Buffer
	if err := staffchange.Template(&tpl, env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&tpl)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for i, h := range hires {
		row := []any{"增员", h.ID, h.Name, "2024-01", h.Wage, fmt.Sprintf("1391234567%d", i), "", ""}
		if err := f.SetSheetRow(staffchange.DataSheet, fmt.Sprintf("A%d", i+2), &row); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "人员增减.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// confirmBill opens the employer's January bill, checks it lists the hires
// as a draft, confirms it and returns the payment reference, the total and
// the bill number shown.
func confirmBill(t *testing.T, ctx context.Context, base string, hires []newHire) (string, money.Fen, string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/employer/bills"),
		chromedp.WaitVisible(chromedp.CSS(`table a[href^="/employer/bills/"]`)),
	)
	if err != nil {
		t.Fatalf("bill list: %v\n%s", err, text(t, ctx))
	}
	if list := text(t, ctx); !strings.Contains(list, "2024-01") || !strings.Contains(list, "确认后生成") {
		t.Errorf("bill list lacks the draft January bill:\n%s", list)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`table a[href^="/employer/bills/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/confirm"] button`)),
	)
	if err != nil {
		t.Fatalf("bill detail: %v\n%s", err, text(t, ctx))
	}
	draft := text(t, ctx)
	// 8,000 + 12,346 (12,345.67 rounded to yuan) + 9,500 = 29,846 of base:
	// pension 24%, unemployment 0.5% + 0.5%, work injury class 1 0.2%,
	// every line half-up to the fen (Y's lines are those of docs/rules.md §3.4).
	for _, want := range []string{"2024-01", "3 人", "7,521.19 元（单位 4,984.28 元，个人 2,536.91 元）",
		"养老保险\t29,846.00\t4,775.36\t2,387.68\t7,163.04", "失业保险\t29,846.00\t149.23\t149.23\t298.46",
		"工伤保险\t29,846.00\t59.69\t0.00\t59.69", "1,975.36\t8%\t987.68", "61.73\t0.5%\t61.73", "按元取整"} {
		if !strings.Contains(draft, want) {
			t.Errorf("draft bill lacks %q:\n%s", want, draft)
		}
	}
	for _, h := range hires {
		if !strings.Contains(draft, h.Name+"\t"+ident.MaskID(h.ID)) || strings.Contains(draft, h.ID) {
			t.Errorf("draft bill should show %s %s and never the clear ID number", h.Name, ident.MaskID(h.ID))
		}
	}
	if refPattern.MatchString(draft) {
		t.Errorf("draft bill already shows a payment reference:\n%s", draft)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action$="/confirm"] button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`form[action$="/confirm"]`)),
		chromedp.WaitVisible(chromedp.CSS("main dl.kv")),
	)
	if err != nil {
		t.Fatalf("confirm: %v\n%s", err, text(t, ctx))
	}
	done := text(t, ctx)
	ref := refPattern.FindString(done)
	m := regexp.MustCompile(`应缴合计\s*([0-9,]+\.\d\d) 元`).FindStringSubmatch(done)
	no := regexp.MustCompile(`缴费核定单 (\S+)`).FindStringSubmatch(done)
	if ref == "" || m == nil || no == nil || !strings.Contains(done, "缴费期限") {
		t.Fatalf("confirmed bill lacks reference, total, number or due date:\n%s", done)
	}
	total, err := money.ParseYuan(m[1])
	if err != nil || total <= 0 {
		t.Fatalf("total %q: %v", m[1], err)
	}
	// The confirmation and the bill say where to pay and what to quote.
	for _, want := range []string{"转账至开户名称 " + demo.ReceivingAccount[0], "银行账号\n" + demo.ReceivingAccount[1],
		"开户银行\n" + demo.ReceivingAccount[2], "附言中注明缴费参考号 " + ref, policy.NotCollected} {
		if !strings.Contains(done, want) {
			t.Errorf("confirmed bill lacks %q:\n%s", want, done)
		}
	}
	return ref, total, no[1]
}

// setReceivingAccount gives the agency the demo's receiving account, as
// an administrator would on the rules page.
func setReceivingAccount(t *testing.T, env *apptest.Env) {
	t.Helper()
	keys := []string{policy.KeyReceivingAccountName, policy.KeyReceivingAccountNo, policy.KeyReceivingAccountBank}
	for i, k := range keys {
		_, err := env.App.Policy.AddRule(context.Background(), env.Actor(t, apptest.Admin), policy.RuleInput{Key: k,
			From: "2020-01-01", Value: demo.ReceivingAccount[i], LegalBasis: "区社保处收入户开户信息"})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// declareEmergency declares an open emergency from start that waives late
// fees and accepts late payments (flagged).
func declareEmergency(t *testing.T, env *apptest.Env, start string) {
	t.Helper()
	in := policy.Epidemic2024()
	in.Start, in.FeeMonths, in.CollectionDue = start, nil, ""
	in.Measures = []policy.Measure{policy.MeasureLateFeeWaived, policy.MeasureLateAccepted, policy.MeasureMakeUpAllowed}
	if _, err := env.App.Policy.Declare(context.Background(), env.Actor(t, apptest.Admin), in); err != nil {
		t.Fatal(err)
	}
}

// lateFeeOnBill opens the (only) bill on 2024-02-20 and checks the late
// fee split: due 2024-02-15, 5 days late, the emergency from 2024-02-18
// waives 3, the 2 before its start are charged: 7,521.19 × 0.05% × 2 =
// 7.52119 → 7.52. It returns the fee.
func lateFeeOnBill(t *testing.T, ctx context.Context, base string, total money.Fen) money.Fen {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/employer/bills"),
		chromedp.Click(chromedp.CSS(`table a[href^="/employer/bills/"]`)),
		chromedp.WaitVisible(chromedp.CSS("#late-fee")),
	)
	if err != nil {
		t.Fatalf("late fee on the bill: %v\n%s", err, text(t, ctx))
	}
	const fee = money.Fen(752)
	page := text(t, ctx)
	for _, want := range []string{"7.52 元（今日 2024-02-20 缴纳：逾期 5 天，计收 2 天，免收 3 天）",
		"应急期开始（2024-02-18）后的 3 天；开始前已逾期的 2 天照常计收", (total + fee).String() + " 元", demo.ReceivingAccount[1]} {
		if !strings.Contains(page, want) {
			t.Errorf("overdue bill lacks %q:\n%s", want, page)
		}
	}
	return fee
}

// importStatement uploads a UTF-8 statement with one credit of total
// naming ref and checks it was matched automatically. The payer is an
// agent unknown to Shebao, so only the reference can match it.
func importStatement(t *testing.T, ctx context.Context, base, ref string, total money.Fen) {
	t.Helper()
	csv := "交易日期,交易流水号,对方户名,对方账号,贷方金额,附言\n" +
		"2024-02-20,HX20240220000123,北京某人力资源服务有限公司,6222020200998877665," + total.Plain() +
		",社保费 " + ref + " 2024年1月\n"
	path := filepath.Join(t.TempDir(), "对账单.csv")
	if err := os.WriteFile(path, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/staff/statements"),
		chromedp.WaitVisible(chromedp.CSS("#file")),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{path}),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("main h2")),
	)
	if err != nil {
		t.Fatalf("statement import: %v\n%s", err, text(t, ctx))
	}
	page := text(t, ctx)
	for _, want := range []string{"导入结果", "自动入账\n1 笔，合计 " + total.String() + " 元", "未匹配\n0 笔", "少缴\n0 笔", "多缴\n0 笔"} {
		if !strings.Contains(page, want) {
			t.Errorf("statement result lacks %q:\n%s", want, page)
		}
	}
}

// checkReceipt finds the payment on the employer's list, opens the
// receipt and downloads its PDF with the employer's session.
func checkReceipt(t *testing.T, ctx context.Context, env *apptest.Env, base, billNo string, total, fee money.Fen) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/employer/payments"),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/receipt"]`)),
	)
	if err != nil {
		t.Fatalf("payments: %v\n%s", err, text(t, ctx))
	}
	list := text(t, ctx)
	for _, want := range []string{billNo, "2024-01", (total + fee).String(), fee.String(), "2024-02-20"} {
		if !strings.Contains(list, want) {
			t.Errorf("payment list lacks %q:\n%s", want, list)
		}
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`a[href$="/receipt"]`)),
		chromedp.WaitVisible(chromedp.CSS("main dl.kv")),
	)
	if err != nil {
		t.Fatalf("receipt: %v\n%s", err, text(t, ctx))
	}
	receipt := text(t, ctx)
	for _, want := range []string{"社会保险费缴费收据", billNo, "北京甲测试科技有限公司", "HX20240220000123",
		"逾期 5 天，计收 2 天，免收 3 天，滞纳金 " + fee.String() + " 元", "实收金额合计：" + (total + fee).String() + " 元"} {
		if !strings.Contains(receipt, want) {
			t.Errorf("receipt lacks %q:\n%s", want, receipt)
		}
	}
	if !regexp.MustCompile(`验证码\s*\S{6,}`).MatchString(receipt) {
		t.Errorf("receipt has no verification code:\n%s", receipt)
	}
	attr, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`main a[href$="/receipt.pdf"]`), "href"))
	href := attr.Value
	if err != nil || href == "" {
		t.Fatalf("no PDF link on the receipt: %v\n%s", err, receipt)
	}
	boss := env.User(t, apptest.EmployerA)
	pdf := env.Login(t, boss.Username, boss.Password).Get(t, href)
	if pdf.Status != 200 || !strings.HasPrefix(pdf.Header.Get("Content-Type"), "application/pdf") ||
		!strings.HasPrefix(pdf.Body, "%PDF") {
		t.Fatalf("receipt PDF: status %d, type %q, %d bytes", pdf.Status, pdf.Header.Get("Content-Type"), len(pdf.Body))
	}
}

// issueCertificate gives the hire a login, issues a certificate from
// 2024-01 in the browser and returns its verification code.
func issueCertificate(t *testing.T, ctx context.Context, env *apptest.Env, h newHire) string {
	t.Helper()
	var personID int64
	if err := env.App.DB.R.QueryRow(`SELECT id FROM persons WHERE id_number = $1`, h.ID).Scan(&personID); err != nil {
		t.Fatalf("imported person not found: %v", err)
	}
	u := env.AddLogin(t, account.NewAccount{Role: access.RolePerson, Username: h.ID, PersonID: personID,
		DisplayName: h.Name}, false)
	login(t, ctx, env.Server.URL, u.Username, u.Password)
	err := chromedp.Do(ctx,
		chromedp.Navigate(env.Server.URL+"/person/certificates"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="from"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="from"]`), "2024-01"),
		chromedp.SetValue(chromedp.CSS(`input[name="to"]`), "2024-01"),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/certificate.html"]`)),
	)
	if err != nil {
		t.Fatalf("issue certificate: %v\n%s", err, text(t, ctx))
	}
	page := text(t, ctx)
	code := regexp.MustCompile(`验证码：([A-Z0-9]{4}(?:-[A-Z0-9]{4}){4})`).FindStringSubmatch(page)
	if code == nil {
		t.Fatalf("no verification code on the certificate:\n%s", page)
	}
	// The hire's January line: 8,000 × (8% + 16% + 0.5% + 0.5% + 0.2%).
	for _, want := range []string{h.Name, "2024-01 至 2024-01", "有效",
		"2024-01\t北京甲测试科技有限公司\t养老、失业、工伤\t8,000.00\t2,016.00", "疫情逾期受理"} {
		if !strings.Contains(page, want) {
			t.Errorf("certificate lacks %q:\n%s", want, page)
		}
	}
	return code[1]
}

// checkCertificate verifies the code anonymously on the public page and
// checks only masked data is shown.
func checkCertificate(t *testing.T, ctx context.Context, base, code string, h newHire) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/certificate/check"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="code"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="code"]`), code),
		chromedp.Click(chromedp.CSS(`main form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS("main dl.kv")),
	)
	if err != nil {
		t.Fatalf("check certificate: %v\n%s", err, text(t, ctx))
	}
	page := text(t, ctx)
	masked := []rune(h.Name)[:1]
	for _, want := range []string{"证明有效", code, "参保人", string(masked) + "*", ident.MaskID(h.ID),
		"2024-01 至 2024-01", "区社会保险事业管理中心", "2024-02-20"} {
		if !strings.Contains(page, want) {
			t.Errorf("check page lacks %q:\n%s", want, page)
		}
	}
	if !strings.Contains(ident.MaskID(h.ID), "*") {
		t.Errorf("MaskID(%s) masks nothing", ident.MaskID(h.ID))
	}
	for _, clear := range []string{h.ID, h.Name, h.ID[6:14]} {
		if strings.Contains(page, clear) {
			t.Errorf("public check page shows %q in clear:\n%s", clear, page)
		}
	}
}

// signOut logs the current user out through the header button.
func signOut(t *testing.T, ctx context.Context) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`header form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`header a[href="/login"]`)),
	)
	if err != nil {
		t.Fatalf("logout: %v\n%s", err, text(t, ctx))
	}
}

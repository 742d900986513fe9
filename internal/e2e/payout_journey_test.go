package e2e

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/ledger"
	"shebao/internal/money"
	"shebao/internal/payout"
	"shebao/internal/payroll"
)

// TestPayoutJourney walks the outgoing money in a real browser: a fund
// clerk runs the February pension payroll (with January arrears), a second
// clerk approves it, makes the batch and downloads the bank file, imports
// the bank's return with two failures, fixes one account and reissues it;
// the first clerk approves the reissue, it is paid, and the retiree sees
// her payments. The ledger balances after every step.
func TestPayoutJourney(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	ctx := Browser(t)
	base := env.Server.URL
	bg := context.Background()
	env.Clock.Set(time.Date(2024, 2, 10, 9, 0, 0, 0, clock.Shanghai))
	admin := env.Actor(t, apptest.Admin)
	csvGBK, xlsx := payout.DemoProfiles()
	for _, b := range []payout.Bank{{Code: "ICBC", Name: "中国工商银行", Profile: csvGBK, Active: true}, {Code: "CCB", Name: "中国建设银行", Profile: xlsx, Active: true}} {
		if _, err := env.App.Payouts.SaveBank(bg, admin, b); err != nil {
			t.Fatal(err)
		}
	}
	// Two retirees in pay from January, each with an active card.
	welfare := env.Actor(t, apptest.Staff(access.Welfare))
	for i, key := range []string{apptest.PersonA, apptest.PersonB} {
		u := env.User(t, key)
		err := env.App.DB.WithTx(bg, func(tx *sql.Tx) error {
			var name, idn string
			if err := tx.QueryRow(`SELECT name, id_number FROM persons WHERE id = $1`, u.PersonID).Scan(&name, &idn); err != nil {
				return err
			}
			_, err := env.App.Payroll.EnrolTx(bg, tx, welfare, payroll.Enrolment{PersonID: u.PersonID, Name: name, IDNumber: idn,
				Monthly: []money.Fen{325000, 288050}[i], FirstMonth: clock.Month{Year: 2024, Mon: 1}, Basis: "养老金核定表",
				SourceKind: "pension_determination", SourceID: key})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	fund1 := env.User(t, apptest.Staff(access.Fund))
	fund2 := env.AddLogin(t, account.NewAccount{Role: access.RoleStaff, Username: "jijin2", DisplayName: "基金二",
		Sections: []access.Section{access.Fund}}, false)
	if _, _, err := env.App.Payroll.ListForCards(bg, fund1.Actor(), "ICBC"); err != nil {
		t.Fatal(err)
	}
	for i, key := range []string{apptest.PersonA, apptest.PersonB} {
		pid := env.User(t, key).PersonID
		if err := env.App.Payroll.RecordIssued(bg, fund1.Actor(), payroll.CardIssue{PersonID: pid, CardNo: "C" + key,
			AccountNo: luhnCard(int64(100 + i)), Delivery: "mail", TrackingNo: "EA00000000" + key[len(key)-1:] + "CN", IssuedOn: "2024-01-20"}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Payroll.Activate(bg, fund1.Actor(), pid); err != nil {
			t.Fatal(err)
		}
	}
	balanced := func(step string) {
		t.Helper()
		if n, err := ledger.Unbalanced(bg, env.App.DB.W); err != nil || n != 0 {
			t.Fatalf("%s: ledger unbalanced (%d, %v)", step, n, err)
		}
		var off int64
		env.App.DB.W.QueryRow(`SELECT COALESCE(SUM(debit_fen - credit_fen), 0) FROM ledger_entries`).Scan(&off)
		if off != 0 {
			t.Fatalf("%s: ledger off by %d", step, off)
		}
	}

	// 1. Clerk one runs the February payroll on the fund page.
	login(t, ctx, base, fund1.Username, fund1.Password)
	run(t, ctx, "payroll",
		chromedp.Navigate(base+"/staff/payroll"),
		chromedp.SetValue(chromedp.CSS(`input[name="month"]`), "2024-02"),
		chromedp.Click(chromedp.CSS(`main form[action="/staff/payroll"] button`)),
		// The running page reloads itself every two seconds; a query (unlike a
		// script poll) survives those navigations.
		chromedp.WaitVisible(chromedp.Search(`//p[contains(@class, "run-status")][contains(., "已完成")]`)),
	)
	if page := text(t, ctx); !strings.Contains(page, "新增拨付 4 笔") {
		t.Fatalf("payroll run:\n%s", page)
	}
	balanced("payroll")
	// The preparer cannot approve her own lines.
	approveAll(t, ctx, base)
	if page := text(t, ctx); !strings.Contains(page, "所选的4笔拨付都由您本人经办，须由基金管理科的另一名工作人员审核") {
		t.Fatalf("the preparer approved:\n%s", page)
	}
	signOut(t, ctx)

	// 2. Clerk two approves the month, makes the ICBC batch and downloads the file.
	login(t, ctx, base, fund2.Username, fund2.Password)
	approveAll(t, ctx, base)
	if page := text(t, ctx); !strings.Contains(page, "已审核通过 4 笔拨付") {
		t.Fatalf("approval:\n%s", page)
	}
	balanced("approval")
	run(t, ctx, "batch",
		chromedp.Navigate(base+"/staff/payout-batches"),
		chromedp.SetValue(chromedp.CSS(`select[name="bank_code"]`), "ICBC"),
		chromedp.Click(chromedp.CSS(`main form[action="/staff/payout-batches"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//a[contains(., "下载代发文件")]`)),
	)
	batchURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch(document.querySelector('a[href$="/file"]').href).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || status != 200 {
		t.Fatalf("bank file download: %d", status)
	}
	balanced("batch")

	// 3. The bank's return: two lines failed.
	var batchID int64
	env.App.DB.W.QueryRow(`SELECT MAX(id) FROM payout_batches`).Scan(&batchID)
	var failA, failB int64
	env.App.DB.W.QueryRow(`SELECT id FROM payout_lines WHERE payee_id = $1 AND period = '2024-02'`, env.User(t, apptest.PersonA).PersonID).Scan(&failA)
	env.App.DB.W.QueryRow(`SELECT id FROM payout_lines WHERE payee_id = $1 AND period = '2024-01'`, env.User(t, apptest.PersonB).PersonID).Scan(&failB)
	ret, err := env.App.Payouts.SimulatedReturn(bg, fund2.Actor(), batchID, map[int64]string{failA: "账户已冻结", failB: "户名不符"})
	if err != nil {
		t.Fatal(err)
	}
	uploadReturn(t, ctx, batchURL, ret)
	if page := text(t, ctx); !strings.Contains(page, "成功 2 笔") || !strings.Contains(page, "失败 2 笔") {
		t.Fatalf("return import:\n%s", page)
	}
	balanced("return")

	// 4. One failure is fixed (a new card account) and reissued.
	run(t, ctx, "failed queue",
		chromedp.Navigate(base+"/staff/payouts?status=failed"),
		chromedp.WaitVisible(chromedp.Search(`//td[contains(., "账户已冻结")]`)),
		chromedp.Navigate(base+"/staff/payouts/"+itoa(failA)),
		chromedp.SetValue(chromedp.CSS(`input[name="account_no"]`), luhnCard(777)),
		chromedp.Click(chromedp.CSS(`form[action$="/reissue"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已重新拨付，请由另一名工作人员审核")]`)),
	)
	balanced("reissue")
	signOut(t, ctx)

	// 5. Clerk one approves the reissue; it goes to the bank and is paid.
	login(t, ctx, base, fund1.Username, fund1.Password)
	approveAll(t, ctx, base)
	if page := text(t, ctx); !strings.Contains(page, "已审核通过 1 笔拨付") {
		t.Fatalf("reissue approval:\n%s", page)
	}
	run(t, ctx, "second batch",
		chromedp.Navigate(base+"/staff/payout-batches"),
		chromedp.SetValue(chromedp.CSS(`select[name="bank_code"]`), "ICBC"),
		chromedp.Click(chromedp.CSS(`main form[action="/staff/payout-batches"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//a[contains(., "下载代发文件")]`)),
	)
	loc2, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	env.App.DB.W.QueryRow(`SELECT MAX(id) FROM payout_batches`).Scan(&batchID)
	ret2, err := env.App.Payouts.SimulatedReturn(bg, fund1.Actor(), batchID, nil)
	if err != nil {
		t.Fatal(err)
	}
	uploadReturn(t, ctx, loc2, ret2)
	if page := text(t, ctx); !strings.Contains(page, "成功 1 笔") {
		t.Fatalf("second return:\n%s", page)
	}
	balanced("paid")
	signOut(t, ctx)

	// 6. The retiree sees her card, the masked account and both months paid.
	a := env.User(t, apptest.PersonA)
	login(t, ctx, base, a.Username, a.Password)
	run(t, ctx, "portal", chromedp.Navigate(base+"/person/pension"), chromedp.WaitVisible(chromedp.Search(`//h2[contains(., "发放记录")]`)))
	shot(t, ctx, "pension")
	page := text(t, ctx)
	if !strings.Contains(page, "已激活") || !strings.Contains(page, payout.MaskAccount(luhnCard(100))) || strings.Contains(page, luhnCard(100)) ||
		strings.Count(page, "已发放") != 2 || !strings.Contains(page, "2024年1月") || !strings.Contains(page, "3,250.00") ||
		!strings.Contains(page, "2024年2月15日") {
		t.Fatalf("portal:\n%s", page)
	}
}

func run(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v\n%s", what, err, text(t, ctx))
	}
}

func approveAll(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	run(t, ctx, "approve",
		chromedp.Navigate(base+"/staff/payouts?status=prepared"),
		chromedp.WaitVisible(chromedp.CSS("main h1")),
	)
	has, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.querySelector('input[name="all"]')`))
	if !has {
		return
	}
	run(t, ctx, "approve all",
		chromedp.Click(chromedp.CSS(`input[name="all"]`)),
		chromedp.Click(chromedp.CSS(`#approve-form button[type="submit"]:not([formaction])`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已审核通过") or contains(@class, "field-error")]`)),
	)
}

func uploadReturn(t *testing.T, ctx context.Context, batchURL string, f *payout.File) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "return"+filepath.Ext(f.Name))
	if err := os.WriteFile(path, f.Data, 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "upload return",
		chromedp.Navigate(batchURL),
		chromedp.SetUploadFiles(chromedp.CSS(`input[name="file"]`), []string{path}),
		chromedp.Click(chromedp.CSS(`form[action$="/return"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "回盘已导入")]`)),
	)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// luhnCard is a 19-digit card number passing the Luhn check.
func luhnCard(n int64) string {
	body := "621700" + strconv.FormatInt(1_000_000_000_000+n, 10)[1:]
	for d := 0; d <= 9; d++ {
		if c := body + strconv.Itoa(d); payout.Luhn(c) {
			return c
		}
	}
	panic("no check digit")
}

package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app/apptest"
	"shebao/internal/calc"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/money"
	"shebao/internal/payout"
	"shebao/internal/person"
	"shebao/internal/personalaccount"
	"shebao/internal/transfer"
)

// TestTransferOutJourney: 个人账户科 records the new place's 联系函 for a
// person with twelve months paid, issues the 信息表 (the account balance
// and the calculator's pooled amount), prepares the payout; a 基金管理科
// clerk approves it (the preparer cannot), puts it in a bank file and
// imports the paid return; the transfer is closed and the person's
// account here is empty.
func TestTransferOutJourney(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	// One browser per sitting: each has its own time limit under load.
	ctx := Browser(t)
	base, bg := env.Server.URL, context.Background()
	admin := env.Actor(t, apptest.Admin)
	csvGBK, xlsx := payout.DemoProfiles()
	for _, b := range []payout.Bank{{Code: "ICBC", Name: "中国工商银行", Profile: csvGBK, Active: true}, {Code: "CCB", Name: "中国建设银行", Profile: xlsx, Active: true}} {
		if _, err := env.App.Payouts.SaveBank(bg, admin, b); err != nil {
			t.Fatal(err)
		}
	}
	me := env.User(t, apptest.PersonA)
	p, err := person.Load(bg, env.App.DB.Read(), me.PersonID)
	if err != nil {
		t.Fatal(err)
	}
	emp := env.User(t, apptest.EmployerA).EmployerID
	// Twelve months of 2023 paid on a base of 5,000 元 (8% to the account).
	base5000, ids := money.Yuan(5000), []int64{}
	ind, er := base5000.Apply(money.MustPercent("8")), base5000.Apply(money.MustPercent("16"))
	for m := 1; m <= 12; m++ {
		var id int64
		if err := env.App.DB.W.QueryRow(`INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status, employer_fen, individual_fen,
			total_fen, paid_fen, payment_ref, due_on, assessed_at) VALUES ($1, 'employer', $2, $3, 'paid', $4, $5, $6, $6, $7, '2023-12-15', $8) RETURNING id`,
			fmt.Sprintf("HD-OUT-%d", m), emp, fmt.Sprintf("2023-%02d", m), int64(er), int64(ind), int64(er+ind),
			fmt.Sprintf("SBTOUT%05dX", m), env.Clock.Now()).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.DB.W.Exec(`INSERT INTO bill_lines (bill_id, person_id, fee_month, scheme, base_fen, declared_base_fen,
			employer_rate_ppm, individual_rate_ppm, employer_fen, individual_fen) VALUES ($1, $2, $3, 'pension', $4, $4, 160000, 80000, $5, $6)`,
			id, p.ID, fmt.Sprintf("2023-%02d", m), int64(base5000), int64(er), int64(ind)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := env.App.DB.WithTx(bg, func(tx *sql.Tx) error {
		return personalaccount.CreditPaidBills(bg, tx, env.App.DB.Dialect, ids, env.Clock.Now())
	}); err != nil {
		t.Fatal(err)
	}
	balance, err := personalaccount.BalanceAt(bg, env.App.DB.Read(), p.ID, clock.Today(env.Clock))
	if err != nil || balance != money.Yuan(4800) {
		t.Fatalf("balance before %s %v", balance, err)
	}

	// 1. 个人账户科 records the 联系函 and issues the 信息表.
	clerk := env.User(t, apptest.Staff(access.Account))
	login(t, ctx, base, clerk.Username, clerk.Password)
	run(t, ctx, "联系函",
		chromedp.Navigate(base+"/staff/transfers"),
		chromedp.WaitVisible(chromedp.CSS("#open-out")),
		chromedp.SetValue(chromedp.CSS("#out-id"), p.IDNumber),
		chromedp.SetValue(chromedp.CSS("#out-agency"), "广东省深圳市社会保险基金管理局"),
		chromedp.SetValue(chromedp.CSS("#out-region"), "440300"),
		chromedp.SetValue(chromedp.CSS("#out-letter"), "深社保转函〔2024〕18号"),
		chromedp.SetValue(chromedp.CSS("#out-name"), "深圳市社会保险基金管理局"),
		chromedp.SetValue(chromedp.CSS("#out-account"), "44201500000052500001"),
		chromedp.SetValue(chromedp.CSS("#out-bank"), "中国工商银行深圳分行"),
		chromedp.Click(chromedp.CSS("#open-out")),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="transfer-status"][contains(., "已登记转入地联系函")]`)),
	)
	cs := calc.NewService(env.App.Policy, env.Clock, 10, 10)
	c, _ := cs.Get("transfer")
	out, err := cs.Run(bg, c, calc.Values{"wages_fen": []money.Fen{money.Yuan(60000)}})
	if err != nil {
		t.Fatal(err)
	}
	v, ok := out.Outputs[0].Value.(int64)
	if !ok || v <= 0 {
		t.Fatalf("calculator %+v", out)
	}
	pooled := money.Fen(v)
	run(t, ctx, "信息表",
		chromedp.Click(chromedp.CSS("#transfer-step")),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="transfer-status"][contains(., "已出具信息表")]`)),
	)
	page := text(t, ctx)
	for _, want := range []string{balance.String() + " 元", pooled.String() + " 元", (balance + pooled).String() + " 元", "60,000.00"} {
		if !strings.Contains(page, want) {
			t.Errorf("信息表 lacks %q:\n%s", want, page)
		}
	}
	run(t, ctx, "payout",
		chromedp.Click(chromedp.CSS("#transfer-step")),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="transfer-status"][contains(., "基金划转待拨付")]`)),
	)
	// Not paid yet: the transfer cannot be closed.
	run(t, ctx, "early close",
		chromedp.Click(chromedp.CSS("#transfer-step")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "尚未拨付成功")]`)),
	)
	open, err := env.App.Transfers.List(bg, clerk.Actor(), transfer.Filter{})
	if err != nil || len(open) != 1 {
		t.Fatalf("transfers %d %v", len(open), err)
	}
	showURL := base + "/staff/transfers/" + itoa(open[0].ID)

	// 2. 基金管理科: a clerk approves (the preparer is another section), a
	// batch goes to the bank and the return says paid.
	fund := env.AddLogin(t, account.NewAccount{Role: access.RoleStaff, Username: "jijin-out", DisplayName: "基金转出",
		Sections: []access.Section{access.Fund}}, false)
	ctx = Browser(t)
	login(t, ctx, base, fund.Username, fund.Password)
	approveAll(t, ctx, base)
	if page := text(t, ctx); !strings.Contains(page, "已审核通过 1 笔拨付") {
		t.Fatalf("approval:\n%s", page)
	}
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
	var batchID, lineAmount int64
	env.App.DB.W.QueryRow(`SELECT MAX(id) FROM payout_batches`).Scan(&batchID)
	env.App.DB.W.QueryRow(`SELECT l.amount_fen FROM payout_batch_lines m JOIN payout_lines l ON l.id = m.line_id WHERE l.benefit = 'transfer_out' AND m.batch_id = $1`, batchID).Scan(&lineAmount)
	if lineAmount != int64(balance+pooled) {
		t.Fatalf("payout line %d, want %d", lineAmount, balance+pooled)
	}
	ret, err := env.App.Payouts.SimulatedReturn(bg, fund.Actor(), batchID, nil)
	if err != nil {
		t.Fatal(err)
	}
	uploadReturn(t, ctx, batchURL, ret)
	if page := text(t, ctx); !strings.Contains(page, "成功 1 笔") {
		t.Fatalf("return import:\n%s", page)
	}

	// 3. 个人账户科 closes the transfer: the account here is closed.
	ctx = Browser(t)
	login(t, ctx, base, clerk.Username, clerk.Password)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(showURL),
		chromedp.WaitVisible(chromedp.CSS("#transfer-step")),
		chromedp.Click(chromedp.CSS("#transfer-step")),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="transfer-status"][contains(., "已办结（账户已转出）")]`)),
	); err != nil {
		t.Fatalf("close %s: %v", showURL, err)
	}
	if b, err := personalaccount.BalanceAt(bg, env.App.DB.Read(), p.ID, clock.Today(env.Clock)); err != nil || b != 0 {
		t.Fatalf("balance after transfer out %s %v", b, err)
	}
	var status string
	env.App.DB.W.QueryRow(`SELECT status FROM persons WHERE id = $1`, p.ID).Scan(&status)
	if status != "transferred" {
		t.Fatalf("person status %s", status)
	}
	list, err := env.App.Transfers.List(bg, clerk.Actor(), transfer.Filter{})
	if err != nil || len(list) != 1 || list[0].Pooled != pooled || list[0].Account != balance {
		t.Fatalf("transfers %+v %v", list, err)
	}
}

package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/payment"
)

// TestRefundPayoutJourney: a payment no bill matches and whose statement
// line names no account is returned to its payer; in the browser the fund
// clerk sees on the payment page that the refund's payout waits for an
// account, enters the account the payer gave, and the line goes to 待审核.
func TestRefundPayoutJourney(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	ctx := Browser(t)
	base := env.Server.URL
	bg := context.Background()
	clerk := env.User(t, apptest.Staff(access.Fund))
	fund := clerk.Actor()
	day := clock.DateOf(env.Clock.Now()).Format("2006-01-02")
	csv := "交易日期,交易流水号,对方户名,对方账号,借方金额,贷方金额,附言\n" + day + ",RFJ0001,某某代理公司,,,50.00,九月社保\n"
	if _, err := env.App.Payments.ImportStatement(bg, fund, payment.ImportInput{FileName: "s.csv", Data: []byte(csv)}); err != nil {
		t.Fatal(err)
	}
	p, err := env.App.Payments.FindPosted(bg, fund, "RFJ0001")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Payments.Settle(bg, fund, p.ID, payment.SettleInput{Action: "refund", Note: "无法确认缴费单位", Version: p.Version}); err != nil {
		t.Fatal(err)
	}

	login(t, ctx, base, clerk.Username, clerk.Password)
	run(t, ctx, "payment page",
		chromedp.Navigate(base+"/staff/payments/refunds?code=RFJ0001"),
		chromedp.WaitVisible(chromedp.Search(`//h3[contains(., "补录退款账户")]`)),
	)
	if page := text(t, ctx); !strings.Contains(page, "退还多缴（误缴）社会保险费") || !strings.Contains(page, payment.HoldNoAccount) ||
		!strings.Contains(page, "暂停发放（待账户）") {
		t.Fatalf("payment page:\n%s", page)
	}
	run(t, ctx, "enter the account",
		chromedp.SetValue(chromedp.CSS(`input[name="account_no"]`), "1100 2233 4455"),
		chromedp.SetValue(chromedp.CSS(`input[name="bank_name"]`), "中国建设银行北京分行"),
		chromedp.Click(chromedp.CSS(`form[action$="/refund-account"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已登记退款账户")]`)),
	)
	page := text(t, ctx)
	if !strings.Contains(page, "待审核") || !strings.Contains(page, "********4455") || strings.Contains(page, "补录退款账户") ||
		strings.Contains(page, "110022334455") {
		t.Fatalf("after the account:\n%s", page)
	}
}

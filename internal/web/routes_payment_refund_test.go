package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/payment"
	"shebao/internal/payout"
	"shebao/internal/personalaccount"
)

// TestRefundOfAPaidBillPage: the fund clerk finds a posted payment by its
// receipt code, must confirm, and the refund takes the person's account
// credit back; an employer may not open the page.
func TestRefundOfAPaidBillPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		id := insertBill(t, env, "2024-01", "confirmed", "SBREFUND00001", "2024-02-15", 123456)
		var person int64
		if err := env.App.DB.W.QueryRow(`SELECT person_id FROM bill_lines WHERE bill_id = $1`, id).Scan(&person); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.DB.W.Exec(`UPDATE bill_lines SET individual_fen = 9600 WHERE bill_id = $1`, id); err != nil {
			t.Fatal(err)
		}
		fundActor := env.Actor(t, apptest.Staff(access.Fund))
		p, _, err := env.App.Payments.RecordCard(ctx, fundActor, payment.CardInput{BillNo: "SBREFUND00001", TerminalRef: "T9001",
			CardLast4: "1234", Amount: "1234.56"})
		if err != nil {
			t.Fatal(err)
		}
		balance := func() int64 {
			b, err := personalaccount.BalanceAt(ctx, env.App.DB.Read(), person, clock.DateOf(env.Clock.Now()))
			if err != nil {
				t.Fatal(err)
			}
			return int64(b)
		}
		if b := balance(); b != 9600 {
			t.Fatalf("balance after paying = %d", b)
		}
		env.LoginAs(t, apptest.EmployerA).Get(t, "/staff/payments/refunds").WantStatus(t, http.StatusForbidden)

		f := env.LoginAs(t, apptest.Staff(access.Fund))
		f.Get(t, "/staff/payments/refunds?code=NOSUCH").WantStatus(t, http.StatusNotFound).WantBody(t, "没有找到票据验证码或流水号")
		f.Get(t, "/staff/payments/refunds?code="+p.ReceiptCode).WantStatus(t, http.StatusOK).
			WantBody(t, "1,234.56", "HD2024-01", "确认退款")
		path := "/staff/payments/" + strconv.FormatInt(p.ID, 10) + "/refund"
		f.PostForm(t, path, url.Values{"reason": {"重复缴费"}, "version": {strconv.FormatInt(p.Version, 10)}}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "请勾选")
		if b := balance(); b != 9600 {
			t.Fatalf("balance after an unconfirmed refund = %d", b)
		}
		f.PostForm(t, path, url.Values{"reason": {"重复缴费"}, "confirm": {"1"}, "version": {strconv.FormatInt(p.Version, 10)}}).
			WantRedirect(t, "/staff/payments/refunds")
		if b := balance(); b != 0 {
			t.Fatalf("balance after the refund = %d", b)
		}
		// A card payment names no account to return the money to: the payout line waits, and the page says why.
		f.Get(t, "/staff/payments/refunds?code="+p.ReceiptCode).WantStatus(t, http.StatusOK).WantBody(t, "待退款", "无需退款",
			"退款拨付", "退还多缴（误缴）社会保险费", "暂停发放（待账户）", payment.HoldNoAccount)
		// The clerk enters the account the payer gave: a wrong number is refused on the page, naming the field.
		acctPath := "/staff/payments/" + strconv.FormatInt(p.ID, 10) + "/refund-account"
		f.PostForm(t, acctPath, url.Values{"account_kind": {"corporate"}, "account_name": {p.PayerName}, "account_no": {"12AB"},
			"bank_name": {"中国工商银行北京分行"}}).WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "收款账号只能由数字组成", "补录退款账户")
		f.PostForm(t, acctPath, url.Values{"account_kind": {"corporate"}, "account_name": {"另一家公司"}, "account_no": {"110022334455"},
			"bank_name": {"中国工商银行北京分行"}, "name_confirmed": {"1"}}).WantRedirect(t, "/staff/payments/refunds")
		f.Get(t, "/staff/payments/refunds?code="+p.ReceiptCode).WantStatus(t, http.StatusOK).WantBody(t, "待审核", "********4455")
		f.PostForm(t, path, url.Values{"reason": {"重复缴费"}, "confirm": {"1"}, "version": {strconv.FormatInt(p.Version, 10)}}).
			WantStatus(t, http.StatusConflict)
	})
}

// TestRefundPayoutStatusOnPaymentPage: an unmatched payment returned to
// its payer shows its payout line on the payment page, in Chinese, from
// 待审核 to 已审核 once a second fund clerk approved it.
func TestRefundPayoutStatusOnPaymentPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		fundActor := env.Actor(t, apptest.Staff(access.Fund))
		card := "6222020000000012340"
		for c := '0'; c <= '9'; c++ {
			if payout.Luhn(card[:18] + string(c)) {
				card = card[:18] + string(c)
			}
		}
		csv := "交易日期,交易流水号,对方户名,对方账号,借方金额,贷方金额,附言\n" +
			clock.DateOf(env.Clock.Now()).Format("2006-01-02") + ",RFPAY0001,李四," + card + ",,300.00,不明款项\n"
		if _, err := env.App.Payments.ImportStatement(ctx, fundActor, payment.ImportInput{FileName: "s.csv", Data: []byte(csv)}); err != nil {
			t.Fatal(err)
		}
		p, err := env.App.Payments.FindPosted(ctx, fundActor, "RFPAY0001")
		if err != nil {
			t.Fatal(err)
		}
		f := env.LoginAs(t, apptest.Staff(access.Fund))
		f.PostForm(t, "/staff/payments/"+strconv.FormatInt(p.ID, 10)+"/settle", url.Values{"action": {"refund"}, "note": {"无法确认缴费单位"},
			"version": {strconv.FormatInt(p.Version, 10)}}).WantRedirect(t, "/staff/payments/queue")
		f.Get(t, "/staff/payments/refunds?code=RFPAY0001").WantStatus(t, http.StatusOK).
			WantBody(t, "退款拨付", "退还多缴（误缴）社会保险费", "李四（其他付款人）", "300.00", "待审核", "未分配")
		lines, err := env.App.Payouts.OfSource(ctx, nil, payment.RefundSource, strconv.FormatInt(p.ID, 10))
		if err != nil || len(lines) != 1 {
			t.Fatalf("lines %+v %v", lines, err)
		}
		second := &access.Actor{UserID: 1 << 40, Username: "fund-second", Role: access.RoleStaff, Sections: []access.Section{access.Fund}}
		if _, err := env.App.Payouts.Approve(ctx, second, []int64{lines[0].ID}, "复核无误"); err != nil {
			t.Fatal(err)
		}
		f.Get(t, "/staff/payments/refunds?code=RFPAY0001").WantStatus(t, http.StatusOK).WantBody(t, "已审核")
	})
}

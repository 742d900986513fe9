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
		f.Get(t, "/staff/payments/refunds?code="+p.ReceiptCode).WantStatus(t, http.StatusOK).WantBody(t, "待退款", "无需退款")
		f.PostForm(t, path, url.Values{"reason": {"重复缴费"}, "confirm": {"1"}, "version": {strconv.FormatInt(p.Version, 10)}}).
			WantStatus(t, http.StatusConflict)
	})
}

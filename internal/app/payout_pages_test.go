package app_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/injury"
	"shebao/internal/money"
	"shebao/internal/payout"
)

// TestPayoutPagesFollowTheService: 保险福利科 opens the payout list and
// sees the pension line it prepared, not the injury lines, and no
// approval form; it opens its line (with the cancel form) but gets 403 on
// an injury line. The fund section sees all lines and the approval form.
// A hospital's line held until its account is registered says so (not
// the bank-file encoding reason).
func TestPayoutPagesFollowTheService(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		const acct = "6222020000000000018"
		if !payout.Luhn(acct) {
			t.Fatal("test account fails the Luhn check")
		}
		pension, _, err := env.App.Payouts.Prepare(ctx, env.Actor(t, apptest.Staff(access.Welfare)), payout.Request{
			PayeeKind: payout.PayeePerson, PayeeID: 9001, PayeeName: "养老甲", AccountKind: payout.AccountCard, AccountName: "养老甲",
			AccountNo: acct, BankName: "中国工商银行某支行", Amount: money.Yuan(3000), Benefit: "pension",
			SourceKind: "pensioner", SourceID: "9001", Period: "2024-02"})
		if err != nil {
			t.Fatal(err)
		}
		hospitalID := env.User(t, apptest.APIHospital).ID
		held, _, err := env.App.Payouts.Prepare(ctx, env.Actor(t, apptest.Staff(access.Injury)), payout.Request{
			PayeeKind: payout.PayeeHospital, PayeeID: hospitalID, PayeeName: "工伤医院乙", AccountKind: payout.AccountCorporate,
			Amount: money.Yuan(1200), Benefit: "injury_medical", SourceKind: "injury_settlement", SourceID: "JS-1",
			HoldReason: injury.HospitalAccountHold})
		if err != nil {
			t.Fatal(err)
		}
		heldPath, pensionPath := "/staff/payouts/"+strconv.FormatInt(held.ID, 10), "/staff/payouts/"+strconv.FormatInt(pension.ID, 10)

		wc := env.LoginAs(t, apptest.Staff(access.Welfare))
		body := wc.Get(t, "/staff/payouts?status=prepared").WantStatus(t, 200).WantBody(t, "养老甲", "这里列出本科室经办的待遇的拨付").Body
		for _, not := range []string{"工伤医院乙", "审核通过", `name="id"`} {
			if strings.Contains(body, not) {
				t.Errorf("保险福利科's payout list shows %q", not)
			}
		}
		wc.Get(t, pensionPath).WantStatus(t, 200).WantBody(t, "养老甲", "确认作废")
		wc.Get(t, heldPath).WantStatus(t, 403)

		fc := env.LoginAs(t, apptest.Staff(access.Fund))
		fc.Get(t, "/staff/payouts?status=prepared").WantStatus(t, 200).WantBody(t, "养老甲", "审核通过", `name="id"`)
		fc.Get(t, "/staff/payouts").WantStatus(t, 200).WantBody(t, "工伤医院乙", injury.HospitalAccountHold)
		if body := fc.Get(t, heldPath).WantStatus(t, 200).WantBody(t, injury.HospitalAccountHold).Body; strings.Contains(body, "无法表示") {
			t.Error("the hospital's held line gives the bank-file encoding reason")
		}
		env.LoginAs(t, apptest.Staff(access.Injury)).Get(t, heldPath).WantStatus(t, 200).WantBody(t, injury.HospitalAccountHold)
	})
}

package app_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/money"
	"shebao/internal/payout"
)

// TestPayoutPagesShowNoFileCodesOrRawMonths: the batch page names the
// banks' file formats in Chinese (not CSV/GBK/XLSX) and the payroll page
// writes months as 2024年2月, not 2024-02.
func TestPayoutPagesShowNoFileCodesOrRawMonths(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		admin := env.Actor(t, apptest.Admin)
		csvGBK, xlsx := payout.DemoProfiles()
		for _, b := range []payout.Bank{{Code: "ICBC", Name: "中国工商银行", Profile: csvGBK, Active: true},
			{Code: "CCB", Name: "中国建设银行", Profile: xlsx, Active: true}} {
			if _, err := env.App.Payouts.SaveBank(ctx, admin, b); err != nil {
				t.Fatal(err)
			}
		}
		fc := env.LoginAs(t, apptest.Staff(access.Fund))
		body := fc.Get(t, "/staff/payout-batches").WantStatus(t, 200).
			WantBody(t, "中国工商银行（文本表格，国标编码）", "中国建设银行（Excel表格）").Body
		for _, code := range []string{"CSV", "GBK", "XLSX", "UTF-8"} {
			if strings.Contains(body, code) {
				t.Errorf("the batch page shows %q", code)
			}
		}
		body = fc.Get(t, "/staff/payroll?month=2024-02").WantStatus(t, 200).WantBody(t, "2024年2月与2024年1月对比", "2024年2月的养老金发放尚未生成").Body
		if strings.Contains(body, "2024-02 与") || strings.Contains(body, "2024-01 对比") {
			t.Error("the payroll page shows raw months")
		}
	})
}

// TestApproveWholeSelectionIsConfirmed: the fund clerk's list of prepared
// lines says how many lines and how much approving the whole selection
// approves, apart from her own lines; the count is sent back and a
// selection that changed since is refused with nothing approved.
func TestApproveWholeSelectionIsConfirmed(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		csvGBK, _ := payout.DemoProfiles()
		if _, err := env.App.Payouts.SaveBank(ctx, env.Actor(t, apptest.Admin), payout.Bank{Code: "ICBC", Name: "中国工商银行", Profile: csvGBK, Active: true}); err != nil {
			t.Fatal(err)
		}
		fund := apptest.Staff(access.Fund)
		prep := func(a *access.Actor, n int64, yuan int64) {
			const acct = "6222020000000000018"
			name := "养老" + strconv.FormatInt(n, 10)
			if _, _, err := env.App.Payouts.Prepare(ctx, a, payout.Request{PayeeKind: payout.PayeePerson, PayeeID: n, PayeeName: name,
				AccountKind: payout.AccountCard, AccountName: name, AccountNo: acct, BankName: "中国工商银行某支行", Amount: money.Yuan(yuan),
				Benefit: "pension", SourceKind: "pensioner", SourceID: strconv.FormatInt(n, 10), Period: "2024-02"}); err != nil {
				t.Fatal(err)
			}
		}
		welfare := env.Actor(t, apptest.Staff(access.Welfare))
		prep(welfare, 1, 2000)
		prep(welfare, 2, 3000)
		prep(env.Actor(t, fund), 3, 1000)
		fc := env.LoginAs(t, fund)
		fc.Get(t, "/staff/payouts?status=prepared").WantStatus(t, 200).
			WantBody(t, "共 2 笔，合计 5,000.00 元（另有本人经办的 1 笔、1,000.00 元", `name="expect" value="2"`)
		form := url.Values{"all": {"1"}, "status": {"prepared"}, "expect": {"3"}}
		fc.PostForm(t, "/staff/payouts/approve", form).WantBody(t, "未做任何审核")
		if p, _ := env.App.Payouts.List(ctx, env.Actor(t, fund), payout.Filter{Status: payout.Approved}); p.Count != 0 {
			t.Fatalf("%d lines approved against a changed confirmation", p.Count)
		}
		form.Set("expect", "2")
		fc.PostForm(t, "/staff/payouts/approve", form).WantRedirect(t, "/staff/payouts")
		if p, _ := env.App.Payouts.List(ctx, env.Actor(t, fund), payout.Filter{Status: payout.Approved}); p.Count != 2 || p.Total != money.Yuan(5000) {
			t.Fatalf("approved %d lines, %s", p.Count, p.Total)
		}
	})
}

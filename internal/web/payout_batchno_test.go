package web_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/money"
	"shebao/internal/payout"
)

// TestBatchNumberHasNoBankCode: a new bank batch is numbered PF, its day
// and its id, without the bank's English code; the batch list and page
// name the bank in Chinese, and the bank file's control record carries
// the same number.
func TestBatchNumberHasNoBankCode(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		_, b := approvedPensionBatch(t, env)
		fund := env.Actor(t, apptest.Staff(access.Fund))
		if !regexp.MustCompile(`^PF[0-9]{8}-[0-9]{6}$`).MatchString(b.No) {
			t.Fatalf("batch number %q", b.No)
		}
		fc := env.LoginAs(t, apptest.Staff(access.Fund))
		batch := "/staff/payout-batches/" + strconv.FormatInt(b.ID, 10)
		for _, p := range []string{"/staff/payout-batches", batch} {
			body := fc.Get(t, p).WantStatus(t, 200).WantBody(t, b.No, "中国工商银行").Body
			if n := strings.Count(body, "ICBC"); n > strings.Count(body, `value="ICBC"`) {
				t.Errorf("%s shows ICBC outside a select's value", p)
			}
		}
		f, err := env.App.Payouts.BatchFile(ctx, fund, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(f.Data), b.No) {
			t.Error("the bank file does not carry the batch number")
		}
	})
}

// approvedPensionBatch prepares (保险福利科) a pension line of 3,000 元 to a
// social security card of 中国工商银行, approves it (基金管理科) and puts it
// in a bank batch.
func approvedPensionBatch(t *testing.T, env *apptest.Env) (*payout.Line, *payout.Batch) {
	t.Helper()
	ctx := context.Background()
	csvGBK, _ := payout.DemoProfiles()
	if _, err := env.App.Payouts.SaveBank(ctx, env.Actor(t, apptest.Admin), payout.Bank{Code: "ICBC", Name: "中国工商银行", Profile: csvGBK, Active: true}); err != nil {
		t.Fatal(err)
	}
	line, _, err := env.App.Payouts.Prepare(ctx, env.Actor(t, apptest.Staff(access.Welfare)), payout.Request{
		PayeeKind: payout.PayeePerson, PayeeID: 9001, PayeeName: "养老甲", AccountKind: payout.AccountCard, AccountName: "养老甲",
		AccountNo: "6222020000000000018", BankName: "中国工商银行某支行", Amount: money.Yuan(3000), Benefit: "pension",
		SourceKind: "pensioner", SourceID: "9001", Period: "2024-02"})
	if err != nil {
		t.Fatal(err)
	}
	fund := env.Actor(t, apptest.Staff(access.Fund))
	if _, err := env.App.Payouts.Approve(ctx, fund, []int64{line.ID}, ""); err != nil {
		t.Fatal(err)
	}
	b, _, err := env.App.Payouts.CreateBatch(ctx, fund, "ICBC")
	if err != nil {
		t.Fatal(err)
	}
	return line, b
}

package injury_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/injury"
	"shebao/internal/payout"
)

// TestHospitalAccountReleasesHeldLines: a settlement of a hospital without
// a registered account is held; a bad account is refused field by field;
// registering the account (a clerk's page) releases the held line to the
// fund section with that account, audited; the next settlement is
// prepared at once. Other sections may not register.
func TestHospitalAccountReleasesHeldLines(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		workerID := employ(t, env)
		pushCovid(t, env, workerID, "京朝人社工伤认字〔2024〕011号")
		covidItems(t, env, "XG001")
		hosp := env.LoginAs(t, apptest.APIHospital)
		hospitalID := env.User(t, apptest.APIHospital).ID
		var first injury.SettlementAnswer
		settle(t, hosp, "k-1", settlement(workerID, "INV-1", injury.SettlementItem{Code: "XG001", Name: "抗病毒药物",
			Quantity: "1", AmountFen: 123456})).WantStatus(t, http.StatusCreated).JSON(t, &first)
		line := hospitalLine(t, env, first.SettlementNo)
		if line.Status != payout.Held || line.AccountNo != "" {
			t.Fatalf("line before the account: %+v", line)
		}

		clerk := env.LoginAs(t, apptest.Staff(access.Injury))
		clerk.Get(t, "/staff/injury/hospitals").WantStatus(t, 200).WantBody(t, "北京市测试医院", "未登记", "1 笔，1,234.56 元")
		path := "/staff/injury/hospitals/" + itoa(hospitalID) + "/account"
		clerk.PostForm(t, path, url.Values{"account_name": {"别的单位"}, "account_no": {"12ab"}, "bank_name": {""}}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "账户名称与医院名称不一致", "收款账号只能由数字组成", "请填写开户银行")
		if l := hospitalLine(t, env, first.SettlementNo); l.Status != payout.Held {
			t.Fatalf("a refused account released the line: %+v", l)
		}
		if _, _, err := env.App.Injury.RegisterHospitalAccount(ctx, env.Actor(t, apptest.Staff(access.Welfare)),
			injury.HospitalAccountInput{HospitalID: hospitalID, AccountName: "北京市测试医院", AccountNo: "110060149018000123",
				BankName: "交通银行北京分行"}); err == nil {
			t.Fatal("保险福利科 registered a hospital account")
		}
		clerk.PostForm(t, path, url.Values{"account_name": {"北京市测试医院"}, "account_no": {"1100 6014 9018 000123"},
			"bank_name": {"交通银行北京分行"}}).WantStatus(t, http.StatusSeeOther)
		line = hospitalLine(t, env, first.SettlementNo)
		if line.Status != payout.Prepared || line.AccountNo != "110060149018000123" || line.AccountKind != payout.AccountCorporate {
			t.Fatalf("released line %+v", line)
		}
		var audited int
		env.App.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'injury.hospital_account.register'`).Scan(&audited)
		if audited != 1 {
			t.Fatalf("%d audit entries", audited)
		}
		page := clerk.Get(t, "/staff/injury/hospitals/"+itoa(hospitalID)).WantStatus(t, 200)
		if strings.Contains(page.Body, "110060149018000123") || !strings.Contains(page.Body, "*0123") {
			t.Fatal("the account number is not masked on the page")
		}

		var second injury.SettlementAnswer
		settle(t, hosp, "k-2", settlement(workerID, "INV-2", injury.SettlementItem{Code: "XG001", Name: "抗病毒药物",
			Quantity: "1", AmountFen: 5000})).WantStatus(t, http.StatusCreated).JSON(t, &second)
		if l := hospitalLine(t, env, second.SettlementNo); l.Status != payout.Prepared || l.AccountNo != "110060149018000123" {
			t.Fatalf("settlement after the account: %+v", l)
		}
		// A stale form (version 0 after registration) is refused.
		clerk.PostForm(t, path, url.Values{"account_name": {"北京市测试医院"}, "account_no": {"110060149018000999"},
			"bank_name": {"交通银行北京分行"}, "version": {"0"}}).WantStatus(t, http.StatusConflict)
	})
}

func hospitalLine(t *testing.T, env *apptest.Env, settlementNo string) payout.Line {
	t.Helper()
	lines, err := env.App.Payouts.OfSource(context.Background(), nil, "injury_settlement", settlementNo)
	if err != nil || len(lines) != 1 {
		t.Fatalf("lines of %s: %d %v", settlementNo, len(lines), err)
	}
	return lines[0]
}

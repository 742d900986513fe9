package payment_test

import (
	"errors"
	"fmt"
	"testing"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/payment"
	"shebao/internal/payout"
)

// fund2 is a second clerk of the fund section: the one who approves.
var fund2 = &access.Actor{UserID: 5, Username: "fund-clerk-2", Role: access.RoleStaff, Sections: []access.Section{access.Fund}}

// agentBank registers the agent bank that pays payout lines.
func (e *env) agentBank(t *testing.T) {
	t.Helper()
	csv, _ := payout.DemoProfiles()
	if _, err := e.payouts.SaveBank(ctx, fund, payout.Bank{Code: "ICBC", Name: "中国工商银行", Profile: csv, Active: true}); err != nil {
		t.Fatal(err)
	}
}

// balance is the debit-minus-credit balance of an account in a scheme.
func balance(t *testing.T, d *db.DB, account, scheme string) money.Fen {
	t.Helper()
	return money.Fen(count(t, d, `SELECT COALESCE(SUM(debit_fen - credit_fen), 0) FROM ledger_entries WHERE account = $1 AND scheme = $2`,
		account, scheme))
}

// refundLines reads the payment's refund lines keyed by scheme.
func refundLines(t *testing.T, e *env, id int64) map[string]payout.Line {
	t.Helper()
	lines, err := e.svc.RefundPayouts(ctx, fund, id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]payout.Line{}
	for _, l := range lines {
		if _, dup := out[l.Scheme]; dup && l.ReissueOf == 0 {
			t.Fatalf("two refund lines of scheme %q: %+v", l.Scheme, lines)
		}
		if l.ReissueOf == 0 {
			out[l.Scheme] = l
		}
	}
	return out
}

func TestRefundPaidBackThroughPayouts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nowDay)
		e.agentBank(t)
		emp := e.employer(t, "北京甲科技有限公司", "110200300400500")
		_, ref := e.bill(t, emp, "2024-04", "2024-05-15", money.Yuan(100), money.Yuan(20), 0)
		csv := header + csvLine(nowDay, "S1", "北京甲科技有限公司", "1102 0030 0400 500", "120.00", "社保费 "+ref)
		if res, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "s.csv", Data: []byte(csv)}); err != nil || res.Matched != 1 {
			t.Fatalf("import %+v %v", res, err)
		}
		p, err := e.svc.FindPosted(ctx, fund, "S1")
		if err != nil {
			t.Fatal(err)
		}
		r, err := e.svc.RefundPaid(ctx, fund, p.ID, payment.RefundInput{Reason: "重复缴费", Version: p.Version})
		if err != nil {
			t.Fatal(err)
		}
		lines := refundLines(t, e, p.ID)
		want := map[string]money.Fen{"pension": money.Yuan(100), "unemployment": money.Yuan(20)}
		if len(lines) != len(want) {
			t.Fatalf("refund lines: %+v", lines)
		}
		for sc, amt := range want {
			l := lines[sc]
			if l.Amount != amt || l.PayeeKind != payout.PayeeEmployer || l.PayeeID != emp || l.PayeeName != "北京甲科技有限公司" ||
				l.AccountNo != "110200300400500" || l.AccountKind != payout.AccountCorporate || l.Status != payout.Prepared ||
				l.BenefitName() != "退还多缴（误缴）社会保险费" || l.PreparedBy != fund.Name() {
				t.Fatalf("%s line: %+v", sc, l)
			}
			if got := balance(t, d, "refund_payable", sc); got != -amt {
				t.Fatalf("应退款项 %s after the refund = %s, want credit %s", sc, got, amt)
			}
		}
		// Retries: a stale version and a fresh one both find nothing more to return.
		for _, v := range []int64{p.Version, r.Version} {
			if _, err := e.svc.RefundPaid(ctx, fund, p.ID, payment.RefundInput{Reason: "重复缴费", Version: v}); errs.KindOf(err) != errs.Conflict {
				t.Fatalf("retried refund (version %d): %v", v, err)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM payout_lines WHERE source_kind = 'payment' AND source_id = $1`, fmt.Sprint(p.ID)); n != 2 {
			t.Fatalf("%d lines after retries, want 2", n)
		}
		ids := []int64{lines["pension"].ID, lines["unemployment"].ID}
		if _, err := e.payouts.Approve(ctx, fund, ids, ""); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("the refunding clerk approved their own refund: %v", err)
		}
		if _, err := e.payouts.Approve(ctx, fund2, ids, "复核无误"); err != nil {
			t.Fatal(err)
		}
		for sc := range want {
			if got := balance(t, d, "refund_payable", sc); got != 0 {
				t.Fatalf("应退款项 %s after approval = %s, want 0", sc, got)
			}
			if got := balance(t, d, "benefit_expense", sc); got != 0 {
				t.Fatalf("a refund was charged to benefit expense (%s %s)", sc, got)
			}
		}
		checkInvariants(t, d)
		b, _, err := e.payouts.CreateBatch(ctx, fund2, "ICBC")
		if err != nil || b.Lines != 2 || b.Total != money.Yuan(120) {
			t.Fatalf("batch %+v %v", b, err)
		}
		ret, err := e.payouts.SimulatedReturn(ctx, fund2, b.ID, map[int64]string{ids[1]: "账户已销户"})
		if err != nil {
			t.Fatal(err)
		}
		if res, err := e.payouts.ImportReturn(ctx, fund2, b.ID, "return.csv", ret.Data); err != nil || res.Paid != 1 || res.Failed != 1 {
			t.Fatalf("return %+v %v", res, err)
		}
		lines = refundLines(t, e, p.ID)
		if lines["pension"].Status != payout.Paid || lines["unemployment"].Status != payout.Failed || lines["unemployment"].FailReason != "账户已销户" {
			t.Fatalf("after the return: %+v", lines)
		}
		// Paid: 应退款项 settled and the bank paid; failed: still owed to the payer.
		if got := balance(t, d, "refund_payable", "pension"); got != 0 {
			t.Fatalf("应退款项 pension after paying = %s", got)
		}
		if got := balance(t, d, "payout_bank", "pension"); got != -money.Yuan(100) {
			t.Fatalf("bank pension = %s, want credit 100.00", got)
		}
		if got := balance(t, d, "refund_payable", "unemployment"); got != -money.Yuan(20) {
			t.Fatalf("应退款项 unemployment after the failure = %s, want credit 20.00", got)
		}
		if got := balance(t, d, "benefit_payable", "unemployment") + balance(t, d, "payout_in_transit", "unemployment"); got != 0 {
			t.Fatalf("a failed refund left %s payable or in transit", got)
		}
		checkInvariants(t, d)
		// A reissue to a corrected account keeps the scheme and the charge to 应退款项.
		failed := lines["unemployment"]
		nl, err := e.payouts.Reissue(ctx, fund2, failed.ID, failed.Version, payout.Request{AccountKind: payout.AccountCorporate,
			AccountName: "北京甲科技有限公司", AccountNo: "110200300400599", BankName: "中国工商银行北京分行"})
		if err != nil || nl.Scheme != "unemployment" || nl.Benefit != payout.ContributionRefund || nl.Amount != money.Yuan(20) {
			t.Fatalf("reissue %+v %v", nl, err)
		}
		if _, err := e.payouts.Approve(ctx, fund, []int64{nl.ID}, ""); err != nil {
			t.Fatal(err)
		}
		if got := balance(t, d, "refund_payable", "unemployment"); got != 0 {
			t.Fatalf("应退款项 unemployment after the reissue's approval = %s", got)
		}
		checkInvariants(t, d)
	})
}

func TestRefundOfUnmatchedPaymentToThePayer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nowDay)
		e.agentBank(t)
		card := luhnCard("62220200000001234")
		csv := header + csvLine(nowDay, "U1", "李四", card, "300.00", "不明款项") +
			csvLine(nowDay, "U2", "某某代理公司", "", "50.00", "九月社保")
		if _, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "u.csv", Data: []byte(csv)}); err != nil {
			t.Fatal(err)
		}
		refund := func(serial string) *payment.Payment {
			t.Helper()
			p, err := e.svc.FindPosted(ctx, fund, serial)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Settle(ctx, fund, p.ID, payment.SettleInput{Action: "refund", Note: "无法确认缴费单位", Version: p.Version}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.Settle(ctx, fund, p.ID, payment.SettleInput{Action: "refund", Note: "无法确认缴费单位", Version: p.Version}); errs.KindOf(err) != errs.Conflict {
				t.Fatalf("retried refund: %v", err)
			}
			return p
		}
		p1 := refund("U1")
		l1 := refundLines(t, e, p1.ID)
		if len(l1) != 1 {
			t.Fatalf("lines of U1: %+v", l1)
		}
		got := l1[""]
		if got.PayeeKind != payout.PayeePayer || got.PayeeKindName() != "其他付款人" || got.PayeeName != "李四" ||
			got.AccountKind != payout.AccountCard || got.AccountNo != card || got.Amount != money.Yuan(300) || got.Status != payout.Prepared {
			t.Fatalf("U1 line: %+v", got)
		}
		p2 := refund("U2")
		l2 := refundLines(t, e, p2.ID)
		held := l2[""]
		if len(l2) != 1 || held.Status != payout.Held || held.HoldReasonText() != payment.HoldNoAccount || held.Amount != money.Yuan(50) {
			t.Fatalf("U2 line: %+v", l2)
		}
		if _, err := e.payouts.Approve(ctx, fund2, []int64{got.ID}, ""); err != nil {
			t.Fatal(err)
		}
		// U1's 300.00 is settled; U2's 50.00 is still owed to its payer.
		if b := balance(t, d, "refund_payable", ""); b != -money.Yuan(50) {
			t.Fatalf("应退款项 = %s, want credit 50.00", b)
		}
		checkInvariants(t, d)
		// The payer's letter gives the account: a bad number is refused, naming the field.
		acct := payment.RefundAccountInput{AccountKind: payout.AccountCorporate, AccountName: "某某代理公司", AccountNo: "12AB",
			BankName: "中国建设银行北京分行"}
		if _, _, err := e.svc.SetRefundAccount(ctx, fund2, p2.ID, acct); errs.KindOf(err) != errs.Invalid || !hasField(err, "account_no") {
			t.Fatalf("bad account: %v", err)
		}
		if _, _, err := e.svc.SetRefundAccount(ctx, coord, p2.ID, acct); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("another section gave the account: %v", err)
		}
		acct.AccountNo = "1100 2233 4455"
		other := acct
		other.AccountName = "另一家公司"
		if _, _, err := e.svc.SetRefundAccount(ctx, fund2, p2.ID, other); errs.KindOf(err) != errs.Invalid || !hasField(err, "account_name") {
			t.Fatalf("an account in another name: %v", err)
		}
		if n, sum, err := e.svc.SetRefundAccount(ctx, fund2, p2.ID, acct); err != nil || n != 1 || sum != money.Yuan(50) {
			t.Fatalf("account given: %d %s %v", n, sum, err)
		}
		if _, _, err := e.svc.SetRefundAccount(ctx, fund2, p2.ID, acct); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("account given twice: %v", err)
		}
		released := refundLines(t, e, p2.ID)[""]
		if released.Status != payout.Prepared || released.AccountNo != "110022334455" || released.HoldReason != "" || released.ID != held.ID {
			t.Fatalf("released line: %+v", released)
		}
		// Whoever entered the account cannot approve it.
		if _, err := e.payouts.Approve(ctx, fund2, []int64{released.ID}, ""); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("the clerk who entered the account approved it: %v", err)
		}
		if _, err := e.payouts.Approve(ctx, fund, []int64{released.ID}, ""); err != nil {
			t.Fatal(err)
		}
		if b := balance(t, d, "refund_payable", ""); b != 0 {
			t.Fatalf("应退款项 after both approvals = %s", b)
		}
		checkInvariants(t, d)
	})
}

// hasField reports whether an Invalid error names field.
func hasField(err error, field string) bool {
	var e *errs.Error
	if !errors.As(err, &e) {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// luhnCard completes a card number with its check digit.
func luhnCard(body string) string {
	for c := '0'; c <= '9'; c++ {
		if payout.Luhn(body + string(c)) {
			return body + string(c)
		}
	}
	panic("no check digit")
}

package policy_test

import (
	"context"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

// TestReceivingAccount: the account is three dated rules; until all three
// are set there is none; a new number from a later day replaces the old
// one from that day only; a number that is not 8–32 digits is refused on
// its field; only administrators set it.
func TestReceivingAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s := bare(t, d)
		add := func(key, from, value string) error {
			_, err := s.AddRule(ctx, admin, policy.RuleInput{Key: key, From: from, Value: value, LegalBasis: "区社保处收入户开户通知"})
			return err
		}
		if a, err := s.ReceivingAccount(ctx, date(t, "2024-02-10")); a != nil || err != nil {
			t.Fatalf("before any rule: %+v %v", a, err)
		}
		if err := add(policy.KeyReceivingAccountName, "2020-01-01", "某区社会保险事业管理处"); err != nil {
			t.Fatal(err)
		}
		if err := add(policy.KeyReceivingAccountBank, "2020-01-01", "中国工商银行某区支行"); err != nil {
			t.Fatal(err)
		}
		if a, err := s.ReceivingAccount(ctx, date(t, "2024-02-10")); a != nil || err != nil {
			t.Fatalf("number missing: %+v %v", a, err)
		}
		e := wantKind(t, add(policy.KeyReceivingAccountNo, "2020-01-01", "6222-ABC"), errs.Invalid)
		if len(e.Fields) != 1 || e.Fields[0].Field != "value" {
			t.Fatalf("bad number: %+v", e)
		}
		if _, err := s.AddRule(ctx, clerk, policy.RuleInput{Key: policy.KeyReceivingAccountNo, From: "2020-01-01",
			Value: "0200001234567890123", LegalBasis: "x"}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("clerk sets the account: %v", err)
		}
		if err := add(policy.KeyReceivingAccountNo, "2020-01-01", "0200 0012 3456 7890 123"); err != nil {
			t.Fatal(err)
		}
		if err := add(policy.KeyReceivingAccountNo, "2024-03-01", "0200009999888877776"); err != nil {
			t.Fatal(err)
		}
		a, err := s.ReceivingAccount(ctx, date(t, "2024-02-29"))
		if err != nil || a == nil || a.Number != "0200001234567890123" || a.NumberGrouped() != "0200 0012 3456 7890 123" ||
			a.Name != "某区社会保险事业管理处" || a.Bank != "中国工商银行某区支行" || a.LegalBasis != "区社保处收入户开户通知" {
			t.Fatalf("old account: %+v %v", a, err)
		}
		if a, err := s.ReceivingAccount(ctx, date(t, "2024-03-01")); err != nil || a == nil || a.Number != "0200009999888877776" ||
			a.Since != "2024-03-01" {
			t.Fatalf("new account: %+v %v", a, err)
		}
	})
}

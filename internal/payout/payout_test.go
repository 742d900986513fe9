package payout

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/money"
)

func TestLuhnAndAccountChecks(t *testing.T) {
	if !Luhn("4111111111111111") || Luhn("4111111111111112") {
		t.Fatal("Luhn check wrong on the classic test numbers")
	}
	cases := []struct {
		kind, no, want string
	}{
		{AccountCard, card(7), ""},
		{AccountCard, card(7)[:18] + "0", "校验位"},
		{AccountCard, "6222021234", "16至19位"},
		{AccountCard, "62220212345678901x", "只能由数字"},
		{AccountCorporate, "1234567", "8至32位"},
		{AccountCorporate, "110060001018170012345", ""},
		{"", card(1), "账户类型"},
	}
	for _, c := range cases {
		var f errs.Fields
		no := c.no
		if c.want == "校验位" && Luhn(no) {
			no = no[:18] + "1"
		}
		CheckAccount(&f, "account_no", c.kind, no)
		if c.want == "" && len(f) > 0 || c.want != "" && (len(f) == 0 || !strings.Contains(f[0].Message, c.want)) {
			t.Errorf("%s %s: got %v, want %q", c.kind, no, f, c.want)
		}
	}
}

func TestPrepareIsIdempotentAndValidated(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		r := pensionReq(1, "2024-02", money.Yuan(3000))
		l, created, err := e.s.Prepare(ctx, welfare, r)
		if err != nil || !created || l.Status != Prepared || l.BankCode != "ICBC" || l.Scheme != "pension" {
			t.Fatalf("prepare: %+v %v %v", l, created, err)
		}
		again, created, err := e.s.Prepare(ctx, welfare, r)
		if err != nil || created || again.ID != l.ID {
			t.Fatalf("second prepare: %+v %v %v", again, created, err)
		}
		r2 := r
		r2.Amount++
		if _, _, err := e.s.Prepare(ctx, welfare, r2); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("changed amount under the same key: %v", err)
		}
		bad := r
		bad.Part, bad.AccountName, bad.AccountNo = "x", "别人", card(2)[:18]+"9"
		if Luhn(bad.AccountNo) {
			bad.AccountNo = bad.AccountNo[:18] + "8"
		}
		_, _, err = e.s.Prepare(ctx, welfare, bad)
		fe := errs.As(err)
		if fe == nil || fe.Kind != errs.Invalid || len(fe.Fields) != 2 {
			t.Fatalf("bad account and name: %v", err)
		}
		bad.AccountNo, bad.NameConfirmed = card(2), true
		if _, _, err := e.s.Prepare(ctx, welfare, bad); err != nil {
			t.Fatalf("confirmed name refused: %v", err)
		}
		if _, _, err := e.s.Prepare(ctx, injuryC, pensionReq(3, "2024-02", 100)); !errors.Is(err, errs.E(errs.Forbidden)) {
			t.Fatalf("injury clerk prepared a pension: %v", err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM payout_lines`); n != 2 {
			t.Fatalf("%d lines", n)
		}
		checkLedger(t, d)
	})
}

func TestPrepareTxRollsBackWithTheCaller(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		boom := errors.New("caller failed")
		err := d.WithTx(ctx, func(tx *sql.Tx) error {
			if _, _, err := e.s.PrepareTx(ctx, tx, welfare, pensionReq(1, "2024-02", 100)); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) || count(t, d, `SELECT COUNT(*) FROM payout_lines`) != 0 {
			t.Fatalf("line survived the caller's rollback: %v", err)
		}
	})
}

func TestTwoPersonApprovalAndLedger(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		own, _, err := e.s.Prepare(ctx, fund1, pensionReq(1, "2024-02", money.Yuan(3000)))
		if err != nil {
			t.Fatal(err)
		}
		other, _, _ := e.s.Prepare(ctx, welfare, pensionReq(2, "2024-02", money.Yuan(2000)))
		inj := Request{PayeeKind: PayeeHospital, PayeeName: "区人民医院", AccountKind: AccountCorporate, AccountName: "区人民医院",
			AccountNo: "110060001018170012345", BankName: "中国建设银行", Amount: 123456, Benefit: "injury_medical",
			SourceKind: "injury_case", SourceID: "GS-1"}
		hosp, _, err := e.s.Prepare(ctx, injuryC, inj)
		if err != nil || hosp.BankCode != "CCB" {
			t.Fatalf("hospital line: %+v %v", hosp, err)
		}
		if _, err := e.s.Approve(ctx, fund1, []int64{own.ID, other.ID}, ""); !errors.Is(err, errs.E(errs.Forbidden)) {
			t.Fatalf("preparer approved own line: %v", err)
		}
		if _, err := e.s.Approve(ctx, welfare, []int64{other.ID}, ""); !errors.Is(err, errs.E(errs.Forbidden)) {
			t.Fatalf("welfare clerk approved: %v", err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM payout_lines WHERE status = 'approved'`); n != 0 {
			t.Fatalf("refused approval half-applied: %d", n)
		}
		if n, err := e.s.Approve(ctx, fund2, []int64{own.ID, other.ID, hosp.ID}, "核对无误"); err != nil || n != 3 {
			t.Fatalf("approve: %d %v", n, err)
		}
		checkLedger(t, d)
		if _, err := e.s.Approve(ctx, fund1, []int64{other.ID}, ""); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("approved twice: %v", err)
		}
		exp := count(t, d, `SELECT SUM(debit_fen) FROM ledger_entries WHERE account = 'benefit_expense' AND scheme = 'injury'`)
		if exp != 123456 {
			t.Fatalf("injury expense %d", exp)
		}
		// An approved line cancelled reverses its expense.
		l, _ := e.s.Get(ctx, fund1, other.ID)
		if err := e.s.Cancel(ctx, fund1, other.ID, l.Version, "账户冻结"); err != nil {
			t.Fatal(err)
		}
		checkLedger(t, d)
		if n := count(t, d, `SELECT COALESCE(SUM(debit_fen - credit_fen),0) FROM ledger_entries WHERE account = 'benefit_expense' AND scheme = 'pension'`); n != int64(money.Yuan(3000)) {
			t.Fatalf("pension expense after cancel %d", n)
		}
		// The key is free again once cancelled.
		if _, created, err := e.s.Prepare(ctx, welfare, pensionReq(2, "2024-02", money.Yuan(2100))); err != nil || !created {
			t.Fatalf("prepare anew after cancel: %v %v", created, err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'payout.%'`); n < 6 {
			t.Fatalf("audit entries %d", n)
		}
	})
}

func TestRejectNeedsReasonAndAnotherClerk(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		l, _, _ := e.s.Prepare(ctx, welfare, pensionReq(1, "2024-02", 100))
		if _, err := e.s.Reject(ctx, fund1, []int64{l.ID}, " "); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("reject without reason: %v", err)
		}
		if n, err := e.s.Reject(ctx, fund1, []int64{l.ID}, "金额有误"); err != nil || n != 1 {
			t.Fatalf("reject: %v", err)
		}
		if _, created, err := e.s.Prepare(ctx, welfare, pensionReq(1, "2024-02", 90)); err != nil || !created {
			t.Fatalf("prepare anew after reject: %v", err)
		}
		checkLedger(t, d)
	})
}

func TestHeldLineReleased(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		r := pensionReq(5, "2024-02", 500)
		r.AccountNo, r.AccountKind, r.AccountName, r.BankName, r.HoldReason = "", "", "", "", "card"
		l, _, err := e.s.Prepare(ctx, welfare, r)
		if err != nil || l.Status != Held {
			t.Fatalf("held: %+v %v", l, err)
		}
		if _, err := e.s.Approve(ctx, fund1, []int64{l.ID}, ""); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("held line approved: %v", err)
		}
		err = d.WithTx(ctx, func(tx *sql.Tx) error {
			n, err := e.s.Release(ctx, tx, welfare, 5, "card", Request{AccountKind: AccountCard, AccountName: r.PayeeName,
				AccountNo: card(5), BankName: "中国建设银行"})
			if n != 1 {
				t.Errorf("released %d", n)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		l, _ = e.s.Get(ctx, fund1, l.ID)
		if l.Status != Prepared || l.BankCode != "CCB" || l.MaskedAccount() != "***************"+card(5)[15:] {
			t.Fatalf("after release: %+v", l)
		}
	})
}

package payout

import (
	"context"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/ledger"
	"shebao/internal/money"
)

// TestRefundLinesChargeRefundPayable: a contribution refund line takes
// the scheme it is prepared for, approval (of a selection too) debits
// 应退款项 instead of benefit expense, and cancelling it credits 应退款项
// back; a pension line beside it is still charged to benefit expense.
func TestRefundLinesChargeRefundPayable(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		net := func(account, scheme string) int64 {
			return count(t, d, `SELECT COALESCE(SUM(debit_fen - credit_fen), 0) FROM ledger_entries WHERE account = $1 AND scheme = $2`,
				account, scheme)
		}
		refund := func(scheme, part string, amount money.Fen) *Line {
			t.Helper()
			l, created, err := e.s.Prepare(ctx, fund1, Request{PayeeKind: PayeePayer, PayeeName: "李四", AccountKind: AccountCard,
				AccountName: "李四", AccountNo: card(9), BankName: "付款账户开户行（原路退回）", Amount: amount,
				Benefit: ContributionRefund, Scheme: scheme, SourceKind: "payment", SourceID: "7", Part: part})
			if err != nil || !created || l.Scheme != scheme {
				t.Fatalf("prepare refund %q: %+v %v", scheme, l, err)
			}
			return l
		}
		if _, _, err := e.s.Prepare(ctx, fund1, Request{PayeeKind: PayeePayer, PayeeName: "李四", AccountKind: AccountCard,
			AccountName: "李四", AccountNo: card(9), BankName: "某银行", Amount: 100, Benefit: ContributionRefund, Scheme: "medical",
			SourceKind: "payment", SourceID: "7", Part: "x"}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("a refund from a scheme the agency does not collect: %v", err)
		}
		if _, _, err := e.s.Prepare(ctx, welfare, pensionReq(1, "2024-02", 5000)); err != nil {
			t.Fatal(err)
		}
		pension := refund("pension", "pension", 30000)
		refund("", "unallocated", 2000)
		res, err := e.s.ApproveWhere(ctx, fund2, Filter{}, 3, "")
		if err != nil || res.Lines != 3 || res.Total != 37000 {
			t.Fatalf("approve selection: %+v %v", res, err)
		}
		if got := net("refund_payable", "pension"); got != 30000 {
			t.Fatalf("应退款项 pension debited %d, want 30000", got)
		}
		if got := net("refund_payable", ""); got != 2000 {
			t.Fatalf("应退款项 unallocated debited %d, want 2000", got)
		}
		if got := net("benefit_expense", "pension"); got != 5000 {
			t.Fatalf("benefit expense %d, want only the pension's 5000", got)
		}
		l, err := e.s.Get(ctx, fund2, pension.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.s.Cancel(ctx, fund2, l.ID, l.Version, "付款人已另行领取"); err != nil {
			t.Fatal(err)
		}
		if got := net("refund_payable", "pension"); got != 0 {
			t.Fatalf("应退款项 pension after the cancellation %d, want 0", got)
		}
		if got := net("benefit_expense", "pension"); got != 5000 {
			t.Fatalf("benefit expense after the cancellation %d", got)
		}
		if n, err := ledger.Unbalanced(ctx, d.W); err != nil || n != 0 {
			t.Fatalf("unbalanced postings: %d %v", n, err)
		}
	})
}

package payout

import (
	"context"
	"database/sql"
	"errors"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// TestApproveWhereIsOneActionWithTheTwoPersonRule approves a whole
// selection in one statement: the approver's own lines are refused and
// counted, a confirmed count that no longer holds approves nothing, one
// audit record is written for the action and the ledger balances.
func TestApproveWhereIsOneActionWithTheTwoPersonRule(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		var reqs []Request
		for i := int64(1); i <= 40; i++ {
			reqs = append(reqs, pensionReq(i, "2024-02", money.Fen(100000+i)))
		}
		if err := d.WithTx(ctx, func(tx *sql.Tx) error { _, err := e.s.PrepareBulk(ctx, tx, welfare, reqs); return err }); err != nil {
			t.Fatal(err)
		}
		own, _, err := e.s.Prepare(ctx, fund1, pensionReq(41, "2024-02", money.Yuan(3000)))
		if err != nil {
			t.Fatal(err)
		}
		other, _, _ := e.s.Prepare(ctx, welfare, pensionReq(42, "2024-03", money.Yuan(2000)))
		audits := count(t, d, `SELECT COUNT(*) FROM audit_log`)

		if _, err := e.s.ApproveWhere(ctx, fund1, Filter{Period: "2024-02"}, 39, ""); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("a changed selection (40 lines approvable, 39 confirmed) was approved: %v", err)
		}
		if _, err := e.s.ApproveWhere(ctx, welfare, Filter{Period: "2024-02"}, 0, ""); !errors.Is(err, errs.E(errs.Forbidden)) {
			t.Fatalf("welfare clerk approved: %v", err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM payout_lines WHERE status = 'approved'`); n != 0 {
			t.Fatalf("refused approval half-applied: %d", n)
		}
		res, err := e.s.ApproveWhere(ctx, fund1, Filter{Period: "2024-02"}, 0, "二月养老金")
		if err != nil {
			t.Fatal(err)
		}
		var want money.Fen
		for i := range reqs {
			want += reqs[i].Amount
		}
		if res.Lines != 40 || res.Total != want || res.Refused != 1 || res.RefusedTotal != money.Yuan(3000) {
			t.Fatalf("approval %+v, want 40 lines %s and the own line refused", res, want)
		}
		if l, _ := e.s.Get(ctx, fund1, own.ID); l.Status != Prepared {
			t.Fatalf("own line %s", l.Status)
		}
		if l, _ := e.s.Get(ctx, fund1, other.ID); l.Status != Prepared {
			t.Fatalf("line of another period %s", l.Status)
		}
		if l, _ := e.s.Get(ctx, fund2, reqLineID(t, d, reqs[0])); l.Status != Approved || l.ApprovedBy == "" || l.ApprovedAt == nil {
			t.Fatalf("approved line %+v", l)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log`) - audits; n != 1 {
			t.Fatalf("%d audit records for one approval", n)
		}
		checkLedger(t, d)
		// Only the own line is left: refused with the rule named.
		if _, err := e.s.ApproveWhere(ctx, fund1, Filter{Period: "2024-02"}, 0, ""); !errors.Is(err, errs.E(errs.Forbidden)) {
			t.Fatalf("own lines only: %v", err)
		}
		if res, err := e.s.ApproveWhere(ctx, fund2, Filter{Period: "2024-02"}, 1, ""); err != nil || res.Lines != 1 {
			t.Fatalf("another clerk approves the rest: %+v %v", res, err)
		}
		if _, err := e.s.ApproveWhere(ctx, fund2, Filter{Period: "2024-02"}, 0, ""); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("nothing left: %v", err)
		}
		checkLedger(t, d)
	})
}

// TestLineInABatchCannotBeCancelled: once in a batch (a row in
// payout_batch_lines, the wide line untouched) a line shows in_file, is
// in no later batch and cannot be cancelled.
func TestLineInABatchCannotBeCancelled(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		ids := e.approved(t, 1, 3, "中国工商银行")
		b, _, err := e.s.CreateBatch(ctx, fund2, "ICBC")
		if err != nil || b.Lines != 3 {
			t.Fatalf("batch %+v %v", b, err)
		}
		l, err := e.s.Get(ctx, fund1, ids[0])
		if err != nil || l.Status != InFile || l.BatchID != b.ID {
			t.Fatalf("line in batch: %+v %v", l, err)
		}
		if err := e.s.Cancel(ctx, fund1, l.ID, l.Version, "作废"); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("a line in a file was cancelled: %v", err)
		}
		p, err := e.s.List(ctx, fund1, Filter{Status: InFile})
		if err != nil || p.Count != 3 {
			t.Fatalf("in-file list %+v %v", p, err)
		}
		if p, _ := e.s.List(ctx, fund1, Filter{Status: Approved}); p.Count != 0 {
			t.Fatalf("%d approved lines still waiting", p.Count)
		}
		if p, _ := e.s.List(ctx, fund1, Filter{BatchID: b.ID}); p.Count != 3 {
			t.Fatalf("%d lines in the batch list", p.Count)
		}
		// The guard in the statement itself: an approved line read before
		// the batch took it is not cancelled after.
		err = d.WithTx(ctx, func(tx *sql.Tx) error {
			return setStatus(ctx, tx, []Line{{ID: ids[1]}}, Approved, Cancelled, "reject_reason", "x", e.clk.Now())
		})
		if errs.KindOf(err) != errs.Conflict {
			t.Fatalf("status write over a line in a batch: %v", err)
		}
		if _, _, err := e.s.CreateBatch(ctx, fund2, "ICBC"); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("second batch: %v", err)
		}
	})
}

func reqLineID(t *testing.T, d *db.DB, r Request) int64 {
	return count(t, d, `SELECT id FROM payout_lines WHERE business_key = $1`, r.Key())
}

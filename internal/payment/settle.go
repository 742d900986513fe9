package payment

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ledger"
	"shebao/internal/money"
)

// Queue lists the payments waiting for the fund section, oldest first.
func (s *Service) Queue(ctx context.Context, a *access.Actor) ([]Payment, error) {
	if err := requireFund(a); err != nil {
		return nil, err
	}
	return queryPayments(ctx, s.db.Read(), `WHERE p.status IN ('unmatched', 'partial', 'over', 'medical') ORDER BY p.id LIMIT 500`)
}

// Get returns one payment: to the fund section, or to the employer or
// person it was posted for (others get NotFound).
func (s *Service) Get(ctx context.Context, a *access.Actor, id int64) (*Payment, error) {
	p, err := getPayment(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	if err := canSee(a, p); err != nil {
		return nil, err
	}
	return p, nil
}

func canSee(a *access.Actor, p *Payment) error {
	switch {
	case a == nil:
		return errs.LoginRequired()
	case a.In(access.Fund):
		return nil
	case a.Role == access.RoleEmployer && a.EmployerID != 0 && a.EmployerID == p.EmployerID:
		return nil
	case a.Role == access.RolePerson && a.PersonID != 0 && a.PersonID == p.PersonID:
		return nil
	}
	return errs.NotFoundf("没有找到该笔缴费")
}

// SettleInput is the fund section's decision on a queued payment.
type SettleInput struct {
	Action  string `json:"action"`  // assign | refund
	BillNo  string `json:"bill_no"` // for assign: bill number or payment reference
	Note    string `json:"note"`
	Version int64  `json:"version"`
}

// Settle assigns a queued payment to a bill (contributions first, then the
// late fee on them; a remainder stays queued) or marks it for refund.
// Errors: Invalid, NotFound, Conflict (stale version), Forbidden.
func (s *Service) Settle(ctx context.Context, a *access.Actor, id int64, in SettleInput) (*Payment, error) {
	if err := requireFund(a); err != nil {
		return nil, err
	}
	var f errs.Fields
	in.Note = strings.TrimSpace(in.Note)
	if in.Action != "assign" && in.Action != "refund" {
		f.Add("action", "请选择处理方式：入账到核定单，或退回付款人")
	}
	if in.Action == "assign" && strings.TrimSpace(in.BillNo) == "" {
		f.Add("bill_no", "请填写要入账的核定单号或缴费识别码")
	}
	if in.Note == "" || len([]rune(in.Note)) > 200 {
		f.Add("note", "请填写处理说明（200 字以内）")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		p, err := getPayment(ctx, tx, id)
		if err != nil {
			return err
		}
		if p.Version != in.Version {
			return errs.StaleVersion()
		}
		if p.Open <= 0 {
			return errs.New(errs.Conflict, "payment_settled", "该笔款项已处理完毕")
		}
		if in.Action == "refund" {
			return s.refund(ctx, tx, a, p, in.Note)
		}
		if p.Status == Medical {
			return errs.New(errs.Invalid, "payment_medical", "医疗、生育保险费不由本机构征收，只能退回付款人")
		}
		b, err := billByNo(ctx, tx, in.BillNo)
		if err != nil {
			var f errs.Fields
			f.Add("bill_no", "没有找到该核定单，请核对单号或缴费识别码")
			return f.Err()
		}
		return s.assign(ctx, tx, a, p, b, in.Note)
	})
	if err != nil {
		return nil, err
	}
	return getPayment(ctx, s.db.Read(), id)
}

func nextStep(ctx context.Context, q db.Querier, paymentID int64) (int, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(step), 0) + 1 FROM ledger_entries WHERE payment_id = $1`, paymentID).Scan(&n)
	return n, errs.Wrap(err, "ledger step")
}

func (s *Service) assign(ctx context.Context, tx *sql.Tx, a *access.Actor, p *Payment, b *bill, note string) error {
	if b.Status != contribution.Confirmed && b.Status != contribution.PartiallyPaid {
		return errs.New(errs.Invalid, "bill_not_payable", "核定单 "+b.No+" 当前状态不能入账（须已确认且未缴清）")
	}
	fees := newFeeCache(s.policy)
	t, err := fees.termsFor(ctx, b, p.PaidOn)
	if err != nil {
		return err
	}
	principal, fee := t.split(p.Open, b.outstanding())
	if principal == 0 {
		return errs.New(errs.Invalid, "nothing_to_apply", "该核定单已无欠费可入账")
	}
	step, err := nextStep(ctx, tx, p.ID)
	if err != nil {
		return err
	}
	post := ledger.Posting{PaymentID: p.ID, Step: step, PostedOn: s.today()}
	b.apply(&post, ledger.Suspense, principal, fee)
	if err := fees.flagLate(ctx, b, p.PaidOn); err != nil {
		return err
	}
	if err := ledger.Write(ctx, tx, s.db.Dialect, s.clock.Now(), []ledger.Posting{post}); err != nil {
		return err
	}
	if err := saveBills(ctx, tx, s.db.Dialect, []*bill{b}, s.clock.Now()); err != nil {
		return err
	}
	open := p.Open - principal - fee
	status := p.Status
	if open == 0 {
		status = Settled
	}
	code := p.ReceiptCode
	if code == "" {
		code = newCode()
	}
	feeNote := strings.TrimSpace(strings.TrimSpace(p.LateFeeNote + "；" + t.note(principal)))
	feeNote = strings.Trim(feeNote, "；")
	res, err := tx.ExecContext(ctx, `UPDATE payments SET status = $1, bill_id = $2, employer_id = $3, person_id = $4,
		applied_fen = applied_fen + $5, late_fee_fen = late_fee_fen + $6, late_fee_days = $7, late_fee_note = $8, open_fen = $9,
		note = $10, receipt_code = $11, settled_by = $12, settled_at = $13, late_fee_days_waived = $16, version = version + 1
		WHERE id = $14 AND version = $15`,
		status, b.ID, nullID(b.EmployerID), nullID(b.PersonID), int64(principal), int64(fee), t.days(), feeNote, int64(open),
		note, code, a.Name(), s.clock.Now(), p.ID, p.Version, t.waived())
	if err := oneRow(res, err); err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payment.settle.assign", Entity: "payment", EntityID: fmt.Sprint(p.ID),
		Before: map[string]any{"status": p.Status, "open_fen": p.Open},
		After: map[string]any{"status": status, "bill": b.No, "applied_fen": principal, "late_fee_fen": fee, "open_fen": open,
			"late_fee_days": t.days(), "late_fee_days_waived": t.waived(), "bill_flags": b.Flags},
		Note: note})
}

func (s *Service) refund(ctx context.Context, tx *sql.Tx, a *access.Actor, p *Payment, note string) error {
	step, err := nextStep(ctx, tx, p.ID)
	if err != nil {
		return err
	}
	post := ledger.Posting{PaymentID: p.ID, Step: step, PostedOn: s.today()}
	post.Move(ledger.Suspense, ledger.RefundPayable, "", 0, p.Open)
	if err := ledger.Write(ctx, tx, s.db.Dialect, s.clock.Now(), []ledger.Posting{post}); err != nil {
		return err
	}
	if err := s.refundPayouts(ctx, tx, a, p, map[string]money.Fen{"": p.Open}); err != nil {
		return err
	}
	status := Refund
	if p.Applied > 0 {
		status = Settled
	}
	res, err := tx.ExecContext(ctx, `UPDATE payments SET status = $1, open_fen = 0, note = $2, settled_by = $3, settled_at = $4,
		version = version + 1 WHERE id = $5 AND version = $6`, status, note, a.Name(), s.clock.Now(), p.ID, p.Version)
	if err := oneRow(res, err); err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payment.settle.refund", Entity: "payment", EntityID: fmt.Sprint(p.ID),
		Before: map[string]any{"status": p.Status, "open_fen": p.Open},
		After:  map[string]any{"status": status, "refund_fen": p.Open, "payer_account": maskAccount(p.PayerAccount)}, Note: note})
}

func isUnique(err error) bool { return db.IsUniqueViolation(err) }

func oneRow(res sql.Result, err error) error {
	if err != nil {
		return errs.Wrap(err, "update payment")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.StaleVersion()
	}
	return nil
}

// ParseAmount reads a form amount in yuan for field.
func ParseAmount(f *errs.Fields, field, s string) money.Fen {
	v, err := money.ParseYuan(s)
	switch {
	case strings.TrimSpace(s) == "":
		f.Add(field, "请填写金额（元）")
	case err != nil:
		f.Add(field, "金额格式不正确：应为元，最多两位小数")
	case v <= 0:
		f.Add(field, "金额必须大于零")
	}
	return v
}

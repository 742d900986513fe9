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
	"shebao/internal/personalaccount"
)

// RefundInput is the fund section's decision to return a payment already
// posted to bills (paid in error, twice, or for someone not to be insured).
type RefundInput struct {
	Reason  string `json:"reason"`
	Version int64  `json:"version"`
}

// taken is what one payment posted to one bill and scheme.
type taken struct {
	billID    int64
	scheme    string
	principal money.Fen
	fee       money.Fen
}

// RefundPaid returns a payment that was posted to bills: what it paid on
// each bill (contributions and late fee) is taken back to 应退款项 with
// anything still held, the bills' paid amounts and statuses go back, and a
// bill that is no longer paid in full has its personal-account credits
// reversed in the same transaction (docs/rules.md "Personal account
// ledger"), and payout lines return the money to the payer's account
// (refundPayouts). A retry is a stale version or finds the payment returned:
// nothing is reversed twice. Errors: Invalid (reason), Conflict,
// NotFound, Forbidden.
func (s *Service) RefundPaid(ctx context.Context, a *access.Actor, id int64, in RefundInput) (*Payment, error) {
	if err := requireFund(a); err != nil {
		return nil, err
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" || len([]rune(in.Reason)) > 200 {
		var f errs.Fields
		f.Add("reason", "请填写退款原因（200 字以内）")
		return nil, f.Err()
	}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		p, err := getPayment(ctx, tx, id)
		if err != nil {
			return err
		}
		if p.Version != in.Version {
			return errs.StaleVersion()
		}
		if p.Applied+p.LateFee <= 0 {
			return errs.New(errs.Conflict, "payment_not_posted", "该笔款项没有入账到核定单（或已退回），无需退款")
		}
		return s.refundPaid(ctx, tx, a, p, in.Reason)
	})
	if err != nil {
		return nil, err
	}
	return getPayment(ctx, s.db.Read(), id)
}

func (s *Service) refundPaid(ctx context.Context, tx *sql.Tx, a *access.Actor, p *Payment, reason string) error {
	parts, err := postedBy(ctx, tx, p.ID)
	if err != nil {
		return err
	}
	step, err := nextStep(ctx, tx, p.ID)
	if err != nil {
		return err
	}
	post := ledger.Posting{PaymentID: p.ID, Step: step, PostedOn: s.today()}
	back := map[int64]money.Fen{}
	perScheme := map[string]money.Fen{"": p.Open}
	var order []int64
	for _, x := range parts {
		perScheme[x.scheme] += x.principal + x.fee
		post.Move(ledger.Receivable, ledger.RefundPayable, x.scheme, x.billID, x.principal)
		post.Move(ledger.LateFeeIncome, ledger.RefundPayable, x.scheme, x.billID, x.fee)
		if _, ok := back[x.billID]; !ok {
			order = append(order, x.billID)
		}
		back[x.billID] += x.principal
	}
	post.Move(ledger.Suspense, ledger.RefundPayable, "", 0, p.Open)
	if err := ledger.Write(ctx, tx, s.db.Dialect, s.clock.Now(), []ledger.Posting{post}); err != nil {
		return err
	}
	bills, err := s.takeBack(ctx, tx, order, back, reason)
	if err != nil {
		return err
	}
	if err := s.refundPayouts(ctx, tx, a, p, perScheme); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, `UPDATE payments SET status = $1, applied_fen = 0, late_fee_fen = 0, open_fen = 0, note = $2,
		settled_by = $3, settled_at = $4, version = version + 1 WHERE id = $5 AND version = $6`,
		Refund, reason, a.Name(), s.clock.Now(), p.ID, p.Version)
	if err := oneRow(res, err); err != nil {
		return err
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payment.refund.paid", Entity: "payment", EntityID: fmt.Sprint(p.ID),
		Before: map[string]any{"status": p.Status, "applied_fen": p.Applied, "late_fee_fen": p.LateFee, "open_fen": p.Open},
		After: map[string]any{"status": Refund, "refund_fen": p.Applied + p.LateFee + p.Open, "bills": bills,
			"payer_account": maskAccount(p.PayerAccount)}, Note: reason})
}

// takeBack lowers the paid amount of each bill by what the payment had
// paid on it and reverses the account credits of the bills no longer
// paid in full; it returns the bill numbers.
func (s *Service) takeBack(ctx context.Context, tx *sql.Tx, order []int64, back map[int64]money.Fen, reason string) ([]string, error) {
	var touched []*bill
	var nos []string
	for _, id := range order {
		amount := back[id]
		list, err := loadBills(ctx, tx, "b.id = $1", id)
		if err != nil || len(list) == 0 {
			return nil, errs.Wrap(err, "refund: load bill")
		}
		b := list[0]
		wasPaid := b.Status == contribution.Paid
		b.Paid -= amount
		b.Status = statusAfterRefund(b.Status, b.Paid, b.Total)
		b.touched = true
		touched, nos = append(touched, b), append(nos, b.No)
		if wasPaid && b.Status != contribution.Paid {
			if err := personalaccount.ReverseBill(ctx, tx, b.ID, s.clock.Now(), "缴费退款："+reason); err != nil {
				return nil, err
			}
		}
	}
	return nos, saveBills(ctx, tx, s.db.Dialect, touched, s.clock.Now())
}

// statusAfterRefund is the status of a bill once part of what was paid
// has been returned.
func statusAfterRefund(current contribution.Status, paid, total money.Fen) contribution.Status {
	if current != contribution.Paid && current != contribution.PartiallyPaid {
		return current
	}
	switch {
	case paid >= total:
		return contribution.Paid
	case paid > 0:
		return contribution.PartiallyPaid
	}
	return contribution.Confirmed
}

// postedBy sums what a payment posted per bill and scheme: contributions
// (receivable) and late fees (late-fee income).
func postedBy(ctx context.Context, tx *sql.Tx, paymentID int64) ([]taken, error) {
	var out []taken
	err := db.Each(ctx, tx, func(r db.Scanner) error {
		var x taken
		var p, f int64
		if err := r.Scan(&x.billID, &x.scheme, &p, &f); err != nil {
			return err
		}
		x.principal, x.fee = money.Fen(p), money.Fen(f)
		if x.principal > 0 || x.fee > 0 {
			out = append(out, x)
		}
		return nil
	}, `SELECT bill_id, scheme,
		SUM(CASE WHEN account = 'receivable' THEN credit_fen - debit_fen ELSE 0 END),
		SUM(CASE WHEN account = 'late_fee_income' THEN credit_fen - debit_fen ELSE 0 END)
		FROM ledger_entries WHERE payment_id = $1 AND bill_id IS NOT NULL AND account IN ('receivable', 'late_fee_income')
		GROUP BY bill_id, scheme ORDER BY bill_id, scheme`, paymentID)
	return out, errs.Wrap(err, "refund: payment postings")
}

// FindPosted looks up, for the fund section, the payment with a receipt
// code or bank serial number, to be refunded. NotFound when there is none.
func (s *Service) FindPosted(ctx context.Context, a *access.Actor, code string) (*Payment, error) {
	if err := requireFund(a); err != nil {
		return nil, err
	}
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 64 {
		var f errs.Fields
		f.Add("code", "请填写票据验证码或银行流水号")
		return nil, f.Err()
	}
	list, err := queryPayments(ctx, s.db.Read(), `WHERE p.receipt_code = $1 OR p.serial = $1 ORDER BY p.id DESC LIMIT 1`, code)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errs.NotFoundf("没有找到票据验证码或流水号为“%s”的款项", code)
	}
	return &list[0], nil
}

// Refundable reports whether the payment still has money posted to bills.
func (p *Payment) Refundable() bool { return p.Applied+p.LateFee > 0 }

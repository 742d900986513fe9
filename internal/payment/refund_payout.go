package payment

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"shebao/internal/access"
	"shebao/internal/errs"
	"shebao/internal/ledger"
	"shebao/internal/money"
	"shebao/internal/payout"
)

// RefundSource is the payout source kind of a refunded payment; the
// source id is the payment's id.
const RefundSource = "payment"

// HoldNoAccount is why a refund's payout line waits: the bank statement
// gave no usable account to return the money to.
const HoldNoAccount = "付款人账号缺失或无效，待补录退款账户后发放"

// refundBank stands for the payer's bank: the statement names the account
// only, and the agent bank returns the money along the original route.
const refundBank = "付款账户开户行（原路退回）"

// refundPayouts prepares, in the refund's transaction, one payout line
// per scheme the refunded money was posted to (each fund pays from its
// own account; "" is money never allocated), returning it to the payer's
// account on the bank statement. The key is the payment, the payee and
// the scheme, so a retried refund finds the lines it made. Where the
// statement gave no usable account the lines are held (HoldNoAccount).
func (s *Service) refundPayouts(ctx context.Context, tx *sql.Tx, a *access.Actor, p *Payment, per map[string]money.Fen) error {
	base := refundRequest(p)
	for _, sc := range append([]string{""}, ledger.Schemes...) {
		amt := per[sc]
		if amt <= 0 {
			continue
		}
		r := base
		r.Scheme, r.Amount, r.Part = sc, amt, refundPart(sc)
		if _, _, err := s.payouts.PrepareTx(ctx, tx, a, r); err != nil {
			return errs.Wrap(err, "refund payout")
		}
	}
	return nil
}

// refundPart names a refund line's scheme in its business key.
func refundPart(scheme string) string {
	if scheme == "" {
		return "unallocated"
	}
	return scheme
}

// refundRequest is the payout request of a refund without its scheme and
// amount: the employer or person the payment was posted for, else the
// payer as such; the account as the statement gave it.
func refundRequest(p *Payment) payout.Request {
	r := payout.Request{PayeeKind: payout.PayeePayer, PayeeName: p.PayerName, AccountName: p.PayerName,
		Benefit: payout.ContributionRefund, SourceKind: RefundSource, SourceID: fmt.Sprint(p.ID), BankName: refundBank,
		Memo: "退还缴费，银行流水号" + p.Serial}
	switch {
	case p.EmployerID != 0:
		r.PayeeKind, r.PayeeID = payout.PayeeEmployer, p.EmployerID
	case p.PersonID != 0:
		r.PayeeKind, r.PayeeID = payout.PayeePerson, p.PersonID
	}
	if r.PayeeName == "" {
		r.PayeeName = "未具名付款人"
	}
	r.AccountKind, r.AccountNo = refundAccount(r.PayeeKind, p.PayerAccount)
	if r.AccountNo == "" || p.PayerName == "" {
		r.AccountNo, r.HoldReason = "", HoldNoAccount
	}
	return r
}

// refundAccount is the kind and number of the payer's account, or "" when
// it is not one the bank can pay to: an employer's is corporate; a
// person's or another payer's is a card when it looks like one.
func refundAccount(payeeKind, raw string) (string, string) {
	no := payout.CleanAccountNo(raw)
	kinds := []string{payout.AccountCard, payout.AccountCorporate}
	if payeeKind == payout.PayeeEmployer {
		kinds = []string{payout.AccountCorporate}
	}
	for _, k := range kinds {
		var f errs.Fields
		payout.CheckAccount(&f, "account_no", k, no)
		if f.Err() == nil && (k != payout.AccountCard || len(no) >= 16) {
			return k, no
		}
	}
	return payout.AccountCorporate, ""
}

// RefundPayouts are the payout lines returning a refunded payment, for
// the fund section (the payment page shows their status).
func (s *Service) RefundPayouts(ctx context.Context, a *access.Actor, paymentID int64) ([]payout.Line, error) {
	if err := requireFund(a); err != nil {
		return nil, err
	}
	return s.payouts.OfSource(ctx, nil, RefundSource, fmt.Sprint(paymentID))
}

// RefundAccountInput is the account a fund clerk found for a refund whose
// bank statement gave none (e.g. from the payer's letter).
type RefundAccountInput struct {
	AccountKind   string `json:"account_kind"` // payout.AccountCard or payout.AccountCorporate
	AccountName   string `json:"account_name"`
	AccountNo     string `json:"account_no"`
	BankName      string `json:"bank_name"`
	NameConfirmed bool   `json:"name_confirmed"`
}

// SetRefundAccount gives the refund lines of a payment held for want of
// an account (HoldNoAccount) the account now known: they become prepared,
// with this clerk as their preparer, so another fund clerk approves them.
// It returns how many lines and their total. Errors: Invalid (account
// fields), Conflict (no line waits for an account), NotFound, Forbidden.
func (s *Service) SetRefundAccount(ctx context.Context, a *access.Actor, paymentID int64, in RefundAccountInput) (int, money.Fen, error) {
	if err := requireFund(a); err != nil {
		return 0, 0, err
	}
	var n int
	var sum money.Fen
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		p, err := getPayment(ctx, tx, paymentID)
		if err != nil {
			return err
		}
		if p.PayerName != "" && strings.TrimSpace(in.AccountName) != "" && !payout.SameName(in.AccountName, p.PayerName) && !in.NameConfirmed {
			return errs.Fields{{Field: "account_name", Message: "账户名称与付款人“" + p.PayerName + "”不一致，请核对；确属其账户请勾选“已核实”"}}.Err()
		}
		n, sum, err = s.payouts.ReleaseSourceTx(ctx, tx, a, RefundSource, fmt.Sprint(paymentID), HoldNoAccount, payout.Request{
			AccountKind: in.AccountKind, AccountName: in.AccountName, AccountNo: in.AccountNo, BankName: in.BankName,
			NameConfirmed: in.NameConfirmed})
		if err == nil && n == 0 {
			err = errs.New(errs.Conflict, "refund_not_held", "该笔款项没有等待收款账户的退款拨付，请刷新后查看")
		}
		return err
	})
	if err != nil {
		return 0, 0, err
	}
	return n, sum, nil
}

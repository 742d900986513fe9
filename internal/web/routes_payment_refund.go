package web

import (
	"fmt"
	"net/http"

	"shebao/internal/errs"
	"shebao/internal/payment"
	"shebao/internal/payout"
)

// refundView is the data of the refund page: the code searched, the
// payment found and the payout lines returning it to the payer.
type refundView struct {
	Code    string
	Payment *payment.Payment
	Payouts []payout.Line
}

// Held reports whether a refund line waits for the payer's account.
func (v *refundView) Held() bool {
	for i := range v.Payouts {
		if v.Payouts[i].Status == payout.Held && v.Payouts[i].HoldReason == payment.HoldNoAccount {
			return true
		}
	}
	return false
}

// withPayouts adds the payment's refund lines to the view.
func (s *Server) withPayouts(r *http.Request, v *refundView) error {
	if v.Payment == nil {
		return nil
	}
	lines, err := s.Payments.RefundPayouts(r.Context(), actorFrom(r.Context()), v.Payment.ID)
	v.Payouts = lines
	return err
}

const refundTitle = "已入账缴费退款"

// staffPaymentRefunds finds a payment by receipt code or bank serial and
// shows it with the refund form (基金管理科).
func (s *Server) staffPaymentRefunds(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := payment.CanRecord(a); err != nil {
		s.fail(w, r, err)
		return
	}
	v := refundView{Code: r.URL.Query().Get("code")}
	p := &Page{Title: refundTitle, Data: &v}
	if v.Code == "" {
		s.render(w, r, "payment_refund", p)
		return
	}
	found, err := s.Payments.FindPosted(r.Context(), a, v.Code)
	v.Payment = found
	if err == nil {
		err = s.withPayouts(r, &v)
	}
	s.renderOrForm(w, r, "payment_refund", p, err)
}

// staffPaymentRefund returns a posted payment after the clerk confirmed it.
func (s *Server) staffPaymentRefund(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := payment.CanRecord(a); err != nil {
		s.fail(w, r, err)
		return
	}
	id, version, err := idAndVersion(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostFormValue("confirm") != "1" {
		var f errs.Fields
		f.Add("confirm", "请勾选“已核对，确认退款”后再提交")
		err = f.Err()
	}
	var done *payment.Payment
	if err == nil {
		done, err = s.Payments.RefundPaid(r.Context(), a, id, payment.RefundInput{Reason: r.PostFormValue("reason"), Version: version})
	}
	if err != nil {
		if errs.KindOf(err) == errs.NotFound {
			s.fail(w, r, err)
			return
		}
		found, _ := s.Payments.Get(r.Context(), a, id)
		v := &refundView{Payment: found}
		_ = s.withPayouts(r, v) // the form's error is what the page is about
		s.renderForm(w, r, "payment_refund", &Page{Title: refundTitle, Data: v}, err)
		return
	}
	redirect(w, r, "/staff/payments/refunds?code="+urlQueryEscape(done.Serial), "已退回该笔款项 "+done.Amount.String()+
		" 元，相关核定单的个人账户记账已冲销；退款拨付已登记，须由基金管理科另一名工作人员审核后送银行")
}

// staffPaymentRefundAccount gives a refund held for want of the payer's
// account the account the clerk found; the lines go to another fund clerk
// for approval.
func (s *Server) staffPaymentRefundAccount(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := payment.CanRecord(a); err != nil {
		s.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, err := s.Payments.Get(r.Context(), a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := payment.RefundAccountInput{AccountKind: r.PostFormValue("account_kind"), AccountName: r.PostFormValue("account_name"),
		AccountNo: r.PostFormValue("account_no"), BankName: r.PostFormValue("bank_name"), NameConfirmed: r.PostFormValue("name_confirmed") == "1"}
	n, sum, err := s.Payments.SetRefundAccount(r.Context(), a, id, in)
	if s.formFailed(w, r, err, func(err error) {
		v := &refundView{Payment: p}
		_ = s.withPayouts(r, v) // the form's error is what the page is about
		s.renderForm(w, r, "payment_refund", &Page{Title: refundTitle, Data: v}, err)
	}) {
		return
	}
	redirect(w, r, "/staff/payments/refunds?code="+urlQueryEscape(p.Serial), fmt.Sprintf("已登记退款账户：%d 笔退款拨付共 %s 元转为待审核，须由基金管理科另一名工作人员审核", n, sum))
}

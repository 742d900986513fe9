package web

import (
	"net/http"

	"shebao/internal/errs"
	"shebao/internal/payment"
)

// refundView is the data of the refund page: the code searched and the
// payment found.
type refundView struct {
	Code    string
	Payment *payment.Payment
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
		s.renderForm(w, r, "payment_refund", &Page{Title: refundTitle, Data: &refundView{Payment: found}}, err)
		return
	}
	redirect(w, r, "/staff/payments/refunds?code="+urlQueryEscape(done.Serial), "已退回该笔款项 "+done.Amount.String()+" 元，相关核定单的个人账户记账已冲销")
}

package web

import (
	"errors"
	"net/http"
	"strconv"

	"shebao/internal/errs"
	"shebao/internal/payment"
	"shebao/internal/pdfdoc"
)

// paymentAPIRoutes lists the JSON endpoints of payments.
func (s *Server) paymentAPIRoutes() []route {
	return []route{
		{"POST /api/v1/statements", s.apiImportStatement},
		{"GET /api/v1/employers/me/payments", s.apiMyPayments},
		{"POST /api/v1/payments/card", s.apiRecordCard},
	}
}

// paymentRoutes: bank statements, the settlement queue, card payments,
// the fund ledger, receipts and paper invoices.
func (s *Server) paymentRoutes() []route {
	return []route{
		{"GET /staff/statements", s.staffStatements},
		{"POST /staff/statements", s.staffStatementImport},
		{"GET /staff/payments/queue", s.staffPaymentQueue},
		{"POST /staff/payments/{id}/settle", s.staffPaymentSettle},
		{"GET /staff/payments/refunds", s.staffPaymentRefunds},
		{"POST /staff/payments/{id}/refund", s.staffPaymentRefund},
		{"POST /staff/payments/{id}/refund-account", s.staffPaymentRefundAccount},
		{"GET /staff/payments/card", s.staffCardForm},
		{"POST /staff/payments/card", s.staffCardSubmit},
		{"GET /staff/ledger", s.staffLedger},
		{"GET /staff/invoices", s.staffInvoices},
		{"POST /staff/invoices/{id}/mailed", s.staffInvoiceMailed},
		{"GET /employer/payments", s.myPayments},
		{"GET /employer/payments/{id}/receipt", s.paymentReceipt},
		{"GET /employer/payments/{id}/receipt.pdf", s.paymentReceiptPDF},
		{"POST /employer/payments/{id}/invoice", s.paymentInvoiceRequest},
		{"GET /receipts/check", s.receiptCheck},
	}
}

// statementView is the data of the statement import page.
type statementView struct {
	Result *payment.ImportResult
}

func (s *Server) staffStatements(w http.ResponseWriter, r *http.Request) {
	if err := payment.CanImport(actorFrom(r.Context())); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "payment_statements", &Page{Title: "银行对账单导入", Data: statementView{}})
}

// statementUpload reads the uploaded file of the parsed multipart form. No
// file is an empty input: the service decides first whether the actor may
// import at all, then that a file is needed.
func statementUpload(r *http.Request) (payment.ImportInput, error) {
	fh, ok := formFile(r, "file")
	if !ok {
		return payment.ImportInput{AccountNo: r.PostFormValue("account_no")}, nil
	}
	data, err := readUpload(fh, payment.MaxStatementBytes)
	if err != nil {
		return payment.ImportInput{}, errs.New(errs.Invalid, "statement_unreadable", "文件读取失败，请重新上传")
	}
	return payment.ImportInput{FileName: fh.Filename, Data: data, AccountNo: r.PostFormValue("account_no")}, nil
}

func (s *Server) staffStatementImport(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	p := &Page{Title: "银行对账单导入", Data: statementView{}}
	in, err := statementUpload(r)
	if err != nil {
		s.renderForm(w, r, "payment_statements", p, err)
		return
	}
	res, err := s.Payments.ImportStatement(r.Context(), a, in)
	p.Data = statementView{Result: res}
	s.renderOrForm(w, r, "payment_statements", p, err)
}

func (s *Server) apiImportStatement(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	in, err := statementUpload(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	res, err := s.Payments.ImportStatement(r.Context(), a, in)
	if err != nil {
		if res != nil && len(res.Errors) > 0 {
			e := s.publicError(r, err)
			s.writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
				"error": apiErrorBody{Code: e.Code, Message: e.Message}, "lines": res.Errors})
			return
		}
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, res)
}

// queueView is the data of the settlement queue.
type paymentQueueView struct {
	Items []payment.Payment
}

func (s *Server) staffPaymentQueue(w http.ResponseWriter, r *http.Request) {
	list, err := s.Payments.Queue(r.Context(), actorFrom(r.Context()))
	s.renderOrFail(w, r, "payment_queue", &Page{Title: "待处理款项", Data: paymentQueueView{Items: list}}, err)
}

func (s *Server) staffPaymentSettle(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := payment.CanRecord(a); err != nil {
		s.fail(w, r, err)
		return
	}
	id, version, ok := s.pageIDAndVersion(w, r)
	if !ok {
		return
	}
	in := payment.SettleInput{Action: r.PostFormValue("action"), BillNo: r.PostFormValue("bill_no"),
		Note: r.PostFormValue("note"), Version: version}
	if _, err := s.Payments.Settle(r.Context(), a, id, in); err != nil {
		if errs.KindOf(err) == errs.NotFound {
			s.fail(w, r, err)
			return
		}
		list, _ := s.Payments.Queue(r.Context(), a)
		s.renderForm(w, r, "payment_queue", &Page{Title: "待处理款项", Data: paymentQueueView{Items: list}}, err)
		return
	}
	msg := "已处理该笔款项"
	if in.Action == "refund" {
		msg = "该笔款项已转入应退款项，退款拨付已登记（按原付款账户退回），须由基金管理科另一名工作人员审核"
	}
	redirect(w, r, "/staff/payments/queue", msg)
}

// cardView is the data of the counter payment form.
type cardView struct {
	CashRefused string
	Payment     *payment.Payment
}

func (s *Server) cardView(r *http.Request) cardView {
	why, _ := s.Payments.CashRefusal(r.Context())
	return cardView{CashRefused: why}
}

func (s *Server) staffCardForm(w http.ResponseWriter, r *http.Request) {
	if err := payment.CanRecord(actorFrom(r.Context())); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "payment_card", &Page{Title: "大厅刷卡缴费登记", Data: s.cardView(r)})
}

func (s *Server) staffCardSubmit(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := payment.CanRecord(a); err != nil {
		s.fail(w, r, err)
		return
	}
	in := payment.CardInput{Method: r.PostFormValue("method"), BillNo: r.PostFormValue("bill_no"),
		TerminalRef: r.PostFormValue("terminal_ref"), CardLast4: r.PostFormValue("card_last4"), Amount: r.PostFormValue("amount")}
	p, created, err := s.Payments.RecordCard(r.Context(), a, in)
	if err != nil {
		s.renderForm(w, r, "payment_card", &Page{Title: "大厅刷卡缴费登记", Data: s.cardView(r)}, err)
		return
	}
	msg := "已登记缴费 " + p.Amount.String() + " 元，票据验证码 " + p.ReceiptCode
	if !created {
		msg = "该终端参考号已登记过，未重复入账"
	}
	redirect(w, r, "/staff/payments/card", msg)
}

func (s *Server) apiRecordCard(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := payment.CanRecord(a); err != nil {
		s.apiFail(w, r, err)
		return
	}
	var in payment.CardInput
	if !s.decoded(w, r, &in) {
		return
	}
	p, created, err := s.Payments.RecordCard(r.Context(), a, in)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	s.writeJSON(w, status, p)
}

func (s *Server) staffLedger(w http.ResponseWriter, r *http.Request) {
	l, err := s.Payments.LedgerSummary(r.Context(), actorFrom(r.Context()))
	s.renderOrFail(w, r, "payment_ledger", &Page{Title: "基金收入户总账（试算平衡）", Data: l}, err)
}

// invoiceQueueView is the data of the mailing queue.
type invoiceQueueView struct {
	Items  []payment.Invoice
	Status string
}

func (s *Server) staffInvoices(w http.ResponseWriter, r *http.Request) {
	st := r.URL.Query().Get("status")
	list, err := s.Payments.InvoiceQueue(r.Context(), actorFrom(r.Context()), st)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if st != "mailed" {
		st = "requested"
	}
	s.render(w, r, "invoice_queue", &Page{Title: "发票邮寄申请", Data: invoiceQueueView{Items: list, Status: st}})
}

func (s *Server) staffInvoiceMailed(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := payment.CanRecord(a); err != nil {
		s.fail(w, r, err)
		return
	}
	id, version, ok := s.pageIDAndVersion(w, r)
	if !ok {
		return
	}
	in := payment.MailInput{Courier: r.PostFormValue("courier"), TrackingNo: r.PostFormValue("tracking_no"), Version: version}
	if err := s.Payments.MarkMailed(r.Context(), a, id, in); err != nil {
		if errs.KindOf(err) == errs.NotFound {
			s.fail(w, r, err)
			return
		}
		list, _ := s.Payments.InvoiceQueue(r.Context(), a, "")
		s.renderForm(w, r, "invoice_queue", &Page{Title: "发票邮寄申请", Data: invoiceQueueView{Items: list, Status: "requested"}}, err)
		return
	}
	redirect(w, r, "/staff/invoices", "已登记寄出")
}

// myPaymentsView is the data of the payer's payment list.
type myPaymentsView struct {
	Items      []payment.Payment
	PickupNote string
}

func (s *Server) myPayments(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if a == nil {
		s.fail(w, r, errs.LoginRequired())
		return
	}
	list, err := s.Payments.Mine(r.Context(), a)
	s.renderOrFail(w, r, "payment_mine", &Page{Title: "缴费记录与票据", Data: myPaymentsView{Items: list, PickupNote: payment.PickupNote}}, err)
}

func (s *Server) apiMyPayments(w http.ResponseWriter, r *http.Request) {
	list, err := s.Payments.Mine(r.Context(), actorFrom(r.Context()))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	list = nonNil(list)
	s.writeJSON(w, http.StatusOK, map[string]any{"items": list})
}

// receiptView is the data of the printable receipt.
type receiptView struct {
	R          *payment.Receipt
	CanRequest bool
	PickupNote string
	NoPDF      string
}

func (s *Server) receipt(w http.ResponseWriter, r *http.Request) (*payment.Receipt, bool) {
	if actorFrom(r.Context()) == nil {
		s.fail(w, r, errs.LoginRequired())
		return nil, false
	}
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	rc, err := s.Payments.Receipt(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return rc, true
}

func (s *Server) renderReceipt(w http.ResponseWriter, r *http.Request, rc *payment.Receipt, status int, p *Page) {
	v := receiptView{R: rc, CanRequest: rc.CanRequestInvoice, PickupNote: payment.PickupNote}
	if err := pdfdoc.Available(); err != nil {
		v.NoPDF = err.Error()
	}
	p.Title, p.Data = "缴费收据", v
	s.renderStatus(w, r, "payment_receipt", status, p)
}

func (s *Server) paymentReceipt(w http.ResponseWriter, r *http.Request) {
	if rc, ok := s.receipt(w, r); ok {
		s.renderReceipt(w, r, rc, http.StatusOK, &Page{})
	}
}

func (s *Server) paymentReceiptPDF(w http.ResponseWriter, r *http.Request) {
	rc, ok := s.receipt(w, r)
	if !ok {
		return
	}
	b, err := payment.ReceiptPDF(rc)
	if err != nil {
		if errors.Is(err, pdfdoc.ErrNoFont) {
			s.renderReceipt(w, r, rc, http.StatusServiceUnavailable, &Page{Message: pdfdoc.ErrNoFont.Error()})
			return
		}
		s.fail(w, r, err)
		return
	}
	sendPrivatePDF(w, `inline; filename="receipt-`+strconv.FormatInt(rc.Payment.ID, 10)+`.pdf"`, b)
}

func (s *Server) paymentInvoiceRequest(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	rc, ok := s.receipt(w, r)
	if !ok {
		return
	}
	in := payment.InvoiceInput{Recipient: r.PostFormValue("recipient"), Phone: r.PostFormValue("phone"), Address: r.PostFormValue("address")}
	if _, err := s.Payments.RequestInvoice(r.Context(), a, rc.Payment.ID, in); err != nil {
		e := s.publicError(r, err)
		s.renderReceipt(w, r, rc, statusOf(e.Kind), &Page{Errors: e.Fields, Message: e.Message, Form: r.PostForm})
		return
	}
	redirect(w, r, "/employer/payments/"+strconv.FormatInt(rc.Payment.ID, 10)+"/receipt", "已提交发票邮寄申请，基金管理科寄出后可在此查看快递单号")
}

// receiptCheck is the public page that checks a receipt's verification
// code and shows masked data only.
func (s *Server) receiptCheck(w http.ResponseWriter, r *http.Request) {
	codeCheckPage(s, w, r, "payment_check", "缴费收据核验", s.Payments.CheckReceipt)
}

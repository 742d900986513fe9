package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/errs"
	"shebao/internal/payment"
	"shebao/internal/policy"
)

// contributionRoutes: the employer's bills (核定单: check 核对, confirm or
// ask for a correction) and 统筹科's correction queue, in HTML and JSON.
func (s *Server) contributionRoutes() []route {
	return []route{
		{"GET /employer/bills", s.billList},
		{"GET /employer/bills/{id}", s.billShow},
		{"POST /employer/bills/{id}/confirm", s.billConfirm},
		{"POST /employer/bills/{id}/correction", s.billCorrection},
		{"GET /employer/bills/{id}/lines.xlsx", s.billLinesXLSX},
		{"GET /staff/bills", s.billQueue},
		{"GET /staff/bills/{id}/lines.xlsx", s.billLinesXLSX},
		{"GET /staff/bills/{id}", s.billStaffShow},
		{"POST /staff/bills/{id}/reassess", s.billReassess},
		{"POST /staff/bills/{id}/reject", s.billReject},
		{"GET /api/v1/employers/me/bills", s.apiMyBills},
		{"GET /api/v1/bills", s.apiBills},
		{"GET /api/v1/bills/{id}", s.apiBill},
		{"POST /api/v1/bills/{id}/confirm", s.apiBillAct},
		{"POST /api/v1/bills/{id}/correction", s.apiBillAct},
		{"POST /api/v1/bills/{id}/reassess", s.apiBillAct},
		{"POST /api/v1/bills/{id}/reject-correction", s.apiBillAct},
	}
}

// billView is the data of the bill pages.
type billView struct {
	Bill     *contribution.Bill
	Bills    []contribution.Bill
	Staff    bool // the 统筹科 / 基金管理科 view
	CanAct   bool // 统筹科 may reassess or refuse
	Status   string
	Month    string
	Statuses []contribution.Status
	Quote    *payment.Quote           // what the bill costs when paid in full today, with the late-fee split
	PayTo    *policy.ReceivingAccount // the list page's payment instructions
	Lines    *billLines               // the page of lines the detail page shows
}

// payView is the data of the pay_to partial: the receiving account and
// the payment reference to quote.
type payView struct {
	PayTo   *policy.ReceivingAccount
	Ref     string
	RefHint string // what to quote when the page has no single reference
}

// Warning says which insurance the account does not take.
func (payView) Warning() string { return policy.NotCollected }

// Pay is the pay_to data of the page.
func (v billView) Pay() payView {
	if v.Bill != nil {
		return payView{PayTo: v.Bill.PayTo, Ref: v.Bill.PaymentRef}
	}
	return payView{PayTo: v.PayTo}
}

var billStatuses = []contribution.Status{contribution.CorrectionRequested, contribution.Draft, contribution.Confirmed,
	contribution.PartiallyPaid, contribution.Paid, contribution.Cancelled}

func (s *Server) billList(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := ownEmployerID(a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.Contribution.ListForEmployer(r.Context(), a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	payTo, err := s.Policy.ReceivingAccount(r.Context(), clock.Today(s.Clock))
	s.renderOrFail(w, r, "bill_list", &Page{Title: "缴费核定单", Data: billView{Bills: list, PayTo: payTo}}, err)
}

// billPage loads bill {id} for the employer's or the staff detail page.
func (s *Server) billPage(r *http.Request, staff bool) (*Page, error) {
	a := actorFrom(r.Context())
	if staff {
		if err := contribution.Can(a, contribution.UseStaffPages, nil); err != nil {
			return nil, err
		}
	} else if _, err := ownEmployerID(a); err != nil {
		return nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	b, err := s.Contribution.Get(r.Context(), a, id)
	if err != nil {
		return nil, err
	}
	if !staff && b.PayerKind != contribution.PayerEmployer {
		return nil, errs.NotFoundf("未找到该缴费核定单")
	}
	v := billView{Bill: b, Staff: staff, CanAct: staff && contribution.Can(a, contribution.ReviewCorrection, b) == nil}
	if v.Lines, err = pageBillLines(r, b, staff); err != nil {
		return nil, err
	}
	if v.Quote, err = s.Payments.QuoteBill(r.Context(), a, id); err != nil {
		return nil, err
	}
	return &Page{Title: "缴费核定单 " + b.BillNo, Data: v,
		Form: url.Values{"version": {strconv.FormatInt(b.Version, 10)}}}, nil
}

func (s *Server) billShow(w http.ResponseWriter, r *http.Request) {
	p, err := s.billPage(r, false)
	s.renderOrFail(w, r, "bill_detail", p, err)
}

func (s *Server) billStaffShow(w http.ResponseWriter, r *http.Request) {
	p, err := s.billPage(r, true)
	s.renderOrFail(w, r, "bill_detail", p, err)
}

// billPost runs act on bill {id} from a page form and redirects to the
// detail page, or re-renders it with the error.
func (s *Server) billPost(w http.ResponseWriter, r *http.Request, staff bool, flash string,
	act func(a *access.Actor, id, version int64, reason string) (*contribution.Bill, error)) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	if staff {
		if err := contribution.Can(a, contribution.ReviewCorrection, nil); err != nil {
			s.fail(w, r, err)
			return
		}
	} else if _, err := ownEmployerID(a); err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.parseForm(w, r) {
		return
	}
	id, version, err := idAndVersion(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, err := act(a, id, version, r.PostFormValue("reason"))
	if err == nil {
		base := "/employer/bills/"
		if staff {
			base = "/staff/bills/"
		}
		if b.PaymentRef != "" && !staff {
			flash += confirmedFlash(b)
		}
		redirect(w, r, base+strconv.FormatInt(id, 10), flash)
		return
	}
	p, perr := s.billPage(r, staff)
	if perr != nil || errs.KindOf(err) == errs.NotFound || errs.KindOf(err) == errs.Forbidden {
		s.fail(w, r, err)
		return
	}
	p.Form = r.PostForm
	s.renderForm(w, r, "bill_detail", p, err)
}

// confirmedFlash tells the employer how to pay a bill it has just
// confirmed: the reference, the due date and the receiving account.
func confirmedFlash(b *contribution.Bill) string {
	s := "，缴费参考号 " + b.PaymentRef + "，请于 " + b.DueOn + " 前缴纳"
	if a := b.PayTo; a != nil {
		s += "：转账至开户名称 " + a.Name + "，银行账号 " + a.NumberGrouped() + "，开户银行 " + a.Bank + "，附言注明缴费参考号"
	} else {
		s += "：收款账户尚未公布，请先致电基金管理科确认账户"
	}
	return s + "。" + policy.NotCollected + "。"
}

func (s *Server) billConfirm(w http.ResponseWriter, r *http.Request) {
	s.billPost(w, r, false, "核定单已确认", func(a *access.Actor, id, v int64, _ string) (*contribution.Bill, error) {
		return s.Contribution.Confirm(r.Context(), a, id, v)
	})
}

func (s *Server) billCorrection(w http.ResponseWriter, r *http.Request) {
	s.billPost(w, r, false, "更正申请已提交统筹科", func(a *access.Actor, id, v int64, reason string) (*contribution.Bill, error) {
		return s.Contribution.RequestCorrection(r.Context(), a, id, v, reason)
	})
}

func (s *Server) billReassess(w http.ResponseWriter, r *http.Request) {
	s.billPost(w, r, true, "已按当前参保人员重新核定，退回单位核对", func(a *access.Actor, id, v int64, _ string) (*contribution.Bill, error) {
		return s.Contribution.Reassess(r.Context(), a, id, v)
	})
}

func (s *Server) billReject(w http.ResponseWriter, r *http.Request) {
	s.billPost(w, r, true, "已不予更正，退回单位核对", func(a *access.Actor, id, v int64, reason string) (*contribution.Bill, error) {
		return s.Contribution.RejectCorrection(r.Context(), a, id, v, reason)
	})
}

func (s *Server) billQueue(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	status, month := q.Get("status"), strings.TrimSpace(q.Get("month"))
	if status == "" && !q.Has("status") {
		status = string(contribution.CorrectionRequested)
	}
	if status == "all" {
		status = ""
	}
	list, err := s.Contribution.List(r.Context(), a, contribution.Status(status), month)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := billView{Bills: list, Staff: true, Status: status, Month: month, Statuses: billStatuses}
	s.render(w, r, "bill_queue", &Page{Title: "缴费核定单", Data: v, Form: q})
}

func (s *Server) apiMyBills(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := ownEmployerID(a)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	list, err := s.Contribution.ListForEmployer(r.Context(), a, id)
	s.apiReply(w, r, http.StatusOK, listResponse[contribution.Bill]{Items: list, Total: len(list), Page: 1, Size: len(list)}, err)
}

func (s *Server) apiBills(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	list, err := s.Contribution.List(r.Context(), actorFrom(r.Context()), contribution.Status(q.Get("status")), q.Get("month"))
	s.apiReply(w, r, http.StatusOK, listResponse[contribution.Bill]{Items: list, Total: len(list), Page: 1, Size: len(list)}, err)
}

func (s *Server) apiBill(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idAndBody(w, r, nil)
	if !ok {
		return
	}
	b, err := s.Contribution.Get(r.Context(), actorFrom(r.Context()), id)
	s.apiReply(w, r, http.StatusOK, b, err)
}

// apiBillAct: POST /api/v1/bills/{id}/{confirm|correction|reassess|reject-correction}
// with {"version", "reason"}.
func (s *Server) apiBillAct(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if a == nil {
		s.apiFail(w, r, errs.LoginRequired())
		return
	}
	var body decisionBody
	id, ok := s.idAndBody(w, r, &body)
	if !ok {
		return
	}
	var b *contribution.Bill
	var err error
	ctx := r.Context()
	switch r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:] {
	case "confirm":
		b, err = s.Contribution.Confirm(ctx, a, id, body.Version)
	case "correction":
		b, err = s.Contribution.RequestCorrection(ctx, a, id, body.Version, body.Reason)
	case "reassess":
		b, err = s.Contribution.Reassess(ctx, a, id, body.Version)
	default:
		b, err = s.Contribution.RejectCorrection(ctx, a, id, body.Version, body.Reason)
	}
	s.apiReply(w, r, http.StatusOK, b, err)
}

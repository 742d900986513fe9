package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/ledger"
	"shebao/internal/payout"
	"shebao/internal/payroll"
)

// payoutRoutes: payout lines and their approval, batches, bank files and
// returns, the monthly payroll and the person's pension page.
func (s *Server) payoutRoutes() []route {
	return []route{
		{"GET /staff/payouts", s.staffPayouts},
		{"POST /staff/payouts/approve", s.staffPayoutsApprove},
		{"POST /staff/payouts/reject", s.staffPayoutsReject},
		{"GET /staff/payouts/{id}", s.staffPayout},
		{"POST /staff/payouts/{id}/cancel", s.staffPayoutCancel},
		{"POST /staff/payouts/{id}/reissue", s.staffPayoutReissue},
		{"GET /staff/payout-batches", s.staffBatches},
		{"POST /staff/payout-batches", s.staffBatchCreate},
		{"GET /staff/payout-batches/{id}", s.staffBatch},
		{"GET /staff/payout-batches/{id}/file", s.staffBatchFile},
		{"GET /staff/payout-batches/{id}/print.pdf", s.staffBatchPDF},
		{"POST /staff/payout-batches/{id}/return", s.staffBatchReturn},
		{"GET /staff/payroll", s.staffPayroll},
		{"POST /staff/payroll", s.staffPayrollRun},
		{"GET /staff/payroll/runs/{id}", s.staffPayrollRunPage},
		{"GET /staff/fund-report", s.staffFundReport},
		{"GET /staff/cards", s.staffCards},
		{"GET /staff/payroll/adjustments", s.staffAdjustments},
		{"POST /staff/payroll/adjustments", s.staffAdjustmentAdd},
		{"GET /staff/payroll/deductions", s.staffDeductions},
		{"POST /staff/payroll/deductions", s.staffDeductionAdd},
		{"POST /staff/cards/lists", s.staffCardListCreate},
		{"GET /staff/cards/lists/{id}/file", s.staffCardListFile},
		{"POST /staff/cards/lists/{id}/answer", s.staffCardAnswer},
		{"POST /staff/cards/{id}/activate", s.staffCardActivate},
		{"POST /staff/cards/activate", s.staffCardsActivate},
		{"GET /person/pension", s.personPension},
	}
}

// payoutListView is the data of the payout list.
type payoutListView struct {
	Page     *payout.Page
	Filter   payout.Filter
	Statuses []labelOption
	Banks    []payout.Bank
	Query    string // the filter as a query string, for paging links
	// MayApprove shows the approval form (the service decides: the fund section).
	MayApprove bool
	// SeesAll: the fund section sees every line; others the benefits they prepare.
	SeesAll bool
	// Approvable: what approving the whole selection would do (prepared lines, fund section).
	Approvable *payout.Approval
}

func payoutFilter(q url.Values) payout.Filter {
	page := pageParam(q)
	return payout.Filter{Status: q.Get("status"), Scheme: q.Get("scheme"), Bank: q.Get("bank"), Period: q.Get("period"),
		Query: strings.TrimSpace(q.Get("q")), Page: page}
}

func (s *Server) payoutList(r *http.Request) (*payoutListView, error) {
	a := actorFrom(r.Context())
	f := payoutFilter(r.URL.Query())
	p, err := s.Payouts.List(r.Context(), a, f)
	if err != nil {
		return nil, err
	}
	banks, err := s.Payouts.Banks(r.Context())
	if err != nil {
		return nil, err
	}
	q := url.Values{"status": {f.Status}, "scheme": {f.Scheme}, "bank": {f.Bank}, "period": {f.Period}, "q": {f.Query}}
	var st []labelOption
	for _, c := range payout.Statuses {
		st = append(st, labelOption{c, payout.StatusName(c)})
	}
	v := &payoutListView{Page: p, Filter: f, Statuses: st, Banks: banks, Query: q.Encode(),
		MayApprove: payout.Can(a, payout.ApproveLines, nil) == nil, SeesAll: payout.SeesAll(a)}
	if v.MayApprove && f.Status == payout.Prepared {
		if v.Approvable, err = s.Payouts.Approvable(r.Context(), a, f); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (s *Server) staffPayouts(w http.ResponseWriter, r *http.Request) {
	v, err := s.payoutList(r)
	s.renderOrFail(w, r, "payout_list", &Page{Title: "拨付记录", Data: v}, err)
}

// formIDs reads the checked line ids, or with all=1 every prepared line of
// the filter (the whole selection, not only the page).
func (s *Server) formIDs(r *http.Request) ([]int64, error) {
	if r.PostFormValue("all") == "1" {
		return s.Payouts.PreparedIDs(r.Context(), actorFrom(r.Context()), payoutFilter(r.PostForm))
	}
	var ids []int64
	for _, v := range r.PostForm["id"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return nil, errs.Fields{{Field: "id", Message: "选择的拨付记录不正确"}}.Err()
		}
		ids = append(ids, id)
	}
	return ids, nil
}

func (s *Server) backToList(r *http.Request) string {
	q := url.Values{"status": {r.PostFormValue("status")}, "scheme": {r.PostFormValue("scheme")}, "bank": {r.PostFormValue("bank")},
		"period": {r.PostFormValue("period")}, "q": {r.PostFormValue("q")}}
	return "/staff/payouts?" + q.Encode()
}

func (s *Server) listError(w http.ResponseWriter, r *http.Request, err error) {
	r.URL.RawQuery = r.PostForm.Encode()
	v, lerr := s.payoutList(r)
	if lerr != nil {
		s.fail(w, r, err)
		return
	}
	s.renderForm(w, r, "payout_list", &Page{Title: "拨付记录", Data: v}, err)
}

func (s *Server) staffPayoutsApprove(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := payout.Can(a, payout.ApproveLines, nil); err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostFormValue("all") == "1" {
		in := formInput(r)
		expect := in.OptionalInt64("expect", "确认的笔数")
		if err := in.Err(); err != nil {
			s.listError(w, r, err)
			return
		}
		res, err := s.Payouts.ApproveWhere(r.Context(), a, payoutFilter(r.PostForm), expect, r.PostFormValue("note"))
		if err != nil {
			s.listError(w, r, err)
			return
		}
		msg := "已审核通过 " + strconv.FormatInt(res.Lines, 10) + " 笔拨付，合计 " + res.Total.String() + " 元"
		if res.Refused > 0 {
			msg += "；另有 " + strconv.FormatInt(res.Refused, 10) + " 笔由您本人经办，未审核，须由另一名工作人员审核"
		}
		redirect(w, r, s.backToList(r), msg)
		return
	}
	ids, err := s.formIDs(r)
	if err == nil {
		var n int
		if n, err = s.Payouts.Approve(r.Context(), a, ids, r.PostFormValue("note")); err == nil {
			redirect(w, r, s.backToList(r), "已审核通过 "+strconv.Itoa(n)+" 笔拨付")
			return
		}
	}
	s.listError(w, r, err)
}

func (s *Server) staffPayoutsReject(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := payout.Can(a, payout.ApproveLines, nil); err != nil {
		s.fail(w, r, err)
		return
	}
	ids, err := s.formIDs(r)
	if err == nil {
		var n int
		if n, err = s.Payouts.Reject(r.Context(), a, ids, r.PostFormValue("reason")); err == nil {
			redirect(w, r, s.backToList(r), "已退回 "+strconv.Itoa(n)+" 笔拨付")
			return
		}
	}
	s.listError(w, r, err)
}

func (s *Server) staffPayout(w http.ResponseWriter, r *http.Request) {
	s.renderPayout(w, r, nil)
}

// payoutLineView is one line's page: the line and what the viewer may do
// with it (asked from the service).
type payoutLineView struct {
	*payout.Line
	MayCancel  bool
	MayReissue bool
}

func (s *Server) renderPayout(w http.ResponseWriter, r *http.Request, formErr error) {
	a := actorFrom(r.Context())
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l, err := s.Payouts.Get(r.Context(), a, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := payoutLineView{Line: l, MayCancel: payout.Can(a, payout.CancelLine, l) == nil,
		MayReissue: l.Status == payout.Failed && payout.Can(a, payout.ReissueLine, l) == nil}
	p := &Page{Title: "拨付记录 " + payout.LineRef(l.ID), Data: v}
	s.renderOrForm(w, r, "payout_line", p, formErr)
}

func (s *Server) staffPayoutCancel(w http.ResponseWriter, r *http.Request) {
	if err := payout.Can(actorFrom(r.Context()), payout.CancelLine, nil); err != nil {
		s.fail(w, r, err)
		return
	}
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "1" {
		s.renderPayout(w, r, errs.Fields{{Field: "confirm", Message: "请勾选“确认作废”"}}.Err())
		return
	}
	version, err := formVersion(r)
	if err == nil {
		err = s.Payouts.Cancel(r.Context(), actorFrom(r.Context()), id, version, r.PostFormValue("reason"))
	}
	if err != nil {
		s.renderPayout(w, r, err)
		return
	}
	redirect(w, r, "/staff/payouts/"+strconv.FormatInt(id, 10), "已作废该笔拨付")
}

func (s *Server) staffPayoutReissue(w http.ResponseWriter, r *http.Request) {
	if err := payout.Can(actorFrom(r.Context()), payout.ReissueLine, nil); err != nil {
		s.fail(w, r, err)
		return
	}
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	version, err := formVersion(r)
	if err != nil {
		s.renderPayout(w, r, err)
		return
	}
	acct := payout.Request{AccountKind: r.PostFormValue("account_kind"), AccountName: r.PostFormValue("account_name"),
		AccountNo: r.PostFormValue("account_no"), BankName: r.PostFormValue("bank_name"), BankCode: r.PostFormValue("bank_code"),
		NameConfirmed: r.PostFormValue("name_confirmed") == "1"}
	nl, err := s.Payouts.Reissue(r.Context(), actorFrom(r.Context()), id, version, acct)
	if err != nil {
		s.renderPayout(w, r, err)
		return
	}
	redirect(w, r, "/staff/payouts/"+strconv.FormatInt(nl.ID, 10), "已重新拨付，请由另一名工作人员审核")
}

// fundChart is the data of the income and expense report.
type fundReportView struct {
	Report *payout.FundReport
}

func (s *Server) staffFundReport(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	rep, err := s.Payouts.FundReport(r.Context(), a, clock.MonthOf(s.Clock.Now()), 12)
	s.renderOrFail(w, r, "fund_report", &Page{Title: "基金收支月报", Data: fundReportView{Report: rep}}, err)
}

// pensionView is the person's pension page.
type pensionView struct {
	Pensioner *payroll.Pensioner
	Card      *payroll.Card
	Lines     []payout.Line
}

func (s *Server) personPension(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if _, err := ownPersonID(a); err != nil {
		s.fail(w, r, err)
		return
	}
	v := pensionView{}
	p, err := s.Payroll.ByPerson(r.Context(), a, a.PersonID)
	if err != nil && errs.KindOf(err) != errs.NotFound {
		s.fail(w, r, err)
		return
	}
	v.Pensioner = p
	if v.Card, err = s.Payroll.CardOf(r.Context(), a, a.PersonID); err != nil {
		s.fail(w, r, err)
		return
	}
	if v.Lines, err = s.Payroll.Payments(r.Context(), a, a.PersonID); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "pension_mine", &Page{Title: "我的养老金", Data: v})
}

var _ = ledger.SchemeName
var _ context.Context

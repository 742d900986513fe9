package web

import (
	"net/http"
	"strings"

	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/payroll"
)

// adjustmentsView is the data of the 调待 page.
type adjustmentsView struct {
	Adjustments []payroll.Adjustment
	Page, Pages int
	Preview     *payroll.AdjustmentPreview
	Pending     *payroll.Adjustment // the adjustment awaiting confirmation
}

const adjustmentsPerPage = 20

// payrollRegister loads the page of a payroll register (adjustments,
// deductions) for a clerk who may keep it (payroll.MayAdjust); it answers
// a failure itself (false).
func payrollRegister[V any](s *Server, w http.ResponseWriter, r *http.Request, load func(*http.Request) (V, error)) (V, bool) {
	var v V
	err := payroll.MayAdjust(actorFrom(r.Context()))
	if err == nil {
		v, err = load(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return v, false
	}
	return v, true
}

func (s *Server) adjustmentsData(r *http.Request) (*adjustmentsView, error) {
	all, err := s.Payroll.Adjustments(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return nil, err
	}
	// newest first
	for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
		all[i], all[j] = all[j], all[i]
	}
	page := pageParam(r.URL.Query())
	v := &adjustmentsView{Page: page, Pages: max(1, (len(all)+adjustmentsPerPage-1)/adjustmentsPerPage)}
	from := min((page-1)*adjustmentsPerPage, len(all))
	v.Adjustments = all[from:min(from+adjustmentsPerPage, len(all))]
	return v, nil
}

func (s *Server) renderAdjustments(w http.ResponseWriter, r *http.Request, v *adjustmentsView, err error) {
	s.renderOrForm(w, r, "payroll_adjustments", &Page{Title: "养老金调整（调待）", Data: v, Form: r.PostForm}, err)
}

func (s *Server) staffAdjustments(w http.ResponseWriter, r *http.Request) {
	if v, ok := payrollRegister(s, w, r, s.adjustmentsData); ok {
		s.renderAdjustments(w, r, v, nil)
	}
}

// adjustmentForm reads the form: effective month, cut-off month, percent,
// fixed sum in 元 and basis, each error naming its field in Chinese.
func adjustmentForm(r *http.Request) (payroll.Adjustment, error) {
	var adj payroll.Adjustment
	var f errs.Fields
	var err error
	if adj.Effective, err = clock.ParseMonth(strings.TrimSpace(r.PostFormValue("effective_month"))); err != nil {
		f.Add("effective_month", "调整起始月份格式应为年-月，如 2024-02")
	}
	if adj.RetiredBefore, err = clock.ParseMonth(strings.TrimSpace(r.PostFormValue("retired_before"))); err != nil {
		f.Add("retired_before", "适用范围（在此月份之前退休）格式应为年-月，如 2024-02")
	}
	if v := strings.TrimSpace(r.PostFormValue("rate")); v != "" {
		if adj.Rate, err = money.Percent(v); err != nil {
			f.Add("rate", "调整比例应为百分数，如 3 或 2.5")
		}
	}
	if v := strings.TrimSpace(r.PostFormValue("fixed")); v != "" {
		if adj.Fixed, err = money.ParseYuan(v); err != nil {
			f.Add("fixed", "定额调整应为金额（元），如 50 或 45.50")
		}
	}
	adj.Basis = strings.TrimSpace(r.PostFormValue("basis"))
	return adj, f.Err()
}

// staffAdjustmentAdd checks the adjustment and shows what it does; with
// confirm=1 (the second step) it records it.
func (s *Server) staffAdjustmentAdd(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	v, ok := payrollRegister(s, w, r, s.adjustmentsData)
	if !ok {
		return
	}
	adj, err := adjustmentForm(r)
	if err == nil && r.PostFormValue("confirm") != "1" {
		if v.Preview, err = s.Payroll.PreviewAdjustment(r.Context(), a, adj); err == nil {
			v.Pending = &adj
			s.renderAdjustments(w, r, v, nil)
			return
		}
	}
	if err == nil {
		_, err = s.Payroll.AddAdjustment(r.Context(), a, adj)
	}
	if s.formFailed(w, r, err, func(err error) { s.renderAdjustments(w, r, v, err) }) {
		return
	}
	redirect(w, r, "/staff/payroll/adjustments", "已登记"+adj.Effective.Chinese()+"起的养老金调整；已发放月份的差额将在下次生成月度养老金时补发")
}

// deductionsView is the data of the deduction page.
type deductionsView struct {
	Deductions  []payroll.DeductionRow
	Count       int64
	Page, Pages int
	Pensioner   *payroll.Pensioner // the pensioner awaiting confirmation
	Pending     *payroll.Deduction
}

func (s *Server) deductionsData(r *http.Request) (*deductionsView, error) {
	page := pageParam(r.URL.Query())
	ds, n, err := s.Payroll.Deductions(r.Context(), actorFrom(r.Context()), page)
	if err != nil {
		return nil, err
	}
	return &deductionsView{Deductions: ds, Count: n, Page: page,
		Pages: max(1, int((n+payroll.DeductionsPerPage-1)/payroll.DeductionsPerPage))}, nil
}

func (s *Server) renderDeductions(w http.ResponseWriter, r *http.Request, v *deductionsView, err error) {
	s.renderOrForm(w, r, "payroll_deductions", &Page{Title: "多发养老金扣回", Data: v, Form: r.PostForm}, err)
}

func (s *Server) staffDeductions(w http.ResponseWriter, r *http.Request) {
	if v, ok := payrollRegister(s, w, r, s.deductionsData); ok {
		s.renderDeductions(w, r, v, nil)
	}
}

// deductionForm reads the form (ID number, total and monthly in 元, start
// month, reason).
func deductionForm(r *http.Request) (payroll.Deduction, error) {
	var d payroll.Deduction
	var f errs.Fields
	var err error
	if d.Total, err = money.ParseYuan(strings.TrimSpace(r.PostFormValue("total"))); err != nil {
		f.Add("total", "应扣回总额应为金额（元），如 3000 或 2850.50")
	}
	if d.Monthly, err = money.ParseYuan(strings.TrimSpace(r.PostFormValue("monthly"))); err != nil {
		f.Add("monthly", "每月扣回金额应为金额（元）")
	}
	if d.Start, err = clock.ParseMonth(strings.TrimSpace(r.PostFormValue("start_month"))); err != nil {
		f.Add("start_month", "开始扣回月份格式应为年-月，如 2024-02")
	}
	d.Reason = strings.TrimSpace(r.PostFormValue("reason"))
	return d, f.Err()
}

// staffDeductionAdd finds the pensioner and shows the deduction to
// confirm; with confirm=1 it records it.
func (s *Server) staffDeductionAdd(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	v, ok := payrollRegister(s, w, r, s.deductionsData)
	if !ok {
		return
	}
	d, err := deductionForm(r)
	var p *payroll.Pensioner
	if err == nil {
		p, err = s.Payroll.PensionerByIDNumber(r.Context(), a, r.PostFormValue("id_number"))
	}
	if err == nil {
		d.PersonID = p.PersonID
		if r.PostFormValue("confirm") != "1" {
			v.Pensioner, v.Pending = p, &d
			s.renderDeductions(w, r, v, nil)
			return
		} else {
			_, err = s.Payroll.AddDeduction(r.Context(), a, d)
		}
	}
	if s.formFailed(w, r, err, func(err error) { s.renderDeductions(w, r, v, err) }) {
		return
	}
	redirect(w, r, "/staff/payroll/deductions", "已登记"+p.Name+"的多发扣回：自"+d.Start.Chinese()+"起每月扣回"+d.Monthly.String()+"元（不超过当月养老金的一半）")
}

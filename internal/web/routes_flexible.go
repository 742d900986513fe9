package web

import (
	"net/http"
	"strconv"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/flexible"
	"shebao/internal/money"
	"shebao/internal/person"
	"shebao/internal/policy"
)

// flexibleRoutes: flexible workers (灵活就业) — their own page and bills,
// 个体参保科's registration and billing, and the audit list of deferred
// and flagged registrations and payments.
func (s *Server) flexibleRoutes() []route {
	return []route{
		{"GET /person/flexible", s.personFlexible},
		{"POST /person/flexible/bills", s.personFlexibleBills},
		{"GET /api/v1/person/flexible/bills", s.apiFlexibleBills},
		{"POST /api/v1/person/flexible/bills", s.apiFlexibleCreate},
		{"GET /staff/flexible", s.staffFlexible},
		{"POST /staff/flexible/{id}/register", s.staffFlexibleRegister},
		{"POST /staff/flexible/{id}/bills", s.staffFlexibleBills},
	}
}

// flexView is the data of the flexible worker pages.
type flexView struct {
	Person         *person.Person
	Bills          []flexible.Bill
	Example        flexible.Amount
	Floor, Ceiling money.Fen
	Month          string
	Staff          bool
	Action         string
	Categories     []struct{ Value, Label string }
	NextMonth      string
	PayTo          *policy.ReceivingAccount // where to transfer the money
}

// Pay is the pay_to data of the page: each bill has its own reference.
func (v flexView) Pay() payView {
	return payView{PayTo: v.PayTo, RefHint: "转账时请在附言中注明所缴缴费单的缴费编号，到账后按编号自动入账。"}
}

func (s *Server) flexView(r *http.Request, a *access.Actor, p *person.Person, staff bool) (flexView, error) {
	today := clock.Today(s.Clock)
	month := today.Format("2006-01")
	v := flexView{Person: p, Month: month, Staff: staff, Action: "/person/flexible/bills", Categories: flexCategories}
	v.NextMonth = today.AddDate(0, 0, 1-today.Day()).AddDate(0, 1, 0).Format("2006-01")
	if staff {
		v.Action = "/staff/flexible/" + strconv.FormatInt(p.ID, 10) + "/bills"
	}
	var err error
	if v.Floor, v.Ceiling, err = s.Flexible.Limits(r.Context(), month); err != nil {
		return v, err
	}
	base := p.FlexBase
	if base == 0 {
		base = v.Floor
	}
	if v.Example, _, err = s.Flexible.Quote(r.Context(), base, month); err != nil {
		return v, err
	}
	if p.Kind == person.Flexible {
		if v.Bills, err = s.Flexible.Bills(r.Context(), a, p.ID); err != nil {
			return v, err
		}
	}
	v.PayTo, err = s.Policy.ReceivingAccount(r.Context(), today)
	return v, err
}

func (s *Server) renderFlex(w http.ResponseWriter, r *http.Request, personID int64, staff bool, formErr error) {
	a := actorFrom(r.Context())
	p, err := s.Flexible.Person(r.Context(), a, personID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.flexView(r, a, p, staff)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page := &Page{Title: "灵活就业参保缴费", Data: v}
	if staff {
		page.Form = r.URL.Query()
	}
	s.renderOrForm(w, r, "flexible_person", page, formErr)
}

func (s *Server) personFlexible(w http.ResponseWriter, r *http.Request) {
	id, err := ownPersonID(actorFrom(r.Context()))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderFlex(w, r, id, false, nil)
}

func (s *Server) personFlexibleBills(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := ownPersonID(a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	bills, err := s.Flexible.CreateBills(r.Context(), a, id, r.PostFormValue("month"), r.PostFormValue("plan"))
	if err != nil {
		s.renderFlex(w, r, id, false, err)
		return
	}
	redirect(w, r, "/person/flexible", billFlash(bills))
}

func billFlash(bills []flexible.Bill) string {
	msg := "已开具 " + strconv.Itoa(len(bills)) + " 张缴费单，请按缴费单上的缴费编号转账或到柜台刷卡缴费"
	for _, b := range bills {
		if b.MakeUp() {
			return msg + "；其中含疫情补缴月份，视同按时缴费，不收滞纳金"
		}
	}
	return msg
}

// flexBillJSON is a flexible bill in the API.
func flexBillJSON(b flexible.Bill) map[string]any {
	return map[string]any{"id": b.ID, "bill_no": b.BillNo, "fee_month": b.FeeMonth, "status": b.Status,
		"total_fen": int64(b.Total), "account_fen": int64(b.Account), "paid_fen": int64(b.Paid),
		"payment_ref": b.PaymentRef, "due_on": b.DueOn, "late_fee_waived": b.Waived, "waiver_basis": b.WaiverBasis,
		"flags": b.Flags, "explain": b.Explain}
}

// flexBillsJSON is a list of flexible bills in the API.
func flexBillsJSON(bills []flexible.Bill) []map[string]any {
	items := make([]map[string]any, 0, len(bills))
	for _, b := range bills {
		items = append(items, flexBillJSON(b))
	}
	return items
}

func (s *Server) apiFlexibleBills(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := ownPersonID(a)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	bills, err := s.Flexible.Bills(r.Context(), a, id)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"items": flexBillsJSON(bills)})
}

func (s *Server) apiFlexibleCreate(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := ownPersonID(a)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var in struct {
		Month string `json:"month"`
		Plan  string `json:"plan"`
	}
	if !s.decoded(w, r, &in) {
		return
	}
	bills, err := s.Flexible.CreateBills(r.Context(), a, id, in.Month, in.Plan)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, map[string]any{"items": flexBillsJSON(bills)})
}

func (s *Server) staffFlexible(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := a.RequireSection(access.SelfEmployed); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	if idNo := q.Get("id_number"); idNo != "" {
		p, err := s.Persons.ByIDNumber(r.Context(), a, idNo)
		if err != nil {
			data, _ := s.selfRegistrations(r, a) // the search error is the one to show
			s.renderForm(w, r, "flexible_staff", &Page{Title: "灵活就业人员参保", Form: q, Data: data}, err)
			return
		}
		http.Redirect(w, r, "/staff/flexible?person="+strconv.FormatInt(p.ID, 10), http.StatusSeeOther)
		return
	}
	if id, err := strconv.ParseInt(q.Get("person"), 10, 64); err == nil {
		s.renderFlex(w, r, id, true, nil)
		return
	}
	data, err := s.selfRegistrations(r, a)
	s.renderOrFail(w, r, "flexible_staff", &Page{Title: "灵活就业人员参保", Form: q, Data: data}, err)
}

func (s *Server) staffFlexibleRegister(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := a.RequireSection(access.SelfEmployed); err != nil {
		s.fail(w, r, err)
		return
	}
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	in := formInput(r)
	version := in.Version()
	base, err := money.ParseYuan(r.PostFormValue("flex_base"))
	if err != nil {
		in.fields.Add("flex_base", "缴费基数格式不正确：请输入整数元，如 4800")
	}
	if err := in.Err(); err != nil {
		s.renderFlex(w, r, id, true, err)
		return
	}
	if _, err := s.Flexible.Register(r.Context(), a, id, version, base, r.PostFormValue("flex_since")); err != nil {
		s.renderFlex(w, r, id, true, err)
		return
	}
	redirect(w, r, "/staff/flexible?person="+strconv.FormatInt(id, 10), "已登记为灵活就业人员")
}

func (s *Server) staffFlexibleBills(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := a.RequireSection(access.SelfEmployed); err != nil {
		s.fail(w, r, err)
		return
	}
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	bills, err := s.Flexible.CreateBills(r.Context(), a, id, r.PostFormValue("month"), r.PostFormValue("plan"))
	if err != nil {
		s.renderFlex(w, r, id, true, err)
		return
	}
	redirect(w, r, "/staff/flexible?person="+strconv.FormatInt(id, 10), billFlash(bills))
}

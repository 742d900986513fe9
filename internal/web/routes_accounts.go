package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/personalaccount"
)

// personalAccountRoutes: the person's account by year on the portal, and the
// personal-account section's (个人账户科) pages: a person's account with
// corrections, opening-balance imports and the year-end interest runs.
func (s *Server) personalAccountRoutes() []route {
	rs := []route{
		{"GET /person/account", s.personAccount},
		{"GET /api/v1/person/account", s.apiPersonAccount},
		{"GET /staff/accounts", s.staffAccounts},
		{"GET /staff/accounts/persons/{id}", s.staffAccountPerson},
		{"POST /staff/accounts/persons/{id}/corrections", s.staffAccountCorrect},
	}
	return append(append(rs, s.accountOpeningRoutes()...), s.accountInterestRoutes()...)
}

// accountView is the data of the account pages.
type accountView struct {
	Account *personalaccount.Account
	Years   []personalaccount.Year // latest first
	Staff   bool
	Manage  bool // may post corrections
	IDShown string
}

func newAccountView(acc *personalaccount.Account, staff bool) accountView {
	v := accountView{Account: acc, Years: slices.Clone(acc.Years), Staff: staff, IDShown: acc.Person.IDNumber}
	slices.Reverse(v.Years)
	if staff {
		v.IDShown = acc.Person.Masked().IDNumber
	}
	return v
}

func (s *Server) personAccount(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := ownPersonID(a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	acc, err := s.PersonalAccounts.Account(r.Context(), a, id, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "account_person", &Page{Title: "我的个人账户", Data: newAccountView(acc, false)})
}

func (s *Server) apiPersonAccount(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := ownPersonID(a)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	acc, err := s.PersonalAccounts.Account(r.Context(), a, id, false)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	years := acc.Years
	years = nonNil(years)
	s.writeJSON(w, http.StatusOK, map[string]any{"balance_fen": int64(acc.Balance), "years": years})
}

// staffAccounts is the section's page: find a person's account by ID
// number, and the links to imports and interest runs.
func (s *Server) staffAccounts(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := a.RequireSection(access.Account); err != nil {
		s.fail(w, r, err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("id_number"))
	p := &Page{Title: "个人账户", Form: url.Values{"id_number": {q}}}
	if q != "" {
		per, err := s.Persons.ByIDNumber(r.Context(), a, q)
		if err == nil {
			http.Redirect(w, r, "/staff/accounts/persons/"+strconv.FormatInt(per.ID, 10), http.StatusSeeOther)
			return
		}
		if errs.KindOf(err) == errs.NotFound {
			var fs errs.Fields
			fs.Add("id_number", "没有找到该公民身份号码的参保人，请核对")
			err = fs.Err()
		}
		s.renderForm(w, r, "account_staff", p, err)
		return
	}
	s.render(w, r, "account_staff", p)
}

func (s *Server) staffAccountPage(r *http.Request) (*Page, error) {
	a := actorFrom(r.Context())
	if err := a.RequireSection(access.Account); err != nil {
		return nil, err
	}
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	acc, err := s.PersonalAccounts.Account(r.Context(), a, id, true)
	if err != nil {
		return nil, err
	}
	v := newAccountView(acc, true)
	v.Manage = personalaccount.CanManage(a)
	slices.Reverse(v.Account.Entries)
	return &Page{Title: "个人账户 " + v.IDShown, Data: v}, nil
}

func (s *Server) staffAccountPerson(w http.ResponseWriter, r *http.Request) {
	p, err := s.staffAccountPage(r)
	s.renderOrFail(w, r, "account_staff_person", p, err)
}

func (s *Server) staffAccountCorrect(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	p, err := s.staffAccountPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := p.Data.(accountView)
	in, err := parseCorrection(r.PostForm)
	if err == nil {
		_, err = s.PersonalAccounts.Correct(r.Context(), actorFrom(r.Context()), v.Account.Person.ID, in)
	}
	if err != nil {
		p.Form = r.PostForm
		s.renderForm(w, r, "account_staff_person", p, err)
		return
	}
	setFlash(w, "更正已记账")
	http.Redirect(w, r, "/staff/accounts/persons/"+strconv.FormatInt(v.Account.Person.ID, 10), http.StatusSeeOther)
}

// parseCorrection reads the correction form: a signed amount in 元, the
// value date, the reason and the confirmation.
func parseCorrection(f url.Values) (personalaccount.CorrectionInput, error) {
	var fs errs.Fields
	in := personalaccount.CorrectionInput{Date: f.Get("date"), Reason: f.Get("reason")}
	raw := strings.TrimSpace(f.Get("amount"))
	neg := strings.HasPrefix(raw, "-")
	amt, err := money.ParseYuan(strings.TrimPrefix(raw, "-"))
	switch {
	case raw == "":
		fs.Add("amount", "请填写更正金额（元），减少时填负数")
	case err != nil:
		fs.Add("amount", "更正金额格式不正确：应为元，最多两位小数，减少时前面加负号")
	}
	if neg {
		amt = -amt
	}
	in.Amount = amt
	if f.Get("confirm") != "yes" {
		fs.Add("confirm", "请勾选确认：更正将直接记入该参保人的个人账户")
	}
	return in, fs.Err()
}

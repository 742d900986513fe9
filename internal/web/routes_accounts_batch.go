package web

import (
	"bytes"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/personalaccount"
)

// accountOpeningRoutes: 个人账户科 imports opening balances from Excel or
// CSV, all or nothing with a report.
func (s *Server) accountOpeningRoutes() []route {
	return []route{
		{"GET /staff/accounts/openings", s.accountOpeningForm},
		{"POST /staff/accounts/openings", s.accountOpeningSubmit},
		{"GET /staff/accounts/openings/template.xlsx", s.accountOpeningTemplate},
	}
}

// accountOpeningView is the data of the import page.
type accountOpeningView struct {
	Report  *personalaccount.Import
	MaxMB   int
	MaxRows int
}

func (s *Server) accountOpeningPage(r *http.Request, rep *personalaccount.Import) (*Page, error) {
	if err := actorFrom(r.Context()).RequireSection(access.Account); err != nil {
		return nil, err
	}
	return &Page{Title: "导入个人账户期初余额", Data: accountOpeningView{Report: rep,
		MaxMB: personalaccount.OpeningMaxBytes >> 20, MaxRows: personalaccount.OpeningMaxRows}}, nil
}

func (s *Server) accountOpeningForm(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "account_openings", s.accountOpeningPage, nil)
}

func (s *Server) accountOpeningSubmit(w http.ResponseWriter, r *http.Request) {
	p, err := s.accountOpeningPage(r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	name, data, err := uploadedFile(r, personalaccount.OpeningMaxBytes, "请选择要上传的 Excel 表格（.xlsx）或逗号分隔文本（.csv）")
	if err == nil {
		var rep *personalaccount.Import
		if rep, err = s.PersonalAccounts.ImportOpenings(r.Context(), actorFrom(r.Context()), name, data); err == nil {
			p, _ = s.accountOpeningPage(r, rep)
			status := http.StatusOK
			if !rep.Applied() {
				status = http.StatusUnprocessableEntity
			}
			s.renderStatus(w, r, "account_openings", status, p)
			return
		}
	}
	s.renderForm(w, r, "account_openings", p, err)
}

func (s *Server) accountOpeningTemplate(w http.ResponseWriter, r *http.Request) {
	if err := actorFrom(r.Context()).RequireSection(access.Account); err != nil {
		s.fail(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := personalaccount.OpeningTemplate(clock.Today(s.Clock)).Write(&b); err != nil {
		s.fail(w, r, errs.Wrap(err, "opening template"))
		return
	}
	staffXLSX(w, "个人账户期初余额导入模板.xlsx", b.Bytes())
}

// accountInterestRoutes: 个人账户科 starts a year's interest run and
// follows its progress (the page polls a small JSON status, as the
// assessment run page does).
func (s *Server) accountInterestRoutes() []route {
	return []route{
		{"GET /staff/accounts/interest", s.accountInterestIndex},
		{"POST /staff/accounts/interest", s.accountInterestStart},
		{"GET /staff/accounts/interest/{id}", s.accountInterestShow},
		{"GET /staff/accounts/interest/{id}/status", s.accountInterestStatus},
	}
}

// interestView is the data of the interest pages.
type interestView struct {
	Run  *personalaccount.InterestRun
	Runs []personalaccount.InterestRun
}

func (s *Server) interestIndexPage(r *http.Request) (*Page, error) {
	runs, err := s.PersonalAccounts.InterestRuns(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return nil, err
	}
	return &Page{Title: "个人账户年度计息", Data: interestView{Runs: runs}}, nil
}

func (s *Server) accountInterestIndex(w http.ResponseWriter, r *http.Request) {
	p, err := s.interestIndexPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Form = url.Values{"year": {strconv.Itoa(clock.Today(s.Clock).Year() - 1)}}
	s.render(w, r, "account_interest", p)
}

func (s *Server) accountInterestStart(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	p, err := s.interestIndexPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	year, perr := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("year")))
	if perr != nil {
		var fs errs.Fields
		fs.Add("year", "请填写四位数的计息年度，如 2023")
		err = fs.Err()
	} else if r.PostForm.Get("confirm") != "yes" {
		var fs errs.Fields
		fs.Add("confirm", "请勾选确认：计息将为每个个人账户记入该年度利息")
		err = fs.Err()
	}
	var run *personalaccount.InterestRun
	if err == nil {
		run, err = s.PersonalAccounts.StartInterest(r.Context(), actorFrom(r.Context()), year)
	}
	if err != nil {
		p.Form = r.PostForm
		s.renderForm(w, r, "account_interest", p, err)
		return
	}
	http.Redirect(w, r, "/staff/accounts/interest/"+strconv.FormatInt(run.ID, 10), http.StatusSeeOther)
}

func (s *Server) interestRun(r *http.Request) (*personalaccount.InterestRun, error) {
	return ofPathID(r, s.PersonalAccounts.GetInterestRun)
}

func (s *Server) accountInterestShow(w http.ResponseWriter, r *http.Request) {
	run, err := s.interestRun(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "account_interest_run", &Page{Title: strconv.Itoa(run.Year) + " 年度计息", Data: interestView{Run: run}})
}

// interestStatusJSON is what the run page polls (the fields the shared
// progress script reads).
type interestStatusJSON struct {
	Status      string `json:"status"`
	StatusName  string `json:"status_name"`
	Done        int64  `json:"done"`
	Total       int64  `json:"total"`
	Percent     int64  `json:"percent"`
	Credited    int64  `json:"credited"`
	InterestFen int64  `json:"interest_fen"`
	Error       string `json:"error,omitempty"`
}

func (s *Server) accountInterestStatus(w http.ResponseWriter, r *http.Request) {
	run, err := s.interestRun(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, interestStatusJSON{Status: run.Status, StatusName: run.StatusName(), Done: run.Done,
		Total: run.Total, Percent: run.Percent(), Credited: run.Credited, InterestFen: int64(run.Interest), Error: run.Error})
}

package web

import (
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/statement"
)

// statementRoutes: 个人账户科 orders batches of personal rights statements
// (个人权益记录单), follows their progress and downloads them as one ZIP;
// a person lists and downloads their own statements.
func (s *Server) statementRoutes() []route {
	return []route{
		{"GET /staff/accounts/statements", s.statementIndex},
		{"POST /staff/accounts/statements", s.statementStart},
		{"GET /staff/accounts/statements/{id}", s.statementShow},
		{"GET /staff/accounts/statements/{id}/status", s.statementStatus},
		{"GET /staff/accounts/statements/{id}/statements.zip", s.statementZIP},
		{"GET /person/statements", s.personStatements},
		{"GET /statements/{id}/statement.pdf", s.statementPDF},
	}
}

// rightsBatchView is the data of the batch pages.
type rightsBatchView struct {
	Batch   *statement.Batch
	Batches []statement.Batch
	Scopes  [][2]string
}

var statementScopes = [][2]string{{statement.ScopeEmployer, "某单位在职职工"}, {statement.ScopeRetirees, "全部退休人员"},
	{statement.ScopeAll, "全部参保人员"}}

func (s *Server) statementIndexPage(r *http.Request) (*Page, error) {
	list, err := s.Statements.Batches(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return nil, err
	}
	return &Page{Title: "个人权益记录单", Data: rightsBatchView{Batches: list, Scopes: statementScopes}}, nil
}

func (s *Server) statementIndex(w http.ResponseWriter, r *http.Request) {
	p, err := s.statementIndexPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Form = url.Values{"year": {strconv.Itoa(clock.Today(s.Clock).Year() - 1)}, "scope": {statement.ScopeEmployer}, "mail": {"yes"}}
	s.render(w, r, "statement_batches", p)
}

func (s *Server) statementStart(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	p, err := s.statementIndexPage(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := formInput(r)
	year := in.Int("year", "记录单年度")
	err = in.Err()
	var b *statement.Batch
	if err == nil {
		b, err = s.Statements.StartBatch(r.Context(), actorFrom(r.Context()), statement.BatchInput{Scope: r.PostForm.Get("scope"),
			EmployerNo: strings.TrimSpace(r.PostForm.Get("employer_no")), Year: year,
			Mail: r.PostForm.Get("mail") == "yes", Print: r.PostForm.Get("print") == "yes"})
	}
	if err != nil {
		p.Form = r.PostForm
		s.renderForm(w, r, "statement_batches", p, err)
		return
	}
	http.Redirect(w, r, "/staff/accounts/statements/"+strconv.FormatInt(b.ID, 10), http.StatusSeeOther)
}

func (s *Server) statementBatch(r *http.Request) (*statement.Batch, error) {
	return ofPathID(r, s.Statements.Batch)
}

func (s *Server) statementShow(w http.ResponseWriter, r *http.Request) {
	b, err := s.statementBatch(r)
	s.renderOrFail(w, r, "statement_batch", &Page{Title: "个人权益记录单批次", Data: rightsBatchView{Batch: b}}, err)
}

// statementStatusJSON is what the batch page polls (the fields the shared
// progress script reads).
type statementStatusJSON struct {
	Status     string `json:"status"`
	StatusName string `json:"status_name"`
	Done       int64  `json:"done"`
	Total      int64  `json:"total"`
	Percent    int64  `json:"percent"`
	Mailed     int64  `json:"mailed"`
	Error      string `json:"error,omitempty"`
}

func (s *Server) statementStatus(w http.ResponseWriter, r *http.Request) {
	b, err := s.statementBatch(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	status := b.Status
	if b.Running() {
		status = statement.Running // the shared script polls while "running"
	}
	s.writeJSON(w, http.StatusOK, statementStatusJSON{Status: status, StatusName: b.StatusName(), Done: b.Done, Total: b.Total,
		Percent: b.Percent(), Mailed: b.Mailed, Error: b.Error})
}

func (s *Server) statementZIP(w http.ResponseWriter, r *http.Request) {
	b, err := s.statementBatch(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if b.Status != statement.Done {
		s.fail(w, r, errNotDone)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", contentDisposition(b.ZIPName()))
	w.Header().Set("Cache-Control", "private, no-store")
	if err := s.Statements.WriteZIP(r.Context(), actorFrom(r.Context()), b.ID, w); err != nil {
		s.Log.Error("statement zip", "batch", b.ID, "err", err) // headers are sent: the download breaks off
	}
}

// personStatementsView is the data of the person's statements page.
type personStatementsView struct {
	Statements []statement.Statement
}

func (s *Server) personStatements(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := ownPersonID(a)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.Statements.StatementsOf(r.Context(), a, id)
	s.renderOrFail(w, r, "person_statements", &Page{Title: "个人权益记录单", Data: personStatementsView{Statements: list}}, err)
}

func (s *Server) statementPDF(w http.ResponseWriter, r *http.Request) {
	id, ok := s.pageID(w, r)
	if !ok {
		return
	}
	st, pdf, err := s.Statements.PDF(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendPrivatePDF(w, contentDisposition(fmt.Sprintf("%d年度个人权益记录单.pdf", st.Year)), pdf)
}

var errNotDone = errs.New(errs.Conflict, "batch_not_done", "该批次尚未生成完毕，请生成完成后再下载")

// contentDisposition offers a download under a Chinese file name (with
// an ASCII fallback).
func contentDisposition(name string) string {
	return `attachment; filename="download` + path.Ext(name) + `"; filename*=UTF-8''` + url.PathEscape(name)
}

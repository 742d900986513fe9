package web

import (
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/complaint"
	"shebao/internal/errs"
	"shebao/internal/transfer"
)

// caseworkRoutes registers the case pages of applicants and staff, the
// document viewer and the case JSON API.
func (s *Server) caseworkRoutes() []route {
	return []route{
		{"GET /cases/{no}", s.loggedIn(s.caseDetail)},
		{"POST /cases/{no}/transition", s.loggedIn(s.caseTransition)},
		{"POST /cases/{no}/comment", s.loggedIn(s.caseComment)},
		{"POST /cases/{no}/documents", s.loggedIn(s.caseAddDocument)},
		{"POST /cases/{no}/commit", s.loggedIn(s.caseCommit)},
		{"GET /cases/{no}/documents/{id}", s.loggedIn(s.caseDocument)},
		{"GET /staff/cases/{no}/documents/{id}", s.staffRoute(s.caseDocument)},

		{"GET /staff/cases", s.staffRoute(s.staffQueue)},
		{"GET /staff/cases/new", s.staffRoute(s.staffCaseNew)},
		{"POST /staff/cases/new", s.staffRoute(s.staffCaseCreate)},
		{"GET /staff/cases/{no}", s.staffRoute(s.caseDetail)},
		{"POST /staff/cases/{no}/claim", s.staffRoute(s.caseClaim)},
		{"POST /staff/cases/{no}/release", s.staffRoute(s.caseClaim)},
		{"POST /staff/cases/{no}/accept-missing", s.staffRoute(s.caseAcceptDeferred)},
		{"POST /staff/cases/{no}/confirm", s.staffRoute(s.caseConfirm)},
		{"POST /staff/cases/{no}/confirm-injury", s.staffRoute(s.caseConfirmInjury)},
		{"POST /staff/originals/{id}/receive", s.staffRoute(s.originalReceive)},
		{"GET /staff/originals", s.staffRoute(s.staffOriginals)},
		{"GET /staff/commitments", s.staffRoute(s.staffCommitments)},
		{"POST /staff/commitments/{id}/false", s.staffRoute(s.commitmentFalse)},
	}
}

// loggedIn answers a login redirect (pages) or 401 (API) before h runs
// when nobody is logged in, so anonymous callers never reach validation.
func (s *Server) loggedIn(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := s.requireActor(w, r); ok {
			h(w, r)
		}
	}
}

// staffRoute is loggedIn for routes only agency staff may use; others get
// 403 before any input is read. The service still checks the section.
func (s *Server) staffRoute(h http.HandlerFunc) http.HandlerFunc {
	return s.loggedIn(func(w http.ResponseWriter, r *http.Request) {
		if !actorFrom(r.Context()).IsStaff() {
			s.failAny(w, r, errs.Forbid())
			return
		}
		h(w, r)
	})
}

// caseURL is where a case is shown to the actor.
func caseURL(a *access.Actor, no string) string {
	if a.IsStaff() {
		return "/staff/cases/" + url.PathEscape(no)
	}
	return "/cases/" + url.PathEscape(no)
}

// caseView is the data of the case detail page.
type caseView struct {
	*casework.View
	Injury      *injuryCaseView
	Commitment  func(string) string
	ReturnState casework.State
	// Confirming a mail draft: the section's types, the applicant search
	// and, in 工伤保险待遇科, the accident report form.
	Types         []*casework.Type
	Lookup        *lookupView
	InjuryConfirm bool
	// ToComplaint: the clerk records complaints (审计科, 办公室), so the
	// draft can become a complaint or report instead of a case.
	ToComplaint bool
	// A transfer case of 个人账户科: the transfer opened on it, or (none
	// yet) the form that accepts it (受理转入).
	Transfer       *transfer.Transfer
	AcceptTransfer bool
}

func (s *Server) caseDetail(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "case_detail", s.caseDetailPage, r.URL.Query())
}

// caseDetailPage builds the case page; form holds the draft confirmation's
// search (and, after a failed confirmation, its fields).
func (s *Server) caseDetailPage(r *http.Request, form url.Values) (*Page, error) {
	a := actorFrom(r.Context())
	v, err := s.Cases.Detail(r.Context(), a, r.PathValue("no"))
	if err != nil {
		return nil, err
	}
	cv := caseView{View: v, Commitment: casework.CommitmentText, ReturnState: casework.Returned,
		ToComplaint: v.Case.State == casework.Draft && complaint.CanRecord(a)}
	if v.IsStaff && v.Case.State == casework.Draft {
		cv.Types = s.Cases.GenericTypes(v.Case.Section)
		cv.InjuryConfirm = v.Case.Section == access.Injury && a.In(access.Injury)
		if cv.Lookup, err = s.lookup(r, form, "/staff/cases/"+v.Case.No); err != nil {
			return nil, err
		}
		cv.Lookup.Pick = true
	}
	cv.Injury = s.injuryCaseView(v)
	if v.IsStaff && v.Case.Type == transfer.CaseType && v.Case.State != casework.Draft {
		if cv.Transfer, err = s.Transfers.OfCase(r.Context(), a, v.Case.No); err != nil {
			return nil, err
		}
		cv.AcceptTransfer = cv.Transfer == nil && a.In(access.Account) && !v.Case.State.Final()
	}
	return &Page{Title: v.Case.TypeName + " " + v.Case.No, Data: cv, Form: form}, nil
}

// draftDone redirects to the confirmed case, or re-renders the draft page
// with the form's errors next to its fields.
func (s *Server) draftDone(w http.ResponseWriter, r *http.Request, err error) {
	if err == nil {
		redirect(w, r, caseURL(actorFrom(r.Context()), r.PathValue("no")), "来件已确认")
		return
	}
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
		s.fail(w, r, err)
		return
	}
	p, perr := s.caseDetailPage(r, r.PostForm)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "case_detail", p, err)
}

// caseDone redirects back to the case after a successful action, or shows
// the error page (conflicts say what happened; the page has a link back).
func (s *Server) caseDone(w http.ResponseWriter, r *http.Request, err error, flash string) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, caseURL(actorFrom(r.Context()), r.PathValue("no")), flash)
}

func (s *Server) caseTransition(w http.ResponseWriter, r *http.Request) {
	to := casework.State(r.PostFormValue("to"))
	version, err := formVersion(r)
	if err == nil {
		_, err = s.Cases.Transition(r.Context(), actorFrom(r.Context()), r.PathValue("no"), version, to,
			r.PostFormValue("comment"))
	}
	s.caseDone(w, r, err, "案件状态已改为“"+to.Name()+"”")
}

func (s *Server) caseComment(w http.ResponseWriter, r *http.Request) {
	err := s.Cases.Comment(r.Context(), actorFrom(r.Context()), r.PathValue("no"), r.PostFormValue("text"),
		r.PostFormValue("public") == "1")
	s.caseDone(w, r, err, "留言已保存")
}

func (s *Server) caseCommit(w http.ResponseWriter, r *http.Request) {
	err := s.Cases.Commit(r.Context(), actorFrom(r.Context()), r.PathValue("no"), r.PostFormValue("item"))
	s.caseDone(w, r, err, "告知承诺已记录，请于规定期限内提交原件")
}

func (s *Server) caseClaim(w http.ResponseWriter, r *http.Request) {
	a, no := actorFrom(r.Context()), r.PathValue("no")
	version, err := formVersion(r)
	switch {
	case err != nil:
	case strings.HasSuffix(r.URL.Path, "/claim"):
		_, err = s.Cases.Claim(r.Context(), a, no, version)
	default:
		_, err = s.Cases.Release(r.Context(), a, no, version)
	}
	s.caseDone(w, r, err, "已更新经办人")
}

func (s *Server) caseAcceptDeferred(w http.ResponseWriter, r *http.Request) {
	version, err := formVersion(r)
	if err == nil {
		_, err = s.Cases.AcceptDeferred(r.Context(), actorFrom(r.Context()), r.PathValue("no"), version,
			r.PostForm["items"], r.PostFormValue("comment"))
	}
	s.caseDone(w, r, err, "已容缺受理，缺少的原件已登记待补")
}

func (s *Server) caseConfirm(w http.ResponseWriter, r *http.Request) {
	version, err := formVersion(r)
	if err == nil {
		_, err = s.Cases.ConfirmDraft(r.Context(), actorFrom(r.Context()), r.PathValue("no"), version,
			casework.ConfirmInput{Type: r.PostFormValue("type"), SubjectIDNumber: r.PostFormValue("subject_id_number"),
				Applicant: applicantFrom(r.PostForm)})
	}
	s.draftDone(w, r, err)
}

// caseConfirmInjury files a 工伤保险待遇科 mail draft as an accident report
// with the facts the clerk read from the mail.
func (s *Server) caseConfirmInjury(w http.ResponseWriter, r *http.Request) {
	version, err := formVersion(r)
	if err == nil {
		_, err = s.Injury.ConfirmDraft(r.Context(), actorFrom(r.Context()), r.PathValue("no"), version,
			clerkInjuryInput(r.PostForm))
	}
	s.draftDone(w, r, err)
}

// caseAddDocument stores an uploaded file and links it to the case.
func (s *Server) caseAddDocument(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	fh, ok := formFile(r, "file")
	if !ok {
		s.fail(w, r, errs.New(errs.Invalid, "file_required", "请选择要上传的文件（JPEG、PNG 或 PDF）"))
		return
	}
	f, err := fh.Open()
	if err != nil {
		s.fail(w, r, errs.Wrap(err, "open upload"))
		return
	}
	defer f.Close()
	if _, err := s.Cases.Get(r.Context(), a, r.PathValue("no")); err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.Documents.Put(r.Context(), a, fh.Filename, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	err = s.Cases.AddDocument(r.Context(), a, r.PathValue("no"), d.ID, r.PostFormValue("item"))
	s.caseDone(w, r, err, "材料已上传")
}

// caseDocument streams a document of a case the actor may see, inline
// with its stored (sniffed) content type.
func (s *Server) caseDocument(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, errs.NotFoundf("未找到该材料"))
		return
	}
	if err := s.Cases.HasDocument(r.Context(), a, r.PathValue("no"), id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.streamDocument(w, r, id)
}

// streamDocument sends a stored document the caller may see, inline with
// its stored (sniffed) content type.
func (s *Server) streamDocument(w http.ResponseWriter, r *http.Request, id int64) {
	rc, d, err := s.Documents.Open(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer rc.Close()
	w.Header().Set("Content-Type", d.ContentType)
	w.Header().Set("Content-Length", strconv.FormatInt(d.Size, 10))
	w.Header().Set("Content-Disposition", "inline; filename*=UTF-8''"+url.PathEscape(d.Name))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
	_, _ = io.Copy(w, rc)
}

func (s *Server) originalReceive(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = s.Cases.ReceiveOriginal(r.Context(), actorFrom(r.Context()), id, r.PostFormValue("via"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := "/staff/originals"
	if no := r.PostFormValue("case_no"); no != "" {
		back = "/staff/cases/" + url.PathEscape(no)
	}
	redirect(w, r, back, "已登记收到原件")
}

func (s *Server) staffOriginals(w http.ResponseWriter, r *http.Request) {
	list, err := s.Cases.DeferredDocuments(r.Context(), actorFrom(r.Context()))
	s.renderOrFail(w, r, "case_originals", &Page{Title: "待补原件", Data: list}, err)
}

func (s *Server) staffCommitments(w http.ResponseWriter, r *http.Request) {
	list, err := s.Cases.FalseCommitments(r.Context(), actorFrom(r.Context()))
	s.renderOrFail(w, r, "case_commitments", &Page{Title: "承诺不实清单", Data: list}, err)
}

func (s *Server) commitmentFalse(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = s.Cases.MarkCommitmentFalse(r.Context(), actorFrom(r.Context()), id, r.PostFormValue("note"))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back := "/staff/commitments"
	if no := r.PostFormValue("case_no"); no != "" {
		back = "/staff/cases/" + url.PathEscape(no)
	}
	redirect(w, r, back, "已标记为承诺不实")
}

package web

import (
	"context"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"strconv"

	"shebao/internal/access"
	"shebao/internal/certificate"
	"shebao/internal/errs"
	"shebao/internal/pdfdoc"
)

// certificateRoutes: payment certificates (参保缴费证明) — the public check
// page, issuing and downloading them (person, employer), revocation by
// 统筹科 — and the person's contribution history.
func (s *Server) certificateRoutes() []route {
	return []route{
		{"GET /certificate/check", s.certificateCheck},
		{"GET /api/v1/certificates/check", s.apiCertificateCheck},
		{"GET /person/certificates", s.personCertificates},
		{"POST /person/certificates", s.personCertificateIssue},
		{"POST /api/v1/person/certificates", s.apiPersonCertificateIssue},
		{"GET /employer/certificates", s.employerCertificates},
		{"POST /employer/certificates", s.employerCertificateIssue},
		{"GET /certificates/{id}", s.certificateShow},
		{"GET /certificates/{id}/certificate.pdf", s.certificatePDF},
		{"GET /certificates/{id}/certificate.html", s.certificateHTML},
		{"GET /staff/certificates", s.staffCertificates},
		{"POST /staff/certificates/{id}/revoke", s.staffCertificateRevoke},
		{"GET /person/history", s.personHistory},
		{"GET /api/v1/person/history", s.apiPersonHistory},
	}
}

// codeCheckView is the data of a public page that checks a verification
// code: the code entered and what the check found.
type codeCheckView[T any] struct {
	Code   string
	Result *T
}

// codeCheckPage serves a public check page: the empty form, or the result
// of check (which limits attempts per client address) for ?code=.
func codeCheckPage[T any](s *Server, w http.ResponseWriter, r *http.Request, page, title string,
	check func(ctx context.Context, ip, code string) (*T, error)) {
	code := r.URL.Query().Get("code")
	p := &Page{Title: title, Data: codeCheckView[T]{Code: code}, Form: r.URL.Query()}
	if code == "" {
		s.render(w, r, page, p)
		return
	}
	res, err := check(r.Context(), s.clientIP(r), code)
	if err != nil {
		s.renderForm(w, r, page, p, err)
		return
	}
	p.Data = codeCheckView[T]{Code: code, Result: res}
	s.render(w, r, page, p)
}

func (s *Server) certificateCheck(w http.ResponseWriter, r *http.Request) {
	codeCheckPage(s, w, r, "certificate_check", "缴费证明核验", s.Certificates.Check)
}

func (s *Server) apiCertificateCheck(w http.ResponseWriter, r *http.Request) {
	res, err := s.Certificates.Check(r.Context(), s.clientIP(r), r.URL.Query().Get("code"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"code": res.Code, "kind": res.Kind, "name": res.Name,
		"number": res.Number, "period": res.Period, "months": res.Months, "totals": res.Totals, "issuer": res.Issuer,
		"issued_on": res.IssuedOn, "valid": res.Valid, "revoked_on": res.RevokedOn})
}

// certListView is the data of the certificate list pages.
type certListView struct {
	Owner  string // "person" or "employer"
	Action string
	Certs  []certificate.Certificate
	Seal   bool
}

func (s *Server) personCertificates(w http.ResponseWriter, r *http.Request) {
	s.certList(w, r, certificate.SubjectPerson, nil)
}

func (s *Server) employerCertificates(w http.ResponseWriter, r *http.Request) {
	s.certList(w, r, certificate.SubjectEmployer, nil)
}

// certList renders the list and issue form of the logged-in person or
// employer, re-rendering the form after formErr.
func (s *Server) certList(w http.ResponseWriter, r *http.Request, owner string, formErr error) {
	a := actorFrom(r.Context())
	var certs []certificate.Certificate
	v := certListView{Owner: owner, Action: "/" + owner + "/certificates", Seal: s.Certificates.Options().Seal}
	id, err := ownSubjectID(a, owner)
	if err == nil {
		list := s.Certificates.ListForEmployer
		if owner == certificate.SubjectPerson {
			list = s.Certificates.ListForPerson
		}
		certs, err = list(r.Context(), a, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v.Certs = certs
	p := &Page{Title: "参保缴费证明", Data: v}
	s.renderOrForm(w, r, "cert_list", p, formErr)
}

func (s *Server) personCertificateIssue(w http.ResponseWriter, r *http.Request) {
	s.certIssue(w, r, certificate.SubjectPerson)
}

func (s *Server) employerCertificateIssue(w http.ResponseWriter, r *http.Request) {
	s.certIssue(w, r, certificate.SubjectEmployer)
}

// ownSubjectID is the id of the signed-in person (owner "person") or
// employer (owner "employer").
func ownSubjectID(a *access.Actor, owner string) (int64, error) {
	if owner == certificate.SubjectPerson {
		return ownPersonID(a)
	}
	return ownEmployerID(a)
}

// certIssue issues a certificate of the signed-in person's or employer's
// own records for the posted period and shows it; a refused period shows
// the list and its form again.
func (s *Server) certIssue(w http.ResponseWriter, r *http.Request, owner string) {
	a := actorFrom(r.Context())
	id, err := ownSubjectID(a, owner)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	issue := s.Certificates.IssueForEmployer
	if owner == certificate.SubjectPerson {
		issue = s.Certificates.IssueForPerson
	}
	c, err := issue(r.Context(), a, id, r.PostFormValue("from"), r.PostFormValue("to"))
	if err != nil {
		s.certList(w, r, owner, err)
		return
	}
	redirect(w, r, "/certificates/"+strconv.FormatInt(c.ID, 10), "证明已开具，验证码 "+c.Grouped())
}

// certJSON is a certificate in the API.
func certJSON(c *certificate.Certificate) map[string]any {
	return map[string]any{"id": c.ID, "code": c.Grouped(), "subject_kind": c.SubjectKind, "period_from": c.PeriodFrom,
		"period_to": c.PeriodTo, "issuer": c.Issuer, "issued_at": c.IssuedAt, "status": c.Status, "sealed": c.Sealed,
		"pdf":  "/certificates/" + strconv.FormatInt(c.ID, 10) + "/certificate.pdf",
		"html": "/certificates/" + strconv.FormatInt(c.ID, 10) + "/certificate.html"}
}

func (s *Server) apiPersonCertificateIssue(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := ownPersonID(a)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var in struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	if !s.decoded(w, r, &in) {
		return
	}
	c, err := s.Certificates.IssueForPerson(r.Context(), a, id, in.From, in.To)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusCreated, certJSON(c))
}

// certView is the data of the certificate page and its printable version.
type certView struct {
	Cert      *certificate.Certificate
	NoFont    string // why no PDF can be made, or ""
	CanRevoke bool
	CheckURL  string       // what the QR code holds
	QR        template.URL // the QR code as a data: PNG, "" if it could not be drawn
}

// checkURL is the address printed in the QR code of c (see requestBase).
func (s *Server) checkURL(r *http.Request, c *certificate.Certificate) string {
	return s.Certificates.CheckURL(s.requestBase(r), c.Code)
}

// withQR adds the check address and its QR code to v.
func (s *Server) withQR(r *http.Request, v certView) certView {
	v.CheckURL = s.checkURL(r, v.Cert)
	png, err := pdfdoc.QR(v.CheckURL, 256)
	if err != nil {
		s.Log.Warn("certificate qr", "err", err)
		return v
	}
	v.QR = template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png))
	return v
}

func (s *Server) loadCert(w http.ResponseWriter, r *http.Request) (*certificate.Certificate, bool) {
	a := actorFrom(r.Context())
	if a == nil {
		s.fail(w, r, errs.LoginRequired())
		return nil, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.fail(w, r, errs.NotFoundf("未找到该证明"))
		return nil, false
	}
	c, err := s.Certificates.Get(r.Context(), a, id)
	if err != nil {
		s.fail(w, r, err)
		return nil, false
	}
	return c, true
}

func (s *Server) certificateShow(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadCert(w, r)
	if !ok {
		return
	}
	v := certView{Cert: c, CanRevoke: actorFrom(r.Context()).In(access.Coordination)}
	if err := pdfdoc.Available(); err != nil {
		v.NoFont = pdfdoc.ErrNoFont.Error()
	}
	s.render(w, r, "cert_show", &Page{Title: c.Content.Title, Data: s.withQR(r, v)})
}

func (s *Server) certificatePDF(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadCert(w, r)
	if !ok {
		return
	}
	b, err := s.Certificates.PDF(c, s.checkURL(r, c))
	if errors.Is(err, pdfdoc.ErrNoFont) {
		s.renderStatus(w, r, "cert_show", http.StatusServiceUnavailable, &Page{Title: c.Content.Title,
			Data: s.withQR(r, certView{Cert: c, NoFont: pdfdoc.ErrNoFont.Error()})})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sendPrivatePDF(w, `attachment; filename="certificate-`+c.Code[:8]+`.pdf"`, b)
}

func (s *Server) certificateHTML(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadCert(w, r)
	if !ok {
		return
	}
	s.render(w, r, "cert_print", &Page{Title: c.Content.Title, Data: s.withQR(r, certView{Cert: c})})
}

func (s *Server) staffCertificates(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := a.RequireSection(access.Coordination); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	p := &Page{Title: "缴费证明管理", Form: q, Data: certView{}}
	if code := q.Get("code"); code != "" {
		c, err := s.Certificates.ByCode(r.Context(), a, code)
		if err != nil {
			s.renderForm(w, r, "cert_staff", p, err)
			return
		}
		p.Data = certView{Cert: c, CanRevoke: true}
	}
	s.render(w, r, "cert_staff", p)
}

func (s *Server) staffCertificateRevoke(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := a.RequireSection(access.Coordination); err != nil {
		s.fail(w, r, err)
		return
	}
	id, version, ok := s.pageIDAndVersion(w, r)
	if !ok {
		return
	}
	c, err := s.Certificates.Revoke(r.Context(), a, id, version, r.PostFormValue("reason"))
	if err != nil {
		old, gerr := s.Certificates.Get(r.Context(), a, id)
		if gerr != nil {
			s.fail(w, r, gerr)
			return
		}
		s.renderForm(w, r, "cert_staff", &Page{Title: "缴费证明管理", Data: certView{Cert: old, CanRevoke: true}}, err)
		return
	}
	redirect(w, r, "/staff/certificates?code="+c.Code, "证明已撤销")
}

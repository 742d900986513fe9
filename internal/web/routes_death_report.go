package web

import (
	"net/http"
	"net/url"
	"strconv"

	"shebao/internal/death"
	"shebao/internal/errs"
)

// deathReportRoutes: a relative's online death report with the
// certificate's scan (portal), and 保险福利科's review of it.
func (s *Server) deathReportRoutes() []route {
	return []route{
		{"GET /person/death-reports", s.loggedIn(s.myDeathReports)},
		{"POST /person/death-reports", s.loggedIn(s.submitDeathReport)},
		{"GET /staff/deaths/reports", s.staffRoute(s.deathReportQueue)},
		{"GET /staff/deaths/reports/{no}", s.staffRoute(s.deathReportPage)},
		{"GET /staff/deaths/reports/{no}/scan", s.staffRoute(s.deathReportScan)},
		{"POST /staff/deaths/reports/{no}/{action}", s.staffRoute(s.deathReportDecide)},
	}
}

// myDeathReportsView is the relative's form and the reports filed.
type myDeathReportsView struct {
	Reports       []*death.RelativeReport
	Relationships []string
}

func (s *Server) myDeathReportsPage(r *http.Request, form url.Values) (*Page, error) {
	rs, err := s.Deaths.MyReports(r.Context(), actorFrom(r.Context()))
	if err != nil {
		return nil, err
	}
	return &Page{Title: "亲属死亡申报", Form: form, Data: myDeathReportsView{Reports: rs, Relationships: death.Relationships}}, nil
}

func (s *Server) myDeathReports(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "death_report_mine", s.myDeathReportsPage, r.URL.Query())
}

func (s *Server) submitDeathReport(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	in := death.RelativeInput{Relationship: f.Get("relationship"), IDNumber: f.Get("id_number"), Date: f.Get("date"),
		CertificateNo: f.Get("certificate_no"), Phone: f.Get("phone")}
	if fh, ok := formFile(r, "scan"); ok {
		file, err := fh.Open()
		if err != nil {
			s.fail(w, r, errs.Wrap(err, "open upload"))
			return
		}
		defer file.Close()
		in.Scan, in.ScanName = file, fh.Filename
	}
	rep, err := s.Deaths.SubmitReport(r.Context(), actorFrom(r.Context()), in)
	if err == nil {
		redirect(w, r, "/person/death-reports", "已提交死亡申报 "+rep.No+"，保险福利科审核后将通知您")
		return
	}
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
		s.fail(w, r, err)
		return
	}
	p, perr := s.myDeathReportsPage(r, f)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "death_report_mine", p, err)
}

func (s *Server) deathReportQueue(w http.ResponseWriter, r *http.Request) {
	rs, err := s.Deaths.PendingReports(r.Context(), actorFrom(r.Context()))
	s.renderOrFail(w, r, "death_reports", &Page{Title: "亲属死亡申报审核", Data: rs}, err)
}

func (s *Server) deathReportView(r *http.Request, form url.Values) (*Page, error) {
	rep, err := s.Deaths.RelativeReport(r.Context(), actorFrom(r.Context()), r.PathValue("no"))
	if err != nil {
		return nil, err
	}
	v := deathReportView{Report: rep}
	if d, err := s.Documents.Get(r.Context(), rep.ScanDocID); err == nil {
		v.ScanName, v.ScanImage = d.Name, d.ContentType != "application/pdf"
	}
	return &Page{Title: "死亡申报 " + rep.No, Data: v, Form: form}, nil
}

// deathReportView is one report with what its scan is.
type deathReportView struct {
	Report    *death.RelativeReport
	ScanName  string
	ScanImage bool
}

func (s *Server) deathReportPage(w http.ResponseWriter, r *http.Request) {
	renderBuilt(s, w, r, "death_report", s.deathReportView, nil)
}

func (s *Server) deathReportScan(w http.ResponseWriter, r *http.Request) {
	doc, err := s.Deaths.ReportScan(r.Context(), actorFrom(r.Context()), r.PathValue("no"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.streamDocument(w, r, doc)
}

func (s *Server) deathReportDecide(w http.ResponseWriter, r *http.Request) {
	a, no := actorFrom(r.Context()), r.PathValue("no")
	version, err := formVersion(r)
	msg := ""
	if err == nil {
		switch r.PathValue("action") {
		case "accept":
			var d *death.Death
			if d, err = s.Deaths.AcceptReport(r.Context(), a, no, version); err == nil {
				redirect(w, r, "/staff/deaths/"+strconv.FormatInt(d.ID, 10), "已受理死亡申报 "+no+"，已登记死亡，养老金自次月起停发")
				return
			}
		case "reject":
			err, msg = s.Deaths.RejectReport(r.Context(), a, no, version, r.PostForm.Get("reason")), "已退回死亡申报 "+no+"，已通知申报人"
		default:
			s.pageNotFound(w, r)
			return
		}
	}
	if err == nil {
		redirect(w, r, "/staff/deaths/reports", msg)
		return
	}
	if k := errs.KindOf(err); k != errs.Invalid && k != errs.Conflict {
		s.fail(w, r, err)
		return
	}
	p, perr := s.deathReportView(r, r.PostForm)
	if perr != nil {
		s.fail(w, r, perr)
		return
	}
	s.renderForm(w, r, "death_report", p, err)
}

package web

import (
	"bytes"
	"encoding/base64"
	"mime/multipart"
	"net/http"

	"shebao/internal/casework"
	"shebao/internal/errs"
	"shebao/internal/injury"
)

// injuryRoutes registers the accident report pages and API.
func (s *Server) injuryRoutes() []route {
	return []route{
		{"GET /employer/injury/reports", s.loggedIn(s.injuryReports)},
		{"GET /employer/injury/reports/new", s.loggedIn(s.injuryReportForm)},
		{"POST /employer/injury/reports/new", s.loggedIn(s.injuryReportSubmit)},
		{"POST /cases/{no}/recognition", s.loggedIn(s.injuryRecognition)},
		{"POST /api/v1/injury/reports", s.loggedIn(s.apiInjuryReport)},
		{"POST /api/v1/cases/{no}/recognition", s.loggedIn(s.apiInjuryRecognition)},
	}
}

// injuryCaseView is the accident report part of the case page.
type injuryCaseView struct {
	Report   *injury.Report
	Reminder string
	CanEdit  bool // the employer may record the recognition application
	Outcomes []struct{ Code, Name string }
}

// injuryCaseView returns the accident report extras of v, or nil.
func (s *Server) injuryCaseView(v *casework.View) *injuryCaseView {
	if v.Case.Type != injury.TypeCode {
		return nil
	}
	rep, err := injury.ReportOf(v.Case)
	if err != nil || rep.WorkerPersonID == 0 { // registered by a clerk without the online form
		return nil
	}
	st := v.Case.State
	return &injuryCaseView{Report: rep, Reminder: injury.RecognitionReminder(v.Case, rep),
		CanEdit: !v.IsStaff && (st == casework.Accepted || st == casework.Closed),
		Outcomes: []struct{ Code, Name string }{{injury.OutcomePending, "认定中"},
			{injury.OutcomeRecognised, "认定为工伤"}, {injury.OutcomeNotRecognised, "不予认定"}}}
}

func (s *Server) injuryReports(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if _, err := ownEmployerID(a); err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.Cases.Mine(r.Context(), a, injury.TypeCode)
	s.renderOrFail(w, r, "injury_reports", &Page{Title: "工伤事故报告", Data: list}, err)
}

// injuryFormPage is the report form with its limits.
func (s *Server) injuryFormPage() *Page {
	return &Page{Title: "网上报告工伤事故", Data: map[string]any{"MaxPhotos": injury.MaxPhotos,
		"MaxMB": s.Documents.MaxSize() >> 20}}
}

func (s *Server) injuryReportForm(w http.ResponseWriter, r *http.Request) {
	if _, err := ownEmployerID(actorFrom(r.Context())); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "injury_new", s.injuryFormPage())
}

func (s *Server) injuryReportSubmit(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if _, err := ownEmployerID(a); err != nil {
		s.fail(w, r, err)
		return
	}
	in := injury.ReportInput{WorkerIDNumber: r.PostFormValue("worker_id_number"), AccidentAt: r.PostFormValue("accident_at"),
		Place: r.PostFormValue("place"), What: r.PostFormValue("what"), Injury: r.PostFormValue("injury"),
		Hospital: r.PostFormValue("hospital"), ContactName: r.PostFormValue("contact_name"),
		ContactPhone: r.PostFormValue("contact_phone")}
	photos, closeAll, err := formPhotos(r)
	defer closeAll()
	if err == nil {
		var c *casework.Case
		if c, err = s.Injury.Report(r.Context(), a, in, photos); err == nil {
			msg := "事故报告已提交，受理编号 " + c.No + "，工伤保险待遇科已收到通知"
			if c.Late {
				msg += "（" + c.LateBy + "，已受理并标识）"
			}
			redirect(w, r, "/cases/"+c.No, msg)
			return
		}
	}
	s.renderForm(w, r, "injury_new", s.injuryFormPage(), err)
}

// formPhotos opens the uploaded photos of a multipart form.
func formPhotos(r *http.Request) ([]injury.Photo, func(), error) {
	var files []multipart.File
	closeAll := func() {
		for _, f := range files {
			f.Close()
		}
	}
	if r.MultipartForm == nil {
		return nil, closeAll, nil
	}
	var out []injury.Photo
	for _, fh := range r.MultipartForm.File["photos"] {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		f, err := fh.Open()
		if err != nil {
			return nil, closeAll, errs.Wrap(err, "open upload")
		}
		files = append(files, f)
		out = append(out, injury.Photo{Name: fh.Filename, R: f})
	}
	return out, closeAll, nil
}

func recognitionInput(r *http.Request) injury.RecognitionInput {
	return injury.RecognitionInput{Reference: r.PostFormValue("reference"), AppliedOn: r.PostFormValue("applied_on"),
		Outcome: r.PostFormValue("outcome"), DecisionNo: r.PostFormValue("decision_no"), DecidedOn: r.PostFormValue("decided_on")}
}

func (s *Server) injuryRecognition(w http.ResponseWriter, r *http.Request) {
	version, err := formVersion(r)
	if err == nil {
		_, err = s.Injury.RecordRecognition(r.Context(), actorFrom(r.Context()), r.PathValue("no"), version,
			recognitionInput(r))
	}
	s.caseDone(w, r, err, "工伤认定申请情况已登记")
}

// apiInjuryBody is the JSON accident report: the form fields and the
// photos as base64 (JPEG or PNG).
type apiInjuryBody struct {
	injury.ReportInput
	Photos []struct {
		Name    string `json:"name"`
		Content string `json:"content_base64"`
	} `json:"photos"`
}

func (s *Server) apiInjuryReport(w http.ResponseWriter, r *http.Request) {
	var b apiInjuryBody
	if err := decodeJSONMax(r, &b, injuryBody); err != nil {
		s.apiFail(w, r, err)
		return
	}
	var photos []injury.Photo
	for _, p := range b.Photos {
		data, err := base64.StdEncoding.DecodeString(p.Content)
		if err != nil {
			s.apiFail(w, r, errs.New(errs.Invalid, "bad_base64", "照片内容应为 base64 编码"))
			return
		}
		photos = append(photos, injury.Photo{Name: p.Name, R: bytes.NewReader(data)})
	}
	c, err := s.Injury.Report(r.Context(), actorFrom(r.Context()), b.ReportInput, photos)
	s.apiReply(w, r, http.StatusCreated, c, err)
}

func (s *Server) apiInjuryRecognition(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Version int64 `json:"version"`
		injury.RecognitionInput
	}
	if !s.decoded(w, r, &b) {
		return
	}
	c, err := s.Injury.RecordRecognition(r.Context(), actorFrom(r.Context()), r.PathValue("no"), b.Version, b.RecognitionInput)
	s.apiReply(w, r, http.StatusOK, c, err)
}

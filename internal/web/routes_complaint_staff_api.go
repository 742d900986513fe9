package web

import (
	"net/http"

	"shebao/internal/access"
	"shebao/internal/complaint"
	"shebao/internal/errs"
)

// complaintStaffAPIRoutes: the JSON twins of 审计科's complaint queue,
// detail and triage forms. They call the same service methods as the
// pages, which decide who may do what: 审计科 lists, reads (with the
// reporter) and acts on every complaint; another section lists and reads
// those assigned to it, without the reporter.
func (s *Server) complaintStaffAPIRoutes() []route {
	return []route{
		{"GET /api/v1/staff/complaints", s.apiStaffComplaints},
		{"GET /api/v1/staff/complaints/{id}", s.apiStaffComplaint},
		{"POST /api/v1/staff/complaints/{id}/triage", s.apiStaffComplaintTriage},
		{"POST /api/v1/staff/complaints/{id}/assign", s.apiStaffComplaintAssign},
		{"POST /api/v1/staff/complaints/{id}/answer", s.apiStaffComplaintAnswer},
	}
}

// staffComplaintJSON is a complaint as a clerk sees it; the reporter
// fields are present for 审计科 only.
type staffComplaintJSON struct {
	complaintJSON
	Channel          string `json:"channel"`
	ChannelName      string `json:"channel_name"`
	Section          string `json:"section"`
	SectionName      string `json:"section_name"`
	ReporterKindName string `json:"reporter_kind_name"`
	ReporterName     string `json:"reporter_name,omitempty"`
	ReporterContact  string `json:"reporter_contact,omitempty"`
	TargetEmployerNo string `json:"target_employer_no,omitempty"`
	TargetIDMasked   string `json:"target_id_number_masked,omitempty"`
	SourceRef        string `json:"source_ref,omitempty"`
	Overdue          string `json:"overdue,omitempty"`
	OutcomeName      string `json:"outcome_name,omitempty"`
	Version          int64  `json:"version"`
}

type staffComplaintViewJSON struct {
	staffComplaintJSON
	Events    []staffComplaintEventJSON `json:"events"`
	CanTriage bool                      `json:"can_triage"`
	CanNote   bool                      `json:"can_note"`
}

type staffComplaintEventJSON struct {
	complaintEventJSON
	Actor    string `json:"actor,omitempty"`
	Internal bool   `json:"internal"`
	Document string `json:"document,omitempty"`
}

func staffComplaintOut(c *complaint.Complaint) staffComplaintJSON {
	out := staffComplaintJSON{complaintJSON: complaintOut(c, true), Channel: c.Channel, ChannelName: c.ChannelName(),
		Section: string(c.Section), SectionName: c.SectionName(), ReporterKindName: c.ReporterKindName(),
		TargetEmployerNo: c.TargetEmployerNo, TargetIDMasked: c.TargetIDMasked(), SourceRef: c.SourceRef, Overdue: c.Overdue,
		OutcomeName: c.OutcomeName(), Version: c.Version}
	if !c.Redacted {
		out.ReporterName, out.ReporterContact = c.ReporterName, c.ReporterContact
	}
	return out
}

func (s *Server) apiStaffComplaints(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	in := queryInput(r)
	page := in.OptionalInt("page", "页码")
	if err := in.Err(); err != nil {
		s.apiFail(w, r, err)
		return
	}
	res, err := s.Complaints.Queue(r.Context(), actorFrom(r.Context()), complaint.Filter{Status: q.Get("status"),
		Category: q.Get("category"), Q: q.Get("q"), Overdue: q.Get("overdue") == "1" || q.Get("overdue") == "true", Page: page})
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	items := make([]staffComplaintJSON, 0, len(res.Items))
	for _, c := range res.Items {
		items = append(items, staffComplaintOut(c))
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"items": items, "total": res.Total, "page": res.Page, "pages": res.Pages,
		"page_size": complaint.PageSize})
}

func (s *Server) apiStaffComplaint(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idAndBody(w, r, nil)
	if !ok {
		return
	}
	v, err := s.Complaints.Detail(r.Context(), actorFrom(r.Context()), id)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, staffComplaintViewOut(v))
}

func staffComplaintViewOut(v *complaint.View) staffComplaintViewJSON {
	out := staffComplaintViewJSON{staffComplaintJSON: staffComplaintOut(v.Complaint), CanTriage: v.CanTriage, CanNote: v.CanNote,
		Events: []staffComplaintEventJSON{}}
	for _, e := range v.Events {
		out.Events = append(out.Events, staffComplaintEventJSON{complaintEventJSON: complaintEventJSON{At: e.At, Kind: e.Kind,
			KindName: e.KindName(), Text: e.Text}, Actor: e.ActorName, Internal: !e.Public, Document: e.DocumentName})
	}
	return out
}

// complaintStepJSON is a triage step: action (triage only: accept,
// transfer, reject), the version read, the section, the competent body,
// the reason or the answer.
type complaintStepJSON struct {
	Action  string `json:"action"`
	Version *int64 `json:"version"`
	Section string `json:"section"`
	To      string `json:"to"`
	Reason  string `json:"reason"`
	Text    string `json:"text"`
}

func (s *Server) apiStaffComplaintTriage(w http.ResponseWriter, r *http.Request) {
	s.apiComplaintStep(w, r, func(b complaintStepJSON) (string, bool) {
		switch b.Action {
		case "accept", "transfer", "reject":
			return b.Action, true
		}
		return "", false
	})
}

func (s *Server) apiStaffComplaintAssign(w http.ResponseWriter, r *http.Request) {
	s.apiComplaintStep(w, r, func(complaintStepJSON) (string, bool) { return "assign", true })
}

func (s *Server) apiStaffComplaintAnswer(w http.ResponseWriter, r *http.Request) {
	s.apiComplaintStep(w, r, func(complaintStepJSON) (string, bool) { return "answer", true })
}

// apiComplaintStep reads a step and takes it through Complaints.Act (the
// same call as the detail page's forms); the answer is the complaint after
// the step.
func (s *Server) apiComplaintStep(w http.ResponseWriter, r *http.Request, kind func(complaintStepJSON) (string, bool)) {
	id, err := pathID(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	a := actorFrom(r.Context())
	if err := complaint.MayTriage(a); err != nil {
		s.apiFail(w, r, err)
		return
	}
	var b complaintStepJSON
	if !s.decoded(w, r, &b) {
		return
	}
	act, ok := kind(b)
	if !ok {
		s.apiFail(w, r, fieldError("action", "请选择办理方式：accept（受理）、transfer（转办）或 reject（不予受理）"))
		return
	}
	if b.Version == nil {
		s.apiFail(w, r, fieldError("version", "版本号缺失：请先读取投诉举报，提交时带上其 version"))
		return
	}
	text := b.Text
	if text == "" {
		text = b.Reason
	}
	if _, err := s.Complaints.Act(r.Context(), a, id, complaint.Action{Kind: act, Version: *b.Version,
		Section: access.Section(b.Section), To: b.To, Text: text}); err != nil {
		if e := errs.As(err); e != nil && (act == "transfer" || act == "reject") {
			for i := range e.Fields {
				if e.Fields[i].Field == "text" {
					e.Fields[i].Field = "reason" // the API's name of the reason
				}
			}
		}
		s.apiFail(w, r, err)
		return
	}
	v, err := s.Complaints.Detail(r.Context(), a, id)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, staffComplaintViewOut(v))
}

package web

import (
	"net/http"
	"time"

	"shebao/internal/complaint"
	"shebao/internal/idempotency"
)

// complaintAPIRoutes: the JSON twins of the public complaint form and
// tracking lookup, and a signed-in reporter's own complaints. The
// service decides who may file and read; the answers never carry the
// reporter's identity.
func (s *Server) complaintAPIRoutes() []route {
	return []route{
		{"POST /api/v1/complaints", s.apiComplaintFile},
		{"POST /api/v1/complaints/track", s.apiComplaintTrack},
		{"GET /api/v1/complaints/mine", s.apiComplaintMine},
		{"GET /api/v1/complaints/{id}", s.apiComplaintGet},
		{"POST /api/v1/complaints/track/feedback", s.apiComplaintTrackFeedback},
		{"POST /api/v1/complaints/{id}/feedback", s.apiComplaintFeedback},
	}
}

// complaintFileJSON is what a filing says through the API.
type complaintFileJSON struct {
	Category       string `json:"category"`
	Subject        string `json:"subject"`
	Body           string `json:"body"`
	TargetName     string `json:"target_name"`
	TargetEmployer string `json:"target_employer"`
	TargetIDNumber string `json:"target_id_number"`
	// Channel and reporter: only 审计科 or 办公室 recording a call, mail, WeChat message or visit.
	Channel         string `json:"channel"`
	ReporterName    string `json:"reporter_name"`
	ReporterContact string `json:"reporter_contact"`
}

// complaintFiledJSON answers a filing; the tracking code is given to an
// anonymous reporter on this answer only.
type complaintFiledJSON struct {
	ID             int64  `json:"id,omitempty"`
	No             string `json:"no"`
	TrackingCode   string `json:"tracking_code,omitempty"`
	AcknowledgeDue string `json:"acknowledge_due"`
	AnswerDue      string `json:"answer_due"`
}

// complaintJSON is the reporter's view of a complaint: no reporter, no
// internal notes.
type complaintJSON struct {
	ID             int64                `json:"id,omitempty"`
	No             string               `json:"no"`
	Category       string               `json:"category"`
	CategoryName   string               `json:"category_name"`
	Status         string               `json:"status"`
	StatusName     string               `json:"status_name"`
	Subject        string               `json:"subject"`
	Body           string               `json:"body,omitempty"`
	TargetName     string               `json:"target_name,omitempty"`
	FiledAt        time.Time            `json:"filed_at"`
	AcknowledgeDue string               `json:"acknowledge_due"`
	AnswerDue      string               `json:"answer_due"`
	DecisionReason string               `json:"decision_reason,omitempty"`
	TransferTo     string               `json:"transfer_to,omitempty"`
	Answer         string               `json:"answer,omitempty"`
	AnsweredAt     *time.Time           `json:"answered_at,omitempty"`
	FeedbackName   string               `json:"feedback_name,omitempty"`
	Events         []complaintEventJSON `json:"events,omitempty"`
}

type complaintEventJSON struct {
	At       time.Time `json:"at"`
	Kind     string    `json:"kind"`
	KindName string    `json:"kind_name"`
	Text     string    `json:"text,omitempty"`
}

func complaintOut(c *complaint.Complaint, withID bool) complaintJSON {
	out := complaintJSON{No: c.No, Category: c.Category, CategoryName: c.CategoryName(), Status: c.Status,
		StatusName: c.StatusName(), Subject: c.Subject, Body: c.Body, TargetName: c.TargetName, FiledAt: c.FiledAt,
		AcknowledgeDue: c.AcknowledgeDue, AnswerDue: c.AnswerDue, DecisionReason: c.DecisionReason,
		TransferTo: c.TransferTo, Answer: c.Answer, AnsweredAt: c.AnsweredAt, FeedbackName: c.FeedbackName()}
	if withID {
		out.ID = c.ID
	}
	return out
}

func complaintViewOut(v *complaint.View, withID bool) complaintJSON {
	out := complaintOut(v.Complaint, withID)
	for _, e := range v.Events {
		out.Events = append(out.Events, complaintEventJSON{At: e.At, Kind: e.Kind, KindName: e.KindName(), Text: e.Text})
	}
	return out
}

// apiComplaintFile files a complaint under the client's Idempotency-Key:
// anonymously (counted against the client's limit like the web form; the
// tracking code is in the answer) or as the signed-in person or employer.
// A retry with the same key gets the first answer (200, header
// Idempotent-Replayed).
func (s *Server) apiComplaintFile(w http.ResponseWriter, r *http.Request) {
	var body complaintFileJSON
	if !s.decoded(w, r, &body) {
		return
	}
	in := complaint.Input{Category: body.Category, Subject: body.Subject, Body: body.Body, TargetName: body.TargetName,
		TargetEmployer: body.TargetEmployer, TargetIDNumber: body.TargetIDNumber, Channel: body.Channel, ReporterName: body.ReporterName,
		ReporterContact: body.ReporterContact}
	a := actorFrom(r.Context())
	filed, replayed, err := s.Complaints.FileOnce(r.Context(), a, s.clientIP(r), r.Header.Get(idempotency.Header), in)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := complaintFiledJSON{No: filed.No, TrackingCode: filed.TrackingCode, AcknowledgeDue: filed.AcknowledgeDue,
		AnswerDue: filed.AnswerDue}
	if a != nil {
		out.ID = filed.ID
	}
	s.writeCreated(w, replayed, out)
}

// apiComplaintTrack reads a complaint by its tracking code (posted, so
// the code never stands in an address).
func (s *Server) apiComplaintTrack(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Code string `json:"code"`
	}
	if !s.decoded(w, r, &body) {
		return
	}
	v, err := s.Complaints.Track(r.Context(), complaint.Reporter{ClientAddr: s.clientIP(r), Code: body.Code})
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, complaintViewOut(v, false))
}

func (s *Server) apiComplaintMine(w http.ResponseWriter, r *http.Request) {
	items, err := s.Complaints.Mine(r.Context(), actorFrom(r.Context()))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	out := []complaintJSON{}
	for _, c := range items {
		o := complaintOut(c, true)
		o.Body = ""
		out = append(out, o)
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"items": out})
}

func (s *Server) apiComplaintGet(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idAndBody(w, r, nil)
	if !ok {
		return
	}
	v, err := s.Complaints.Track(r.Context(), complaint.Reporter{Actor: actorFrom(r.Context()), ID: id})
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, complaintViewOut(v, true))
}

// complaintFeedbackJSON is the reporter's satisfaction or objection with
// the answer; the holder of the tracking code gives the code.
type complaintFeedbackJSON struct {
	Code         string `json:"code,omitempty"`
	Satisfied    bool   `json:"satisfied"`
	FeedbackText string `json:"feedback_text"`
}

// apiComplaintTrackFeedback: the holder of the tracking code says whether
// the answer satisfies; an objection sends it back to 审计科.
func (s *Server) apiComplaintTrackFeedback(w http.ResponseWriter, r *http.Request) {
	var body complaintFeedbackJSON
	if !s.decoded(w, r, &body) {
		return
	}
	s.complaintFeedback(w, r, complaint.Reporter{ClientAddr: s.clientIP(r), Code: body.Code}, body, false)
}

// apiComplaintFeedback: the signed-in reporter's satisfaction or objection.
func (s *Server) apiComplaintFeedback(w http.ResponseWriter, r *http.Request) {
	var body complaintFeedbackJSON
	id, ok := s.idAndBody(w, r, &body)
	if !ok {
		return
	}
	s.complaintFeedback(w, r, complaint.Reporter{Actor: actorFrom(r.Context()), ID: id}, body, true)
}

func (s *Server) complaintFeedback(w http.ResponseWriter, r *http.Request, rep complaint.Reporter, body complaintFeedbackJSON, withID bool) {
	if err := s.Complaints.Feedback(r.Context(), rep, body.Satisfied, body.FeedbackText); err != nil {
		s.apiFail(w, r, err)
		return
	}
	v, err := s.Complaints.Track(r.Context(), rep)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, complaintViewOut(v, withID))
}

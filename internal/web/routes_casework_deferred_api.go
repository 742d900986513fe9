package web

import (
	"net/http"

	"shebao/internal/casework"
)

// caseworkDeferredAPIRoutes are the JSON twins of the deferred-documents
// pages: the applicant's commitment (告知承诺), the lists of owed originals
// and false commitments, ticking an original off, flagging a commitment as
// false, and confirming a mail draft as a concrete case.
func (s *Server) caseworkDeferredAPIRoutes() []route {
	return []route{
		{"POST /api/v1/cases/{no}/commitments", s.loggedIn(s.apiCaseCommit)},
		{"POST /api/v1/cases/{no}/confirm", s.staffRoute(s.apiCaseConfirm)},
		{"GET /api/v1/originals", s.staffRoute(s.apiDeferredDocuments)},
		{"POST /api/v1/originals/{id}/receive", s.staffRoute(s.apiReceiveOriginal)},
		{"GET /api/v1/commitments/false", s.staffRoute(s.apiFalseCommitments)},
		{"POST /api/v1/commitments/{id}/false", s.staffRoute(s.apiMarkCommitmentFalse)},
	}
}

func (s *Server) apiCaseCommit(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Item string `json:"item"`
	}
	if !s.decoded(w, r, &b) {
		return
	}
	if err := s.Cases.Commit(r.Context(), actorFrom(r.Context()), r.PathValue("no"), b.Item); err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.apiCase(w, r)
}

func (s *Server) apiCaseConfirm(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Version         int64              `json:"version"`
		Type            string             `json:"type"`
		SubjectIDNumber string             `json:"subject_id_number"`
		Applicant       casework.Applicant `json:"applicant"`
	}
	if !s.decoded(w, r, &b) {
		return
	}
	c, err := s.Cases.ConfirmDraft(r.Context(), actorFrom(r.Context()), r.PathValue("no"), b.Version,
		casework.ConfirmInput{Type: b.Type, SubjectIDNumber: b.SubjectIDNumber, Applicant: b.Applicant})
	s.apiReply(w, r, http.StatusOK, c, err)
}

func (s *Server) apiDeferredDocuments(w http.ResponseWriter, r *http.Request) {
	list, err := s.Cases.DeferredDocuments(r.Context(), actorFrom(r.Context()))
	s.apiReply(w, r, http.StatusOK, map[string]any{"items": list}, err)
}

func (s *Server) apiReceiveOriginal(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Via string `json:"via"`
	}
	id, ok := s.idAndBody(w, r, &b)
	if !ok {
		return
	}
	if err := s.Cases.ReceiveOriginal(r.Context(), actorFrom(r.Context()), id, b.Via); err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"id": id, "received": true})
}

func (s *Server) apiFalseCommitments(w http.ResponseWriter, r *http.Request) {
	list, err := s.Cases.FalseCommitments(r.Context(), actorFrom(r.Context()))
	s.apiReply(w, r, http.StatusOK, map[string]any{"items": list}, err)
}

func (s *Server) apiMarkCommitmentFalse(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Note string `json:"note"`
	}
	id, ok := s.idAndBody(w, r, &b)
	if !ok {
		return
	}
	if err := s.Cases.MarkCommitmentFalse(r.Context(), actorFrom(r.Context()), id, b.Note); err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, map[string]any{"id": id, "found_false": true})
}

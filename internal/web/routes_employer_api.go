package web

import (
	"net/http"
	"strconv"

	"shebao/internal/employer"
	"shebao/internal/ident"
)

// listResponse is the JSON shape of a paged list.
type listResponse[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
	Page  int `json:"page"`
	Size  int `json:"size"`
}

// decisionBody is the JSON body of approve/return/reject.
type decisionBody struct {
	Version int64  `json:"version"`
	Reasons string `json:"reasons,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// changeBody is the JSON body of a change request.
type changeBody struct {
	Changes map[string]string `json:"changes"`
	Reason  string            `json:"reason"`
}

func (s *Server) apiSubmitApplication(w http.ResponseWriter, r *http.Request) {
	var in employer.ApplicationInput
	if !s.decoded(w, r, &in) {
		return
	}
	// Staff record applications for others; anyone else applies on the web.
	a := actorFrom(r.Context())
	if !a.IsStaff() {
		a = nil
	}
	app, err := s.Employers.Submit(r.Context(), a, in)
	s.apiReply(w, r, http.StatusCreated, app, err)
}

func (s *Server) apiApplicationStatus(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v, err := s.Employers.Status(r.Context(), q.Get("app_no"), q.Get("uscc"))
	s.apiReply(w, r, http.StatusOK, v, err)
}

func (s *Server) apiQueue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, size := pageParam(q), sizeParam(q)
	apps, total, err := s.Employers.Queue(r.Context(), actorFrom(r.Context()), queueFilter(q), page, size)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	apps = nonNil(apps)
	for i := range apps {
		// Lists show phone numbers masked; GET /{id} shows the full record.
		apps[i].ContactPhone = ident.MaskPhone(apps[i].ContactPhone)
	}
	s.writeJSON(w, http.StatusOK, listResponse[employer.Application]{Items: apps, Total: total, Page: page, Size: size})
}

// sizeParam reads ?size= (1–200, default employer.PageSize).
func sizeParam(q map[string][]string) int {
	v := ""
	if vs := q["size"]; len(vs) > 0 {
		v = vs[0]
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 200 {
		return employer.PageSize
	}
	return n
}

func (s *Server) apiGetApplication(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idAndBody(w, r, nil)
	if !ok {
		return
	}
	app, err := s.Employers.Get(r.Context(), actorFrom(r.Context()), id)
	s.apiReply(w, r, http.StatusOK, app, err)
}

// decision decodes {id} and the JSON body of a decision.
func (s *Server) decision(w http.ResponseWriter, r *http.Request) (int64, decisionBody, bool) {
	var b decisionBody
	id, ok := s.idAndBody(w, r, &b)
	return id, b, ok
}

func (s *Server) apiApprove(w http.ResponseWriter, r *http.Request) {
	id, b, ok := s.decision(w, r)
	if !ok {
		return
	}
	ap, err := s.Employers.Approve(r.Context(), actorFrom(r.Context()), id, b.Version)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.writeJSON(w, http.StatusOK, ap)
}

func (s *Server) apiReturn(w http.ResponseWriter, r *http.Request) {
	id, b, ok := s.decision(w, r)
	if !ok {
		return
	}
	app, err := s.Employers.Return(r.Context(), actorFrom(r.Context()), id, b.Version, b.Reasons)
	s.apiReply(w, r, http.StatusOK, app, err)
}

func (s *Server) apiMyEmployer(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := ownEmployerID(a)
	if err == nil {
		var e *employer.Employer
		if e, err = s.Employers.Profile(r.Context(), a, id); err == nil {
			s.writeJSON(w, http.StatusOK, e)
			return
		}
	}
	s.apiFail(w, r, err)
}

func (s *Server) apiMyChanges(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := ownEmployerID(a)
	if err == nil {
		var list []employer.ChangeRequest
		if list, err = s.Employers.EmployerChanges(r.Context(), a, id); err == nil {
			list = nonNil(list)
			s.writeJSON(w, http.StatusOK, listResponse[employer.ChangeRequest]{Items: list, Total: len(list), Page: 1, Size: len(list)})
			return
		}
	}
	s.apiFail(w, r, err)
}

func (s *Server) apiRequestChange(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	id, err := ownEmployerID(a)
	var b changeBody
	if err == nil {
		err = decodeJSON(r, &b)
	}
	if err == nil {
		var c *employer.ChangeRequest
		if c, err = s.Employers.RequestChange(r.Context(), a, id, b.Changes, b.Reason); err == nil {
			s.writeJSON(w, http.StatusCreated, c)
			return
		}
	}
	s.apiFail(w, r, err)
}

func (s *Server) apiChangeQueue(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, size := pageParam(q), sizeParam(q)
	st := employer.ChangeStatus(q.Get("status"))
	list, total, err := s.Employers.ChangeQueue(r.Context(), actorFrom(r.Context()), st, page, size)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	list = nonNil(list)
	s.writeJSON(w, http.StatusOK, listResponse[employer.ChangeRequest]{Items: list, Total: total, Page: page, Size: size})
}

func (s *Server) apiApproveChange(w http.ResponseWriter, r *http.Request) {
	id, b, ok := s.decision(w, r)
	if !ok {
		return
	}
	e, err := s.Employers.ApproveChange(r.Context(), actorFrom(r.Context()), id, b.Version)
	s.apiReply(w, r, http.StatusOK, e, err)
}

func (s *Server) apiRejectChange(w http.ResponseWriter, r *http.Request) {
	id, b, ok := s.decision(w, r)
	if !ok {
		return
	}
	c, err := s.Employers.RejectChange(r.Context(), actorFrom(r.Context()), id, b.Version, b.Reason)
	s.apiReply(w, r, http.StatusOK, c, err)
}

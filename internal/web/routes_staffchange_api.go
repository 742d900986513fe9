package web

import (
	"net/http"
	"strconv"

	"shebao/internal/errs"
	"shebao/internal/staffchange"
)

func (s *Server) apiStaffList(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	emp, err := ownEmployerID(a)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	q := r.URL.Query()
	page := pageParam(q)
	list, total, err := s.StaffChanges.List(r.Context(), a, emp, staffchange.Filter{Q: q.Get("q"), All: q.Get("all") == "1"},
		page, staffchange.PageSize)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	list = nonNil(list)
	s.writeJSON(w, http.StatusOK, listResponse[staffchange.Staff]{Items: list, Total: total, Page: page, Size: staffchange.PageSize})
}

func (s *Server) apiStaffAdd(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	emp, err := ownEmployerID(a)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	var in staffchange.AddInput
	if !s.decoded(w, r, &in) {
		return
	}
	res, err := s.StaffChanges.Add(r.Context(), a, emp, in)
	s.apiReply(w, r, http.StatusCreated, res, err)
}

func (s *Server) apiStaffRemove(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	emp, err := ownEmployerID(a)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.apiFail(w, r, errs.NotFoundf("未找到该参保人员"))
		return
	}
	var in staffchange.RemoveInput
	if !s.decoded(w, r, &in) {
		return
	}
	st, err := s.StaffChanges.Remove(r.Context(), a, emp, id, in)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, st.Masked())
}

// apiStaffImport takes a multipart upload (field "file") and answers the
// import report: 200 when applied, 422 when rejected (nothing written).
func (s *Server) apiStaffImport(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	emp, err := ownEmployerID(a)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	name, data, err := staffUpload(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	rep, err := s.StaffChanges.Import(r.Context(), a, emp, name, data)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	status := http.StatusOK
	if !rep.Applied() {
		status = http.StatusUnprocessableEntity
	}
	s.writeJSON(w, status, rep)
}

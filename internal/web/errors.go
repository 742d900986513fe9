package web

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"shebao/internal/errs"
)

// statusOf maps an error kind to its HTTP status: the one place this is done.
func statusOf(k errs.Kind) int {
	switch k {
	case errs.Invalid:
		return http.StatusUnprocessableEntity
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Conflict:
		return http.StatusConflict
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.Unauthenticated:
		return http.StatusUnauthorized
	case errs.TooMany:
		return http.StatusTooManyRequests
	case errs.TooLarge:
		return http.StatusRequestEntityTooLarge
	default:
		return http.StatusInternalServerError
	}
}

// setRetryAfter tells a rate-limited client when to try again.
func setRetryAfter(w http.ResponseWriter, e *errs.Error) {
	if e.Kind == errs.TooMany && e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
	}
}

// publicError is what a user may see of err; internal details are logged.
func (s *Server) publicError(r *http.Request, err error) *errs.Error {
	e := errs.As(err)
	if e == nil || e.Kind == errs.Internal {
		s.Log.ErrorContext(r.Context(), "internal error", "err", err, "path", r.URL.Path)
		return &errs.Error{Kind: errs.Internal, Code: "internal", Message: "系统内部错误，请稍后重试。如多次出现，请拨打经办业务电话。"}
	}
	return e
}

// fail renders an error page for err with the matching status.
// Unauthenticated page requests are sent to the login page instead.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	e := s.publicError(r, err)
	if e.Kind == errs.Unauthenticated && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	setRetryAfter(w, e)
	s.renderStatus(w, r, "error", statusOf(e.Kind), &Page{Title: "出错了", Data: e})
}

// apiError is the JSON error body of the API.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  []errs.FieldError `json:"fields,omitempty"`
}

// apiFail writes err as a JSON error with the matching status.
func (s *Server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	e := s.publicError(r, err)
	code := e.Code
	if code == "" {
		code = string(e.Kind)
	}
	setRetryAfter(w, e)
	s.writeJSON(w, statusOf(e.Kind), apiError{Error: apiErrorBody{Code: code, Message: e.Message, Fields: e.Fields}})
}

// apiReply writes v as JSON with status, or err (with its status) when the
// call that made v failed.
func (s *Server) apiReply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, status, v)
}

// decoded reads the JSON body into v (decodeJSON); a body that cannot be
// read is answered as an API error, and decoded reports false.
func (s *Server) decoded(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := decodeJSON(r, v); err != nil {
		s.apiFail(w, r, err)
		return false
	}
	return true
}

// idAndBody reads {id} and, unless body is nil, the JSON body into body;
// a bad id (NotFound) or body is answered as an API error, and idAndBody
// reports false.
func (s *Server) idAndBody(w http.ResponseWriter, r *http.Request, body any) (int64, bool) {
	id, err := pathID(r)
	if err != nil {
		s.apiFail(w, r, err)
		return 0, false
	}
	if body != nil && !s.decoded(w, r, body) {
		return 0, false
	}
	return id, true
}

// nonNil answers an empty list as [] rather than null.
func nonNil[T any](list []T) []T {
	if list == nil {
		return []T{}
	}
	return list
}

// writeJSON writes v as JSON with status.
func (s *Server) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// writeCreated answers a create request made under an Idempotency-Key:
// 201 the first time, 200 with the header Idempotent-Replayed for a retry
// that got the first answer back.
func (s *Server) writeCreated(w http.ResponseWriter, replayed bool, v any) {
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
		s.writeJSON(w, http.StatusOK, v)
		return
	}
	s.writeJSON(w, http.StatusCreated, v)
}

// parseForm parses a submitted form and, when the body cannot be read as
// one, answers with the Invalid error page. It reports whether to go on.
func (s *Server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, errs.New(errs.Invalid, "bad_form", "表单无法识别，请重新填写"))
		return false
	}
	return true
}

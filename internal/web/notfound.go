package web

import (
	"net/http"

	"shebao/internal/errs"
)

// unmatched answers the requests no route takes, in place of the mux's
// plain-text English answers: a Chinese page in the site layout for pages,
// the JSON error shape for /api/. A 405 keeps the mux's Allow header.
func (s *Server) unmatched(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		probe := &headerProbe{header: http.Header{}}
		h.ServeHTTP(probe, r)
		if allow := probe.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
			s.methodNotAllowed(w, r, allow)
			return
		}
		if isAPI(r) {
			s.apiFail(w, r, errs.NotFoundf("接口不存在：%s，请查阅接口文档 /api/v1/openapi.json", r.URL.Path))
			return
		}
		s.pageNotFound(w, r)
	})
}

// pageNotFound answers the Chinese 404 page in the site layout.
func (s *Server) pageNotFound(w http.ResponseWriter, r *http.Request) {
	s.renderStatus(w, r, "error", http.StatusNotFound, &Page{Title: "页面不存在",
		Data: errs.NotFoundf("您要找的页面不存在，可能是地址输错了或页面已撤下。请从首页或上方导航进入。")})
}

// methodNotAllowed answers 405 (the status has no error kind: it is a
// routing answer, never a service's).
func (s *Server) methodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	e := &errs.Error{Kind: errs.Invalid, Code: "method_not_allowed",
		Message: "此地址不支持 " + r.Method + " 请求，可用的请求方式：" + allow}
	if isAPI(r) {
		s.writeJSON(w, http.StatusMethodNotAllowed, apiError{Error: apiErrorBody{Code: e.Code, Message: e.Message}})
		return
	}
	s.renderStatus(w, r, "error", http.StatusMethodNotAllowed, &Page{Title: "请求方式不支持", Data: e})
}

// headerProbe records the headers the mux's fallback handler would set
// (its Allow header) without writing anything.
type headerProbe struct{ header http.Header }

func (p *headerProbe) Header() http.Header         { return p.header }
func (p *headerProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *headerProbe) WriteHeader(int)             {}

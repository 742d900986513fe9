package web

import (
	"net/http"
	"net/url"
	"strings"

	"shebao/internal/errs"
)

// sameOrigin refuses state-changing requests (POST, PUT, PATCH, DELETE)
// that a browser says come from another site: an Origin header that is not
// this site's own origin, or Sec-Fetch-Site: cross-site. This is on top of
// the CSRF token. Clients that are not browsers (API keys) send neither
// header and are not affected.
func (s *Server) sameOrigin(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
			if s.crossSite(r) {
				s.failAny(w, r, errs.New(errs.Forbidden, "cross_origin",
					"请求来自其他网站，已被拒绝。请直接在本系统的页面上办理。"))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// crossSite reports whether the browser marked r as coming from another
// site. The own origin is the request's Host with https when the request
// came over TLS or the server runs behind TLS (secure cookies), else http.
func (s *Server) crossSite(r *http.Request) bool {
	if strings.EqualFold(r.Header.Get("Sec-Fetch-Site"), "cross-site") {
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return true // "null" (sandboxed or privacy-redirected) or garbage
	}
	scheme := "http"
	if r.TLS != nil || s.SecureCookies {
		scheme = "https"
	}
	return !strings.EqualFold(u.Scheme, scheme) || !strings.EqualFold(u.Host, r.Host)
}

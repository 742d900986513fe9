package web

import (
	"context"
	"crypto/subtle"
	"mime"
	"net"
	"net/http"
	"strings"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/errs"
)

// Cookie names.
const (
	sessionCookie  = "shebao_session" // the session token (only its hash is stored)
	anonCSRFCookie = "shebao_csrf"    // double-submit CSRF token of anonymous visitors
)

type authKey int

const (
	keySession authKey = iota // *account.Session of a cookie login
	keyAPIKey                 // true when an API key authenticated the request
)

// sessionFrom returns the cookie session of the request, or nil.
func sessionFrom(ctx context.Context) *account.Session {
	s, _ := ctx.Value(keySession).(*account.Session)
	return s
}

// byAPIKey reports whether a Bearer API key authenticated the request.
func byAPIKey(ctx context.Context) bool {
	b, _ := ctx.Value(keyAPIKey).(bool)
	return b
}

// isAPI reports whether the request is for the JSON API.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// bypassesSession lists paths that never need an actor or a CSRF token.
func bypassesSession(p string) bool {
	return strings.HasPrefix(p, "/static/") || p == "/healthz" || p == "/metrics"
}

// session loads the actor of the request into its context:
//   - on /api/ paths, an "Authorization: Bearer <key>" API key (401 JSON if invalid);
//   - otherwise the shebao_session cookie, with the session's CSRF token;
//   - for anonymous visitors, the shebao_csrf double-submit cookie, made on
//     first visit, so public forms (login, registration) are protected too.
//
// An account that must change its initial password is sent to
// /account/password from every other page. One indexed read per request;
// the session is written back at most once a minute.
func (s *Server) session(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if bypassesSession(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		ctx := r.Context()
		if key, ok := bearerKey(r); ok && isAPI(r) {
			a, err := s.Accounts.AuthenticateAPIKey(ctx, key)
			if err != nil {
				s.apiFail(w, r, err)
				return
			}
			ctx = context.WithValue(withActor(ctx, a), keyAPIKey, true)
			next.ServeHTTP(w, r.WithContext(ctx))
			return
		}
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			a, sess, err := s.Accounts.Authenticate(ctx, c.Value)
			if err == nil {
				if sess.MustChangePassword && !allowedBeforeChange(r) {
					s.forcePasswordChange(w, r)
					return
				}
				ctx = context.WithValue(withCSRF(withActor(ctx, a), sess.CSRF), keySession, sess)
				next.ServeHTTP(w, r.WithContext(ctx))
				return
			}
			if errs.KindOf(err) != errs.Unauthenticated {
				s.failAny(w, r, err)
				return
			}
			s.clearCookie(w, sessionCookie) // ended: carry on as an anonymous visitor
		}
		next.ServeHTTP(w, r.WithContext(withCSRF(ctx, s.anonCSRF(w, r))))
	})
}

// anonCSRF returns the visitor's double-submit token, setting the cookie
// on the first visit.
func (s *Server) anonCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(anonCSRFCookie); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		return c.Value
	}
	t := account.NewCSRFToken()
	http.SetCookie(w, s.cookie(anonCSRFCookie, t))
	return t
}

// csrf rejects POST, PUT, PATCH and DELETE requests that do not carry the
// request's CSRF token (form field _csrf or header X-CSRF-Token), compared
// in constant time. Exempt: requests authenticated by an API key (no
// cookie is involved) and the JSON login POST /api/v1/session, which only
// accepts application/json, a type no cross-site form can send.
func (s *Server) csrf(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
			next.ServeHTTP(w, r)
			return
		}
		if bypassesSession(r.URL.Path) || byAPIKey(r.Context()) ||
			(r.Method == http.MethodPost && r.URL.Path == "/api/v1/session" && isJSONBody(r)) ||
			anonymousJSON(r) {
			next.ServeHTTP(w, r)
			return
		}
		want := csrfToken(r)
		got := r.Header.Get("X-CSRF-Token")
		if got == "" {
			got = formToken(r)
		}
		if want == "" || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
			s.failAny(w, r, errs.New(errs.Forbidden, "csrf_invalid", "页面已过期或请求来源无效，请刷新页面后重试"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// formToken reads the _csrf field of a form body, which parseForms has
// already parsed (urlencoded or multipart); it never reads the body.
func formToken(r *http.Request) string {
	if r.PostForm == nil {
		return ""
	}
	return r.PostForm.Get("_csrf")
}

// anonymousJSON reports a JSON API request that carries no session. It
// needs no CSRF token: it has no ambient credential to abuse, and a browser
// cannot send application/json cross-site without a CORS preflight, which
// Shebao never answers. A logged-in browser's JSON requests still need the
// X-CSRF-Token header.
func anonymousJSON(r *http.Request) bool {
	return actorFrom(r.Context()) == nil && strings.HasPrefix(r.URL.Path, "/api/v1/") && isJSONBody(r)
}

func isJSONBody(r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "application/json"
}

// bearerKey returns the key of an "Authorization: Bearer <key>" header.
func bearerKey(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 7 || !strings.EqualFold(h[:7], "Bearer ") {
		return "", false
	}
	k := strings.TrimSpace(h[7:])
	return k, k != ""
}

// allowedBeforeChange lists what an account with an initial password may
// still reach: the change form, logout, and the JSON equivalents.
func allowedBeforeChange(r *http.Request) bool {
	switch r.URL.Path {
	case "/account/password", "/logout", "/api/v1/account/password", "/api/v1/session", "/api/v1/me":
		return true
	}
	return false
}

func (s *Server) forcePasswordChange(w http.ResponseWriter, r *http.Request) {
	if isAPI(r) {
		s.apiFail(w, r, errs.New(errs.Forbidden, "password_change_required", "首次登录请先修改初始密码"))
		return
	}
	redirect(w, r, "/account/password", "首次登录请先修改初始密码")
}

// failAny answers err as JSON on /api/ paths and as a page elsewhere.
func (s *Server) failAny(w http.ResponseWriter, r *http.Request, err error) {
	if isAPI(r) {
		s.apiFail(w, r, err)
		return
	}
	s.fail(w, r, err)
}

// requireActor returns the logged-in actor (session or API key). Without
// one it answers for the handler: a login redirect for page GETs, a 401
// page for other page requests, a 401 JSON error on /api/ paths; the
// handler then just returns.
func (s *Server) requireActor(w http.ResponseWriter, r *http.Request) (*access.Actor, bool) {
	if a := actorFrom(r.Context()); a != nil {
		return a, true
	}
	s.failAny(w, r, errs.LoginRequired())
	return nil, false
}

// cookie builds one of Shebao's cookies: HttpOnly, SameSite=Lax, Path=/,
// Secure behind TLS, ending with the browser session.
func (s *Server) cookie(name, value string) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode}
}

func (s *Server) clearCookie(w http.ResponseWriter, name string) {
	c := s.cookie(name, "")
	c.MaxAge = -1
	http.SetCookie(w, c)
}

// clientIP is the address login throttling counts: the connection's, or
// the header named by Deps.ClientIPHeader behind a trusted reverse proxy.
func (s *Server) clientIP(r *http.Request) string {
	if h := s.ClientIPHeader; h != "" {
		// The proxy appends the address it saw: take the last entry.
		parts := strings.Split(r.Header.Get(h), ",")
		if v := strings.TrimSpace(parts[len(parts)-1]); v != "" {
			return v
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

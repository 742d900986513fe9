package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/errs"
)

// loginView is the data of the login page.
type loginView struct {
	Next string
}

// roleHome is where an actor lands after login.
func roleHome(a *access.Actor) string {
	switch a.Role {
	case access.RoleEmployer:
		return "/employer"
	case access.RolePerson:
		return "/person"
	case access.RoleStaff:
		return "/staff"
	case access.RoleAdmin:
		return "/admin"
	case access.RoleHospital:
		return "/hospital"
	}
	return "/"
}

// safeNext returns next if it is a local path on this site, else "".
// It refuses absolute and scheme-relative URLs ("//evil", "/\evil") so the
// login page cannot be used as an open redirect.
func safeNext(next string) string {
	if next == "" || len(next) > 1000 || next[0] != '/' || strings.HasPrefix(next, "//") ||
		strings.ContainsAny(next, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return ""
	}
	return next
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if a := actorFrom(r.Context()); a != nil {
		http.Redirect(w, r, firstOf(next, roleHome(a)), http.StatusSeeOther)
		return
	}
	s.render(w, r, "account_login", &Page{Title: "登录", Data: loginView{Next: next}})
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.PostFormValue("next"))
	sess, err := s.Accounts.LoginWithAgent(r.Context(), r.PostFormValue("username"), r.PostFormValue("password"),
		s.clientIP(r), r.UserAgent())
	if err != nil {
		s.renderForm(w, r, "account_login", &Page{Title: "登录", Data: loginView{Next: next}}, err)
		return
	}
	http.SetCookie(w, s.cookie(sessionCookie, sess.Token))
	if sess.MustChangePassword {
		redirect(w, r, "/account/password", "首次登录请先修改初始密码")
		return
	}
	redirect(w, r, firstOf(next, roleHome(sess.Actor)), "")
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.Accounts.Logout(r.Context(), c.Value); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.clearCookie(w, sessionCookie)
	redirect(w, r, "/", "您已安全退出")
}

// passwordView is the data of the password change page.
type passwordView struct {
	Forced bool // the account still has its initial password
}

func (s *Server) passwordForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.requireActor(w, r); !ok {
		return
	}
	s.render(w, r, "account_password", &Page{Title: "修改密码", Data: s.passwordView(r)})
}

func (s *Server) passwordView(r *http.Request) passwordView {
	sess := sessionFrom(r.Context())
	return passwordView{Forced: sess != nil && sess.MustChangePassword}
}

func (s *Server) passwordSubmit(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	page := &Page{Title: "修改密码", Data: s.passwordView(r)}
	page.Form = url.Values{} // never echo passwords back into the form
	newPw := r.PostFormValue("new_password")
	if newPw != r.PostFormValue("confirm_password") {
		var f errs.Fields
		f.Add("confirm_password", "两次输入的新密码不一致")
		s.renderForm(w, r, "account_password", page, f.Err())
		return
	}
	if err := s.Accounts.ChangePassword(r.Context(), a, r.PostFormValue("old_password"), newPw); err != nil {
		s.renderForm(w, r, "account_password", page, err)
		return
	}
	sess, err := s.Accounts.LoginWithAgent(r.Context(), a.Username, newPw, s.clientIP(r), r.UserAgent())
	if err != nil {
		s.clearCookie(w, sessionCookie)
		redirect(w, r, "/login", "密码已修改，请用新密码重新登录")
		return
	}
	http.SetCookie(w, s.cookie(sessionCookie, sess.Token))
	redirect(w, r, roleHome(sess.Actor), "密码已修改，其他设备上的登录已全部退出")
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// meJSON is the API's view of the logged-in actor.
type meJSON struct {
	UserID             int64         `json:"user_id"`
	Username           string        `json:"username"`
	Role               access.Role   `json:"role"`
	RoleName           string        `json:"role_name"`
	EmployerID         int64         `json:"employer_id,omitempty"`
	PersonID           int64         `json:"person_id,omitempty"`
	Sections           []sectionJSON `json:"sections,omitempty"`
	ClientKind         string        `json:"client_kind,omitempty"`
	MustChangePassword bool          `json:"must_change_password"`
	CSRFToken          string        `json:"csrf_token,omitempty"` // for cookie sessions
	ExpiresAt          *time.Time    `json:"expires_at,omitempty"`
}

type sectionJSON struct {
	Code access.Section `json:"code"`
	Name string         `json:"name"`
}

func newMe(a *access.Actor, sess *account.Session) meJSON {
	m := meJSON{UserID: a.UserID, Username: a.Username, Role: a.Role, RoleName: account.RoleName(a.Role),
		EmployerID: a.EmployerID, PersonID: a.PersonID, ClientKind: a.ClientKind}
	for _, x := range a.Sections {
		m.Sections = append(m.Sections, sectionJSON{Code: x, Name: x.Name()})
	}
	if sess != nil {
		m.MustChangePassword, m.CSRFToken = sess.MustChangePassword, sess.CSRF
		m.ExpiresAt = &sess.ExpiresAt
	}
	return m
}

type loginJSON struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// apiLogin: POST /api/v1/session {username, password} → the actor with the
// CSRF token for later unsafe requests; sets the session cookie.
func (s *Server) apiLogin(w http.ResponseWriter, r *http.Request) {
	if !isJSONBody(r) {
		s.apiFail(w, r, errs.New(errs.Invalid, "content_type", "请以 application/json 格式提交"))
		return
	}
	var in loginJSON
	if !s.decoded(w, r, &in) {
		return
	}
	sess, err := s.Accounts.LoginWithAgent(r.Context(), in.Username, in.Password, s.clientIP(r), r.UserAgent())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	http.SetCookie(w, s.cookie(sessionCookie, sess.Token))
	s.writeJSON(w, http.StatusOK, newMe(sess.Actor, sess))
}

// apiLogout: DELETE /api/v1/session ends the cookie session.
func (s *Server) apiLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.Accounts.Logout(r.Context(), c.Value); err != nil {
			s.apiFail(w, r, err)
			return
		}
	}
	s.clearCookie(w, sessionCookie)
	w.WriteHeader(http.StatusNoContent)
}

// apiMe: GET /api/v1/me → the logged-in actor (session or API key).
func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	s.writeJSON(w, http.StatusOK, newMe(a, sessionFrom(r.Context())))
}

type passwordJSON struct {
	OldPassword string `json:"old_password"`
	NewPassword string `json:"new_password"`
}

// apiChangePassword: POST /api/v1/account/password → a fresh session
// (every other session of the account ends).
func (s *Server) apiChangePassword(w http.ResponseWriter, r *http.Request) {
	a, ok := s.requireActor(w, r)
	if !ok {
		return
	}
	var in passwordJSON
	if !s.decoded(w, r, &in) {
		return
	}
	if err := s.Accounts.ChangePassword(r.Context(), a, in.OldPassword, in.NewPassword); err != nil {
		s.apiFail(w, r, err)
		return
	}
	sess, err := s.Accounts.LoginWithAgent(r.Context(), a.Username, in.NewPassword, s.clientIP(r), r.UserAgent())
	if err != nil {
		s.clearCookie(w, sessionCookie)
		s.apiFail(w, r, err)
		return
	}
	http.SetCookie(w, s.cookie(sessionCookie, sess.Token))
	s.writeJSON(w, http.StatusOK, newMe(sess.Actor, sess))
}

package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/policy"
	"shebao/internal/protection"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Page is what every template receives.
type Page struct {
	Title  string
	Actor  *access.Actor
	CSRF   string
	Flash  string
	Banner *policy.Banner
	Now    time.Time
	Path   string
	// Form and Errors re-render a form after a failed submission.
	Form   url.Values
	Errors errs.Fields
	// Message is a general error shown above a form.
	Message string
	Data    any

	staff staffNames // people the page names (Staff)
}

// Err returns the message for a field, or "".
func (p *Page) Err(field string) string {
	for _, e := range p.Errors {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// Val returns the submitted value of a form field.
func (p *Page) Val(field string) string {
	if p.Form == nil {
		return ""
	}
	return p.Form.Get(field)
}

// Checked reports whether a submitted multi-value field (checkboxes)
// holds v.
func (p *Page) Checked(field, v string) bool {
	if p.Form == nil {
		return false
	}
	for _, x := range p.Form[field] {
		if x == v {
			return true
		}
	}
	return false
}

var funcs = template.FuncMap{
	"maskID":    ident.MaskID,
	"maskPhone": ident.MaskPhone,
	"maskName":  ident.MaskName,
	"date":      clock.DateText,
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(clock.Shanghai).Format("2006-01-02 15:04")
	},
	"section":      func(s any) string { return access.Section(fmt.Sprint(s)).Name() },
	"sections":     func() []access.Section { return access.Sections },
	"add":          func(a, b int) int { return a + b },
	"tenths":       protection.FormatTenths,
	"label":        labelFunc,
	"labelOptions": labelOptions,
	"join":         strings.Join,
	"qs": func(kv ...any) template.URL {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			if s := fmt.Sprint(kv[i+1]); s != "" {
				v.Set(fmt.Sprint(kv[i]), s)
			}
		}
		return template.URL(v.Encode())
	},
}

// parsePages parses templates/layout.html and templates/partials/*.html with
// each templates/pages/*.html, one template set per page.
func parsePages() (map[string]*template.Template, error) {
	base := template.New("layout.html").Funcs(funcs)
	base, err := base.ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	if parts, _ := fs.Glob(templateFS, "templates/partials/*.html"); len(parts) > 0 {
		if base, err = base.ParseFS(templateFS, parts...); err != nil {
			return nil, err
		}
	}
	names, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", n, err)
		}
		pages[strings.TrimSuffix(path.Base(n), ".html")] = t
	}
	return pages, nil
}

// render writes page name with status 200.
func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, p *Page) {
	s.renderStatus(w, r, name, http.StatusOK, p)
}

// renderOrFail renders page name, or the error page when err (from
// building p) is set.
func (s *Server) renderOrFail(w http.ResponseWriter, r *http.Request, name string, p *Page, err error) {
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, name, p)
}

// renderOrForm renders page name, or, when err is set, the same page as a
// form showing err's messages (renderForm).
func (s *Server) renderOrForm(w http.ResponseWriter, r *http.Request, name string, p *Page, err error) {
	if err != nil {
		s.renderForm(w, r, name, p, err)
		return
	}
	s.render(w, r, name, p)
}

// sendPrivatePDF writes a PDF of someone's own records, which no cache may
// keep; disposition is its Content-Disposition header.
func sendPrivatePDF(w http.ResponseWriter, disposition string, b []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", disposition)
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(b)
}

// sendAttachment writes a file for staff to save under name, which no
// cache may keep.
func sendAttachment(w http.ResponseWriter, contentType, name string, b []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(name))
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

// renderBuilt shows the page build makes of the request and arg (the
// query string to show again, an import's report, or nil), or the error
// page when it cannot be built.
func renderBuilt[A any](s *Server, w http.ResponseWriter, r *http.Request, name string, build func(*http.Request, A) (*Page, error), arg A) {
	p, err := build(r, arg)
	s.renderOrFail(w, r, name, p, err)
}

// formFailed answers err if there is one: a mistake the user can correct
// (Invalid, Conflict) shows the form again through again; any other error
// the error page. It reports whether it answered.
func (s *Server) formFailed(w http.ResponseWriter, r *http.Request, err error, again func(error)) bool {
	if err == nil {
		return false
	}
	if k := errs.KindOf(err); k == errs.Invalid || k == errs.Conflict {
		again(err)
		return true
	}
	s.fail(w, r, err)
	return true
}

// renderForm re-renders a form page after err: field errors next to their
// fields, other errors above the form, with the matching status.
func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, name string, p *Page, err error) {
	e := s.publicError(r, err)
	p.Errors = e.Fields
	p.Message = e.Message
	if p.Form == nil {
		p.Form = r.PostForm
	}
	setRetryAfter(w, e)
	s.renderStatus(w, r, name, statusOf(e.Kind), p)
}

// renderStatus fills the common page fields and writes the page.
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, name string, status int, p *Page) {
	t, ok := s.pages[name]
	if !ok {
		s.Log.ErrorContext(r.Context(), "missing template", "name", name)
		http.Error(w, "系统内部错误，请稍后重试。", http.StatusInternalServerError)
		return
	}
	if p == nil {
		p = &Page{}
	}
	p.Actor = actorFrom(r.Context())
	p.CSRF = csrfToken(r)
	p.Now = s.Clock.Now()
	p.Path = r.URL.Path
	p.staff = staffNames{}
	if p.Flash == "" {
		p.Flash = takeFlash(w, r)
	}
	if p.Message == "" {
		p.Message = takeRefusal(w, r)
	}
	if s.Policy != nil {
		if b, err := s.Policy.Banner(r.Context()); err == nil {
			p.Banner = b
		} else {
			s.Log.WarnContext(r.Context(), "banner", "err", err)
		}
	}
	out, err := s.execute(r.Context(), t, p)
	if err != nil {
		s.Log.ErrorContext(r.Context(), "render", "name", name, "err", err)
		http.Error(w, "系统内部错误，请稍后重试。", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if status != 0 && status != http.StatusOK {
		w.WriteHeader(status)
	}
	w.Write(out)
}

// execute renders p, twice when it names people (Staff): the first
// rendering learns whom, the second shows their names.
func (s *Server) execute(ctx context.Context, t *template.Template, p *Page) ([]byte, error) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		return nil, err
	}
	again, err := s.resolveStaff(ctx, p)
	if err != nil || !again {
		return buf.Bytes(), err
	}
	buf.Reset()
	err = t.ExecuteTemplate(&buf, "layout.html", p)
	return buf.Bytes(), err
}

// setFlash stores a one-time message shown on the next page.
func setFlash(w http.ResponseWriter, msg string) {
	http.SetCookie(w, &http.Cookie{Name: "flash", Value: url.QueryEscape(msg), Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, MaxAge: 60})
}

func takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie("flash")
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: "flash", Path: "/", MaxAge: -1})
	v, _ := url.QueryUnescape(c.Value)
	return v
}

// redirect sends the browser to target after a successful POST, with a flash.
func redirect(w http.ResponseWriter, r *http.Request, target, flash string) {
	if flash != "" {
		setFlash(w, flash)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// redirectRefused sends the browser back to target (POST-redirect-GET)
// after a refused action, with the refusal in Chinese shown there as an
// error: a reload does not submit the action again.
func (s *Server) redirectRefused(w http.ResponseWriter, r *http.Request, target string, err error) {
	e := s.publicError(r, err)
	http.SetCookie(w, &http.Cookie{Name: "refusal", Value: url.QueryEscape(e.Message), Path: "/", HttpOnly: true,
		SameSite: http.SameSiteLaxMode, MaxAge: 60})
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// takeRefusal reads (and clears) the refusal a redirectRefused stored.
func takeRefusal(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie("refusal")
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: "refusal", Path: "/", MaxAge: -1})
	v, _ := url.QueryUnescape(c.Value)
	return v
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

package apptest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// Client is a browser-like HTTP client of an Env: it keeps cookies, does
// not follow redirects (tests assert them), and adds its CSRF token to
// unsafe requests (form field _csrf, header X-CSRF-Token).
type Client struct {
	env    *Env
	HTTP   *http.Client
	CSRF   string // the token of its session or of its anonymous cookie
	Bearer string // API key sent as "Authorization: Bearer …"
	User   *User  // nil for anonymous clients
}

// Response is a read response.
type Response struct {
	Status int
	Header http.Header
	Body   string
}

func (e *Env) newClient(t testing.TB) *Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{env: e, HTTP: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

// Anon returns an anonymous visitor who has been given the double-submit
// CSRF cookie (by visiting /login), so it can post public forms.
func (e *Env) Anon(t testing.TB) *Client {
	t.Helper()
	c := e.newClient(t)
	c.Get(t, "/login").WantStatus(t, http.StatusOK)
	c.CSRF = c.Cookie("shebao_csrf")
	if c.CSRF == "" {
		t.Fatal("apptest: no shebao_csrf cookie after GET /login")
	}
	return c
}

// Login logs in through POST /api/v1/session and returns a client with the
// session cookie and its CSRF token.
func (e *Env) Login(t testing.TB, username, password string) *Client {
	t.Helper()
	c := e.newClient(t)
	r := c.PostJSON(t, "/api/v1/session", map[string]string{"username": username, "password": password})
	r.WantStatus(t, http.StatusOK)
	var me struct {
		CSRF string `json:"csrf_token"`
	}
	r.JSON(t, &me)
	c.CSRF = me.CSRF
	return c
}

// LoginAs logs in the user with that key; for API client keys it returns
// a client sending the Bearer key instead.
func (e *Env) LoginAs(t testing.TB, key string) *Client {
	t.Helper()
	u := e.User(t, key)
	if u.APIKey != "" {
		c := e.newClient(t)
		c.Bearer, c.User = u.APIKey, u
		return c
	}
	c := e.Login(t, u.Username, u.Password)
	c.User = u
	return c
}

// Cookie returns the value of a cookie the client holds for the server.
func (c *Client) Cookie(name string) string {
	u, _ := url.Parse(c.env.Server.URL)
	for _, k := range c.HTTP.Jar.Cookies(u) {
		if k.Name == name {
			return k.Value
		}
	}
	return ""
}

// Get requests path.
func (c *Client) Get(t testing.TB, path string) *Response {
	t.Helper()
	return c.Do(t, http.MethodGet, path, nil, nil)
}

// PostForm posts form values, adding _csrf unless the form has that key.
func (c *Client) PostForm(t testing.TB, path string, form url.Values) *Response {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["_csrf"]; !ok && c.CSRF != "" {
		form.Set("_csrf", c.CSRF)
	}
	h := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}
	return c.Do(t, http.MethodPost, path, strings.NewReader(form.Encode()), h)
}

// PostJSON posts v as JSON with the X-CSRF-Token header.
func (c *Client) PostJSON(t testing.TB, path string, v any) *Response {
	t.Helper()
	return c.SendJSON(t, http.MethodPost, path, v)
}

// SendJSON sends v as JSON (nil: no body) with the X-CSRF-Token header.
func (c *Client) SendJSON(t testing.TB, method, path string, v any) *Response {
	t.Helper()
	return c.SendJSONWith(t, method, path, nil, v)
}

// PostKeyed posts v as JSON under an Idempotency-Key ("" sends none).
func (c *Client) PostKeyed(t testing.TB, path, key string, v any) *Response {
	t.Helper()
	h := http.Header{}
	if key != "" {
		h.Set("Idempotency-Key", key)
	}
	return c.SendJSONWith(t, http.MethodPost, path, h, v)
}

// SendJSONWith sends v as JSON (nil: no body) with the X-CSRF-Token
// header and the extra headers h.
func (c *Client) SendJSONWith(t testing.TB, method, path string, extra http.Header, v any) *Response {
	t.Helper()
	var body io.Reader
	h := extra.Clone()
	if h == nil {
		h = http.Header{}
	}
	if v != nil {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(b)
		h.Set("Content-Type", "application/json")
	}
	if c.CSRF != "" {
		h.Set("X-CSRF-Token", c.CSRF)
	}
	return c.Do(t, method, path, body, h)
}

// Do sends a request with extra headers and the client's Bearer key.
func (c *Client) Do(t testing.TB, method, path string, body io.Reader, h http.Header) *Response {
	t.Helper()
	req, err := http.NewRequest(method, c.env.Server.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	if c.Bearer != "" {
		req.Header.Set("Authorization", "Bearer "+c.Bearer)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: string(b)}
}

// Location is the redirect target of the response.
func (r *Response) Location() string { return r.Header.Get("Location") }

// WantStatus fails the test unless the response has that status.
func (r *Response) WantStatus(t testing.TB, status int) *Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body: %.500s", r.Status, status, r.Body)
	}
	return r
}

// WantRedirect fails the test unless the response is a 303 to a target
// starting with prefix.
func (r *Response) WantRedirect(t testing.TB, prefix string) *Response {
	t.Helper()
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location(), prefix) {
		t.Fatalf("got %d to %q, want 303 to %s…; body: %.300s", r.Status, r.Location(), prefix, r.Body)
	}
	return r
}

// WantBody fails the test unless the body contains every string.
func (r *Response) WantBody(t testing.TB, want ...string) *Response {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(r.Body, w) {
			t.Fatalf("body lacks %q: %.800s", w, r.Body)
		}
	}
	return r
}

// JSON decodes the body into v.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.Body), v); err != nil {
		t.Fatalf("decode JSON: %v; body: %.300s", err, r.Body)
	}
}

// Via returns a client of another Env (a Peer) carrying this client's
// cookies, CSRF token and key: the same browser talking to another server.
func (c *Client) Via(t testing.TB, e *Env) *Client {
	t.Helper()
	n := e.newClient(t)
	n.CSRF, n.Bearer, n.User = c.CSRF, c.Bearer, c.User
	from, _ := url.Parse(c.env.Server.URL)
	to, _ := url.Parse(e.Server.URL)
	n.HTTP.Jar.SetCookies(to, c.HTTP.Jar.Cookies(from))
	return n
}

package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestCookiesSecureBehindTLS(t *testing.T) {
	for _, secure := range []bool{false, true} {
		s := &Server{Deps: Deps{SecureCookies: secure}}
		c := s.cookie(sessionCookie, "v")
		if c.Secure != secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
			t.Errorf("secure=%v: %+v", secure, c)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/employer": "/employer", "/staff/registrations?status=all": "/staff/registrations?status=all",
		"": "", "//evil.example": "", "/\\evil.example": "", "https://evil.example": "", "evil": "",
		"/x\r\nLocation: //evil": "", "http:/evil": "",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClientIP(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.1.2.3:5555"
	r.Header.Set("X-Forwarded-For", "6.6.6.6, 192.0.2.9")
	if got := (&Server{}).clientIP(r); got != "10.1.2.3" {
		t.Errorf("untrusted header used: %s", got)
	}
	s := &Server{Deps: Deps{ClientIPHeader: "X-Forwarded-For"}}
	if got := s.clientIP(r); got != "192.0.2.9" {
		t.Errorf("got %s, want the proxy's entry", got)
	}
}

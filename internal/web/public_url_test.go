package web

import (
	"crypto/tls"
	"net/http/httptest"
	"testing"
)

func TestRequestBase(t *testing.T) {
	cases := []struct {
		host   string
		tls    bool
		secure bool
		want   string
	}{
		{"127.0.0.1:8080", false, false, "http://127.0.0.1:8080"},
		{"Shebao.Example.gov.cn", false, false, "http://shebao.example.gov.cn"},
		{"shebao.example:8443", true, false, "https://shebao.example:8443"},
		{"shebao.example", false, true, "https://shebao.example"}, // behind a TLS proxy (Secure cookies)
		{"[::1]:8080", false, false, "http://[::1]:8080"},
		{"[2001:db8::1]", false, false, "http://[2001:db8::1]"},
		// Not a host[:port]: no absolute address is made from it.
		{"", false, false, ""},
		{"evil.example/phish", false, false, ""},
		{"evil.example@good.example", false, false, ""},
		{"evil.example:0", false, false, ""},
		{"evil.example:99999", false, false, ""},
		{"evil.example:080", false, false, ""},
		{"-evil.example", false, false, ""},
		{"evil..example", false, false, ""},
		{"例子.中国", false, false, ""},
		{"a b", false, false, ""},
		{"[::1", false, false, ""},
		{"[zz::1]:80", false, false, ""},
		{"host:80:80", false, false, ""},
	}
	for _, c := range cases {
		s := &Server{Deps: Deps{SecureCookies: c.secure}}
		r := httptest.NewRequest("GET", "/certificates/1", nil)
		r.Host = c.host
		r.Header.Set("X-Forwarded-Host", "forwarded.evil.example")
		r.Header.Set("X-Forwarded-Proto", "https")
		if c.tls {
			r.TLS = &tls.ConnectionState{}
		} else {
			r.TLS = nil
		}
		if got := s.requestBase(r); got != c.want {
			t.Errorf("Host %q tls=%v secure=%v: %q, want %q", c.host, c.tls, c.secure, got, c.want)
		}
	}
}

package web

import (
	"net"
	"net/http"
	"strconv"
	"strings"
)

// requestBase is the scheme and host this request came to, e.g.
// "http://10.1.2.3:8080", for addresses that must work outside the site
// (the QR code of a certificate) when SHEBAO_PUBLIC_URL is not set.
//
// The Host header is used only when it is a syntactically valid
// host[:port]; anything else gives "" (the caller falls back to a path).
// X-Forwarded-Host and X-Forwarded-Proto are ignored: a header any client
// can send is not trusted, so behind a reverse proxy either pass the
// original Host through or set SHEBAO_PUBLIC_URL. The scheme is https when
// the connection is TLS or cookies are marked Secure (served behind TLS).
func (s *Server) requestBase(r *http.Request) string {
	host := strings.ToLower(r.Host)
	if !validHostPort(host) {
		return ""
	}
	scheme := "http"
	if r.TLS != nil || s.SecureCookies {
		scheme = "https"
	}
	return scheme + "://" + host
}

// validHostPort reports whether s is a DNS name, an IPv4 address or a
// bracketed IPv6 address, optionally with a port 1–65535.
func validHostPort(s string) bool {
	if s == "" || len(s) > 260 {
		return false
	}
	host := s
	if h, port, err := net.SplitHostPort(s); err == nil {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return false
		}
		host = h
		if strings.Contains(h, ":") {
			return net.ParseIP(h) != nil // [::1]:8080
		}
	} else if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		return net.ParseIP(s[1:len(s)-1]) != nil
	}
	return validDNSName(host)
}

// validDNSName checks letters, digits and inner hyphens in labels of at
// most 63 characters, 253 in all (an IPv4 address passes as digit labels).
func validDNSName(h string) bool {
	if h == "" || len(h) > 253 || strings.HasSuffix(h, ".") {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shebao/internal/app"
	"shebao/internal/clock"
)

func openApp(t *testing.T, token string) *app.App {
	t.Helper()
	a, err := app.Open(context.Background(), app.Config{
		DataDir: filepath.Join(t.TempDir(), "data"), Clock: clock.NewFixed(time.Date(2024, 2, 10, 1, 0, 0, 0, time.UTC)),
		LogOut: io.Discard, Name: "test", MetricsToken: token,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

func get(h http.Handler, path, remote string, header ...string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil)
	r.RemoteAddr = remote
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func TestMetricsEndpoint(t *testing.T) {
	a := openApp(t, "")
	// A second server in the same process must not collide on a global registry.
	b := openApp(t, "")
	for i := 0; i < 3; i++ {
		get(a.Web, "/healthz", "127.0.0.1:5000")
	}
	get(a.Web, "/no/such/page/11010519491231002X", "127.0.0.1:5000")
	get(b.Web, "/healthz", "127.0.0.1:5000")

	w := get(a.Web, "/metrics", "127.0.0.1:5000")
	if w.Code != http.StatusOK {
		t.Fatalf("loopback /metrics: %d %s", w.Code, w.Body)
	}
	body := w.Body.String()
	for _, want := range []string{
		`shebao_http_requests_total{method="GET",route="GET /healthz",status="2xx"} 3`,
		`shebao_http_requests_total{method="GET",route="unmatched",status="4xx"} 1`,
		`shebao_http_request_duration_seconds_bucket{method="GET",route="GET /healthz",le="+Inf"} 3`,
		`go_sql_max_open_connections{db_name="write"} 1`,
		`go_sql_open_connections{db_name="read"}`,
		`go_build_info{`,
		`shebao_server_info{db="sqlite",server="test"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(body, "11010519491231002X") {
		t.Error("raw path with an ID number leaked into metrics")
	}

	for _, c := range []struct {
		name   string
		remote string
		header []string
	}{
		{"remote address", "192.0.2.7:4000", nil},
		{"through a proxy", "127.0.0.1:4000", []string{"X-Forwarded-For", "203.0.113.9"}},
		{"forwarded header", "[::1]:4000", []string{"Forwarded", "for=203.0.113.9"}},
	} {
		if w := get(a.Web, "/metrics", c.remote, c.header...); w.Code != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", c.name, w.Code)
		}
	}
	if w := get(a.Web, "/metrics", "[::1]:4000"); w.Code != http.StatusOK {
		t.Errorf("IPv6 loopback: %d", w.Code)
	}
}

func TestMetricsToken(t *testing.T) {
	a := openApp(t, "s3cret-token")
	cases := []struct {
		name   string
		remote string
		auth   string
		want   int
	}{
		{"loopback without token", "127.0.0.1:1", "", http.StatusForbidden},
		{"wrong token", "127.0.0.1:1", "Bearer nope", http.StatusForbidden},
		{"token from anywhere", "198.51.100.4:1", "Bearer s3cret-token", http.StatusOK},
		{"basic scheme", "198.51.100.4:1", "Basic s3cret-token", http.StatusForbidden},
	}
	for _, c := range cases {
		var h []string
		if c.auth != "" {
			h = []string{"Authorization", c.auth}
		}
		if w := get(a.Web, "/metrics", c.remote, h...); w.Code != c.want {
			t.Errorf("%s: %d, want %d", c.name, w.Code, c.want)
		}
	}
}

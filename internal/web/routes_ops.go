package web

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// opsMetrics holds the Prometheus registry of one Server (never the global
// default registry, so tests and several servers in one process do not
// share state) and the request instruments.
type opsMetrics struct {
	reg      *prometheus.Registry
	mux      *http.ServeMux
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newOpsMetrics(s *Server, mux *http.ServeMux) *opsMetrics {
	m := &opsMetrics{reg: prometheus.NewRegistry(), mux: mux}
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "shebao_http_requests_total",
		Help: "HTTP requests by method, route pattern and status class.",
	}, []string{"method", "route", "status"})
	m.duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "shebao_http_request_duration_seconds",
		Help:    "HTTP request duration by method and route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .02, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"method", "route"})
	info := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "shebao_server_info",
		Help:        "This server's name and database engine (always 1).",
		ConstLabels: prometheus.Labels{"server": s.ServerName, "db": string(s.DB.Dialect)},
	})
	info.Set(1)
	m.reg.MustRegister(m.requests, m.duration, info,
		collectors.NewBuildInfoCollector(),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if s.DB.R == s.DB.W {
		m.reg.MustRegister(collectors.NewDBStatsCollector(s.DB.W, "main"))
	} else {
		m.reg.MustRegister(collectors.NewDBStatsCollector(s.DB.W, "write"), collectors.NewDBStatsCollector(s.DB.R, "read"))
	}
	return m
}

// opsRoutes serves GET /metrics (Prometheus text format). The endpoint is
// restricted: with a metrics token configured (SHEBAO_METRICS_TOKEN) the
// scraper must send "Authorization: Bearer <token>"; without one, only
// direct requests from the loopback address are answered (a request that
// came through a proxy, i.e. with X-Forwarded-For or Forwarded, is not).
func (s *Server) opsRoutes() []route {
	h := promhttp.HandlerFor(s.ops.reg, promhttp.HandlerOpts{})
	return []route{
		{"GET /metrics", s.metricsGuard(h).ServeHTTP},
	}
}

// Metrics returns the server's registry, so other parts of the process
// (the job runner) can add their own metrics.
func (s *Server) Metrics() *prometheus.Registry { return s.ops.reg }

func (s *Server) metricsGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.metricsAllowed(r) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusForbidden)
			w.Write([]byte("forbidden: /metrics needs a loopback connection or the metrics token\n"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) metricsAllowed(r *http.Request) bool {
	if s.MetricsToken != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		return ok && subtle.ConstantTimeCompare([]byte(got), []byte(s.MetricsToken)) == 1
	}
	if r.Header.Get("X-Forwarded-For") != "" || r.Header.Get("Forwarded") != "" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// observeRequest records a finished request: its count by method, route
// pattern and status class, and its duration. The route is the ServeMux
// pattern (e.g. "GET /employer/{id}"), never the raw path, so label
// cardinality stays bounded and no personal data lands in metrics.
func (s *Server) observeRequest(r *http.Request, status int, d time.Duration) {
	if s.ops == nil {
		return
	}
	route := "unmatched"
	if _, pattern := s.ops.mux.Handler(r); pattern != "" {
		route = pattern
	}
	if status == 0 {
		status = http.StatusOK
	}
	method := r.Method
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodOptions:
	default:
		method = "other"
	}
	s.ops.requests.WithLabelValues(method, route, strconv.Itoa(status/100)+"xx").Inc()
	s.ops.duration.WithLabelValues(method, route).Observe(d.Seconds())
}

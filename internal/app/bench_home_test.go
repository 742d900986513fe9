package app_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shebao/internal/app/apptest"
	"shebao/internal/db"
)

// homeWorkers is how many connections the clients keep open.
const homeWorkers = 8

// BenchmarkEmployerHome measures a logged-in employer's home page served by
// the real app on SQLite over loopback HTTP, with 8 concurrent connections
// on the same 2 cores as the server, and in the same run the same server's
// /healthz (no session, one database ping: the ceiling of the server
// and the client on this machine). It reports requests per second and the 50th and
// 99th percentile latency of both. Target: ≥ 5,000 req/s with p99 < 10 ms.
//
//	go test -run '^$' -bench EmployerHome -benchtime 20000x ./internal/app/
func BenchmarkEmployerHome(b *testing.B) {
	env := apptest.New(b, db.SQLite)
	c := env.LoginAs(b, apptest.EmployerA)
	// Warm up and check the page really is the employer's home.
	c.Get(b, "/employer").WantStatus(b, http.StatusOK).WantBody(b, "单位社保编号")
	c.HTTP.Transport = &http.Transport{MaxIdleConnsPerHost: homeWorkers, MaxConnsPerHost: homeWorkers}
	b.ResetTimer()
	health := hammer(b, c.HTTP, env.Server.URL+"/healthz", b.N)
	home := hammer(b, c.HTTP, env.Server.URL+"/employer", b.N)
	b.StopTimer()
	b.ReportMetric(home.rps, "req/s")
	b.ReportMetric(home.p50, "p50-ms")
	b.ReportMetric(home.p99, "p99-ms")
	b.ReportMetric(health.rps, "healthz-req/s")
	b.ReportMetric(health.p99, "healthz-p99-ms")
	fmt.Fprintf(os.Stderr, "%d connections, %d requests each: /employer %.0f req/s p50 %.2f ms p99 %.2f ms; /healthz %.0f req/s p50 %.2f ms p99 %.2f ms (%.0f%% of the ceiling)\n",
		homeWorkers, b.N, home.rps, home.p50, home.p99, health.rps, health.p50, health.p99, 100*home.rps/health.rps)
}

// loadResult is the throughput and latency of one hammer run.
type loadResult struct{ rps, p50, p99 float64 }

// hammer requests url n times over homeWorkers connections and fails the
// benchmark on any answer but 200.
func hammer(b *testing.B, c *http.Client, url string, n int) loadResult {
	lat := make([]time.Duration, n)
	var next, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range homeWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) {
					return
				}
				t0 := time.Now()
				res, err := c.Get(url)
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != http.StatusOK {
					failed.Add(1)
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if k := failed.Load(); k > 0 {
		b.Fatalf("%s: %d requests failed", url, k)
	}
	slices.Sort(lat)
	return loadResult{rps: float64(n) / elapsed.Seconds(), p50: ms(lat[n/2]), p99: ms(lat[n*99/100])}
}

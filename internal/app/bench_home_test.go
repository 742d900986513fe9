package app_test

import (
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shebao/internal/app/apptest"
	"shebao/internal/db"
)

// BenchmarkEmployerHome measures a logged-in employer's home page served by
// the real app on SQLite over loopback HTTP, with 16 concurrent clients on
// the same 2 cores as the server. It reports requests per second and the
// 50th and 99th percentile latency. Target (issue 2): ≥ 1,000 req/s, p99 < 20 ms.
//
//	go test -run '^$' -bench EmployerHome -benchtime 20000x ./internal/app/
func BenchmarkEmployerHome(b *testing.B) {
	env := apptest.New(b, db.SQLite)
	c := env.LoginAs(b, apptest.EmployerA)
	url := env.Server.URL + "/employer"
	// Warm up and check the page really is the employer's home.
	c.Get(b, "/employer").WantStatus(b, http.StatusOK).WantBody(b, "单位社保编号")

	const workers = 16
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Int64
	b.ResetTimer()
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				t0 := time.Now()
				res, err := c.HTTP.Get(url)
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
	b.StopTimer()
	if n := failed.Load(); n > 0 {
		b.Fatalf("%d requests failed", n)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

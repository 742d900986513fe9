package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"shebao/internal/app/apptest"
	"shebao/internal/db"
)

// BenchmarkCalculatorAt500rps sends calculator requests (pension,
// retirement age, death benefit in turn) over real HTTP to the app on
// SQLite at a fixed 500 requests a second for 4 seconds from 8 clients,
// and reports the latency percentiles. Target: p99 under 5 ms.
//
//	go test -run '^$' -bench CalculatorAt500rps -benchtime 1x ./internal/web/
func BenchmarkCalculatorAt500rps(b *testing.B) {
	env := apptest.New(b, db.SQLite)
	env.App.Calc.SetLimit(1_000_000, 1_000_000) // one address sends everything here
	ts := httptest.NewServer(env.App.Web)
	defer ts.Close()
	bodies := []struct {
		name string
		body []byte
	}{
		{"pension", mustJSON(map[string]any{"avg_index": "0.8", "contribution_months": 360, "account_balance_fen": 15000000, "category": "male", "birth_month": "1966-03"})},
		{"retirement-age", mustJSON(map[string]any{"category": "female_worker", "birth_month": "1980-06"})},
		{"death-benefit", mustJSON(map[string]any{"death_date": "2024-01-20", "contribution_months": 345, "pension_months": 42})},
	}
	const rate, seconds, workers = 500, 4, 8
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	for b.Loop() {
		jobs := make(chan int)
		var mu sync.Mutex
		var lat []time.Duration
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					q := bodies[i%len(bodies)]
					t0 := time.Now()
					resp, err := client.Post(ts.URL+"/api/v1/calc/"+q.name, "application/json", bytes.NewReader(q.body))
					if err != nil || resp.StatusCode != http.StatusOK {
						b.Errorf("%s: %v %v", q.name, err, resp)
						return
					}
					var out map[string]any
					_ = json.NewDecoder(resp.Body).Decode(&out)
					resp.Body.Close()
					d := time.Since(t0)
					mu.Lock()
					lat = append(lat, d)
					mu.Unlock()
				}
			}()
		}
		tick := time.NewTicker(time.Second / rate)
		start := time.Now()
		for i := range rate * seconds {
			<-tick.C
			jobs <- i
		}
		tick.Stop()
		close(jobs)
		wg.Wait()
		elapsed := time.Since(start)
		slices.Sort(lat)
		pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
		b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
		b.ReportMetric(float64(pct(0.50).Microseconds())/1000, "p50_ms")
		b.ReportMetric(float64(pct(0.99).Microseconds())/1000, "p99_ms")
		fmt.Printf("calculators: %d requests in %.2f s (%.0f req/s), p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
			len(lat), elapsed.Seconds(), float64(len(lat))/elapsed.Seconds(),
			float64(pct(0.5).Microseconds())/1000, float64(pct(0.99).Microseconds())/1000, float64(lat[len(lat)-1].Microseconds())/1000)
	}
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

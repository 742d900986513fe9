package injury_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/db/dbtest"
	"shebao/internal/injury"
)

// BenchmarkSettlementAPI sends direct settlements of 50 items each at
// 200 a second (open loop, one request every 5 ms for 5 seconds) through
// the HTTP API on each engine and reports the latency percentiles; the
// target is p99 under 50 ms.
func BenchmarkSettlementAPI(b *testing.B) {
	for _, d := range dbtest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			env := apptest.New(b, d)
			workerID := employ(b, env)
			ctx := context.Background()
			if _, err := env.App.Injury.RecordDecision(ctx, env.Actor(b, apptest.Staff(access.Injury)), injury.RecognitionRecordInput{
				DecisionNo: "京朝人社工伤认字〔2024〕900号", DecidedOn: "2024-02-08", WorkerIDNumber: workerID,
				EmployerID: env.User(b, apptest.EmployerA).EmployerID, AccidentOn: "2024-01-25", AppliedOn: "2024-01-30",
				Applicant: "employer", Result: "recognised", Category: "covid_medical", DocumentID: 1}); err != nil {
				b.Fatal(err)
			}
			items := make([]injury.SettlementItem, 50)
			for i := range items {
				code := fmt.Sprintf("XG%03d", i)
				if _, err := env.App.Injury.AddCovidItem(ctx, env.Actor(b, apptest.Staff(access.Injury)),
					injury.CovidItemInput{Code: code, Name: "覆盖项目", ValidFrom: "2020-01-20"}); err != nil {
					b.Fatal(err)
				}
				items[i] = injury.SettlementItem{Code: code, Name: "诊疗项目" + code, Quantity: "1", AmountFen: int64(1000 + i)}
			}
			key := env.User(b, apptest.APIHospital).APIKey
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
			send := func(n int) (time.Duration, int) {
				in := settlement(workerID, fmt.Sprintf("INV-%s-%06d", d, n), items...)
				body, _ := json.Marshal(in)
				req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/api/v1/injury/settlements", bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+key)
				req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", n))
				start := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					return time.Since(start), 0
				}
				resp.Body.Close()
				return time.Since(start), resp.StatusCode
			}
			// Warm up as a running server is: the pools' connections open
			// and their statement caches filled (8 at a time, as many as
			// the PostgreSQL pool holds).
			var warm sync.WaitGroup
			for i := 0; i < 64; i++ {
				warm.Add(1)
				go func(i int) { defer warm.Done(); send(-1 - i) }(i)
				if i%8 == 7 {
					warm.Wait()
				}
			}
			const rate, seconds = 200, 5
			b.ResetTimer()
			var mu sync.Mutex
			var lat []time.Duration
			bad := 0
			var wg sync.WaitGroup
			tick := time.NewTicker(time.Second / rate)
			start := time.Now()
			for n := 0; n < rate*seconds; n++ {
				<-tick.C
				wg.Add(1)
				go func(n int) {
					defer wg.Done()
					d, status := send(n)
					mu.Lock()
					lat = append(lat, d)
					if status != http.StatusCreated {
						bad++
					}
					mu.Unlock()
				}(n)
			}
			wg.Wait()
			tick.Stop()
			elapsed := time.Since(start)
			b.StopTimer()
			slices.Sort(lat)
			p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "settlements/s")
			b.ReportMetric(p(0.50), "p50-ms")
			b.ReportMetric(p(0.99), "p99-ms")
			b.ReportMetric(float64(bad), "failed")
			if bad > 0 {
				b.Errorf("%d settlements failed", bad)
			}
		})
	}
}

// BenchmarkClaimReviewPage times the review page of a claim of 500 items
// (target under 50 ms).
func BenchmarkClaimReviewPage(b *testing.B) {
	for _, d := range dbtest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			env := apptest.New(b, d)
			workerID := employ(b, env)
			ctx := context.Background()
			clerkActor := env.Actor(b, apptest.Staff(access.Injury))
			rec, err := env.App.Injury.RecordDecision(ctx, clerkActor, injury.RecognitionRecordInput{
				DecisionNo: "京朝人社工伤认字〔2024〕901号", DecidedOn: "2024-02-08", WorkerIDNumber: workerID,
				EmployerID: env.User(b, apptest.EmployerA).EmployerID, AccidentOn: "2024-01-25", AppliedOn: "2024-01-30",
				Applicant: "employer", Result: "recognised", Category: "ordinary", DocumentID: 1})
			if err != nil {
				b.Fatal(err)
			}
			items := make([]injury.ItemInput, 500)
			for i := range items {
				items[i] = injury.ItemInput{Code: fmt.Sprintf("YP%04d", i), Name: "药品及诊疗项目", Quantity: "2",
					AmountFen: int64(1234 + i), InCatalogue: i%7 != 0}
			}
			c, err := env.App.Injury.FileClaim(ctx, clerkActor, injury.ClaimInput{RecognitionID: rec.ID,
				Benefit: injury.BenefitMedical, Payee: injury.PayeeEmployer, BankName: "工商银行",
				BankAccount: "0200001234567890123", Items: items})
			if err != nil {
				b.Fatal(err)
			}
			clerk := env.LoginAs(b, apptest.Staff(access.Injury))
			path := fmt.Sprintf("/staff/injury/claims/%d", c.ID)
			clerk.Get(b, path).WantStatus(b, 200).WantBody(b, "YP0499")
			b.ResetTimer()
			var lat []time.Duration
			for i := 0; i < b.N; i++ {
				start := time.Now()
				clerk.Get(b, path)
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[int(0.99*float64(len(lat)-1))].Microseconds())/1000, "p99-ms")
		})
	}
}

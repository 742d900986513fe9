package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"shebao/internal/app/apptest"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// seedHistory30y gives person A 30 years (360 months) of paid bills of
// employer A, three scheme lines each, in two set-based statements.
func seedHistory30y(b testing.TB, env *apptest.Env) {
	a, emp := env.User(b, apptest.PersonA), env.User(b, apptest.EmployerA)
	start := time.Date(1994, 1, 1, 0, 0, 0, 0, time.UTC)
	var vals []string
	args := []any{emp.EmployerID, env.Clock.Now()}
	for i := 0; i < 360; i++ {
		m := start.AddDate(0, i, 0).Format("2006-01")
		flags := ""
		if i%50 == 0 {
			flags = "emergency_makeup"
		}
		args = append(args, "H"+m, m, flags)
		n := len(args)
		vals = append(vals, fmt.Sprintf("($%d, 'employer', $1, $%d, 'paid', 121152, 121152, $%d, $2)", n-2, n-1, n))
	}
	w := env.App.DB.W
	if _, err := w.Exec(`INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status, total_fen, paid_fen,
		flags, assessed_at) VALUES `+strings.Join(vals, ", "), args...); err != nil {
		b.Fatal(err)
	}
	if _, err := w.Exec(`INSERT INTO bill_lines (bill_id, person_id, fee_month, scheme, base_fen, declared_base_fen,
		employer_rate_ppm, individual_rate_ppm, employer_fen, individual_fen)
		SELECT bl.id, $1, bl.fee_month, s.scheme, 480000, 480000, s.er, s.ir, s.ef, s.inf
		FROM bills bl CROSS JOIN (SELECT 'pension' AS scheme, 160000 AS er, 80000 AS ir, 76800 AS ef, 38400 AS inf
			UNION ALL SELECT 'unemployment', 5000, 5000, 2400, 2400
			UNION ALL SELECT 'injury', 2400, 0, 1152, 0) s
		WHERE bl.bill_no LIKE 'H%'`, a.PersonID); err != nil {
		b.Fatal(err)
	}
	if env.Dialect == db.Postgres {
		// As autovacuum would after a bulk load: fresh planner statistics.
		if _, err := w.Exec(`ANALYZE bills; ANALYZE bill_lines`); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPersonHistory30y measures GET /person/history for a person
// with a 30-year history (360 months × 3 schemes), served by the real app
// in-process (the whole handler chain: session, CSRF, banner,
// query, template), one request at a time. Target (issue 3): < 20 ms.
//
//	go test -run '^$' -bench PersonHistory30y -benchtime 200x ./internal/web/
var benchPath = "/person/history"

func BenchmarkPersonHistory30y(b *testing.B) {
	for _, d := range dbtest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			env := apptest.New(b, d)
			seedHistory30y(b, env)
			c := env.LoginAs(b, apptest.PersonA)
			r := c.Get(b, "/person/history").WantStatus(b, http.StatusOK).WantBody(b, "共 360 条月度记录", "1994-01", "2023-12")
			if n := strings.Count(r.Body, "<tr>"); n < 361 {
				b.Fatalf("%d rows", n)
			}
			// Call the handler chain in-process with the session cookie,
			// so the figure is the page's cost, not the loopback client's.
			u, _ := url.Parse(env.Server.URL + benchPath)
			req := httptest.NewRequest(http.MethodGet, u.String(), nil)
			for _, ck := range c.HTTP.Jar.Cookies(u) {
				req.AddCookie(ck)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				rec := httptest.NewRecorder()
				env.App.Web.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/page")
		})
	}
}

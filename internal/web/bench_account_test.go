package web_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"shebao/internal/app/apptest"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// seedAccount35y gives person A 35 years (1989–2023) of account entries:
// an opening balance, twelve credits and the interest of every year.
func seedAccount35y(b testing.TB, env *apptest.Env) {
	a := env.User(b, apptest.PersonA)
	var vals []string
	args := []any{a.PersonID, env.Clock.Now()}
	add := func(kind string, year int, day, month string, fen int64) {
		args = append(args, kind, year, day, month, fen, fmt.Sprintf("bench:%d", len(args)))
		n := len(args)
		vals = append(vals, fmt.Sprintf("($1, $%d, $%d, $%d, $%d, $%d, $%d, $2)", n-5, n-4, n-3, n-2, n-1, n))
	}
	add("opening", 1989, "1989-01-01", "", 150000)
	for y := 1989; y <= 2023; y++ {
		for m := 1; m <= 12; m++ {
			month := fmt.Sprintf("%d-%02d", y, m)
			add("credit", y, month+"-20", month, 38400)
		}
		add("interest", y, fmt.Sprintf("%d-12-31", y), "", int64(1000+y))
	}
	if _, err := env.App.DB.W.Exec(`INSERT INTO account_entries (person_id, kind, year, posted_on, fee_month, amount_fen,
		source_key, created_at) VALUES `+strings.Join(vals, ", "), args...); err != nil {
		b.Fatal(err)
	}
	if env.Dialect == db.Postgres {
		if _, err := env.App.DB.W.Exec(`ANALYZE account_entries`); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPersonAccount35y measures GET /person/account for a person
// with 35 account years (456 entries), served by the real app in-process
// (session, CSRF, query, template), one request at a time. Target: < 20 ms.
//
//	go test -run '^$' -bench PersonAccount35y -benchtime 200x ./internal/web/
func BenchmarkPersonAccount35y(b *testing.B) {
	for _, d := range dbtest.Engines() {
		b.Run(string(d), func(b *testing.B) {
			env := apptest.New(b, d)
			seedAccount35y(b, env)
			c := env.LoginAs(b, apptest.PersonA)
			r := c.Get(b, "/person/account").WantStatus(b, http.StatusOK).WantBody(b, "1989", "2023")
			if n := strings.Count(r.Body, "<tr"); n < 36 {
				b.Fatalf("%d rows", n)
			}
			u, _ := url.Parse(env.Server.URL + "/person/account")
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

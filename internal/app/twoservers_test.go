package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"shebao/internal/app"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/jobs"
)

func get(t *testing.T, url, session string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if session != "" {
		req.AddCookie(&http.Cookie{Name: "shebao_session", Value: session})
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// TestTwoServers runs two Shebao servers on one PostgreSQL schema: a
// session made on one works on the other (and ending it on one ends it on
// both), and scheduled jobs run once per slot, not once per server.
func TestTwoServers(t *testing.T) {
	if os.Getenv(dbtest.EnvPostgres) == "" {
		t.Skip(dbtest.EnvPostgres + " not set: the two-server test needs PostgreSQL")
	}
	env := apptest.New(t, db.Postgres) // server 1, with users of every role
	a1 := env.App
	peer := env.Peer(t) // server 2: another process on the same schema
	a2, srv2 := peer.App, peer.Server

	c := env.LoginAs(t, apptest.PersonA) // logs in on server 1
	session := c.Cookie("shebao_session")
	if session == "" {
		t.Fatal("no session cookie from server 1")
	}
	status, body := get(t, srv2.URL+"/person", session)
	if status != http.StatusOK || !strings.Contains(body, "张伟") {
		t.Fatalf("server 2 /person with server 1's session: %d", status)
	}
	status, body = get(t, srv2.URL+"/api/v1/person", session)
	var profile struct {
		Person struct{ ID int64 } `json:"person"`
	}
	if status != http.StatusOK || json.Unmarshal([]byte(body), &profile) != nil || profile.Person.ID != env.User(t, apptest.PersonA).PersonID {
		t.Fatalf("server 2 /api/v1/person: %d %s", status, body)
	}
	if status, _ := get(t, srv2.URL+"/person", ""); status != http.StatusSeeOther {
		t.Fatalf("server 2 without a session: %d, want a redirect to the login page", status)
	}
	// Log out on server 2 (with the session's CSRF token): server 1 forgets it too.
	req, _ := http.NewRequest("POST", srv2.URL+"/logout", strings.NewReader("_csrf="+c.CSRF))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "shebao_session", Value: session})
	res, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout on server 2: %d", res.StatusCode)
	}
	if status, _ := get(t, env.Server.URL+"/person", session); status != http.StatusSeeOther {
		t.Fatalf("server 1 still accepts a session ended on server 2: %d", status)
	}

	runScheduledJobsOnBoth(t, a1, a2, env.Clock)
}

func runScheduledJobsOnBoth(t *testing.T, a1, a2 *app.App, c *clock.Fixed) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	c.Set(time.Date(2024, 2, 10, 9, 10, 0, 0, clock.Shanghai)) // every job's slot is due
	var runs atomic.Int64
	errc := make(chan error, 2)
	for _, a := range []*app.App{a1, a2} {
		a.Jobs.Add(jobs.Job{Name: "test.count", Schedule: jobs.Hourly(0), Run: func(context.Context) (string, error) {
			runs.Add(1)
			return "counted", nil
		}})
		a.Jobs.Interval = 5 * time.Millisecond
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		go func(a *app.App) { errc <- a.Serve(ctx, ln) }(a)
	}
	// Wait until every job checked below has finished once (the servers run
	// their due jobs one after another, which takes longer on a loaded
	// machine), then let both servers tick on so that a second run would show.
	waitFinished(t, a1, checkedJobs, time.Minute)
	time.Sleep(400 * time.Millisecond) // ~80 more ticks on each server
	cancel()
	for i := 0; i < 2; i++ {
		if err := <-errc; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
	if n := runs.Load(); n != 1 {
		t.Fatalf("the job body ran %d times on two servers, want once", n)
	}
	rows, err := a1.DB.R.Query(`SELECT name, COUNT(*), MIN(server) FROM job_runs WHERE finished_at IS NOT NULL GROUP BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[string]int{}
	for rows.Next() {
		var name, server string
		var n int
		rows.Scan(&name, &n, &server)
		seen[name] = n
	}
	for _, name := range checkedJobs {
		if seen[name] != 1 {
			t.Errorf("job %s: %d finished runs, want 1 (all: %v)", name, seen[name], seen)
		}
	}
}

// checkedJobs are the scheduled jobs whose single run on two servers is checked.
var checkedJobs = []string{"test.count", "sessions.purge", "audit.verify", "jobs.prune"}

// waitFinished polls job_runs until each named job has a finished run, or
// fails the test after limit.
func waitFinished(t *testing.T, a *app.App, names []string, limit time.Duration) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		missing := 0
		for _, name := range names {
			var n int
			if err := a.DB.R.QueryRow(`SELECT COUNT(*) FROM job_runs WHERE name = $1 AND finished_at IS NOT NULL`, name).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				missing++
			}
		}
		if missing == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of the jobs %v had not finished after %s", missing, names, limit)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

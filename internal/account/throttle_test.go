package account_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

// attempt is one login of a parallel run: a username, password and source.
type attempt struct{ user, password, ip string }

// parallel runs the attempts at once (each on the service svcs[i%len])
// and counts the answers by error code ("ok" for a session).
func parallel(t *testing.T, svcs []*account.Service, at []attempt) map[string]int {
	t.Helper()
	var mu sync.Mutex
	var wg sync.WaitGroup
	codes := map[string]int{}
	start := make(chan struct{})
	for i, a := range at {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, err := svcs[i%len(svcs)].Login(context.Background(), a.user, a.password, a.ip)
			code := "ok"
			if e := errs.As(err); e != nil {
				code = e.Code
				if e.Kind == errs.TooMany && e.RetryAfter <= 0 {
					code += " without RetryAfter"
				}
			} else if err != nil {
				code = err.Error()
			}
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	close(start)
	wg.Wait()
	return codes
}

func checks(svcs []*account.Service) int64 {
	var n int64
	for _, s := range svcs {
		n += s.PasswordChecks()
	}
	return n
}

func same(n int, a attempt) []attempt {
	out := make([]attempt, n)
	for i := range out {
		out[i] = a
	}
	return out
}

// TestParallelWrongLoginsCheckAtMostTheFreeAttempts: 200 wrong passwords
// for one account from one IP at once check exactly FreeAttempts passwords
// (the rest wait their delay, answered with a Retry-After); the owner's
// right password from that IP waits too, from another IP it logs in.
func TestParallelWrongLoginsCheckAtMostTheFreeAttempts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.add(t, access.RoleEmployer, "440300000001")
		svcs := []*account.Service{f.svc}
		codes := parallel(t, svcs, same(200, attempt{"440300000001", "Wrong1234", "10.0.0.1"}))
		if n := checks(svcs); n != account.FreeAttempts {
			t.Errorf("%d passwords checked, want %d", n, account.FreeAttempts)
		}
		want := map[string]int{"bad_credentials": account.FreeAttempts, "login_throttled": 200 - account.FreeAttempts}
		if fmt.Sprint(codes) != fmt.Sprint(want) {
			t.Errorf("answers %v, want %v", codes, want)
		}
		if n := f.scalar(t, `SELECT attempts FROM login_sources WHERE source = '10.0.0.1'`); n != account.FreeAttempts {
			t.Errorf("%d attempts counted for the IP, want %d", n, account.FreeAttempts)
		}
		_, err := f.svc.Login(context.Background(), "440300000001", pw, "10.0.0.1")
		if e := wantKind(t, err, errs.TooMany, "login_throttled"); e.RetryAfter != time.Second {
			t.Errorf("retry after %v, want 1s", e.RetryAfter)
		}
		if _, err := f.svc.Login(context.Background(), "440300000001", pw, "10.0.0.2"); err != nil {
			t.Fatalf("owner from another IP: %v", err)
		}
		if n := f.scalar(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'account.lock'`); n != 0 {
			t.Errorf("%d lock entries for an employer", n)
		}
	})
}

// TestParallelLoginsFromOneIPCheckAtMostTheIPLimit: 200 wrong logins at
// once from one IP, each for another username, check IPMaxFailures.
func TestParallelLoginsFromOneIPCheckAtMostTheIPLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.add(t, access.RoleStaff, "qian", access.Office)
		at := make([]attempt, 200)
		for i := range at {
			at[i] = attempt{fmt.Sprintf("nobody%03d", i), "Wrong1234", "203.0.113.7"}
		}
		svcs := []*account.Service{f.svc}
		codes := parallel(t, svcs, at)
		if n := checks(svcs); n != account.IPMaxFailures {
			t.Errorf("%d passwords checked, want %d", n, account.IPMaxFailures)
		}
		want := map[string]int{"bad_credentials": account.IPMaxFailures, "ip_throttled": 200 - account.IPMaxFailures}
		if fmt.Sprint(codes) != fmt.Sprint(want) {
			t.Errorf("answers %v, want %v", codes, want)
		}
	})
}

// TestTwoServersShareTheLimits runs the attacks on two services with their
// own connection pools on one database, as two server processes: 200 wrong
// logins for one account from one IP still check FreeAttempts passwords,
// and 200 for one staff account from 200 IPs check exactly StaffLockAfter,
// lock it once (one audit entry) until an administrator unlocks it, once.
func TestTwoServersShareTheLimits(t *testing.T) {
	dbtest.EachPair(t, func(t *testing.T, d1, d2 *db.DB) {
		f := newFixture(t, d1)
		svc2 := account.New(d2, f.c, audit.NewService(d2, f.c), account.Options{HashParams: account.TestHashParams})
		svcs := []*account.Service{f.svc, svc2}
		f.add(t, access.RoleEmployer, "440300000001")
		staff := f.add(t, access.RoleStaff, "zhao", access.Fund)
		admin := f.admin(t)

		codes := parallel(t, svcs, same(200, attempt{"440300000001", "Wrong1234", "10.0.0.1"}))
		if n := checks(svcs); n != account.FreeAttempts || codes["bad_credentials"] != account.FreeAttempts {
			t.Errorf("one IP, two servers: %d passwords checked, answers %v", n, codes)
		}

		before := checks(svcs)
		at := make([]attempt, 200)
		for i := range at {
			at[i] = attempt{"zhao", "Wrong1234", fmt.Sprintf("198.51.100.%d", i)}
		}
		codes = parallel(t, svcs, at)
		if n := checks(svcs) - before; n != account.StaffLockAfter {
			t.Errorf("staff account, 200 IPs: %d passwords checked, want %d (answers %v)", n, account.StaffLockAfter, codes)
		}
		if n := f.scalar(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'account.lock'`); n != 1 {
			t.Errorf("%d lock audit entries, want 1", n)
		}
		_, err := svc2.Login(context.Background(), "zhao", pw, "10.1.1.1")
		wantKind(t, err, errs.Forbidden, "unlock_required")
		locked, err := f.svc.ListLocked(context.Background(), admin)
		if err != nil || len(locked) != 1 || locked[0].ID != staff.UserID {
			t.Fatalf("locked list %v %v", locked, err)
		}

		// Two administrators on the two servers unlock at once: one does.
		var wg sync.WaitGroup
		results := make([]string, 2)
		for i, s := range svcs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = "ok"
				if e := errs.As(s.Unlock(context.Background(), admin, staff.UserID)); e != nil {
					results[i] = e.Code
				}
			}()
		}
		wg.Wait()
		sort.Strings(results)
		if fmt.Sprint(results) != "[not_locked ok]" {
			t.Errorf("parallel unlocks %v", results)
		}
		if n := f.scalar(t, `SELECT COUNT(*) FROM audit_log WHERE action = 'account.unlock'`); n != 1 {
			t.Errorf("%d unlock audit entries, want 1", n)
		}
		if _, err := svc2.Login(context.Background(), "zhao", pw, "10.1.1.1"); err != nil {
			t.Fatalf("after unlock: %v", err)
		}
	})
}

// TestGrowingDelayPerUsernameAndSource: after FreeAttempts failures each
// further attempt waits twice as long as the one before, up to MaxDelay;
// a success starts afresh.
func TestGrowingDelayPerUsernameAndSource(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.add(t, access.RoleEmployer, "440300000001")
		login := func(password string) error {
			_, err := f.svc.Login(ctx, "440300000001", password, "10.0.0.1")
			return err
		}
		for i := 0; i < account.FreeAttempts; i++ {
			wantKind(t, login("Wrong1234"), errs.Unauthenticated, "bad_credentials")
		}
		wait := time.Second
		for n := account.FreeAttempts + 1; n <= account.FreeAttempts+12; n++ {
			e := wantKind(t, login(pw), errs.TooMany, "login_throttled")
			if e.RetryAfter != wait {
				t.Fatalf("before attempt %d: retry after %v, want %v", n, e.RetryAfter, wait)
			}
			f.c.Advance(wait - time.Millisecond)
			wantKind(t, login("Wrong1234"), errs.TooMany, "login_throttled")
			f.c.Advance(time.Millisecond)
			wantKind(t, login("Wrong1234"), errs.Unauthenticated, "bad_credentials")
			wait = min(2*wait, account.MaxDelay)
		}
		e := wantKind(t, login(pw), errs.TooMany, "login_throttled")
		if e.Message != "登录尝试过于频繁，请 15 分钟后再试" {
			t.Fatalf("message %q", e.Message)
		}
		f.c.Advance(account.MaxDelay)
		if err := login(pw); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < account.FreeAttempts; i++ {
			wantKind(t, login("Wrong1234"), errs.Unauthenticated, "bad_credentials")
		}
	})
}

// TestUnknownAndKnownUsernamesAnsweredAlike: the same attempts at an
// existing account and at a username nobody has get the same answers and
// take comparable time, also while throttled; and five wrong guesses at
// the administrator lock nobody out.
func TestUnknownAndKnownUsernamesAnsweredAlike(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		// Costly enough that a skipped hash would show in the timing.
		f := newFixtureWith(t, d, account.HashParams{Memory: 8 * 1024, Time: 1, Threads: 1})
		ctx := context.Background()
		f.add(t, access.RoleEmployer, "440300000001")
		f.add(t, access.RoleAdmin, "admin")
		type answer struct {
			status  int
			code    string
			message string
			retry   time.Duration
		}
		try := func(user, ip string) (answer, time.Duration) {
			t0 := time.Now()
			_, err := f.svc.Login(ctx, user, "Wrong1234", ip)
			d := time.Since(t0)
			e := errs.As(err)
			if e == nil {
				t.Fatalf("%s: %v", user, err)
			}
			return answer{statusOf(e.Kind), e.Code, e.Message, e.RetryAfter}, d
		}
		try("440300888888", "10.0.0.9") // makes the dummy hash
		var known, unknown []answer
		var tk, tu []time.Duration
		// 20 attempts from four addresses are all checked, 15 more from the
		// last address wait; interleaved, so both names meet the same load.
		const checkedN, all = 4 * account.FreeAttempts, 35
		for i := 0; i < all; i++ {
			src := strconv.Itoa(min(i/account.FreeAttempts, 3))
			a, d := try("440300000001", "10.0."+src+".1")
			known, tk = append(known, a), append(tk, d)
			a, d = try("440300999999", "10.0."+src+".2")
			unknown, tu = append(unknown, a), append(tu, d)
		}
		if fmt.Sprint(known) != fmt.Sprint(unknown) {
			t.Fatalf("answers differ:\nknown   %v\nunknown %v", known, unknown)
		}
		if known[checkedN-1].status != http.StatusUnauthorized || known[checkedN].status != http.StatusTooManyRequests {
			t.Fatalf("answers %v", known)
		}
		for _, part := range []struct {
			name     string
			from, to int
		}{{"checked", 0, checkedN}, {"throttled", checkedN, all}} {
			// The fastest of each shows the work done; slower ones show the machine's load.
			k, u := slices.Min(tk[part.from:part.to]), slices.Min(tu[part.from:part.to])
			t.Logf("%s: known %v, unknown %v", part.name, k, u)
			if k > 3*u+2*time.Millisecond || u > 3*k+2*time.Millisecond {
				t.Errorf("%s attempts: known %v, unknown %v", part.name, k, u)
			}
		}
		for i := 0; i < account.FreeAttempts; i++ {
			f.svc.Login(ctx, "admin", "Wrong1234", "192.0.2.66")
		}
		if _, err := f.svc.Login(ctx, "admin", pw, "10.0.0.3"); err != nil {
			t.Fatalf("admin locked out by another IP's guesses: %v", err)
		}
	})
}

func statusOf(k errs.Kind) int {
	if k == errs.TooMany {
		return http.StatusTooManyRequests
	}
	if k == errs.Unauthenticated {
		return http.StatusUnauthorized
	}
	return 0
}

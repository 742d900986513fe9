package account_test

import (
	"context"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

func TestSessionIdleTimeout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.add(t, access.RoleEmployer, "440300000001")
		sess, err := f.svc.Login(ctx, "440300000001", pw, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		// Used every 25 minutes, the session lives on.
		for i := 0; i < 3; i++ {
			f.c.Advance(25 * time.Minute)
			if _, _, err := f.svc.Authenticate(ctx, sess.Token); err != nil {
				t.Fatalf("use %d: %v", i, err)
			}
		}
		f.c.Advance(30 * time.Minute)
		_, _, err = f.svc.Authenticate(ctx, sess.Token)
		wantKind(t, err, errs.Unauthenticated, "session_expired")
		if n := f.scalar(t, `SELECT COUNT(*) FROM sessions`); n != 0 {
			t.Fatalf("expired session kept: %d", n)
		}
	})
}

func TestSessionAbsoluteTimeout(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.add(t, access.RoleEmployer, "440300000001")
		sess, err := f.svc.Login(ctx, "440300000001", pw, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		for elapsed := 20 * time.Minute; elapsed < 12*time.Hour; elapsed += 20 * time.Minute {
			f.c.Advance(20 * time.Minute)
			if _, _, err := f.svc.Authenticate(ctx, sess.Token); err != nil {
				t.Fatalf("after %v: %v", elapsed, err)
			}
		}
		f.c.Advance(20 * time.Minute) // 12 h since login
		_, _, err = f.svc.Authenticate(ctx, sess.Token)
		wantKind(t, err, errs.Unauthenticated, "session_expired")
	})
}

func TestLastSeenWrittenAtMostOncePerMinute(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.add(t, access.RoleEmployer, "440300000001")
		sess, err := f.svc.Login(ctx, "440300000001", pw, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		lastSeen := func() time.Time {
			var ts time.Time
			if err := d.R.QueryRow(`SELECT last_seen_at FROM sessions`).Scan(&ts); err != nil {
				t.Fatal(err)
			}
			return ts
		}
		login := lastSeen()
		f.c.Advance(59 * time.Second)
		if _, s, err := f.svc.Authenticate(ctx, sess.Token); err != nil || !s.LastSeenAt.Equal(login) {
			t.Fatalf("%v %v", s, err)
		}
		if !lastSeen().Equal(login) {
			t.Fatal("last_seen_at written within a minute")
		}
		f.c.Advance(time.Second)
		if _, _, err := f.svc.Authenticate(ctx, sess.Token); err != nil {
			t.Fatal(err)
		}
		if got := lastSeen(); !got.Equal(f.c.Now()) {
			t.Fatalf("last_seen_at %v, want %v", got, f.c.Now())
		}
	})
}

func TestLogoutAndLogoutAll(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		a := f.add(t, access.RoleStaff, "li", access.Office)
		s1, _ := f.svc.Login(ctx, "li", pw, "10.0.0.1")
		s2, _ := f.svc.Login(ctx, "li", pw, "10.0.0.2")
		s3, _ := f.svc.Login(ctx, "li", pw, "10.0.0.3")
		if err := f.svc.Logout(ctx, s1.Token); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Authenticate(ctx, s1.Token); err == nil {
			t.Fatal("logged-out session works")
		}
		if _, _, err := f.svc.Authenticate(ctx, s2.Token); err != nil {
			t.Fatal("logout ended another session")
		}
		if err := f.svc.LogoutAll(ctx, a); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{s2.Token, s3.Token} {
			if _, _, err := f.svc.Authenticate(ctx, s); err == nil {
				t.Fatal("session survived logout-all")
			}
		}
	})
}

func TestPurgeDeletesEndedSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.add(t, access.RoleStaff, "li", access.Office)
		f.svc.Login(ctx, "li", pw, "10.0.0.1")
		f.svc.Login(ctx, "li", "Wrong1234", "10.0.0.1")
		f.c.Advance(31 * time.Minute)
		live, _ := f.svc.Login(ctx, "li", pw, "10.0.0.2") // also sweeps li's dead session
		if n := f.scalar(t, `SELECT COUNT(*) FROM sessions`); n != 1 {
			t.Fatalf("login left %d sessions, want only the new one", n)
		}
		f.svc.Login(ctx, "nobody", "Wrong1234", "10.0.0.3")
		f.c.Advance(11 * time.Minute)
		if _, err := f.svc.Purge(ctx); err != nil {
			t.Fatal(err)
		}
		if n := f.scalar(t, `SELECT COUNT(*) FROM login_sources`); n != 0 {
			t.Fatalf("%d source counters left", n)
		}
		if _, _, err := f.svc.Authenticate(ctx, live.Token); err != nil {
			t.Fatal("purge ended a live session")
		}
		f.c.Advance(31 * time.Minute)
		if n, err := f.svc.Purge(ctx); err != nil || n != 1 {
			t.Fatalf("purged %d, %v", n, err)
		}
	})
}

// BenchmarkAuthenticate measures the per-request cost of a session on
// SQLite: one indexed read, no write (last_seen_at is fresh).
func BenchmarkAuthenticate(b *testing.B) {
	d := dbtest.SQLite(b)
	t := &testing.T{}
	f := newFixture(t, d)
	f.add(t, access.RoleEmployer, "440300000001")
	sess, err := f.svc.Login(context.Background(), "440300000001", pw, "10.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, _, err := f.svc.Authenticate(context.Background(), sess.Token); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

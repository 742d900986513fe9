package account_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

func TestLoginStartsSessionWithActor(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		staff := f.add(t, access.RoleStaff, "wang.li", access.Audit, access.Coordination)
		sess, err := f.svc.LoginWithAgent(ctx, "  Wang.Li ", pw, "10.0.0.1", "Mozilla/5.0 测试")
		if err != nil {
			t.Fatal(err)
		}
		if len(sess.Token) < 40 || sess.CSRF == "" || sess.Token == sess.CSRF {
			t.Fatalf("weak session %+v", sess)
		}
		if !sess.ExpiresAt.Equal(f.c.Now().Add(12 * time.Hour)) {
			t.Errorf("expires %v", sess.ExpiresAt)
		}
		// Only the hash of the token is stored.
		if n := f.scalar(t, `SELECT COUNT(*) FROM sessions WHERE id = $1`, sess.Token); n != 0 {
			t.Fatal("token stored in clear")
		}
		a, got, err := f.svc.Authenticate(ctx, sess.Token)
		if err != nil {
			t.Fatal(err)
		}
		if a.UserID != staff.UserID || a.Role != access.RoleStaff || a.Username != "wang.li" || got.CSRF != sess.CSRF {
			t.Fatalf("actor %+v session %+v", a, got)
		}
		// Sections come back in display order.
		if len(a.Sections) != 2 || a.Sections[0] != access.Coordination || a.Sections[1] != access.Audit {
			t.Fatalf("sections %v", a.Sections)
		}
		if _, _, err := f.svc.Authenticate(ctx, sess.Token+"x"); err == nil {
			t.Fatal("forged token accepted")
		}
	})
}

func TestLoginSameAnswerForUnknownUserAndWrongPassword(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.add(t, access.RoleEmployer, "440300000001")
		_, err1 := f.svc.Login(ctx, "440300000001", "Wrong1234", "10.0.0.1")
		_, err2 := f.svc.Login(ctx, "440300999999", pw, "10.0.0.1")
		e1 := wantKind(t, err1, errs.Unauthenticated, "bad_credentials")
		e2 := wantKind(t, err2, errs.Unauthenticated, "bad_credentials")
		if e1.Message != "用户名或密码错误" || e1.Message != e2.Message {
			t.Fatalf("messages differ: %q / %q", e1.Message, e2.Message)
		}
		_, err := f.svc.Login(ctx, "", "", "10.0.0.1")
		wantField(t, err, "username", "请输入用户名")
		wantField(t, err, "password", "请输入密码")
	})
}

func TestSuccessClearsTheDelayAndQuietDaysForgetIt(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.add(t, access.RoleStaff, "zhao", access.Fund)
		fail := func(n int) {
			t.Helper()
			for i := 0; i < n; i++ {
				_, err := f.svc.Login(ctx, "zhao", "Wrong1234", "10.0.0.1")
				wantKind(t, err, errs.Unauthenticated, "bad_credentials")
			}
		}
		fail(4)
		if _, err := f.svc.Login(ctx, "zhao", pw, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		if n := f.scalar(t, `SELECT failed_count FROM users WHERE username = 'zhao'`); n != 0 {
			t.Fatalf("failed_count %d after success", n)
		}
		fail(account.FreeAttempts) // counter restarted: all five are checked
		_, err := f.svc.Login(ctx, "zhao", "Wrong1234", "10.0.0.1")
		wantKind(t, err, errs.TooMany, "login_throttled")
		f.c.Advance(account.DelayForget)
		fail(account.FreeAttempts) // a day later the five free attempts are back
		f.c.Advance(time.Hour)
		if n, err := f.svc.Purge(ctx); err != nil || n != 1 {
			t.Fatalf("purge %d %v", n, err)
		}
		if n := f.scalar(t, `SELECT COUNT(*) FROM login_sources`); n != 0 {
			t.Errorf("%d source counters survived the purge", n)
		}
		if n := f.scalar(t, `SELECT COUNT(*) FROM login_delays`); n != 1 {
			t.Errorf("%d delay counters after the purge, want the recent one", n)
		}
	})
}

func TestIPThrottling(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		f.add(t, access.RoleStaff, "qian", access.Office)
		// 20 failures from one IP, spread over unknown usernames so no account locks.
		for i := 0; i < account.IPMaxFailures; i++ {
			_, err := f.svc.Login(ctx, "nobody"+string(rune('a'+i)), "Wrong1234", "203.0.113.7")
			wantKind(t, err, errs.Unauthenticated, "bad_credentials")
			f.c.Advance(10 * time.Second)
		}
		_, err := f.svc.Login(ctx, "qian", pw, "203.0.113.7")
		e := wantKind(t, err, errs.TooMany, "ip_throttled")
		if e.Message != "登录尝试过于频繁，请 7 分钟后再试" || e.RetryAfter != account.IPWindow-200*time.Second {
			t.Fatalf("message %q, retry after %v", e.Message, e.RetryAfter)
		}
		if _, err := f.svc.Login(ctx, "qian", pw, "198.51.100.1"); err != nil {
			t.Fatalf("other IP throttled: %v", err)
		}
		f.c.Advance(account.IPWindow)
		if _, err := f.svc.Login(ctx, "qian", pw, "203.0.113.7"); err != nil {
			t.Fatalf("IP still throttled after the window: %v", err)
		}
	})
}

func TestDisabledAccountCannotLogIn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		admin := f.admin(t)
		u := f.add(t, access.RoleStaff, "sun", access.Welfare)
		sess, err := f.svc.Login(ctx, "sun", pw, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.svc.Disable(ctx, admin, u.UserID, 1); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Authenticate(ctx, sess.Token); err == nil {
			t.Fatal("session survived disabling")
		}
		_, err = f.svc.Login(ctx, "sun", pw, "10.0.0.1")
		wantKind(t, err, errs.Forbidden, "account_disabled")
		// A wrong password on a disabled account says nothing about it.
		_, err = f.svc.Login(ctx, "sun", "Wrong1234", "10.0.0.1")
		wantKind(t, err, errs.Unauthenticated, "bad_credentials")
		if err := f.svc.Enable(ctx, admin, u.UserID, 2); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Login(ctx, "sun", pw, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestPersonLoginNormalisesIDNumber(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		err := f.d.WithTx(ctx, func(tx *sqlTx) error {
			return f.svc.CreatePersonAccount(ctx, tx, 9, "11010519491231002x", "Initial99")
		})
		if err != nil {
			t.Fatal(err)
		}
		sess, err := f.svc.Login(ctx, " 11010519491231002x ", "Initial99", "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if sess.Actor.Username != "11010519491231002X" || sess.Actor.PersonID != 9 || sess.Actor.Role != access.RolePerson {
			t.Fatalf("actor %+v", sess.Actor)
		}
		if !sess.MustChangePassword {
			t.Fatal("initial password not flagged for change")
		}
		err = f.d.WithTx(ctx, func(tx *sqlTx) error {
			return f.svc.CreatePersonAccount(ctx, tx, 10, "110105194912310021", "Initial99")
		})
		wantField(t, err, "id_number", "")
		err = f.d.WithTx(ctx, func(tx *sqlTx) error {
			return f.svc.CreatePersonAccount(ctx, tx, 11, "11010519491231002X", "Initial99")
		})
		wantKind(t, err, errs.Conflict, "username_taken")
	})
}

func TestCreateEmployerAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		var initial string
		err := f.d.WithTx(ctx, func(tx *sqlTx) (err error) {
			initial, err = f.svc.CreateEmployerAccount(ctx, tx, 42, "440300000042")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(initial) < 12 {
			t.Fatalf("initial password %d chars", len(initial))
		}
		sess, err := f.svc.Login(ctx, "440300000042", initial, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if !sess.MustChangePassword || sess.Actor.EmployerID != 42 || sess.Actor.Role != access.RoleEmployer {
			t.Fatalf("session %+v actor %+v", sess, sess.Actor)
		}
		// Rolled back with the caller's transaction.
		_ = f.d.WithTx(ctx, func(tx *sqlTx) error {
			if _, err := f.svc.CreateEmployerAccount(ctx, tx, 43, "440300000043"); err != nil {
				t.Fatal(err)
			}
			return errs.New(errs.Invalid, "x", "rollback")
		})
		if n := f.scalar(t, `SELECT COUNT(*) FROM users WHERE username = '440300000043'`); n != 0 {
			t.Fatal("account survived rollback")
		}
		err = f.d.WithTx(ctx, func(tx *sqlTx) error {
			_, err := f.svc.CreateEmployerAccount(ctx, tx, 44, "440300000042")
			return err
		})
		wantKind(t, err, errs.Conflict, "username_taken")
	})
}

func TestNewInitialPassword(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 200; i++ {
		p := account.NewInitialPassword()
		if len(p) < 12 || seen[p] || strings.ContainsAny(p, "0O1lI") {
			t.Fatalf("bad initial password %q", p)
		}
		if !strings.ContainsAny(p, "23456789") || strings.Trim(p, "23456789-") == "" {
			t.Fatalf("needs letters and digits: %q", p)
		}
		seen[p] = true
	}
}

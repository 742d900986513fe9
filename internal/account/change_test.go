package account_test

import (
	"context"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

func TestChangePasswordPolicy(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		a := f.add(t, access.RoleStaff, "zhou8888", access.Office)
		cases := []struct {
			old, new, field, msg string
		}{
			{"", "Better123", "old_password", "请输入原密码"},
			{pw, "", "new_password", "请输入新密码"},
			{pw, "Ab1", "new_password", "新密码至少需要 8 位"},
			{pw, "abcdefghij", "new_password", "新密码须同时包含字母和数字"},
			{pw, "1234567890", "new_password", "新密码须同时包含字母和数字"},
			{pw, "ZHOU8888", "new_password", "新密码不能与用户名相同"},
			{pw, pw, "new_password", "新密码不能与原密码相同"},
			{"Wrong1234", "Better123", "old_password", "原密码不正确"},
		}
		for _, c := range cases {
			err := f.svc.ChangePassword(ctx, a, c.old, c.new)
			wantField(t, err, c.field, c.msg)
		}
		if _, err := f.svc.Login(ctx, "zhou8888", pw, "10.0.0.1"); err != nil {
			t.Fatal("password changed by a refused attempt")
		}
	})
}

func TestChangePasswordEndsSessionsAndClearsForcedChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		var initial string
		err := f.d.WithTx(ctx, func(tx *sqlTx) (err error) {
			initial, err = f.svc.CreateEmployerAccount(ctx, tx, 5, "440300000005")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		sess, err := f.svc.Login(ctx, "440300000005", initial, "10.0.0.1")
		if err != nil || !sess.MustChangePassword {
			t.Fatalf("%+v %v", sess, err)
		}
		if err := f.svc.ChangePassword(ctx, sess.Actor, initial, "NewPass2024"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Authenticate(ctx, sess.Token); err == nil {
			t.Fatal("session survived the password change")
		}
		_, err = f.svc.Login(ctx, "440300000005", initial, "10.0.0.1")
		wantKind(t, err, errs.Unauthenticated, "bad_credentials")
		sess, err = f.svc.Login(ctx, "440300000005", "NewPass2024", "10.0.0.1")
		if err != nil || sess.MustChangePassword {
			t.Fatalf("%+v %v", sess, err)
		}
	})
}

func TestWrongOldPasswordCountsTowardsTheDelay(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		a := f.add(t, access.RoleStaff, "wu", access.Office)
		for i := 0; i < account.FreeAttempts; i++ {
			wantField(t, f.svc.ChangePassword(ctx, a, "Wrong1234", "Better123"), "old_password", "原密码不正确")
		}
		wantKind(t, f.svc.ChangePassword(ctx, a, pw, "Better123"), errs.TooMany, "login_throttled")
		if n := f.scalar(t, `SELECT failed_count FROM users WHERE id = $1`, a.UserID); n != account.FreeAttempts {
			t.Fatalf("staff failures %d", n)
		}
		// The form's delay is its own: logging in from an IP is not held back.
		if _, err := f.svc.Login(ctx, "wu", pw, "10.0.0.1"); err != nil {
			t.Fatal(err)
		}
		f.c.Advance(time.Second)
		if err := f.svc.ChangePassword(ctx, a, pw, "Better123"); err != nil {
			t.Fatal(err)
		}
	})
}

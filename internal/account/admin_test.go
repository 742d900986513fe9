package account_test

import (
	"context"
	"fmt"
	"testing"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

// TestAdminActionsRefuseOthers proves the service itself, not only the
// web layer, keeps every administrative action to administrators.
func TestAdminActionsRefuseOthers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		admin := f.admin(t)
		victim := f.add(t, access.RoleStaff, "victim", access.Fund)
		key, err := f.svc.CreateAPIClient(ctx, admin, "市人民医院", account.KindHospital)
		if err != nil {
			t.Fatal(err)
		}
		clients, _ := f.svc.ListAPIClients(ctx, admin)
		api, err := f.svc.AuthenticateAPIKey(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		actors := map[string]*access.Actor{
			"anonymous":  nil,
			"employer":   f.add(t, access.RoleEmployer, "440300000001"),
			"person":     f.add(t, access.RolePerson, "11010519491231002X"),
			"staff-all8": f.add(t, access.RoleStaff, "allsections", access.Sections...),
			"api":        api,
		}
		actions := map[string]func(a *access.Actor) error{
			"CreateStaff": func(a *access.Actor) error {
				_, err := f.svc.CreateStaff(ctx, a, "newbie", "新人", []access.Section{access.Fund}, false)
				return err
			},
			"ResetPassword": func(a *access.Actor) error { _, err := f.svc.ResetPassword(ctx, a, victim.UserID); return err },
			"SetSections": func(a *access.Actor) error {
				return f.svc.SetSections(ctx, a, victim.UserID, 1, []access.Section{access.Audit})
			},
			"Disable":   func(a *access.Actor) error { return f.svc.Disable(ctx, a, victim.UserID, 1) },
			"Enable":    func(a *access.Actor) error { return f.svc.Enable(ctx, a, victim.UserID, 1) },
			"ListUsers": func(a *access.Actor) error { _, err := f.svc.ListUsers(ctx, a, account.UserFilter{}, 1); return err },
			"GetUser":   func(a *access.Actor) error { _, err := f.svc.GetUser(ctx, a, victim.UserID); return err },
			"CreateAPIClient": func(a *access.Actor) error {
				_, err := f.svc.CreateAPIClient(ctx, a, "某银行", account.KindBank)
				return err
			},
			"RevokeAPIClient": func(a *access.Actor) error { return f.svc.RevokeAPIClient(ctx, a, clients[0].ID) },
			"ListAPIClients":  func(a *access.Actor) error { _, err := f.svc.ListAPIClients(ctx, a); return err },
		}
		for an, a := range actors {
			for name, act := range actions {
				want := errs.Forbidden
				if a == nil {
					want = errs.Unauthenticated
				}
				if k := errs.KindOf(act(a)); k != want {
					t.Errorf("%s by %s: got %s, want %s", name, an, k, want)
				}
			}
		}
		// Nothing changed.
		if _, err := f.svc.Login(ctx, "victim", pw, "10.0.0.1"); err != nil {
			t.Fatal("victim's password changed")
		}
		if n := f.scalar(t, `SELECT COUNT(*) FROM users WHERE username = 'newbie'`); n != 0 {
			t.Fatal("staff created by a non-admin")
		}
	})
}

func TestCreateStaffAndSections(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		admin := f.admin(t)
		_, err := f.svc.CreateStaff(ctx, admin, "", "", nil, false)
		wantField(t, err, "username", "请填写工号（用户名）")
		wantField(t, err, "display_name", "请填写姓名")
		wantField(t, err, "sections", "请至少选择一个科室")
		_, err = f.svc.CreateStaff(ctx, admin, "Bad Name", "张三", []access.Section{"nope"}, false)
		wantField(t, err, "username", "工号只能包含小写字母、数字和 . _ -")
		wantField(t, err, "sections", "科室无效：nope")
		_, err = f.svc.CreateStaff(ctx, admin, "11010519491231002X", "张三", []access.Section{access.Fund}, false)
		wantField(t, err, "username", "工号不能使用公民身份号码")

		initial, err := f.svc.CreateStaff(ctx, admin, "Zhang.San", "张三", []access.Section{access.Injury, access.Coordination, access.Injury}, false)
		if err != nil {
			t.Fatal(err)
		}
		sess, err := f.svc.Login(ctx, "zhang.san", initial, "10.0.0.1")
		if err != nil {
			t.Fatal(err)
		}
		if !sess.MustChangePassword || sess.Actor.Role != access.RoleStaff ||
			fmt.Sprint(sess.Actor.Sections) != "[coordination injury]" {
			t.Fatalf("%+v %+v", sess, sess.Actor)
		}
		_, err = f.svc.CreateStaff(ctx, admin, "zhang.san", "张三", []access.Section{access.Fund}, false)
		wantKind(t, err, errs.Conflict, "username_taken")

		if err := f.svc.SetSections(ctx, admin, sess.UserID, 1, []access.Section{access.Audit}); err != nil {
			t.Fatal(err)
		}
		a, _, err := f.svc.Authenticate(ctx, sess.Token)
		if err != nil || fmt.Sprint(a.Sections) != "[audit]" {
			t.Fatalf("sections not applied to the live session: %v %v", a, err)
		}
		wantKind(t, f.svc.SetSections(ctx, admin, sess.UserID, 1, []access.Section{access.Fund}), errs.Conflict, "stale_version")
		wantField(t, f.svc.SetSections(ctx, admin, sess.UserID, 2, nil), "sections", "请至少选择一个科室")

		// An administrator belongs to every section whatever is stored.
		if _, err := f.svc.CreateStaff(ctx, admin, "boss", "主任", nil, true); err != nil {
			t.Fatal(err)
		}
	})
}

func TestResetPasswordLiftsLockAndEndsSessions(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		admin := f.admin(t)
		u := f.add(t, access.RoleEmployer, "440300000001")
		sess, _ := f.svc.Login(ctx, "440300000001", pw, "10.0.0.1")
		for i := 0; i < 5; i++ {
			f.svc.Login(ctx, "440300000001", "Wrong1234", "10.0.0.1")
		}
		fresh, err := f.svc.ResetPassword(ctx, admin, u.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Authenticate(ctx, sess.Token); err == nil {
			t.Fatal("session survived the reset")
		}
		s2, err := f.svc.Login(ctx, "440300000001", fresh, "10.0.0.2")
		if err != nil || !s2.MustChangePassword {
			t.Fatalf("%+v %v", s2, err)
		}
		_, err = f.svc.ResetPassword(ctx, admin, admin.UserID)
		wantKind(t, err, errs.Invalid, "reset_self")
		_, err = f.svc.ResetPassword(ctx, admin, 99999)
		wantKind(t, err, errs.NotFound, "")
		wantKind(t, f.svc.Disable(ctx, admin, admin.UserID, 1), errs.Invalid, "disable_self")
		wantKind(t, f.svc.Disable(ctx, admin, u.UserID, 1), errs.Conflict, "stale_version")
	})
}

func TestListUsersSearchAndPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		admin := f.admin(t)
		for i := 0; i < account.PageSize+5; i++ {
			f.add(t, access.RoleStaff, fmt.Sprintf("clerk%02d", i), access.Fund)
		}
		f.add(t, access.RolePerson, "11010519491231002X")
		p1, err := f.svc.ListUsers(ctx, admin, account.UserFilter{Query: "CLERK"}, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(p1.Users) != account.PageSize || !p1.HasNext || p1.Users[0].Username != "clerk00" {
			t.Fatalf("page 1: %d users, next %v", len(p1.Users), p1.HasNext)
		}
		if fmt.Sprint(p1.Users[0].Sections) != "[fund]" {
			t.Fatalf("sections %v", p1.Users[0].Sections)
		}
		p2, _ := f.svc.ListUsers(ctx, admin, account.UserFilter{Query: "clerk"}, 2)
		if len(p2.Users) != 5 || p2.HasNext {
			t.Fatalf("page 2: %d users, next %v", len(p2.Users), p2.HasNext)
		}
		pp, _ := f.svc.ListUsers(ctx, admin, account.UserFilter{Role: access.RolePerson}, 1)
		if len(pp.Users) != 1 || pp.Users[0].MaskedUsername() != "1101**********002X" {
			t.Fatalf("persons: %+v", pp.Users)
		}
		// LIKE wildcards in the query are literal.
		none, _ := f.svc.ListUsers(ctx, admin, account.UserFilter{Query: "clerk_%"}, 1)
		if len(none.Users) != 0 {
			t.Fatalf("wildcards matched %d", len(none.Users))
		}
	})
}

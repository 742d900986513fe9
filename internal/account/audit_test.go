package account_test

import (
	"context"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// TestEveryChangeIsAudited checks that each account change leaves an
// entry, and that no entry holds a clear ID number or a password.
func TestEveryChangeIsAudited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		admin := f.admin(t)
		const idNo = "11010519491231002X"
		var secrets []string
		err := d.WithTx(ctx, func(tx *sqlTx) error {
			if err := f.svc.CreatePersonAccount(ctx, tx, 1, idNo, "Initial99"); err != nil {
				return err
			}
			pw, err := f.svc.CreateEmployerAccount(ctx, tx, 2, "440300000002")
			secrets = append(secrets, pw)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		staffPw, err := f.svc.CreateStaff(ctx, admin, "auditee", "审计对象", []access.Section{access.Fund}, false)
		if err != nil {
			t.Fatal(err)
		}
		sess, _ := f.svc.Login(ctx, "auditee", staffPw, "10.0.0.1")
		must(t, f.svc.ChangePassword(ctx, sess.Actor, staffPw, "Changed2024"))
		must(t, f.svc.SetSections(ctx, admin, sess.UserID, 2, []access.Section{access.Audit}))
		must(t, f.svc.Disable(ctx, admin, sess.UserID, 3))
		must(t, f.svc.Enable(ctx, admin, sess.UserID, 4))
		person := f.scalar(t, `SELECT id FROM users WHERE role = 'person'`)
		reset, err := f.svc.ResetPassword(ctx, admin, person)
		must(t, err)
		locking := account.New(d, f.c, audit.NewService(d, f.c), account.Options{StaffLockAfter: 3, HashParams: account.TestHashParams})
		for i := 0; i < 3; i++ {
			locking.Login(ctx, "auditee", "Wrong1234", "10.0.0.1")
		}
		must(t, f.svc.Unlock(ctx, admin, sess.UserID))
		key, err := f.svc.CreateAPIClient(ctx, admin, "医院", account.KindHospital)
		must(t, err)
		list, _ := f.svc.ListAPIClients(ctx, admin)
		must(t, f.svc.RevokeAPIClient(ctx, admin, list[0].ID))
		secrets = append(secrets, staffPw, "Changed2024", "Initial99", reset, key, pw)

		rows, err := d.R.QueryContext(ctx, `SELECT action, before_json, after_json, note FROM audit_log ORDER BY seq`)
		must(t, err)
		defer rows.Close()
		var actions []string
		for rows.Next() {
			var action, before, after, note string
			must(t, rows.Scan(&action, &before, &after, &note))
			actions = append(actions, action)
			all := before + after + note
			for _, s := range append(secrets, idNo, "$argon2id") {
				if strings.Contains(all, s) {
					t.Errorf("%s entry holds %q: %s", action, s, all)
				}
			}
			if action == "account.create" && strings.Contains(all, `"person"`) && !strings.Contains(all, "1101**********002X") {
				t.Errorf("person entry without masked ID: %s", all)
			}
		}
		want := "account.create account.create account.create account.password.change account.sections account.disable " +
			"account.enable account.password.reset account.lock account.unlock api_client.create api_client.revoke"
		if got := strings.Join(actions, " "); got != want {
			t.Fatalf("actions\n got %s\nwant %s", got, want)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

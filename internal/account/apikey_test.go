package account_test

import (
	"context"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

func TestAPIKeyLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		admin := f.admin(t)
		_, err := f.svc.CreateAPIClient(ctx, admin, "", "school")
		wantField(t, err, "name", "")
		wantField(t, err, "kind", "请选择类型：医院、银行、区人社局或民政部门")
		key, err := f.svc.CreateAPIClient(ctx, admin, "工商银行某支行", account.KindBank)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(key, "sbk_") || len(key) < 50 {
			t.Fatalf("key %q", key)
		}
		if n := f.scalar(t, `SELECT COUNT(*) FROM api_clients WHERE key_hash = $1`, key); n != 0 {
			t.Fatal("key stored in clear")
		}
		a, err := f.svc.AuthenticateAPIKey(ctx, key)
		if err != nil {
			t.Fatal(err)
		}
		if a.Role != access.RoleAPI || a.ClientKind != account.KindBank || a.UserID == 0 || a.IsStaff() {
			t.Fatalf("actor %+v", a)
		}
		for _, bad := range []string{"", "sbk_", key[:len(key)-1] + "x", "sbk_00000000_" + key[13:], strings.ToUpper(key)} {
			_, err := f.svc.AuthenticateAPIKey(ctx, bad)
			wantKind(t, err, errs.Unauthenticated, "bad_api_key")
		}
		// The client's account cannot log in with a password.
		_, err = f.svc.Login(ctx, a.Username, "!", "10.0.0.1")
		wantKind(t, err, errs.Unauthenticated, "bad_credentials")

		list, _ := f.svc.ListAPIClients(ctx, admin)
		if len(list) != 1 || list[0].Revoked() || list[0].LastUsedAt.IsZero() || !strings.Contains(key, list[0].KeyPrefix) {
			t.Fatalf("list %+v", list)
		}
		if err := f.svc.RevokeAPIClient(ctx, admin, list[0].ID); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.AuthenticateAPIKey(ctx, key)
		wantKind(t, err, errs.Unauthenticated, "bad_api_key")
		wantKind(t, f.svc.RevokeAPIClient(ctx, admin, list[0].ID), errs.Conflict, "already_revoked")
		wantKind(t, f.svc.RevokeAPIClient(ctx, admin, 999), errs.NotFound, "")
		// API clients are not listed among users.
		page, _ := f.svc.ListUsers(ctx, admin, account.UserFilter{}, 1)
		for _, u := range page.Users {
			if u.Role == access.RoleAPI {
				t.Fatal("api client listed as user")
			}
		}
	})
}

// TestBureauAPIKey: the HR bureau pushes recognition decisions with a key
// of its own kind, which the database accepts on both engines.
func TestBureauAPIKey(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		key, err := f.svc.CreateAPIClient(ctx, f.admin(t), "某区人力资源和社会保障局", account.KindBureau)
		if err != nil {
			t.Fatal(err)
		}
		if b, err := f.svc.AuthenticateAPIKey(ctx, key); err != nil || b.ClientKind != account.KindBureau {
			t.Fatalf("bureau key: %+v %v", b, err)
		}
	})
}

package main

import (
	"context"
	"database/sql"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app"
	"shebao/internal/errs"
)

// TestUnlockCommand: an administrator locked by failed logins (so nobody
// can unlock on /admin) is unlocked from the server's console, once.
func TestUnlockCommand(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	open := func() *app.App {
		a, err := app.Open(ctx, app.Config{DataDir: data, LogOut: io.Discard, StaffLockAfter: 2, HashParams: account.TestHashParams})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := open()
	hash, err := a.Accounts.HashPassword(ctx, "Admin2024x")
	if err != nil {
		t.Fatal(err)
	}
	err = a.DB.WithTx(ctx, func(tx *sql.Tx) error {
		_, err := a.Accounts.ImportAccount(ctx, tx, account.NewAccount{Role: access.RoleAdmin, Username: "root", PasswordHash: hash, DisplayName: "管理员"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, ip := range []string{"192.0.2.1", "192.0.2.2"} {
		a.Accounts.Login(ctx, "root", "Wrong1234", ip)
	}
	_, err = a.Accounts.Login(ctx, "root", "Admin2024x", "10.0.0.1")
	if e := errs.As(err); e == nil || e.Code != "unlock_required" {
		t.Fatalf("not locked: %v", err)
	}
	a.Close()

	if err := runUnlock(ctx, []string{"--data", data, "Root"}); err != nil {
		t.Fatal(err)
	}
	if err := runUnlock(ctx, []string{"--data", data, "root"}); err == nil || !strings.Contains(err.Error(), "未被锁定") {
		t.Fatalf("second unlock: %v", err)
	}
	if err := runUnlock(ctx, []string{"--data", data, "nobody"}); err == nil || !strings.Contains(err.Error(), "没有用户名为 nobody") {
		t.Fatalf("unknown user: %v", err)
	}
	a = open()
	defer a.Close()
	if _, err := a.Accounts.Login(ctx, "root", "Admin2024x", "10.0.0.1"); err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	var n int
	a.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'account.unlock' AND actor_id = 0`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d console unlock audit entries, want 1", n)
	}
}

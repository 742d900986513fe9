package account_test

import (
	"context"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/db/dbtest"
)

func TestHashesVerifyWithTheirOwnParameters(t *testing.T) {
	d := dbtest.SQLite(t)
	f := newFixture(t, d)
	ctx := context.Background()
	f.add(t, access.RoleStaff, "cheap", access.Fund) // hashed with TestHashParams
	dearer := account.New(d, f.c, audit.NewService(d, f.c), account.Options{HashParams: account.HashParams{Memory: 128, Time: 2, Threads: 1}})
	h, err := dearer.HashPassword(ctx, pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=128,t=2,p=1$") || strings.Contains(h, pw) {
		t.Fatalf("hash %q", h)
	}
	h2, _ := dearer.HashPassword(ctx, pw)
	if h == h2 {
		t.Fatal("same salt twice")
	}
	if _, err := dearer.Login(ctx, "cheap", pw, "10.0.0.1"); err != nil {
		t.Fatalf("older hash no longer verifies: %v", err)
	}
}

// BenchmarkLoginProductionParams measures one login (argon2id with
// DefaultHashParams, session insert) on SQLite; the target is < 150 ms.
func BenchmarkLoginProductionParams(b *testing.B) {
	d := dbtest.SQLite(b)
	f := newFixtureWith(&testing.T{}, d, account.DefaultHashParams)
	ctx := context.Background()
	hash, _ := f.svc.HashPassword(ctx, pw)
	tx, _ := d.W.Begin()
	if _, err := f.svc.ImportAccount(ctx, tx, account.NewAccount{Role: access.RoleStaff, Username: "bench", PasswordHash: hash}); err != nil {
		b.Fatal(err)
	}
	tx.Commit()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := f.svc.Login(ctx, "bench", pw, "10.0.0.1"); err != nil {
			b.Fatal(err)
		}
	}
}

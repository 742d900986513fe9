package policy_test

import (
	"context"
	"testing"
	"time"

	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/policy"
)

// Two servers share one database: a change made on one is seen by the
// other once its cache TTL has passed, and at once by the one that made it.
func TestCacheSeesOtherServersChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		one, _ := newService(t, d, "2024-02-10")
		c := clock.NewFixed(date(t, "2024-02-10").Add(9 * time.Hour))
		two := policy.NewService(d, c, audit.NewService(d, c))
		two.SetCacheTTL(time.Hour)
		if b, err := two.Banner(ctx); err != nil || b != nil {
			t.Fatalf("banner before declaring: %v %v", b, err)
		}
		e := declare2024(t, one)
		if b, _ := one.Banner(ctx); b == nil {
			t.Fatal("the declaring server does not see its own emergency")
		}
		if b, _ := two.Banner(ctx); b != nil {
			t.Fatal("within its TTL the other server should still use its snapshot")
		}
		two.SetCacheTTL(0)
		if b, _ := two.Banner(ctx); b == nil || b.Title != e.Title {
			t.Fatalf("other server after TTL: %+v", b)
		}
		// Rules too.
		if _, err := one.AddRule(ctx, admin, policy.RuleInput{Key: policy.KeyCollectionDueDay, From: "2024-03-01", Value: "20", LegalBasis: "测试"}); err != nil {
			t.Fatal(err)
		}
		due, _, err := two.CollectionDue(ctx, "2024-03")
		if err != nil || dayOf(due) != "2024-04-20" {
			t.Fatalf("other server's due date %s %v", dayOf(due), err)
		}
	})
}

// BenchmarkBanner measures the per-page cost of the banner while an
// emergency is active (go test -bench Banner ./internal/policy/).
func BenchmarkBanner(b *testing.B) {
	d := dbtest.SQLite(b)
	c := clock.NewFixed(date(b, "2024-02-10").Add(9 * time.Hour))
	s := policy.NewService(d, c, audit.NewService(d, c))
	ctx := context.Background()
	if err := s.SeedDefaults(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := s.Declare(ctx, admin, policy.Epidemic2024()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if bn, err := s.Banner(ctx); err != nil || bn == nil {
				b.Fatal("no banner", err)
			}
		}
	})
}

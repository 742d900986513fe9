package account_test

import (
	"context"
	"maps"
	"testing"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// TestDisplayNames names the stored usernames of a list in one call:
// accounts give their display names, unknown names are left out.
func TestDisplayNames(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		f.add(t, access.RoleStaff, "jijin", access.Fund)
		f.add(t, access.RoleStaff, "fuli", access.Welfare)
		got, err := f.svc.DisplayNames(context.Background(), []string{"jijin", "fuli", "jijin", "nobody", ""})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"jijin": "测试jijin", "fuli": "测试fuli"}
		if !maps.Equal(got, want) {
			t.Fatalf("names = %v, want %v", got, want)
		}
		if got, err := f.svc.DisplayNames(context.Background(), nil); err != nil || len(got) != 0 {
			t.Fatalf("no usernames: %v, %v", got, err)
		}
	})
}

package app_test

import (
	"context"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/policy"
	"shebao/internal/recovery"
)

// TestRegisterListsMissedCertifications: eligibility certifications that
// fell due during the emergency enter the recovery register for 保险福利科
// through the retirement line's service; one made since is made up, one
// not yet due stays out.
func TestRegisterListsMissedCertifications(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		a := env.App
		if _, err := a.Policy.Declare(ctx, env.Actor(t, apptest.Admin), policy.Epidemic2024()); err != nil {
			t.Fatal(err)
		}
		now := env.Clock.Now()
		for i, p := range []struct {
			key, first string
		}{{apptest.PersonA, "2023-02"}, {apptest.PersonB, "2023-03"}} {
			id := env.Actor(t, p.key).PersonID
			if _, err := a.DB.W.ExecContext(ctx, `INSERT INTO pensioners (person_id, name, id_number, first_month, status, created_by, created_at, updated_at)
				VALUES ($1, $2, '110101194501010010', $3, 'active', 'test', $4, $4)`, id, []string{"张伟", "李娜"}[i], p.first, now); err != nil {
				t.Fatal(err)
			}
		}
		b := env.Actor(t, apptest.PersonB).PersonID
		if _, err := a.DB.W.ExecContext(ctx, `INSERT INTO pension_certifications (person_id, certified_on, method, created_at)
			VALUES ($1, '2024-03-20', 'self', $2)`, b, now); err != nil {
			t.Fatal(err)
		}
		env.Clock.Set(time.Date(2024, 4, 10, 9, 0, 0, 0, clock.Shanghai))
		if _, err := a.Recovery.Daily(ctx); err != nil {
			t.Fatal(err)
		}
		res, err := a.Recovery.List(ctx, env.Actor(t, apptest.Staff(access.Welfare)), recovery.Filter{Kind: recovery.KindCertification})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Items) != 2 {
			t.Fatalf("certification items %+v", res.Items)
		}
		for _, it := range res.Items {
			want := recovery.Open
			if it.PartyID == b {
				want = recovery.MadeUp
			}
			if it.Status != want || it.Section != access.Welfare || it.PartyKind != "person" {
				t.Errorf("item %+v, want status %s", it, want)
			}
		}
	})
}

package upkeep_test

import (
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app/apptest"
	"shebao/internal/upkeep"
)

// TestRetireeIsToldOfAppliedCorrections: applying a batch sends each
// retiree whose records it changed a message naming the corrected months
// and whether the pension is recomputed, without the ID number; applying
// the batch again sends nothing more.
func TestRetireeIsToldOfAppliedCorrections(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		f := retiree(t, env)
		me := env.AddLogin(t, account.NewAccount{Role: access.RolePerson, Username: f.idn, PersonID: f.pid, DisplayName: "周建国"}, false)
		small := f.raise(t, "2012-04", "", "6001", "")
		f.batch(t, small.ID)
		big := f.raise(t, "2010-01", "2010-12", "9000", "")
		second := f.batch(t, big.ID)
		if _, err := env.App.Upkeep.Apply(bg, f.acct2, second.ID); err != nil {
			t.Fatal(err)
		}
		rows, err := env.App.DB.W.Query(`SELECT subject, body FROM user_messages WHERE user_id = $1 AND kind = $2 ORDER BY id`,
			me.ID, upkeep.NotifyKind)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var bodies []string
		for rows.Next() {
			var subject, body string
			if err := rows.Scan(&subject, &body); err != nil {
				t.Fatal(err)
			}
			if subject != "缴费记录已更正" {
				t.Errorf("subject %q", subject)
			}
			bodies = append(bodies, body)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if len(bodies) != 2 {
			t.Fatalf("%d messages, want one per applied batch: %q", len(bodies), bodies)
		}
		after := second.Items[0].After.String()
		for i, want := range [][]string{
			{"2012年4月", "1 个月", small.No, "月基本养老金不变，无需重新核定"},
			{"2010年1月 至 2010年12月", "12 个月", big.No, "重新计算为 " + after + " 元", "保险福利科重新核定"},
		} {
			for _, w := range want {
				if !strings.Contains(bodies[i], w) {
					t.Errorf("message %d lacks %q: %s", i+1, w, bodies[i])
				}
			}
			if strings.Contains(bodies[i], f.idn) || strings.Contains(bodies[i], f.idn[:6]) {
				t.Errorf("message %d shows the ID number: %s", i+1, bodies[i])
			}
		}
	})
}

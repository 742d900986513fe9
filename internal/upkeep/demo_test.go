package upkeep_test

import (
	"testing"

	"shebao/internal/app/apptest"
	"shebao/internal/demo"
	"shebao/internal/upkeep"
)

// TestDemoUpkeep: the demo has one correction pending in 个人账户科's queue
// and one batch checked by a second clerk and applied, both for the demo
// retiree with a login, who sees them on the portal.
func TestDemoUpkeep(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		a := env.App
		res, err := demo.Generate(bg, demo.Deps{DB: a.DB, Clock: a.Clock, Log: a.Log, Audit: a.Audit, Accounts: a.Accounts,
			Policy: a.Policy, Employers: a.Employers, Payouts: a.Payouts, Payroll: a.Payroll, Upkeep: a.Upkeep},
			demo.Options{Employers: 5, Persons: 40, Retirees: 3, Months: -1, Force: true, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		if res.Upkeep == nil || res.Upkeep.Pending == "" || res.Upkeep.Batch == "" || res.Pensions.Login == nil {
			t.Fatalf("demo upkeep %+v", res.Upkeep)
		}
		list, total, err := a.Upkeep.List(bg, env.Actor(t, apptest.Admin), upkeep.Filter{})
		if err != nil || total != 2 {
			t.Fatalf("corrections %d %v", total, err)
		}
		statuses := map[string]string{}
		for _, c := range list {
			statuses[c.No] = c.Status
		}
		if statuses[res.Upkeep.Pending] != upkeep.Pending {
			t.Fatalf("statuses %v", statuses)
		}
		bs, _, err := a.Upkeep.Batches(bg, env.Actor(t, apptest.Admin), 1)
		if err != nil || len(bs) != 1 || bs[0].No != res.Upkeep.Batch || bs[0].Status != upkeep.BatchApplied || bs[0].CheckedBy == bs[0].PreparedBy {
			t.Fatalf("batches %+v %v", bs, err)
		}
		c := env.Login(t, res.Pensions.Login.Username, res.Pensions.Login.Password)
		c.Get(t, "/person/record-corrections").WantStatus(t, 200).WantBody(t, "1998年3月", "未到账", "已到账", "无需重新核定养老金", res.Upkeep.Pending)
	})
}

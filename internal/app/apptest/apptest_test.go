package apptest_test

import (
	"net/http"
	"testing"

	"shebao/internal/app/apptest"
)

// TestEveryUserLogsIn checks the seeded users: each logs in (or presents
// its key) and /api/v1/me names it with its role.
func TestEveryUserLogsIn(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		if len(env.Users) != 18 { // staff of each section, admin, two employers, two persons, four API clients, a hospital web user
			t.Fatalf("%d users", len(env.Users))
		}
		for key, u := range env.Users {
			c := env.LoginAs(t, key)
			var me struct {
				UserID     int64  `json:"user_id"`
				Role       string `json:"role"`
				EmployerID int64  `json:"employer_id"`
				PersonID   int64  `json:"person_id"`
			}
			c.Get(t, "/api/v1/me").WantStatus(t, http.StatusOK).JSON(t, &me)
			if me.UserID != u.ID || me.Role != string(u.Role) || me.EmployerID != u.EmployerID || me.PersonID != u.PersonID {
				t.Errorf("%s: me %+v, user %+v", key, me, u)
			}
		}
	})
}

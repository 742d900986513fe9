package injury_test

import (
	"net/http"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// TestDeferredOriginalsAPI walks 容缺 and 告知承诺 through the JSON API: the
// employer commits, the audit section lists the owed original and flags the
// commitment false, the clerk ticks the original off, and other actors are
// refused.
func TestDeferredOriginalsAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		workerID := employ(t, env)
		boss := env.LoginAs(t, apptest.EmployerA)
		no := caseNoRe.FindStringSubmatch(reportForm(t, boss, accident(workerID),
			map[string][]byte{"a.png": pngBytes(t)}).WantStatus(t, http.StatusSeeOther).Location())[1]
		clerk := env.LoginAs(t, apptest.Staff(access.Injury))
		clerk.PostJSON(t, "/api/v1/cases/"+no+"/claim", map[string]any{"version": 1}).WantStatus(t, http.StatusOK)
		clerk.PostJSON(t, "/api/v1/cases/"+no+"/accept-missing", map[string]any{"version": 2,
			"items": []string{"工伤事故报告表"}}).WantStatus(t, http.StatusOK)

		boss.PostJSON(t, "/api/v1/cases/"+no+"/commitments", map[string]any{"item": "工伤事故报告表"}).
			WantStatus(t, http.StatusOK)
		env.LoginAs(t, apptest.EmployerB).PostJSON(t, "/api/v1/cases/"+no+"/commitments",
			map[string]any{"item": "工伤事故报告表"}).WantStatus(t, http.StatusNotFound)

		auditor := env.LoginAs(t, apptest.Staff(access.Audit))
		var owed struct {
			Items []struct {
				ID     int64  `json:"id"`
				CaseNo string `json:"case_no"`
				Item   string `json:"item"`
			} `json:"items"`
		}
		auditor.Get(t, "/api/v1/originals").WantStatus(t, http.StatusOK).JSON(t, &owed)
		if len(owed.Items) != 1 || owed.Items[0].Item != "工伤事故报告表" {
			t.Fatalf("owed originals %+v", owed)
		}
		v, err := env.App.Cases.Detail(t.Context(), env.Actor(t, apptest.Staff(access.Injury)), no)
		if err != nil || len(v.Commitments) != 1 {
			t.Fatalf("detail %+v %v", v, err)
		}
		cid := itoa(v.Commitments[0].ID)
		env.LoginAs(t, apptest.Staff(access.Fund)).PostJSON(t, "/api/v1/commitments/"+cid+"/false",
			map[string]any{"note": "x"}).WantStatus(t, http.StatusForbidden)
		auditor.PostJSON(t, "/api/v1/commitments/"+cid+"/false", map[string]any{"note": "核查发现所述时间不实"}).
			WantStatus(t, http.StatusOK)
		auditor.Get(t, "/api/v1/commitments/false").WantStatus(t, http.StatusOK).WantBody(t, no, "核查发现所述时间不实")

		oid := itoa(owed.Items[0].ID)
		boss.PostJSON(t, "/api/v1/originals/"+oid+"/receive", map[string]any{"via": "post"}).WantStatus(t, http.StatusForbidden)
		clerk.PostJSON(t, "/api/v1/originals/"+oid+"/receive", map[string]any{"via": "post"}).WantStatus(t, http.StatusOK)
		auditor.Get(t, "/api/v1/originals").JSON(t, &owed)
		if len(owed.Items) != 0 {
			t.Fatalf("received original still owed: %+v", owed)
		}
	})
}

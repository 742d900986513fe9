package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// TestAssessPages: the run page of a running run reloads itself without
// JavaScript and offers the JSON status the script polls; a second start
// of a running month is refused with the reason; other sections and
// employers cannot see runs.
func TestAssessPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		var id int64
		err := env.App.DB.W.QueryRow(`INSERT INTO assess_runs (fee_month, origin, status, total, done, server, started_at,
			heartbeat_at) VALUES ('2024-01', 'manual', 'running', 8, 2, 'other', $1, $1) RETURNING id`, env.Clock.Now()).Scan(&id)
		if err != nil {
			t.Fatal(err)
		}
		c := env.LoginAs(t, apptest.Staff(access.Coordination))
		page := fmt.Sprintf("/staff/assessments/%d", id)
		c.Get(t, page).WantStatus(t, http.StatusOK).WantBody(t, `<noscript><meta http-equiv="refresh" content="3"></noscript>`,
			`src="/static/assess.js"`, "2 / 8", "正在核定")
		if body := c.Get(t, page).Body; strings.Contains(body, "（）") || strings.Contains(body, "system") {
			t.Fatal("the run page shows an empty or system actor")
		}
		var st struct {
			Status  string `json:"status"`
			Done    int64  `json:"done"`
			Total   int64  `json:"total"`
			Percent int64  `json:"percent"`
		}
		c.Get(t, page+"/status").WantStatus(t, http.StatusOK).JSON(t, &st)
		if st.Status != "running" || st.Done != 2 || st.Total != 8 || st.Percent != 25 {
			t.Fatalf("status: %+v", st)
		}
		c.PostForm(t, "/staff/assessments", url.Values{"month": {"2024-01"}}).
			WantStatus(t, http.StatusConflict).WantBody(t, "正在核定中", fmt.Sprintf("第 %d 批", id))
		env.App.DB.W.Exec(`UPDATE assess_runs SET status = 'done', done = 8 WHERE id = $1`, id)
		if body := c.Get(t, page).WantStatus(t, http.StatusOK).Body; strings.Contains(body, "refresh") {
			t.Fatal("a finished run still reloads itself")
		}
		for _, who := range []string{apptest.Staff(access.Fund), apptest.EmployerA} {
			o := env.LoginAs(t, who)
			if r := o.Get(t, page+"/status"); r.Status != http.StatusForbidden {
				t.Errorf("%s reads a run: %d", who, r.Status)
			}
			if r := o.Get(t, "/staff/assessments"); r.Status != http.StatusForbidden {
				t.Errorf("%s opens the assessment page: %d", who, r.Status)
			}
		}
	})
}

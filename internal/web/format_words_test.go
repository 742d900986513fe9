package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
)

// TestPagesShowNoFormatCodes: month and date fields say what to type with
// an example (如 2024-02), not the programmer's pattern YYYY-MM, also in
// the error of a bad month; no page header carries the English program
// name.
func TestPagesShowNoFormatCodes(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	fund := env.LoginAs(t, apptest.Staff(access.Fund))
	coord := env.LoginAs(t, apptest.Staff(access.Coordination))
	bodies := map[string]string{
		"/staff/payouts":     fund.Get(t, "/staff/payouts").WantStatus(t, http.StatusOK).Body,
		"/staff/payroll":     fund.Get(t, "/staff/payroll").WantStatus(t, http.StatusOK).WantBody(t, `placeholder="如 2024-02"`).Body,
		"/staff/assessments": coord.Get(t, "/staff/assessments").WantStatus(t, http.StatusOK).WantBody(t, "费款所属期（年-月，如 2024-01）").Body,
		"payroll bad month":  fund.PostForm(t, "/staff/payroll", url.Values{"month": {"2024/02"}}).WantBody(t, "发放月份格式应为年-月，如 2024-02").Body,
	}
	for what, body := range bodies {
		for _, code := range []string{"YYYY", "Shebao"} {
			if strings.Contains(body, code) {
				t.Errorf("%s shows %q", what, code)
			}
		}
	}
}

package web_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/payroll"
)

// chineseDay is a day written 2025年2月1日: pages write days 2025-02-01.
var chineseDay = regexp.MustCompile(`[0-9]{4}年[0-9]{1,2}月[0-9]{1,2}日`)

// TestCertificationPagesShowDatesAsOtherPages: the certification pages of
// 保险福利科 and of the pensioner write the due and last certification days
// as every other page writes a day (2025-02-01), never 2025年2月1日.
func TestCertificationPagesShowDatesAsOtherPages(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	bg := context.Background()
	welfare := env.User(t, apptest.Staff(access.Welfare))
	a := env.User(t, apptest.PersonA)
	err := env.App.DB.WithTx(bg, func(tx *sql.Tx) error {
		var name, idn string
		if err := tx.QueryRow(`SELECT name, id_number FROM persons WHERE id = $1`, a.PersonID).Scan(&name, &idn); err != nil {
			return err
		}
		_, err := env.App.Payroll.EnrolTx(bg, tx, welfare.Actor(), payroll.Enrolment{PersonID: a.PersonID, Name: name, IDNumber: idn,
			Monthly: 320000, FirstMonth: clock.Month{Year: 2024, Mon: 2}, Basis: "养老金核定表", SourceKind: "pension_determination", SourceID: "T1"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Due on 2025-02-01, overdue on 2025-03-10.
	env.Clock.Set(apptest.Start.AddDate(1, 1, 0))
	staff := env.LoginAs(t, apptest.Staff(access.Welfare))
	page := staff.Get(t, "/staff/retirement/certification").WantStatus(t, http.StatusOK).WantBody(t, "<td>2025-02-01</td>", "待暂停发放")
	if d := chineseDay.FindString(page.Body); d != "" {
		t.Errorf("the missed list writes a day as %s", d)
	}
	person := env.LoginAs(t, apptest.PersonA)
	page = person.Get(t, "/person/certification").WantStatus(t, http.StatusOK).WantBody(t, "2025-02-01前")
	if d := chineseDay.FindString(page.Body); d != "" {
		t.Errorf("the pensioner's page writes a day as %s", d)
	}
	person.PostForm(t, "/person/certification", url.Values{"confirm": {"1"}}).WantRedirect(t, "/person/certification")
	page = person.Get(t, "/person/certification").WantStatus(t, http.StatusOK).WantBody(t, "2025-03-10（本人网上自助认证）", "2026-03-10前")
	if d := chineseDay.FindString(page.Body); d != "" {
		t.Errorf("the pensioner's page after certifying writes a day as %s", d)
	}
}

package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/ident"
)

// contributionRouteCases: the employer's bills (核定单) and 统筹科's queue.
// Bill 999999 does not exist: those allowed past authorization get 404.
func contributionRouteCases() []routeCase {
	coord, fund := apptest.Staff(access.Coordination), apptest.Staff(access.Fund)
	self := apptest.Staff(access.SelfEmployed) // flexible workers' bills
	v := url.Values{"version": {"1"}}
	loggedIn404 := func() map[string]outcome {
		m := with(api(), all(notFound)...)
		m[anon] = unauth
		return m
	}
	return []routeCase{
		{method: "GET", path: "/employer/bills", want: page(apptest.EmployerA, apptest.EmployerB)},
		{method: "GET", path: "/employer/bills/999999", want: with(page(apptest.EmployerA, apptest.EmployerB),
			apptest.EmployerA, notFound, apptest.EmployerB, notFound)},
		{method: "GET", path: "/employer/bills/999999/lines.xlsx", want: with(page(apptest.EmployerA, apptest.EmployerB),
			apptest.EmployerA, notFound, apptest.EmployerB, notFound)},
		{method: "POST", path: "/employer/bills/999999/confirm", form: v, want: with(post(apptest.EmployerA, apptest.EmployerB),
			apptest.EmployerA, notFound, apptest.EmployerB, notFound)},
		{method: "POST", path: "/employer/bills/999999/correction", form: url.Values{"version": {"1"}, "reason": {"有误"}},
			want: with(post(apptest.EmployerA, apptest.EmployerB), apptest.EmployerA, notFound, apptest.EmployerB, notFound)},
		{method: "GET", path: "/staff/bills", want: page(coord, fund, apptest.Admin)},
		{method: "GET", path: "/staff/bills?status=all&month=2024-01", want: page(coord, fund, apptest.Admin)},
		{method: "GET", path: "/staff/bills/999999", want: with(page(coord, fund, self, apptest.Admin),
			coord, notFound, fund, notFound, self, notFound, apptest.Admin, notFound)},
		{method: "GET", path: "/staff/bills/999999/lines.xlsx", want: with(page(coord, fund, self, apptest.Admin),
			coord, notFound, fund, notFound, self, notFound, apptest.Admin, notFound)},
		{method: "POST", path: "/staff/bills/999999/reassess", form: v, want: with(post(coord, apptest.Admin),
			coord, notFound, apptest.Admin, notFound)},
		{method: "POST", path: "/staff/bills/999999/reject", form: url.Values{"version": {"1"}, "reason": {"不予更正"}},
			want: with(post(coord, apptest.Admin), coord, notFound, apptest.Admin, notFound)},
		{method: "GET", path: "/staff/assessments", want: page(coord, apptest.Admin)},
		{method: "POST", path: "/staff/assessments", form: url.Values{"month": {"2099-01"}}, want: post(coord, apptest.Admin)},
		{method: "GET", path: "/staff/assessments/999999", want: with(page(coord, apptest.Admin),
			coord, notFound, apptest.Admin, notFound)},
		{method: "GET", path: "/staff/assessments/999999/status", want: with(page(coord, apptest.Admin),
			coord, notFound, apptest.Admin, notFound, anon, unauth, apptest.APIHospital, unauth, apptest.APIBank, unauth)},
		{method: "GET", path: "/staff/contribution-records", want: page(coord, apptest.Admin)},
		{method: "POST", path: "/staff/contribution-records", form: url.Values{}, want: post(coord, apptest.Admin)},
		{method: "GET", path: "/staff/contribution-records/template.xlsx", want: page(coord, apptest.Admin)},
		{method: "GET", path: "/staff/contribution-records/999999/report.xlsx", want: with(page(coord, apptest.Admin),
			coord, notFound, apptest.Admin, notFound)},
		{method: "GET", path: "/api/v1/employers/me/bills", want: api(apptest.EmployerA, apptest.EmployerB)},
		{method: "GET", path: "/api/v1/bills?status=correction_requested", want: api(coord, fund, apptest.Admin)},
		{method: "GET", path: "/api/v1/bills/999999", want: loggedIn404()},
		{method: "POST", path: "/api/v1/bills/999999/confirm", json: map[string]any{"version": 1}, want: loggedIn404()},
		{method: "POST", path: "/api/v1/bills/999999/correction", json: map[string]any{"version": 1, "reason": "有误"}, want: loggedIn404()},
		{method: "POST", path: "/api/v1/bills/999999/reassess", json: map[string]any{"version": 1},
			want: with(api(coord, apptest.Admin), coord, notFound, apptest.Admin, notFound)},
		{method: "POST", path: "/api/v1/bills/999999/reject-correction", json: map[string]any{"version": 1, "reason": "否"},
			want: with(api(coord, apptest.Admin), coord, notFound, apptest.Admin, notFound)},
	}
}

// TestBillPagesJourney: a real bill of employer A — A checks and confirms
// it on the page, B gets 404 on the page and the API, 统筹科 sees it.
func TestBillPagesJourney(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		empA := env.User(t, apptest.EmployerA).EmployerID
		d := env.App.DB
		var pid int64
		idn := ident.MakeID("110105", time.Date(1985, 3, 1, 0, 0, 0, 0, time.UTC), 10, true)
		if err := d.W.QueryRowContext(ctx, `INSERT INTO persons (id_number, name, gender, birth_date, created_at, updated_at)
			VALUES ($1, '王小明', 'M', '1985-03-01', $2, $2) RETURNING id`, idn, apptest.Start).Scan(&pid); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.ExecContext(ctx, `INSERT INTO employments (person_id, employer_id, start_month, base_fen, created_at, updated_at)
			VALUES ($1, $2, '2023-06', 390000, $3, $3)`, pid, empA, apptest.Start); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Contribution.AssessMonth(ctx, access.System, "2024-01", nil); err != nil {
			t.Fatal(err)
		}
		a := env.LoginAs(t, apptest.EmployerA)
		var list struct {
			Items []struct {
				ID      int64 `json:"id"`
				Version int64 `json:"version"`
				Total   int64 `json:"total_fen"`
			} `json:"items"`
		}
		a.Get(t, "/api/v1/employers/me/bills").WantStatus(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].Total == 0 {
			t.Fatalf("bills of A: %+v", list)
		}
		id := strconv.FormatInt(list.Items[0].ID, 10)
		a.Get(t, "/employer/bills").WantStatus(t, http.StatusOK).WantBody(t, "2024-01", "待核对")
		page := a.Get(t, "/employer/bills/"+id).WantStatus(t, http.StatusOK).WantBody(t, "王小明", ident.MaskID(idn), "怎么算的", "低于下限", "人社部发〔2015〕71号")
		if strings.Contains(page.Body, idn) {
			t.Error("the bill shows a clear ID number")
		}
		b := env.LoginAs(t, apptest.EmployerB)
		b.Get(t, "/employer/bills/"+id).WantStatus(t, http.StatusNotFound)
		b.Get(t, "/api/v1/bills/"+id).WantStatus(t, http.StatusNotFound)
		b.PostJSON(t, "/api/v1/bills/"+id+"/confirm", map[string]any{"version": list.Items[0].Version}).WantStatus(t, http.StatusNotFound)
		a.PostForm(t, "/employer/bills/"+id+"/correction", url.Values{"version": {"1"}, "reason": {""}}).
			WantStatus(t, http.StatusUnprocessableEntity)
		a.PostForm(t, "/employer/bills/"+id+"/confirm", url.Values{"version": {strconv.FormatInt(list.Items[0].Version, 10)}}).
			WantRedirect(t, "/employer/bills/"+id)
		a.Get(t, "/employer/bills/"+id).WantStatus(t, http.StatusOK).WantBody(t, "缴费参考号", "已确认待缴费")
		a.PostJSON(t, "/api/v1/bills/"+id+"/correction", map[string]any{"version": list.Items[0].Version + 1, "reason": "有误"}).
			WantStatus(t, http.StatusConflict)
		env.LoginAs(t, apptest.Staff(access.Coordination)).Get(t, "/staff/bills/"+id).WantStatus(t, http.StatusOK).
			WantBody(t, "已确认待缴费")
	})
}

package e2e

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/policy"
	"shebao/internal/retirement"
)

// The retirement journeys live in June 2026: a man born in March 1966
// retires in July 2026.
var retireNow = time.Date(2026, 6, 15, 9, 0, 0, 0, clock.Shanghai)

// retireEnv is an apptest env on retireNow with a historical average
// wage for the months before the shipped rules.
func retireEnv(t *testing.T) *apptest.Env {
	t.Helper()
	env := apptest.New(t, db.SQLite)
	env.Clock.Set(retireNow)
	if _, err := env.App.Policy.AddRule(context.Background(), access.System, policy.RuleInput{Key: policy.KeyAvgWage,
		From: "1990-01-01", To: "2022-06-30", Value: "5000", LegalBasis: "历年社平工资"}); err != nil {
		t.Fatal(err)
	}
	return env
}

// insured adds a person with paid pension records from..to (employed by
// employerID since 1990, or a flexible worker when 0) and returns the id
// and ID number.
func insured(t *testing.T, env *apptest.Env, name string, birth time.Time, seq int, employerID int64, from, to string, base money.Fen) (int64, string) {
	t.Helper()
	bg := context.Background()
	idn := ident.MakeID("110105", birth, seq, true)
	kind := "employee"
	if employerID == 0 {
		kind = "flexible"
	}
	var pid int64
	if err := env.App.DB.W.QueryRow(`INSERT INTO persons (id_number, name, gender, birth_date, kind, phone, created_at, updated_at)
		VALUES ($1, $2, 'M', $3, $4, '13800138000', $5, $5) RETURNING id`, idn, name, birth.Format(time.DateOnly), kind, retireNow).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if employerID != 0 {
		if _, err := env.App.DB.W.Exec(`INSERT INTO employments (person_id, employer_id, start_month, base_fen, declared_fen,
			created_at, updated_at) VALUES ($1, $2, '1990-01', $3, $3, $4, $4)`, pid, employerID, int64(base), retireNow); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := clock.ParseMonth(from)
	l, _ := clock.ParseMonth(to)
	var recs []contribution.Record
	for m := f; !l.Before(m); m = m.Add(1) {
		recs = append(recs, contribution.Record{PersonID: pid, Month: m.String(), Scheme: contribution.Pension, PayerKind: "employer",
			PayerName: "机床厂", Base: base, Employer: base * 16 / 100, Individual: base * 8 / 100, Paid: true})
	}
	if err := env.App.DB.WithTx(bg, func(tx *sql.Tx) error {
		return contribution.InsertRecords(bg, tx, recs, contribution.SourceImport, 0, retireNow)
	}); err != nil {
		t.Fatal(err)
	}
	return pid, idn
}

// pensionAgrees runs the public pension calculator with the
// determination's inputs and compares every amount.
func pensionAgrees(t *testing.T, env *apptest.Env, d *retirement.Determination, birth string) {
	t.Helper()
	c, err := env.App.Calc.Get("pension")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"avg_index": d.AvgIndex.Text(4), "contribution_months": d.Months,
		"account_balance_fen": int64(d.Balance), "category": "male", "birth_month": birth,
		"deemed_months": d.DeemedMonths, "transitional_months": d.TransitionalMonths, "calc_base_fen": int64(d.CalcBase)})
	vals, err := c.ParseJSON(body)
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.App.Calc.Run(context.Background(), c, vals)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]money.Fen{"basic_fen": d.Basic, "account_fen": d.Account, "transitional_fen": d.Transitional, "total_fen": d.Total}
	seen := 0
	for _, o := range res.Outputs {
		if w, ok := want[o.Key]; ok {
			seen++
			if fmt.Sprint(o.Value) != fmt.Sprint(int64(w)) {
				t.Errorf("%s: calculator %v, determination %d", o.Key, o.Value, w)
			}
		}
	}
	if seen != len(want) {
		t.Fatalf("calculator gave %d of %d amounts", seen, len(want))
	}
}

// TestRetirementQualificationJourney: the employer submits the
// qualification form online, the qualification approver confirms it and it
// is pushed inside the system to 保险福利科; a clerk computes and reviews
// the determination, a second clerk checks it, the letter downloads, and
// the first payroll run pays the months already passed as arrears. The
// amounts agree with the public pension calculator.
func TestRetirementQualificationJourney(t *testing.T) {
	env := retireEnv(t)
	ctx := Browser(t)
	base, bg := env.Server.URL, context.Background()
	boss := env.User(t, apptest.EmployerA)
	pid, idn := insured(t, env, "周建国", time.Date(1966, 3, 10, 0, 0, 0, 0, time.UTC), 31, boss.EmployerID, "1991-06", "2026-05", 600_000)
	if err := retirement.ImportBalance(bg, env.App.DB.W, pid, 15_000_000, clock.Month{Year: 2026, Mon: 5}, retireNow); err != nil {
		t.Fatal(err)
	}
	approver := env.AddLogin(t, account.NewAccount{Role: access.RoleStaff, Username: "shenpi1", DisplayName: "审批一",
		Sections: []access.Section{access.Coordination}}, false)
	if err := env.App.Retirement.SetApprover(bg, env.Actor(t, apptest.Admin), approver.ID, true); err != nil {
		t.Fatal(err)
	}
	clerk1 := env.User(t, apptest.Staff(access.Welfare))
	clerk2 := env.AddLogin(t, account.NewAccount{Role: access.RoleStaff, Username: "fuli2", DisplayName: "福利二",
		Sections: []access.Section{access.Welfare}}, false)
	fund := env.User(t, apptest.Staff(access.Fund))

	// 1. The employer submits the form online.
	login(t, ctx, base, boss.Username, boss.Password)
	run(t, ctx, "qualification form",
		chromedp.Navigate(base+"/employer/retirement/new"),
		chromedp.SetValue(chromedp.CSS("#id_number"), idn),
		chromedp.SetValue(chromedp.CSS("#category"), "male"),
		chromedp.SetValue(chromedp.CSS("#contact"), "李经办"),
		chromedp.SetValue(chromedp.CSS("#phone"), "13900139000"),
		chromedp.Click(chromedp.CSS("#submit-qualification")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已提交退休资格确认表")]`)),
	)
	qs, err := env.App.Retirement.Qualifications(bg, approver.Actor(), "")
	if err != nil || len(qs) != 1 {
		t.Fatalf("qualifications %d %v", len(qs), err)
	}
	signOut(t, ctx)

	// 2. The approver confirms it: pushed to 保险福利科.
	login(t, ctx, base, approver.Username, approver.Password)
	run(t, ctx, "approve",
		chromedp.Navigate(base+"/staff/retirement/qualifications/"+qs[0].No),
		chromedp.Click(chromedp.CSS("#approve")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已推送待遇核定")]`)),
	)
	q, err := env.App.Retirement.Qualification(bg, approver.Actor(), qs[0].No)
	if err != nil || !q.Pushed || q.CaseNo == "" {
		t.Fatalf("pushed %v case %q %v", q.Pushed, q.CaseNo, err)
	}
	signOut(t, ctx)

	// 3. Clerk one computes and reviews; the page shows every step.
	login(t, ctx, base, clerk1.Username, clerk1.Password)
	run(t, ctx, "compute",
		chromedp.Navigate(base+"/staff/retirement/cases/"+q.CaseNo),
		chromedp.Click(chromedp.CSS("#compute")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已计算待遇，请复核")]`)),
		chromedp.Click(chromedp.CSS("#review")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已复核，待第二名经办人员复审")]`)),
	)
	signOut(t, ctx)

	// 4. Decided in September: clerk two checks; the letter downloads.
	env.Clock.Set(retireNow.AddDate(0, 3, 0))
	login(t, ctx, base, clerk2.Username, clerk2.Password)
	run(t, ctx, "check",
		chromedp.Navigate(base+"/staff/retirement/cases/"+q.CaseNo),
		chromedp.Click(chromedp.CSS("#check")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "复审通过，待遇已核定")]`)),
	)
	_, ds, err := env.App.Retirement.CaseDeterminations(bg, clerk2.Actor(), q.CaseNo)
	if err != nil || len(ds) != 1 || ds[0].Status != retirement.DetDecided {
		t.Fatalf("determination %v", err)
	}
	det := ds[0]
	pensionAgrees(t, env, det, "1966-03")
	page := text(t, ctx)
	if !strings.Contains(page, det.Total.String()+" 元") || !strings.Contains(page, "2026年8月") || !strings.Contains(page, "未建个人账户") {
		t.Fatalf("decided page:\n%s", page)
	}
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch(document.querySelector('#letter').href).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || status != 200 {
		t.Fatalf("letter: %d %v", status, err)
	}
	signOut(t, ctx)

	// 5. The September payroll pays August (arrears) and September.
	login(t, ctx, base, fund.Username, fund.Password)
	run(t, ctx, "payroll",
		chromedp.Navigate(base+"/staff/payroll"),
		chromedp.SetValue(chromedp.CSS(`input[name="month"]`), "2026-09"),
		chromedp.Click(chromedp.CSS(`main form[action="/staff/payroll"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//p[contains(@class, "run-status")][contains(., "已完成")]`)),
	)
	lines, err := env.App.Payroll.Payments(bg, clerk1.Actor(), pid)
	if err != nil {
		t.Fatal(err)
	}
	months := map[string]money.Fen{}
	for _, l := range lines {
		months[l.Period] += l.Amount
	}
	if len(months) != 2 || months["2026-08"] != det.Total || months["2026-09"] != det.Total || det.Arrears != 2*det.Total {
		t.Fatalf("payroll lines %v, monthly %d, arrears %d", months, det.Total, det.Arrears)
	}
	signOut(t, ctx)

	// 6. The retiree's own retirement page says he is retired and shows the
	// determination and the pension in pay, not the flexible offer.
	me := env.AddLogin(t, account.NewAccount{Role: access.RolePerson, Username: idn, PersonID: pid, DisplayName: "周建国"}, false)
	login(t, ctx, base, me.Username, me.Password)
	run(t, ctx, "retiree page",
		chromedp.Navigate(base+"/person/retirement"),
		chromedp.WaitVisible(chromedp.CSS("#retired")),
	)
	shot(t, ctx, "retiree-retirement")
	page = text(t, ctx)
	for _, want := range []string{"您已退休", det.Total.String() + " 元", "2026年8月", "待遇核定通知书", "正常发放", pensionYears(det.Months)} {
		if !strings.Contains(page, want) {
			t.Errorf("the retiree's page lacks %q:\n%s", want, page)
		}
	}
	for _, bad := range []string{"尚差", "弹性退休", "提前退休", "0.17"} {
		if strings.Contains(page, bad) {
			t.Errorf("the retiree's page shows %q:\n%s", bad, page)
		}
	}
}

// pensionYears is how a page shows a number of months: years and months.
func pensionYears(months int) string {
	if months%12 == 0 {
		return fmt.Sprintf("%d 年", months/12)
	}
	return fmt.Sprintf("%d 年 %d 个月", months/12, months%12)
}

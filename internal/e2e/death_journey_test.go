package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/payout"
	"shebao/internal/payroll"
	"shebao/internal/retirement"
)

// decided takes a person of EmployerA through qualification and
// determination by the services (decided on the clock's day) and returns
// the decided version.
func decided(t *testing.T, env *apptest.Env, idn string, clerk1, clerk2, approver *access.Actor) *retirement.Determination {
	t.Helper()
	bg := context.Background()
	boss := env.Actor(t, apptest.EmployerA)
	q, err := env.App.Retirement.SubmitQualification(bg, boss, retirement.QualInput{IDNumber: idn, Category: "male", DeemedMonths: "0",
		Contact: "李经办", Phone: "13900139000"})
	if err != nil {
		t.Fatal(err)
	}
	if q, err = env.App.Retirement.Decide(bg, approver, retirement.Decision{No: q.No, Version: q.Version, Approve: true}); err != nil {
		t.Fatal(err)
	}
	d, err := env.App.Retirement.Compute(bg, clerk1, retirement.ComputeInput{CaseNo: q.CaseNo})
	if err != nil {
		t.Fatal(err)
	}
	if d, err = env.App.Retirement.Review(bg, clerk1, q.CaseNo, d.Version); err != nil {
		t.Fatal(err)
	}
	if d, err = env.App.Retirement.Check(bg, clerk2, q.CaseNo, d.Version); err != nil {
		t.Fatal(err)
	}
	return d
}

// payMonth runs the month's payroll and has it paid by the bank.
func payMonth(t *testing.T, env *apptest.Env, fund *access.Actor, m clock.Month) {
	t.Helper()
	bg := context.Background()
	if _, err := env.App.Payroll.RunMonth(bg, access.System, m); err != nil {
		t.Fatal(err)
	}
	payPrepared(t, env, fund, m.String())
}

// payPrepared approves the prepared lines (of period, "" = all), sends
// them to ICBC and imports the bank's answer: all paid.
func payPrepared(t *testing.T, env *apptest.Env, fund *access.Actor, period string) {
	t.Helper()
	bg := context.Background()
	ids, err := env.App.Payouts.PreparedIDs(bg, fund, payout.Filter{Period: period})
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) > 0 {
		if _, err := env.App.Payouts.Approve(bg, fund, ids, "复核"); err != nil {
			t.Fatal(err)
		}
	}
	batch, _, err := env.App.Payouts.CreateBatch(bg, fund, "ICBC")
	if err != nil {
		t.Fatal(err)
	}
	ret, err := env.App.Payouts.SimulatedReturn(bg, fund, batch.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Payouts.ImportReturn(bg, fund, batch.ID, ret.Name, ret.Data); err != nil {
		t.Fatal(err)
	}
}

// TestCivilDeathJourney: a retiree paid for August to October 2026 died on
// 20 August; 保险福利科 imports the civil-affairs death file (the retiree,
// a name mismatch), the pension stops after August and September and
// October are an overpayment; the clerk lists the heir and computes the
// death benefits, the overpayment offset first; a second clerk checks;
// 基金管理科 approves and the bank pays the heir. Funeral subsidy and
// survivor relief agree with the public calculator.
func TestCivilDeathJourney(t *testing.T) {
	env := retireEnv(t)
	ctx := Browser(t)
	base, bg := env.Server.URL, context.Background()
	admin := env.Actor(t, apptest.Admin)
	csvGBK, xlsx := payout.DemoProfiles()
	for _, b := range []payout.Bank{{Code: "ICBC", Name: "中国工商银行", Profile: csvGBK, Active: true}, {Code: "CCB", Name: "中国建设银行", Profile: xlsx, Active: true}} {
		if _, err := env.App.Payouts.SaveBank(bg, admin, b); err != nil {
			t.Fatal(err)
		}
	}
	boss := env.User(t, apptest.EmployerA)
	pid, idn := insured(t, env, "吴德顺", time.Date(1966, 3, 10, 0, 0, 0, 0, time.UTC), 41, boss.EmployerID, "1991-06", "2026-05", 600_000)
	_, otherID := insured(t, env, "郑秀兰", time.Date(1958, 4, 2, 0, 0, 0, 0, time.UTC), 43, boss.EmployerID, "1991-06", "2018-03", 500_000)
	if err := retirement.ImportBalance(bg, env.App.DB.W, pid, 15_000_000, clock.Month{Year: 2026, Mon: 5}, retireNow); err != nil {
		t.Fatal(err)
	}
	approver := env.AddLogin(t, account.NewAccount{Role: access.RoleStaff, Username: "shenpi1", DisplayName: "审批一",
		Sections: []access.Section{access.Coordination}}, false)
	if err := env.App.Retirement.SetApprover(bg, admin, approver.ID, true); err != nil {
		t.Fatal(err)
	}
	clerk1 := env.User(t, apptest.Staff(access.Welfare))
	clerk2 := env.AddLogin(t, account.NewAccount{Role: access.RoleStaff, Username: "fuli2", DisplayName: "福利二",
		Sections: []access.Section{access.Welfare}}, false)
	fund := env.User(t, apptest.Staff(access.Fund))

	// Decided in July 2026, first month August; the card is issued.
	env.Clock.Set(retireNow.AddDate(0, 1, 0))
	det := decided(t, env, idn, clerk1.Actor(), clerk2.Actor(), approver.Actor())
	if det.FirstMonth.String() != "2026-08" || !det.Enrolled {
		t.Fatalf("determination first %s enrolled %v", det.FirstMonth, det.Enrolled)
	}
	if _, _, err := env.App.Payroll.ListForCards(bg, fund.Actor(), "ICBC"); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Payroll.RecordIssued(bg, fund.Actor(), payroll.CardIssue{PersonID: pid, CardNo: "C41", AccountNo: luhnCard(41),
		Delivery: "mail", TrackingNo: "EA000000041CN", IssuedOn: "2026-07-20"}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Payroll.Activate(bg, fund.Actor(), pid); err != nil {
		t.Fatal(err)
	}
	for i, m := range []clock.Month{{Year: 2026, Mon: 8}, {Year: 2026, Mon: 9}, {Year: 2026, Mon: 10}} {
		env.Clock.Set(retireNow.AddDate(0, 2+i, 0))
		payMonth(t, env, fund.Actor(), m)
	}

	// 1. The civil-affairs file: the retiree, and a name that does not match.
	file := filepath.Join(t.TempDir(), "民政死亡数据.csv")
	csv := "公民身份号码,姓名,死亡日期,死亡证明或火化证明编号\n" + idn + ",吴德顺,2026-08-20,HZ2026080001\n" +
		otherID + ",郑秀英,2026-09-01,HZ2026090002\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	login(t, ctx, base, clerk1.Username, clerk1.Password)
	run(t, ctx, "civil import",
		chromedp.Navigate(base+"/staff/deaths/civil"),
		chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{file}),
		chromedp.Click(chromedp.CSS("#import-civil")),
		chromedp.WaitVisible(chromedp.CSS("#civil-result")),
	)
	if page := text(t, ctx); !strings.Contains(page, "登记死亡并停发 1 条，待核对 1 条") || strings.Contains(page, otherID) {
		t.Fatalf("import result:\n%s", page)
	}
	pen, err := env.App.Payroll.ByPerson(bg, clerk1.Actor(), pid)
	if err != nil || pen.Status != "stopped" {
		t.Fatalf("pension after import: %+v %v", pen, err)
	}
	ds, err := env.App.Deaths.Deaths(bg, clerk1.Actor(), "open")
	if err != nil || len(ds) != 1 || ds[0].Overpaid != 2*det.Total || ds[0].OverpaidMonths != 2 {
		t.Fatalf("overpayment: %+v %v (monthly %d)", ds, err, det.Total)
	}
	deathURL := base + "/staff/deaths/" + itoa(ds[0].ID)

	// 2. The heir and the claim: the overpayment is offset first.
	heirID := ident.MakeID("110105", time.Date(1990, 5, 6, 0, 0, 0, 0, time.UTC), 45, false)
	run(t, ctx, "heir and claim",
		chromedp.Navigate(deathURL),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "`+(2*det.Total).String()+` 元")]`)),
		chromedp.SetValue(chromedp.CSS(`input[name="heir_name"]`), "吴小芳"),
		chromedp.SetValue(chromedp.CSS(`input[name="heir_id"]`), heirID),
		chromedp.SetValue(chromedp.CSS(`input[name="heir_rel"]`), "子女"),
		chromedp.Click(chromedp.CSS(`form[action$="/heirs"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已登记继承人")]`)),
		chromedp.SetValue(chromedp.CSS("#claimant_name"), "吴小芳"),
		chromedp.SetValue(chromedp.CSS("#claimant_id"), heirID),
		chromedp.SetValue(chromedp.CSS("#relationship"), "子女"),
		chromedp.SetValue(chromedp.CSS("#account_no"), luhnCard(45)),
		chromedp.SetValue(chromedp.CSS("#bank_name"), "中国工商银行"),
		chromedp.Click(chromedp.CSS("#open-claim")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已计算死亡待遇")]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/review"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已复核，待第二名经办人员复审")]`)),
	)
	detail, err := env.App.Deaths.DeathDetail(bg, clerk1.Actor(), ds[0].ID)
	if err != nil || len(detail.Claims) != 1 {
		t.Fatalf("claims %v", err)
	}
	c := detail.Claims[0]
	deathBenefitsAgree(t, env, c.Funeral, c.Relief, det.Months+det.DeemedMonths, 1)
	wantAccount := max(0, det.Balance-det.Account)
	if c.Account != wantAccount || c.Offset != 2*det.Total || c.Net != c.Funeral+c.Relief+c.Account-c.Offset {
		t.Fatalf("claim: funeral %d relief %d account %d (want %d) offset %d net %d", c.Funeral, c.Relief, c.Account, wantAccount, c.Offset, c.Net)
	}
	signOut(t, ctx)

	// 3. The second clerk checks: payout lines to the heir.
	login(t, ctx, base, clerk2.Username, clerk2.Password)
	run(t, ctx, "check claim",
		chromedp.Navigate(deathURL),
		chromedp.Click(chromedp.CSS(`form[action$="/check"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "复审通过，已生成拨付明细")]`)),
	)
	if page := text(t, ctx); !strings.Contains(page, "已结清") {
		t.Fatalf("recovery not settled by the offset:\n%s", page)
	}
	signOut(t, ctx)

	// 4. 基金管理科 approves; the bank pays the heir.
	login(t, ctx, base, fund.Username, fund.Password)
	approveAll(t, ctx, base)
	if page := text(t, ctx); !strings.Contains(page, "已审核通过") {
		t.Fatalf("approval:\n%s", page)
	}
	payPrepared(t, env, fund.Actor(), "")
	lines, err := env.App.Payouts.OfSource(bg, nil, "death_claim", c.No)
	if err != nil {
		t.Fatal(err)
	}
	var paid money.Fen
	for _, l := range lines {
		if l.Status != payout.Paid || l.AccountNo != luhnCard(45) {
			t.Fatalf("heir line %s: %s", l.Benefit, l.Status)
		}
		paid += l.Amount
	}
	if len(lines) == 0 || paid != c.Net {
		t.Fatalf("heir paid %d, net %d", paid, c.Net)
	}
}

// deathBenefitsAgree compares funeral subsidy and survivor relief with the
// public calculator given the same inputs.
func deathBenefitsAgree(t *testing.T, env *apptest.Env, funeral, relief money.Fen, months, pensionMonths int) {
	t.Helper()
	dc, err := env.App.Calc.Get("death-benefit")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"death_date": "2026-08-20", "contribution_months": months, "pension_months": pensionMonths})
	vals, err := dc.ParseJSON(body)
	if err != nil {
		t.Fatal(err)
	}
	res, err := env.App.Calc.Run(context.Background(), dc, vals)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]money.Fen{"funeral_fen": funeral, "relief_fen": relief}
	seen := 0
	for _, o := range res.Outputs {
		if w, ok := want[o.Key]; ok {
			seen++
			if fmt.Sprint(o.Value) != fmt.Sprint(int64(w)) {
				t.Errorf("%s: calculator %v, claim %d", o.Key, o.Value, w)
			}
		}
	}
	if seen != 2 {
		t.Fatalf("calculator gave %d of 2 amounts", seen)
	}
}

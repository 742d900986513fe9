package e2e

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/retirement"
)

// TestRetireeRecordUpkeepJourney: a decided pension case in 保险福利科 →
// the clerk raises a correction of a year's base with a scan → 个人账户科
// batches it (confirmed), the preparer's own check is refused, a second
// clerk checks and applies → the case has a new determination version
// with the difference → the retiree sees the correction and its effect.
func TestRetireeRecordUpkeepJourney(t *testing.T) {
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
	fuli := env.User(t, apptest.Staff(access.Welfare))
	fuli2 := env.AddLogin(t, account.NewAccount{Role: access.RoleStaff, Username: "fuli2", DisplayName: "福利二",
		Sections: []access.Section{access.Welfare}}, false)
	zh1 := env.User(t, apptest.Staff(access.Account))
	zh2 := env.AddLogin(t, account.NewAccount{Role: access.RoleStaff, Username: "zhanghu2", DisplayName: "账户二",
		Sections: []access.Section{access.Account}}, false)
	q, err := env.App.Retirement.SubmitQualification(bg, boss.Actor(), retirement.QualInput{IDNumber: idn, Category: "male",
		DeemedMonths: "0", Contact: "李四", Phone: "13900139000"})
	if err != nil {
		t.Fatal(err)
	}
	if q, err = env.App.Retirement.Decide(bg, approver.Actor(), retirement.Decision{No: q.No, Version: q.Version, Approve: true}); err != nil {
		t.Fatal(err)
	}
	det, err := env.App.Retirement.Compute(bg, fuli.Actor(), retirement.ComputeInput{CaseNo: q.CaseNo})
	if err == nil {
		_, err = env.App.Retirement.Review(bg, fuli.Actor(), q.CaseNo, det.Version)
	}
	env.Clock.Set(retireNow.AddDate(0, 3, 0))
	if err == nil {
		det, err = env.App.Retirement.Check(bg, fuli2.Actor(), q.CaseNo, det.Version)
	}
	if err != nil {
		t.Fatal(err)
	}
	env.Clock.Set(retireNow.AddDate(0, 5, 0))

	// 1. 保险福利科 raises the correction from the case, with a scan.
	login(t, ctx, base, fuli.Username, fuli.Password)
	run(t, ctx, "raise",
		chromedp.Navigate(base+"/staff/retirement/cases/"+q.CaseNo),
		chromedp.Click(chromedp.CSS("#raise-upkeep")),
		chromedp.WaitVisible(chromedp.CSS("#raise-correction")),
		chromedp.SetValue(chromedp.CSS("#from"), "2020-01"),
		chromedp.SetValue(chromedp.CSS("#to"), "2020-12"),
		chromedp.SetValue(chromedp.CSS("#base"), "9000"),
		chromedp.SetValue(chromedp.CSS("#reason"), "原单位2020年工资表核实，基数少报"),
		chromedp.SetUploadFiles(chromedp.CSS("#evidence"), []string{certificateScan(t)}),
		chromedp.Click(chromedp.CSS("#raise-correction")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已提请缴费记录维护")]`)),
		chromedp.WaitVisible(chromedp.CSS("#case-upkeep")),
	)
	signOut(t, ctx)

	// 2. 个人账户科: the queue, a confirmed batch; the preparer may not check it.
	login(t, ctx, base, zh1.Username, zh1.Password)
	run(t, ctx, "batch",
		chromedp.Navigate(base+"/staff/upkeep"),
		chromedp.Click(chromedp.CSS(`#upkeep-queue input[name="ids"]`)),
		chromedp.Click(chromedp.CSS("#make-batch")),
		chromedp.WaitVisible(chromedp.CSS("#batch-confirm")),
		chromedp.Click(chromedp.CSS("#confirm-batch")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已编制批次")]`)),
	)
	shot(t, ctx, "upkeep-batch-prepared")
	batchURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "own check",
		chromedp.Click(chromedp.CSS("#check-batch")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "复核须由编制人以外的第二名经办人员办理")]`)),
	)
	signOut(t, ctx)

	// 3. A second clerk checks and applies.
	login(t, ctx, base, zh2.Username, zh2.Password)
	run(t, ctx, "check",
		chromedp.Navigate(batchURL),
		chromedp.Click(chromedp.CSS("#check-batch")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "复核通过，可执行更正")]`)),
	)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(window.confirm = () => true, true)`)); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "apply",
		chromedp.Click(chromedp.CSS("#apply-batch")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已执行更正：批次")]`)),
	)
	shot(t, ctx, "upkeep-batch-applied")
	_, ds, err := env.App.Retirement.CaseDeterminations(bg, fuli.Actor(), q.CaseNo)
	if err != nil || len(ds) != 2 || ds[0].Status != retirement.DetComputed || ds[0].Total <= det.Total {
		t.Fatalf("versions after the batch: %d %v", len(ds), err)
	}
	v2 := ds[0]
	page := text(t, ctx)
	if !strings.Contains(page, "待遇金额变化，已提请重新核定") || !strings.Contains(page, det.Total.String()+" 元 → "+v2.Total.String()+" 元") {
		t.Fatalf("applied batch page:\n%s", page)
	}
	signOut(t, ctx)

	// 4. The case shows version 2 with the difference, waiting for review.
	login(t, ctx, base, fuli.Username, fuli.Password)
	run(t, ctx, "case v2",
		chromedp.Navigate(base+"/staff/retirement/cases/"+q.CaseNo),
		chromedp.WaitVisible(chromedp.CSS("#review")),
	)
	page = text(t, ctx)
	if !strings.Contains(page, "第 2 版") || !strings.Contains(page, "月养老金变化 "+v2.Difference.String()+" 元") {
		t.Fatalf("case page:\n%s", page)
	}
	signOut(t, ctx)

	// 5. The retiree sees the correction and its effect.
	me := env.AddLogin(t, account.NewAccount{Role: access.RolePerson, Username: idn, PersonID: pid, DisplayName: "周建国"}, false)
	login(t, ctx, base, me.Username, me.Password)
	run(t, ctx, "retiree",
		chromedp.Navigate(base+"/person/record-corrections"),
		chromedp.WaitVisible(chromedp.CSS(".upkeep-effect")),
	)
	shot(t, ctx, "upkeep-retiree")
	page = text(t, ctx)
	for _, want := range []string{"2020年6月", "6,000.00 元", "9,000.00 元", "月基本养老金由 " + det.Total.String() + " 元重新计算为 " + v2.Total.String() + " 元"} {
		if !strings.Contains(page, want) {
			t.Errorf("the retiree's page lacks %q:\n%s", want, page)
		}
	}
	if regexp.MustCompile(`WH\d+`).FindString(page) == "" {
		t.Error("the retiree's page names no correction number")
	}
}

package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
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
	"shebao/internal/payout"
	"shebao/internal/payroll"
	"shebao/internal/retirement"
)

// certificateScan writes a small real PNG, as a phone photo of the death
// certificate would be.
func certificateScan(t *testing.T) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 120, 80))
	for x := 0; x < 120; x++ {
		for y := 0; y < 80; y++ {
			img.Set(x, y, color.RGBA{R: uint8(x * 2), G: 200, B: uint8(y * 3), A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "死亡证明.png")
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestRelativeDeathReportJourney: a retiree paid for August to October
// 2026 died on 20 August; his daughter reports the death on the portal
// with the certificate's photo; nothing is applied until 保险福利科's clerk
// opens the report with the photo and accepts it; then the pension is
// stopped after August, September and October are kept as overpayment,
// the daughter is listed as an heir and sees her report accepted.
func TestRelativeDeathReportJourney(t *testing.T) {
	env := retireEnv(t)
	ctx := Browser(t)
	base, bg := env.Server.URL, context.Background()
	admin := env.Actor(t, apptest.Admin)
	csvGBK, _ := payout.DemoProfiles()
	if _, err := env.App.Payouts.SaveBank(bg, admin, payout.Bank{Code: "ICBC", Name: "中国工商银行", Profile: csvGBK, Active: true}); err != nil {
		t.Fatal(err)
	}
	boss := env.User(t, apptest.EmployerA)
	pid, idn := insured(t, env, "孙德厚", time.Date(1966, 3, 10, 0, 0, 0, 0, time.UTC), 81, boss.EmployerID, "1991-06", "2026-05", 600_000)
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
	env.Clock.Set(retireNow.AddDate(0, 1, 0))
	det := decided(t, env, idn, clerk1.Actor(), clerk2.Actor(), approver.Actor())
	if _, _, err := env.App.Payroll.ListForCards(bg, fund.Actor(), "ICBC"); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Payroll.RecordIssued(bg, fund.Actor(), payroll.CardIssue{PersonID: pid, CardNo: "C81", AccountNo: luhnCard(81),
		Delivery: "mail", TrackingNo: "EA000000081CN", IssuedOn: "2026-07-20"}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Payroll.Activate(bg, fund.Actor(), pid); err != nil {
		t.Fatal(err)
	}
	for i, m := range []clock.Month{{Year: 2026, Mon: 8}, {Year: 2026, Mon: 9}, {Year: 2026, Mon: 10}} {
		env.Clock.Set(retireNow.AddDate(0, 2+i, 0))
		payMonth(t, env, fund.Actor(), m)
	}
	daughterID := ident.MakeID("110105", time.Date(1992, 5, 6, 0, 0, 0, 0, time.UTC), 83, false)
	var did int64
	if err := env.App.DB.W.QueryRow(`INSERT INTO persons (id_number, name, gender, birth_date, kind, phone, created_at, updated_at)
		VALUES ($1, '孙小梅', 'F', '1992-05-06', 'employee', '13700137000', $2, $2) RETURNING id`, daughterID, retireNow).Scan(&did); err != nil {
		t.Fatal(err)
	}
	daughter := env.AddLogin(t, account.NewAccount{Role: access.RolePerson, Username: daughterID, PersonID: did, DisplayName: "孙小梅"}, false)

	// 1. The daughter reports the death with the certificate's photo.
	login(t, ctx, base, daughter.Username, daughter.Password)
	run(t, ctx, "relative's report",
		chromedp.Navigate(base+"/person"),
		chromedp.Click(chromedp.CSS(`a[href="/person/death-reports"]`)),
		chromedp.WaitVisible(chromedp.CSS("#submit-death-report")),
		chromedp.SetValue(chromedp.CSS("#relationship"), "子女"),
		chromedp.SetValue(chromedp.CSS("#id_number"), idn),
		chromedp.SetValue(chromedp.CSS("#date"), "2026-08-20"),
		chromedp.SetValue(chromedp.CSS("#certificate_no"), "SZ2026080020"),
		chromedp.SetValue(chromedp.CSS("#phone"), "13700137000"),
		chromedp.SetUploadFiles(chromedp.CSS("#scan"), []string{certificateScan(t)}),
		chromedp.Click(chromedp.CSS("#submit-death-report")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已提交死亡申报")]`)),
	)
	shot(t, ctx, "death-report-relative")
	if page := text(t, ctx); !strings.Contains(page, "待保险福利科审核") {
		t.Fatalf("relative's list:\n%s", page)
	}
	if pen, err := env.App.Payroll.ByPerson(bg, clerk1.Actor(), pid); err != nil || pen.Status != "active" {
		t.Fatalf("a report under review stopped the pension: %+v %v", pen, err)
	}
	signOut(t, ctx)

	// 2. The clerk reviews it with the photo and accepts it.
	login(t, ctx, base, clerk1.Username, clerk1.Password)
	run(t, ctx, "review",
		chromedp.Navigate(base+"/staff/deaths"),
		chromedp.Click(chromedp.CSS("#relative-reports")),
		chromedp.WaitVisible(chromedp.CSS("#death-reports")),
		chromedp.Click(chromedp.CSS(`#death-reports a`)),
		chromedp.WaitVisible(chromedp.CSS("#accept-report")),
	)
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise(ok => { const i = document.querySelector('#scan');
		if (i.complete) ok(i.naturalWidth === 120); else { i.onload = () => ok(i.naturalWidth === 120); i.onerror = () => ok(false); } })`,
		chromedp.EvalAwaitPromise))
	if err != nil || !loaded {
		t.Fatalf("the certificate's photo does not show (%v)", err)
	}
	shot(t, ctx, "death-report-review")
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(window.confirm = () => true, true)`)); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "accept",
		chromedp.Click(chromedp.CSS("#accept-report")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已受理死亡申报")]`)),
	)
	page := text(t, ctx)
	for _, want := range []string{(2 * det.Total).String() + " 元", "亲属网上申报", ident.MaskID(daughterID), "子女"} {
		if !strings.Contains(page, want) {
			t.Errorf("death page lacks %q:\n%s", want, page)
		}
	}
	if pen, err := env.App.Payroll.ByPerson(bg, clerk1.Actor(), pid); err != nil || pen.Status != "stopped" || pen.Last.String() != "2026-08" {
		t.Fatalf("pension after acceptance: %+v %v", pen, err)
	}
	signOut(t, ctx)

	// 3. The daughter sees her report accepted.
	login(t, ctx, base, daughter.Username, daughter.Password)
	run(t, ctx, "relative sees status",
		chromedp.Navigate(base+"/person/death-reports"),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已受理，已登记死亡")]`)),
	)
}

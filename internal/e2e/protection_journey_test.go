package e2e_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
	"shebao/internal/e2e"
)

// TestStaffAndHallProtectionJourney: a clerk with a fever checks in and is
// told to stay home, his section head reads the notice, 办公室 reads the
// day's health data and logs a disinfection round, and a visitor with a
// cough cannot book the hall and is offered remote handling.
func TestStaffAndHallProtectionJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(e2e.Browser(t), 150*time.Second)
	defer cancel()
	env := apptest.New(t, db.SQLite)
	base := env.Server.URL
	head := env.AddLogin(t, account.NewAccount{Role: access.RoleStaff, Username: "gongshang-kezhang", DisplayName: "王科长",
		Sections: []access.Section{access.Injury}}, false)
	if err := env.App.Accounts.SetPost(context.Background(), env.Actor(t, apptest.Admin), head.ID,
		account.Holding{Post: account.PostSectionHead, Section: access.Injury}, true); err != nil {
		t.Fatal(err)
	}

	login(t, ctx, base, env.User(t, apptest.Staff(access.Injury)).Username)
	do(t, ctx, "check in", chromedp.Navigate(base+"/staff/health"), chromedp.WaitVisible(chromedp.CSS("#health-form")),
		chromedp.SetValue(chromedp.CSS("#temperature"), "37.9"),
		chromedp.Click(chromedp.CSS(`input[name=symptoms][value=dry_cough]`)), chromedp.Click(chromedp.CSS("#health-submit")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(@class, "flash")][contains(., "请居家休息")]`)))
	complaintShot(t, ctx, "health_checkin_fever")
	if got := text(t, ctx, "main"); !strings.Contains(got, "已通知工伤保险待遇科负责人") || !strings.Contains(got, "37.9") {
		t.Fatalf("check-in page:\n%s", got)
	}
	logout(t, ctx)

	login(t, ctx, base, head.Username)
	do(t, ctx, "head's messages", chromedp.Navigate(base+"/messages"),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "工作人员居家休息")]`)))
	if got := text(t, ctx, "main"); strings.Contains(got, "37.9") || strings.Contains(got, "干咳") {
		t.Fatalf("the head's notice carries the health data:\n%s", got)
	}
	do(t, ctx, "head cannot read health data", chromedp.Navigate(base+"/staff/health/day"),
		chromedp.WaitVisible(chromedp.Search(`//main[contains(., "无权")]`)))
	logout(t, ctx)

	login(t, ctx, base, env.User(t, apptest.Staff(access.Office)).Username)
	do(t, ctx, "office's day", chromedp.Navigate(base+"/staff/health/day"), chromedp.WaitVisible(chromedp.CSS("#checkins")))
	complaintShot(t, ctx, "health_day")
	if got := text(t, ctx, "#health-summary"); !strings.Contains(got, "居家休息 1 人") {
		t.Fatalf("summary %q", got)
	}
	if got := text(t, ctx, "#checkins"); !strings.Contains(got, "37.9") || !strings.Contains(got, "干咳") || !strings.Contains(got, "工伤保险待遇科") {
		t.Fatalf("check-ins:\n%s", got)
	}
	do(t, ctx, "duty round", chromedp.Navigate(base+"/staff/hall-duty"), chromedp.WaitVisible(chromedp.CSS("#duty-form")),
		chromedp.SetValue(chromedp.CSS("#kind"), "disinfection"), chromedp.SetValue(chromedp.CSS("#area"), "一楼服务大厅"),
		chromedp.Click(chromedp.CSS("#duty-submit")), chromedp.WaitVisible(chromedp.CSS("#rounds")))
	complaintShot(t, ctx, "hall_duty")
	if got := text(t, ctx, "#rounds"); !strings.Contains(got, "一楼服务大厅") || !strings.Contains(got, "消毒") {
		t.Fatalf("rounds:\n%s", got)
	}
	do(t, ctx, "open slots", chromedp.Navigate(base+"/staff/appointments/slots"), chromedp.WaitVisible(chromedp.CSS(`form[action="/staff/appointments/slots"]`)),
		chromedp.SetValue(chromedp.CSS(`input[name=from]`), "2024-02-19"), chromedp.SetValue(chromedp.CSS(`input[name=to]`), "2024-02-19"),
		chromedp.Submit(chromedp.CSS(`input[name=periods]`)), chromedp.WaitVisible(chromedp.Search(`//*[contains(@class, "flash")][contains(., "已开放")]`)))
	logout(t, ctx)

	login(t, ctx, base, env.User(t, apptest.PersonA).Username)
	do(t, ctx, "book with a cough", chromedp.Navigate(base+"/appointments/book?service=originals&date=2024-02-19"),
		chromedp.WaitVisible(chromedp.CSS("#screening")), chromedp.Click(chromedp.CSS(`input[name=slot_id]`)),
		chromedp.SetValue(chromedp.CSS("#name"), "张伟"), chromedp.SetValue(chromedp.CSS("#phone"), "13800138000"),
		chromedp.Click(chromedp.CSS(`input[name=screen_fever][value=no]`)), chromedp.Click(chromedp.CSS(`input[name=screen_cough][value=yes]`)),
		chromedp.Click(chromedp.CSS(`input[name=screen_contact][value=no]`)))
	complaintShot(t, ctx, "appt_book_screening")
	do(t, ctx, "submit", chromedp.Submit(chromedp.CSS("#name")), chromedp.WaitVisible(chromedp.CSS("#screened-out")))
	complaintShot(t, ctx, "appt_screened_out")
	if got := text(t, ctx, "main"); !strings.Contains(got, "网上办理") || !strings.Contains(got, "重新预约") {
		t.Fatalf("refusal page:\n%s", got)
	}
}

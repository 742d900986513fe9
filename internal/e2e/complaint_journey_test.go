package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
	"shebao/internal/e2e"
)

// complaintShot saves a screenshot of the page when SHEBAO_TEST_SHOTS names a
// folder, so a person can look at each page as its user sees it.
func complaintShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("SHEBAO_TEST_SHOTS")
	if dir == "" {
		return
	}
	beyond := true
	res, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng,
		CaptureBeyondViewport: &beyond})
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), res.Data, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}

// TestAnonymousComplaintJourney: a visitor reports an employer anonymously
// with a PDF and is shown a tracking code; 审计科 accepts it for 统筹科; the
// 统筹科 clerk investigates without seeing who reported; 审计科 answers; the
// visitor reads the answer with the code (not the internal note) and is
// satisfied.
func TestAnonymousComplaintJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(e2e.Browser(t), 150*time.Second)
	defer cancel()
	env := apptest.New(t, db.SQLite)
	base := env.Server.URL
	pdf := filepath.Join(t.TempDir(), "工资表.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Do(ctx, chromedp.Navigate(base+"/complaints/new"), chromedp.WaitVisible(chromedp.CSS("#complaint-form")),
		chromedp.SetValue(chromedp.CSS("#category"), "arrears"),
		chromedp.SetValue(chromedp.CSS("#subject"), "某科技公司长期不缴社保"),
		chromedp.SetValue(chromedp.CSS("#target_name"), "北京甲测试科技有限公司"),
		chromedp.SetValue(chromedp.CSS("#body"), "公司自今年一月起扣了工资里的社保，却没有给三十名职工缴纳。"),
		chromedp.SetUploadFiles(chromedp.CSS("#attachments"), []string{pdf}))
	if err != nil {
		t.Fatalf("fill the form: %v", err)
	}
	complaintShot(t, ctx, "complaint_new")
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#complaint-submit")), chromedp.WaitVisible(chromedp.CSS("#tracking-code")))
	if err != nil {
		t.Fatalf("file anonymously: %v", err)
	}
	code, no := text(t, ctx, "#tracking-code"), text(t, ctx, "#complaint-no")
	complaintShot(t, ctx, "complaint_filed")
	if len(strings.TrimSpace(code)) != 24 || !strings.HasPrefix(no, "JB") {
		t.Fatalf("tracking code %q, number %q", code, no)
	}

	// 审计科 accepts it for 统筹科.
	login(t, ctx, base, env.User(t, apptest.Staff(access.Audit)).Username)
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/staff/complaints?status=received"),
		chromedp.WaitVisible(chromedp.CSS("#complaints")))
	if err != nil {
		t.Fatalf("audit queue: %v", err)
	}
	complaintShot(t, ctx, "complaint_queue")
	err = chromedp.Do(ctx, chromedp.Click(chromedp.Search(`//a[text()="`+no+`"]`)), chromedp.WaitVisible(chromedp.CSS("#accept-form")))
	if err != nil {
		t.Fatalf("open the complaint: %v", err)
	}
	complaintShot(t, ctx, "complaint_detail_audit")
	if r := text(t, ctx, "#complaint-reporter"); !strings.Contains(r, "匿名") {
		t.Errorf("审计科 reads reporter %q", r)
	}
	err = chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#accept-section"), "coordination"),
		chromedp.Click(chromedp.CSS("#accept-submit")),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="complaint-status"][contains(., "已受理")]`)))
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	logout(t, ctx)

	// 统筹科 investigates without seeing the reporter.
	login(t, ctx, base, env.User(t, apptest.Staff(access.Coordination)).Username)
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/staff/complaints"), chromedp.Click(chromedp.Search(`//a[text()="`+no+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#note-form")))
	if err != nil {
		t.Fatalf("coordination opens it: %v", err)
	}
	if r := text(t, ctx, "#complaint-reporter"); !strings.Contains(r, "仅审计科可见") || strings.Contains(r, "匿名") {
		t.Errorf("统筹科 reads reporter %q", r)
	}
	err = chromedp.Do(ctx, chromedp.SetValue(chromedp.CSS("#note"), "到单位核查工资表，30 人在岗未参保"),
		chromedp.Click(chromedp.CSS("#note-submit")),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="complaint-timeline"]//li[contains(., "30 人在岗未参保")]`)))
	if err != nil {
		t.Fatalf("note: %v", err)
	}
	complaintShot(t, ctx, "complaint_detail_section")
	logout(t, ctx)

	// 审计科 answers in writing.
	login(t, ctx, base, env.User(t, apptest.Staff(access.Audit)).Username)
	answer := "经查属实，已责令该单位自本月起为全部职工办理参保并补缴。"
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/staff/complaints?q="+no), chromedp.Click(chromedp.Search(`//a[text()="`+no+`"]`)),
		chromedp.WaitVisible(chromedp.CSS("#answer-form")), chromedp.SetValue(chromedp.CSS("#answer-text"), answer),
		chromedp.Click(chromedp.CSS("#answer-submit")),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="complaint-status"][contains(., "已答复")]`)))
	if err != nil {
		t.Fatalf("answer: %v", err)
	}
	logout(t, ctx)

	// The visitor reads the answer with the code.
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/complaints/track"), chromedp.WaitVisible(chromedp.CSS("#track-form")),
		chromedp.SetValue(chromedp.CSS("#code"), strings.ToLower(code)), chromedp.Click(chromedp.CSS("#track-submit")),
		chromedp.WaitVisible(chromedp.CSS("#complaint-answer")))
	if err != nil {
		t.Fatalf("track: %v", err)
	}
	complaintShot(t, ctx, "complaint_track")
	main := text(t, ctx, "main")
	if !strings.Contains(main, answer) || strings.Contains(main, "30 人在岗未参保") {
		t.Fatalf("tracking page shows the answer %v, the internal note %v:\n%s", strings.Contains(main, answer),
			strings.Contains(main, "30 人在岗未参保"), main)
	}
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#feedback-submit")),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="complaint-status"][contains(., "已办结")]`)))
	if err != nil {
		t.Fatalf("feedback: %v", err)
	}
}

// TestSensitiveMatterJourney: the administrator sees that the chain has
// no holders and names them; a clerk's flag is refused until then; the
// flagged matter climbs to the section head, who instructs; the office
// head lets the deadline pass and the job passes it up; the agency head
// instructs and it is closed.
func TestSensitiveMatterJourney(t *testing.T) {
	ctx, cancel := context.WithTimeout(e2e.Browser(t), 150*time.Second)
	defer cancel()
	env := apptest.New(t, db.SQLite)
	base := env.Server.URL
	head := env.AddLogin(t, account.NewAccount{Role: access.RoleStaff, Username: "gongshang-kezhang", DisplayName: "王科长",
		Sections: []access.Section{access.Injury}}, false)
	boss := env.AddLogin(t, account.NewAccount{Role: access.RoleStaff, Username: "zhongxin-zhuren", DisplayName: "赵主任",
		Sections: []access.Section{access.Office}}, false)
	clerk := env.User(t, apptest.Staff(access.Injury)).Username

	flag := func() {
		t.Helper()
		err := chromedp.Do(ctx, chromedp.Navigate(base+"/staff/sensitive/new"), chromedp.WaitVisible(chromedp.CSS("#sensitive-form")),
			chromedp.SetValue(chromedp.CSS("#subject_kind"), "event"), chromedp.SetValue(chromedp.CSS("#subject_ref"), "服务大厅"),
			chromedp.SetValue(chromedp.CSS("#title"), "职工在大厅聚集反映欠薪"),
			chromedp.SetValue(chromedp.CSS("#reason"), "三十余名职工在服务大厅聚集，情绪激动，可能引发舆情"),
			chromedp.Click(chromedp.CSS("#sensitive-submit")))
		if err != nil {
			t.Fatalf("flag: %v", err)
		}
	}
	login(t, ctx, base, clerk)
	flag()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.Search(`//*[contains(., "无人担任")]`))); err != nil {
		t.Fatalf("no error for an unheld chain: %v", err)
	}
	complaintShot(t, ctx, "sensitive_unheld")
	if msg := text(t, ctx, "main"); !strings.Contains(msg, "工伤保险待遇科负责人") || !strings.Contains(msg, "中心主任") {
		t.Fatalf("the error does not name the posts:\n%s", msg)
	}
	logout(t, ctx)

	// The administrator sees the gap and fills it.
	login(t, ctx, base, env.User(t, apptest.Admin).Username)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin"), chromedp.WaitVisible(chromedp.CSS("#unheld-posts"))); err != nil {
		t.Fatalf("admin home: %v", err)
	}
	give := func(u *apptest.User, post, section string) {
		t.Helper()
		err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin/posts"), chromedp.WaitVisible(chromedp.CSS("#post-form")),
			chromedp.SetValue(chromedp.CSS("#user_id"), strconv.FormatInt(u.ID, 10)), chromedp.SetValue(chromedp.CSS("#post"), post),
			chromedp.SetValue(chromedp.CSS("#post-section"), section), chromedp.Click(chromedp.CSS("#post-submit")),
			chromedp.WaitVisible(chromedp.Search(`//*[contains(@class, "flash")][contains(., "已调整职务")]`)))
		if err != nil {
			t.Fatalf("give %s: %v", post, err)
		}
	}
	give(head, "section_head", "injury")
	give(env.User(t, apptest.Staff(access.Office)), "office_head", "office")
	give(boss, "agency_head", "office")
	complaintShot(t, ctx, "admin_posts")
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/admin"), chromedp.WaitVisible(chromedp.CSS("main ul"))); err != nil {
		t.Fatal(err)
	}
	if w := text(t, ctx, "#unheld-posts"); strings.Contains(w, "工伤保险待遇科负责人") || strings.Contains(w, "中心主任") || !strings.Contains(w, "审计科负责人") {
		t.Errorf("the admin home still names posts now held:\n%s", w)
	}
	logout(t, ctx)

	login(t, ctx, base, clerk)
	flag()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.Search(`//*[@id="sensitive-status"][contains(., "待工伤保险待遇科负责人批示")]`))); err != nil {
		t.Fatalf("flagged matter: %v", err)
	}
	path, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	logout(t, ctx)

	ack := func(user, instruction, next string) {
		t.Helper()
		login(t, ctx, base, user)
		err := chromedp.Do(ctx, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("#ack-form")),
			chromedp.SetValue(chromedp.CSS("#instruction"), instruction), chromedp.Click(chromedp.CSS("#ack-submit")),
			chromedp.WaitVisible(chromedp.Search(`//*[@id="sensitive-status"][contains(., "`+next+`")]`)))
		if err != nil {
			t.Fatalf("%s acknowledges: %v", user, err)
		}
	}
	ack(head.Username, "立即安排人员接待，做好解释", "待办公室主任批示")
	complaintShot(t, ctx, "sensitive_detail")
	logout(t, ctx)

	// The office head lets the deadline pass (the demo date lies in the
	// Spring Festival holidays: two weeks on); the job passes it up.
	env.Clock.Set(env.Clock.Now().AddDate(0, 0, 14))
	if _, err := env.App.Sensitive.Escalate(context.Background()); err != nil {
		t.Fatal(err)
	}
	login(t, ctx, base, env.User(t, apptest.Staff(access.Office)).Username)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/staff/sensitive"), chromedp.WaitVisible(chromedp.CSS("#sensitive-matters"))); err != nil {
		t.Fatalf("office list: %v", err)
	}
	complaintShot(t, ctx, "sensitive_list")
	if l := text(t, ctx, "#sensitive-matters"); !strings.Contains(l, "待中心主任批示") {
		t.Fatalf("office list after escalation:\n%s", l)
	}
	logout(t, ctx)
	ack(boss.Username, "同意，报区人社局备案", "已办结")
	if steps := text(t, ctx, "#sensitive-steps"); !strings.Contains(steps, "逾期未批示") || !strings.Contains(steps, "立即安排人员接待") {
		t.Fatalf("steps:\n%s", steps)
	}
}

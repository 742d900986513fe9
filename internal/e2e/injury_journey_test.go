package e2e_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
	"shebao/internal/e2e"
)

// TestInjuryReportJourney: at 2024-02-10 09:00 (hour 25 after an accident
// at 2024-02-09 08:00) the employer reports it in a real browser with a
// photo; the case shows "迟报 1 小时"; the injury clerk accepts it and the
// recognition reminder is shown to both.
func TestInjuryReportJourney(t *testing.T) {
	ctx := e2e.Browser(t)
	env := apptest.New(t, db.SQLite) // fixed clock at apptest.Start, served on loopback
	workerID := employWorker(t, env)
	photo := filepath.Join(t.TempDir(), "住院照片.png")
	if err := os.WriteFile(photo, tinyPNG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	base := env.Server.URL

	login(t, ctx, base, env.User(t, apptest.EmployerA).Username)
	fields := map[string]string{"#worker_id_number": workerID, "#accident_at": "2024-02-09T08:00",
		"#place": "二号车间", "#what": "搬运货物时被叉车撞伤", "#injury": "左腿骨折", "#hospital": "区人民医院",
		"#contact_name": "李丽", "#contact_phone": "13800138001"}
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/employer/injury/reports/new"),
		chromedp.WaitVisible(chromedp.CSS("#submit-report"))}
	for sel, v := range fields {
		steps = append(steps, chromedp.SetValue(chromedp.CSS(sel), v))
	}
	steps = append(steps, chromedp.SetUploadFiles(chromedp.CSS("#photos"), []string{photo}),
		chromedp.Click(chromedp.CSS("#submit-report")), chromedp.WaitVisible(chromedp.CSS("#late-flag")))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("report: %v", err)
	}
	late := text(t, ctx, "#late-flag")
	if late != "迟报 1 小时" {
		t.Fatalf("late flag %q", late)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	no := regexp.MustCompile(`GS\d{8}-\d{4}`).FindString(loc)
	if no == "" {
		t.Fatalf("no case number in %s", loc)
	}

	logout(t, ctx)
	login(t, ctx, base, env.User(t, apptest.Staff(access.Injury)).Username)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/staff/cases?section=injury"),
		chromedp.WaitVisible(chromedp.CSS("table"))); err != nil {
		t.Fatal(err)
	}
	if q := text(t, ctx, "table"); !strings.Contains(q, no) || !strings.Contains(q, "迟报 1 小时") {
		t.Fatalf("queue lacks the case: %s", q)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/staff/cases/"+no),
		chromedp.Click(chromedp.CSS("#do-accepted")), chromedp.WaitVisible(chromedp.CSS("#recognition-reminder"))); err != nil {
		t.Fatalf("accept: %v", err)
	}
	if st := text(t, ctx, "#case-state"); st != "已受理" {
		t.Errorf("state %q", st)
	}

	logout(t, ctx)
	login(t, ctx, base, env.User(t, apptest.EmployerA).Username)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/cases/"+no),
		chromedp.WaitVisible(chromedp.CSS("#recognition-reminder"))); err != nil {
		t.Fatal(err)
	}
	if r := text(t, ctx, "#recognition-reminder"); !strings.Contains(r, "区人社局工伤科提出工伤认定申请") ||
		!strings.Contains(r, "2024-03-10") {
		t.Errorf("reminder %q", r)
	}
	if l := text(t, ctx, "#late-flag"); l != "迟报 1 小时" {
		t.Errorf("late flag after acceptance %q", l)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func login(t *testing.T, ctx context.Context, base, username string) {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SetValue(chromedp.CSS("#username"), username), chromedp.SetValue(chromedp.CSS("#password"), apptest.Password),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)))
	if err != nil {
		t.Fatalf("login %s: %v", username, err)
	}
}

func logout(t *testing.T, ctx context.Context) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`form[action="/logout"]`))); err != nil {
		t.Fatalf("logout: %v", err)
	}
}

// employWorker makes person-a an employee of employer-a and returns the ID number.
func employWorker(t *testing.T, env *apptest.Env) string {
	t.Helper()
	u := env.User(t, apptest.PersonA)
	if _, err := env.App.DB.W.Exec(`INSERT INTO employments (person_id, employer_id, start_month, base_fen, created_at,
		updated_at) VALUES ($1, $2, '2023-01', 800000, $3, $3)`, u.PersonID, env.User(t, apptest.EmployerA).EmployerID,
		env.Clock.Now()); err != nil {
		t.Fatal(err)
	}
	var id string
	if err := env.App.DB.R.QueryRow(`SELECT id_number FROM persons WHERE id = $1`, u.PersonID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func tinyPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(2, 2, color.RGBA{B: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

package e2e

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/ident"
	"shebao/internal/manual"
	"shebao/internal/manual/build"
	"shebao/internal/pdfdoc"
)

// needBrowserAndFont skips (or, under SHEBAO_TEST_BROWSER / SHEBAO_TEST_PDF,
// fails) without Chromium or the CJK font.
func needBrowserAndFont(t *testing.T) {
	t.Helper()
	if build.ChromiumPath() == "" {
		if os.Getenv(EnvRequireBrowser) != "" {
			t.Fatal("Chromium not found but SHEBAO_TEST_BROWSER is set")
		}
		t.Skip("Chromium not installed; set SHEBAO_TEST_BROWSER=1 to require it")
	}
	if err := pdfdoc.Available(); err != nil {
		if os.Getenv("SHEBAO_TEST_PDF") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

// TestManualsMatchTheDemo regenerates every manual on the demo district
// (its fixed clock, headless Chromium), as `shebao manual` does: every page
// a manual names must open and show the labels the manual documents, and
// every step's actions must work. It then checks the manuals themselves
// (cover with version and date, contents with page numbers, a screenshot
// per task with a page) and that a manual naming a page that is gone, or a
// label that changed, fails with the place in the source.
func TestManualsMatchTheDemo(t *testing.T) {
	needBrowserAndFont(t)
	ctx := context.Background()
	work := t.TempDir()
	site, err := build.StartDemo(ctx, filepath.Join(work, "demo"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	bctx, stop, err := build.Browser(filepath.Join(work, "browser"))
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	ms, err := manual.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := build.NewRunner(site, build.DemoUsers, work)
	ed := manual.Edition{Version: "9.9.9-test", Date: time.Date(2024, 2, 10, 0, 0, 0, 0, clock.Shanghai), Agency: "测试"}
	for _, m := range ms {
		start := time.Now()
		shots, err := r.Run(bctx, m)
		if err != nil {
			t.Fatalf("manual %s no longer matches the system: %v", m.Key, err)
		}
		out, err := build.Render(m, ed, shots)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d screenshots, %d KB PDF, %s", m.Title, len(shots), len(out.PDF)>>10, time.Since(start).Round(time.Millisecond))
		checkManual(t, m, out, work)
	}

	// A page that is gone and a label that changed are found.
	gone := manual.Manual{Key: "broken", User: "employer", Chapters: []manual.Chapter{{File: "99-broken.txt", Title: "坏章节",
		Tasks: []manual.Task{{Title: "旧页面", Page: "/employer/no-such-page", Line: 3}}}}}
	if _, err := r.Run(bctx, gone); err == nil || !strings.Contains(err.Error(), "99-broken.txt line 3") || !strings.Contains(err.Error(), "打不开") {
		t.Fatalf("a missing page was not reported: %v", err)
	}
	renamed := manual.Manual{Key: "broken", User: "employer", Chapters: []manual.Chapter{{File: "98-renamed.txt", Title: "坏章节",
		Tasks: []manual.Task{{Title: "改名的字段", Page: "/employer/certificates", Fields: []string{"开具证明", "打印证明书"}, Line: 7}}}}}
	if _, err := r.Run(bctx, renamed); err == nil || !strings.Contains(err.Error(), "找不到手册写的字段：打印证明书") {
		t.Fatalf("a changed label was not reported: %v", err)
	}
}

// checkManual looks at a manual as its reader does: the web page has every
// chapter, task and screenshot; the PDF's text has the cover, the contents
// with page numbers and every chapter.
func checkManual(t *testing.T, m manual.Manual, out build.Output, work string) {
	t.Helper()
	html := string(out.HTML)
	want := 0
	for _, c := range m.Chapters {
		for _, k := range c.Tasks {
			if !strings.Contains(html, k.Title) {
				t.Errorf("%s web page lacks task %s", m.Key, k.Title)
			}
			if k.Page != "" {
				want++
			}
		}
	}
	if got := strings.Count(html, `src="data:image/jpeg;base64,`); got < want || out.Shots < want {
		t.Errorf("%s: %d screenshots in the page, %d taken, want one per task with a page (%d)", m.Key, got, out.Shots, want)
	}
	if !bytes.HasPrefix(out.PDF, []byte("%PDF-")) {
		t.Fatalf("%s: not a PDF", m.Key)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Logf("pdftotext not installed: the PDF's text is not checked")
		return
	}
	path := filepath.Join(work, m.Key+".pdf")
	if err := os.WriteFile(path, out.PDF, 0o644); err != nil {
		t.Fatal(err)
	}
	txt, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(txt)), "")
	pages := strings.Split(string(txt), "\f")
	for i := range pages {
		pages[i] = strings.Join(strings.Fields(pages[i]), "")
	}
	if !strings.Contains(pages[0], m.Title) || !strings.Contains(pages[0], "版本：9.9.9-test") || !strings.Contains(pages[0], "日期：2024年2月10日") {
		t.Errorf("%s cover:\n%s", m.Key, pages[0])
	}
	if len(pages) < 2 || !strings.Contains(pages[1], "目录") || !strings.Contains(pages[1], "1."+strings.Join(strings.Fields(m.Chapters[0].Title), "")) {
		t.Errorf("%s contents:\n%s", m.Key, pages[1])
	}
	for i, p := range pages[1 : len(pages)-1] {
		if !strings.Contains(p, "第"+strconv.Itoa(i+2)+"页") {
			t.Errorf("%s page %d has no page number", m.Key, i+2)
		}
	}
	for _, c := range m.Chapters {
		if !strings.Contains(text, strings.Join(strings.Fields(c.Title), "")) {
			t.Errorf("%s PDF lacks chapter %s", m.Key, c.Title)
		}
	}
}

// TestNewEmployerFollowsTheManual: an employer that has never used Shebao
// follows the employer manual's steps as the source lists them, in order —
// adds staff with the Excel file, checks and confirms the month's bill
// (the agency's monthly assessment running where the manual says it
// does), and gets a certificate — and each step has its effect.
func TestNewEmployerFollowsTheManual(t *testing.T) {
	needBrowserAndFont(t)
	env := apptest.New(t, db.SQLite)
	ctx := Browser(t)
	ms, err := manual.Load()
	if err != nil {
		t.Fatal(err)
	}
	boss := env.User(t, apptest.EmployerA)
	users := map[string]manual.Login{"employer": {Username: boss.Username, Password: boss.Password}}
	site := &build.Site{App: env.App, URL: env.Server.URL}
	r := build.NewRunner(site, users, t.TempDir())
	r.NoShots = true
	m := ms[0]
	if m.Key != "employer" {
		t.Fatalf("first manual %s", m.Key)
	}
	var tasks []string
	for _, c := range m.Chapters {
		for _, k := range c.Tasks {
			tasks = append(tasks, k.Title)
		}
	}
	if _, err := r.Run(ctx, m); err != nil {
		t.Fatalf("following the employer manual (%s): %v", strings.Join(tasks, " → "), err)
	}

	// The effects: the three staff employed, the bill confirmed with them,
	// a certificate issued.
	a := env.Actor(t, apptest.EmployerA)
	bills, err := env.App.Contribution.ListForEmployer(context.Background(), a, a.EmployerID)
	if err != nil || len(bills) != 1 {
		t.Fatalf("bills: %+v %v", bills, err)
	}
	if bills[0].Status != contribution.Confirmed || bills[0].FeeMonth != "2024-02" || bills[0].PaymentRef == "" {
		t.Fatalf("the bill after the manual: %+v", bills[0])
	}
	var lines int
	if err := env.App.DB.W.QueryRow(`SELECT COUNT(DISTINCT person_id) FROM bill_lines WHERE bill_id = $1`, bills[0].ID).Scan(&lines); err != nil || lines != len(build.ExampleHires()) {
		t.Fatalf("the confirmed bill covers %d persons (%v), want the %d hired", lines, err, len(build.ExampleHires()))
	}
	var certs int
	if err := env.App.DB.W.QueryRow(`SELECT COUNT(*) FROM certificates WHERE employer_id = $1`, a.EmployerID).Scan(&certs); err != nil || certs != 1 {
		t.Fatalf("certificates: %d %v", certs, err)
	}
	for _, h := range build.ExampleHires() {
		var n int
		env.App.DB.W.QueryRow(`SELECT COUNT(*) FROM employments e JOIN persons p ON p.id = e.person_id
			WHERE p.id_number = $1 AND e.employer_id = $2`, h.ID, a.EmployerID).Scan(&n)
		if n != 1 {
			t.Errorf("%s (%s) not employed after the import", h.Name, ident.MaskID(h.ID))
		}
	}
}

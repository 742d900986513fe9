package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
	"shebao/internal/ident"
)

// TestAssessJourney: a 统筹科 clerk finds 缴费核定 on the console, starts
// the assessment of 2024-01, watches it finish on the run page (which
// polls its status) and sees the result; running it again recomputes the
// drafts instead of adding bills; the employer then has a bill to check.
func TestAssessJourney(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	ctx := Browser(t)
	base := env.Server.URL
	boss := env.User(t, apptest.EmployerA)
	for i := 0; i < 3; i++ {
		addStaff(t, env, boss.EmployerID, i)
	}
	clerk := env.User(t, apptest.Staff(access.Coordination))
	login(t, ctx, base, clerk.Username, clerk.Password)
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/staff"),
		chromedp.Click(chromedp.CSS(`a[href="/staff/assessments"]`)),
		chromedp.WaitVisible(chromedp.CSS("#start-assess")),
		chromedp.SetValue(chromedp.CSS("#month"), "2024-01"),
		chromedp.Click(chromedp.CSS("#start-assess")),
		chromedp.WaitVisible(chromedp.CSS("#assess-run")),
		// The page polls until the run ends, then shows the result.
		chromedp.WaitVisible(chromedp.CSS("#run-result")),
	)
	if err != nil {
		t.Fatalf("start assessment: %v\n%s", err, text(t, ctx))
	}
	page, status := text(t, ctx), textOf(t, ctx, "#run-status")
	if status != "已完成" || !strings.Contains(page, "1 / 1") {
		t.Fatalf("run page after the run, status %q:\n%s", status, page)
	}
	if got := textOf(t, ctx, "#run-created"); got != "1" {
		t.Fatalf("new bills %q, want 1:\n%s", got, page)
	}
	// Again: the draft is recomputed, no second bill.
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/staff/assessments"),
		chromedp.SetValue(chromedp.CSS("#month"), "2024-01"),
		chromedp.Click(chromedp.CSS("#start-assess")),
		chromedp.WaitVisible(chromedp.CSS("#run-result")),
	)
	if err != nil {
		t.Fatalf("re-run: %v\n%s", err, text(t, ctx))
	}
	if c, r := textOf(t, ctx, "#run-created"), textOf(t, ctx, "#run-redone"); c != "0" || r != "1" {
		t.Fatalf("re-run: created %q, recomputed %q", c, r)
	}
	// A future month is refused with the field named.
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+"/staff/assessments"),
		chromedp.SetValue(chromedp.CSS("#month"), "2024-05"),
		chromedp.Click(chromedp.CSS("#start-assess")),
		chromedp.WaitVisible(chromedp.CSS("main .field-error")),
	)
	if err != nil || !strings.Contains(text(t, ctx), "不能核定未来的月份") {
		t.Fatalf("future month: %v\n%s", err, text(t, ctx))
	}
	if got := textOf(t, ctx, "#assess-runs tbody"); strings.Count(got, "已完成") != 2 {
		t.Fatalf("run list: %s", got)
	}
	watchRunningRun(t, ctx, env)
	signOut(t, ctx)
	login(t, ctx, base, boss.Username, boss.Password)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/employer/bills")); err != nil {
		t.Fatal(err)
	}
	if page := text(t, ctx); !strings.Contains(page, "2024-01") || !strings.Contains(page, "待核对") {
		t.Fatalf("employer's bills after the assessment:\n%s", page)
	}
}

func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// addStaff employs a new person at the employer from 2023-06.
func addStaff(t *testing.T, env *apptest.Env, employerID int64, i int) {
	t.Helper()
	w := env.App.DB.W
	now := env.Clock.Now()
	idn := ident.MakeID("110105", time.Date(1985, 3, 1+i, 0, 0, 0, 0, time.UTC), 100+2*i, true)
	var pid int64
	err := w.QueryRow(`INSERT INTO persons (id_number, name, gender, birth_date, created_at, updated_at)
		VALUES ($1, $2, 'M', '1985-03-01', $3, $3) RETURNING id`, idn, fmt.Sprintf("职工%d", i), now).Scan(&pid)
	if err == nil {
		_, err = w.Exec(`INSERT INTO employments (person_id, employer_id, start_month, base_fen, declared_fen, created_at, updated_at)
			VALUES ($1, $2, '2023-06', 800000, 800000, $3, $3)`, pid, employerID, now)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// watchRunningRun: a run going on elsewhere (another server) shows its
// progress as it advances, without reloading, and its result when done.
func watchRunningRun(t *testing.T, ctx context.Context, env *apptest.Env) {
	t.Helper()
	w := env.App.DB.W
	var id int64
	now := env.Clock.Now()
	err := w.QueryRow(`INSERT INTO assess_runs (fee_month, origin, status, total, done, server, started_at, heartbeat_at)
		VALUES ('2023-12', 'manual', 'running', 4, 1, 'other', $1, $1) RETURNING id`, now).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/staff/assessments/%d", env.Server.URL, id)),
		chromedp.WaitVisible(chromedp.CSS("#run-hint")),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("run-hint").setAttribute("data-same-page", "1")`),
	)
	if err != nil {
		t.Fatalf("running run page: %v", err)
	}
	if got := textOf(t, ctx, "#run-count"); got != "1 / 4" {
		t.Fatalf("progress %q, want 1 / 4", got)
	}
	w.Exec(`UPDATE assess_runs SET done = 3 WHERE id = $1`, id)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`#run-hint[data-same-page="1"]`)),
		chromedp.Poll[chromedp.Void](`document.getElementById("run-count").textContent === "3 / 4"`)); err != nil {
		t.Fatalf("progress not updated in place: %v (%s)", err, textOf(t, ctx, "#run-count"))
	}
	w.Exec(`UPDATE assess_runs SET done = 4, status = 'done', created = 4, finished_at = $1 WHERE id = $2`, now, id)
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#run-result"))); err != nil {
		t.Fatalf("result not shown when the run ended: %v", err)
	}
	if got := textOf(t, ctx, "#run-created"); got != "4" {
		t.Fatalf("result: created %q", got)
	}
}

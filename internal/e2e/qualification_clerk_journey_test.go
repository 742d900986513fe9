package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// TestClerkRecordsQualificationFromCall: an employer phones its form in;
// a 保险福利科 clerk records it with the scan uploaded (a missing scan and
// an unknown employer are named first); the form waits for the approver
// with the phone channel and the scan.
func TestClerkRecordsQualificationFromCall(t *testing.T) {
	env := retireEnv(t)
	ctx := Browser(t)
	base, bg := env.Server.URL, context.Background()
	boss := env.User(t, apptest.EmployerA)
	_, idn := insured(t, env, "冯志强", time.Date(1966, 3, 10, 0, 0, 0, 0, time.UTC), 61, boss.EmployerID, "1991-06", "2026-05", 600_000)
	var empNo string
	if err := env.App.DB.W.QueryRow(`SELECT employer_no FROM employers WHERE id = $1`, boss.EmployerID).Scan(&empNo); err != nil {
		t.Fatal(err)
	}
	scan := filepath.Join(t.TempDir(), "确认表.pdf")
	if err := os.WriteFile(scan, []byte("%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	clerk := env.User(t, apptest.Staff(access.Welfare))
	login(t, ctx, base, clerk.Username, clerk.Password)
	run(t, ctx, "no scan, unknown employer",
		chromedp.Navigate(base+"/staff/retirement/qualifications/new"),
		chromedp.SetValue(chromedp.CSS("#employer_no"), "不存在的单位"),
		chromedp.SetValue(chromedp.CSS("#id_number"), idn),
		chromedp.Click(chromedp.CSS("#submit-clerk-qualification")),
		chromedp.WaitVisible(chromedp.Search(`//p[contains(@class, "field-error")][contains(., "未找到该参保单位")]`)),
	)
	shot(t, ctx, "qualification-clerk")
	run(t, ctx, "record",
		chromedp.SetValue(chromedp.CSS("#employer_no"), empNo),
		chromedp.SetValue(chromedp.CSS("#category"), "male"),
		chromedp.SetValue(chromedp.CSS("#contact"), "单位经办"),
		chromedp.SetValue(chromedp.CSS("#phone"), "13900139000"),
		chromedp.SetValue(chromedp.CSS("#channel"), "phone"),
		chromedp.SetUploadFiles(chromedp.CSS("#scan_file"), []string{scan}),
		chromedp.Click(chromedp.CSS("#submit-clerk-qualification")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已登记退休资格确认表")]`)),
	)
	if page := text(t, ctx); !strings.Contains(page, "电话") || strings.Contains(page, idn) {
		t.Fatalf("recorded form:\n%s", page)
	}
	qs, err := env.App.Retirement.Qualifications(bg, clerk.Actor(), "")
	if err != nil || len(qs) != 1 || qs[0].Channel != "phone" || qs[0].ScanDocID == 0 || qs[0].EmployerID != boss.EmployerID {
		t.Fatalf("qualification %+v %v", qs, err)
	}
}

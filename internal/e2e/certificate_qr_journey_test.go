package e2e_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shebao/internal/app/apptest"
	"shebao/internal/db"
	"shebao/internal/e2e"
)

// TestCertificateQRJourney: a person issues a certificate in the browser;
// the printable version shows the QR code (a drawn image) and the absolute
// address it holds; opening that address, as a phone does after scanning,
// shows the check with masked data and the printed totals.
func TestCertificateQRJourney(t *testing.T) {
	ctx := e2e.Browser(t)
	env := apptest.New(t, db.SQLite)
	paidMonth(t, env)
	base := env.Server.URL
	login(t, ctx, base, env.User(t, apptest.PersonA).Username)
	err := chromedp.Do(ctx, chromedp.Navigate(base+"/person/certificates"),
		chromedp.SetValue(chromedp.CSS(`input[name="from"]`), "2024-01"),
		chromedp.SetValue(chromedp.CSS(`input[name="to"]`), "2024-02"),
		chromedp.Click(chromedp.CSS(`main form[action="/person/certificates"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/certificate.html"]`)),
		chromedp.Click(chromedp.CSS(`a[href$="/certificate.html"]`)),
		chromedp.WaitVisible(chromedp.CSS("#cert-qr")))
	if err != nil {
		t.Fatalf("issue and print: %v", err)
	}
	width, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelector("#cert-qr").naturalWidth`))
	if err != nil || width < 100 {
		t.Fatalf("the QR code image is not drawn (width %d): %v", width, err)
	}
	addr := text(t, ctx, "#cert-check-url")
	if !strings.HasPrefix(addr, base+"/certificate/check?code=") {
		t.Fatalf("the QR address %q is not absolute (want %s/…)", addr, base)
	}
	logout(t, ctx)
	if err := chromedp.Do(ctx, chromedp.Navigate(addr), chromedp.WaitVisible(chromedp.CSS("#check-result"))); err != nil {
		t.Fatalf("open the QR address: %v", err)
	}
	res := text(t, ctx, "main")
	for _, want := range []string{"证明有效", "张*", "2024-01 至 2024-02", "1 个月", "缴费金额合计 1,211.52 元"} {
		if !strings.Contains(res, want) {
			t.Errorf("check result lacks %q:\n%s", want, res)
		}
	}
	if strings.Contains(res, "张伟") || strings.Contains(res, env.User(t, apptest.PersonA).Username) {
		t.Errorf("check result shows clear data:\n%s", res)
	}
}

// paidMonth gives person A a paid January 2024 bill of employer A
// (121,152 fen for the three schemes).
func paidMonth(t *testing.T, env *apptest.Env) {
	t.Helper()
	a, emp := env.User(t, apptest.PersonA), env.User(t, apptest.EmployerA)
	var id int64
	err := env.App.DB.W.QueryRow(`INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status, total_fen,
		paid_fen, flags, assessed_at) VALUES ('T2024-01', 'employer', $1, '2024-01', 'paid', 121152, 121152, '', $2)
		RETURNING id`, emp.EmployerID, env.Clock.Now()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.App.DB.W.Exec(`INSERT INTO bill_lines (bill_id, person_id, fee_month, scheme, base_fen,
		declared_base_fen, employer_rate_ppm, individual_rate_ppm, employer_fen, individual_fen) VALUES
		($1, $2, '2024-01', 'pension', 480000, 480000, 160000, 80000, 76800, 38400),
		($1, $2, '2024-01', 'unemployment', 480000, 480000, 5000, 5000, 2400, 2400),
		($1, $2, '2024-01', 'injury', 480000, 480000, 2400, 0, 1152, 0)`, id, a.PersonID)
	if err != nil {
		t.Fatal(err)
	}
}

package e2e

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/emersion/go-smtp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
	"shebao/internal/ident"
	"shebao/internal/notify"
	"shebao/internal/person"
	"shebao/internal/personalaccount"
)

// mailSink is an SMTP server on loopback that keeps what it receives.
type mailSink struct {
	mu   sync.Mutex
	rcpt []string
	data []string
}

func (m *mailSink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{m: m}, nil }

type sinkSession struct {
	m  *mailSink
	to []string
}

func (s *sinkSession) Reset()                               {}
func (s *sinkSession) Logout() error                        { return nil }
func (s *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	s.m.rcpt = append(s.m.rcpt, s.to...)
	s.m.data = append(s.m.data, string(b))
	return nil
}

// startMailSink starts the sink and returns it with its address.
func startMailSink(t *testing.T) (*mailSink, string) {
	t.Helper()
	m := &mailSink{}
	srv := smtp.NewServer(m)
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return m, ln.Addr().String()
}

// stmtShot saves a screenshot of the page for a person to look at.
func stmtShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("SHEBAO_SHOTS")
	if dir == "" {
		return
	}
	beyond := true
	res, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{CaptureBeyondViewport: &beyond})
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), res.Data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestStatementBatchJourney: 个人账户科 orders the statements of one
// employer's employees in the browser, follows the progress bar to the
// end, downloads the ZIP (one PDF per employee, with the balance of the
// account ledger), the employee with an e-mail address receives the mail
// through SMTP, finds the statement on the portal, and the code checks on
// the public check page.
func TestStatementBatchJourney(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	ctx := Browser(t)
	base := env.Server.URL
	bg := context.Background()
	emp := env.User(t, apptest.EmployerA)
	pa, pb := env.User(t, apptest.PersonA), env.User(t, apptest.PersonB)
	d := env.App.DB
	now := env.Clock.Now()
	err := d.WithTx(bg, func(tx *sql.Tx) error {
		for _, u := range []*apptest.User{pa, pb} {
			if err := person.InsertEmployment(bg, tx, &person.Employment{PersonID: u.PersonID, EmployerID: emp.EmployerID,
				StartMonth: "2023-01", Base: 600000}, now); err != nil {
				return err
			}
		}
		var bill int64
		if err := tx.QueryRow(`INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status, total_fen, paid_fen, flags,
			assessed_at) VALUES ('J2023-06', 'employer', $1, '2023-06', 'paid', 288000, 288000, '', $2) RETURNING id`,
			emp.EmployerID, now).Scan(&bill); err != nil {
			return err
		}
		for _, u := range []*apptest.User{pa, pb} {
			if _, err := tx.Exec(`INSERT INTO bill_lines (bill_id, person_id, fee_month, scheme, base_fen, declared_base_fen,
				employer_rate_ppm, individual_rate_ppm, employer_fen, individual_fen)
				VALUES ($1, $2, '2023-06', 'pension', 600000, 600000, 160000, 80000, 96000, 48000)`, bill, u.PersonID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`INSERT INTO notify_prefs (user_id, channels, email, updated_at) VALUES ($1, 'email', 'zhangwei@example.com', $2)`,
			pa.ID, now); err != nil {
			return err
		}
		return personalaccount.CreditPaidBills(bg, tx, env.App.DB.Dialect, []int64{bill}, time.Date(2023, 6, 20, 10, 0, 0, 0, time.UTC))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.PersonalAccounts.RunInterest(bg, env.Actor(t, apptest.Staff(access.Account)), 2023, nil); err != nil {
		t.Fatal(err)
	}

	login(t, ctx, base, env.User(t, apptest.Staff(access.Account)).Username, apptest.Password)
	err = chromedp.Do(ctx, chromedp.Navigate(base+"/staff/accounts/statements"), chromedp.WaitVisible(chromedp.CSS(`#start-statements`)),
		chromedp.Click(chromedp.CSS(`input[name=scope][value=employer]`)),
		chromedp.SetValue(chromedp.CSS(`#employer_no`), emp.Username), chromedp.SetValue(chromedp.CSS(`#year`), "2023"),
		chromedp.Click(chromedp.CSS(`input[name=print]`)))
	if err != nil {
		t.Fatal(err)
	}
	stmtShot(t, ctx, "statements-form")
	err = chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#start-statements`)), chromedp.WaitVisible(chromedp.CSS(`#download-zip`)))
	if err != nil {
		t.Fatalf("the batch page never offered the download: %v", err)
	}
	stmtShot(t, ctx, "statements-batch")
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById("download-zip").getAttribute("href")`))
	if err != nil {
		t.Fatal(err)
	}
	count, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#run-count`)))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(count) != "2 / 2" {
		t.Fatalf("progress %q", count)
	}
	files := downloadZIP(t, ctx, base+href)
	if len(files) != 3 || files["打印版/第01册.pdf"] == nil {
		t.Fatalf("zip entries %d", len(files))
	}
	yearEnd := time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC)
	for _, u := range []*apptest.User{pa, pb} {
		var code string
		var bal int64
		if err := d.Read().QueryRowContext(bg, `SELECT code, balance_fen FROM statements WHERE person_id = $1`, u.PersonID).Scan(&code, &bal); err != nil {
			t.Fatal(err)
		}
		want, _ := personalaccount.BalanceAt(bg, d.Read(), u.PersonID, yearEnd)
		if bal != int64(want) || want == 0 {
			t.Fatalf("statement balance %d, ledger %s", bal, want)
		}
	}

	sink, addr := startMailSink(t)
	dr := notify.NewDrainer(d, env.Clock, "e2e", nil,
		map[notify.Channel]notify.Provider{notify.Email: &notify.SMTP{Addr: addr, From: "noreply@shebao.test", HelloAs: "shebao.test"}})
	if _, err := dr.DrainOnce(bg); err != nil {
		t.Fatal(err)
	}
	sink.mu.Lock()
	rcpt, mails := append([]string(nil), sink.rcpt...), append([]string(nil), sink.data...)
	sink.mu.Unlock()
	if len(mails) != 1 || len(rcpt) != 1 || rcpt[0] != "zhangwei@example.com" {
		t.Fatalf("mails to %v", rcpt)
	}

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`form[action="/logout"]`))); err != nil {
		t.Fatalf("logout: %v", err)
	}
	login(t, ctx, base, pa.Username, apptest.Password)
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/person/statements"), chromedp.WaitVisible(chromedp.CSS(`#my-statements`))); err != nil {
		t.Fatal(err)
	}
	row, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#my-statements tbody tr`)))
	if err != nil {
		t.Fatal(err)
	}
	stmtShot(t, ctx, "statements-person")
	var code string
	d.Read().QueryRowContext(bg, `SELECT code FROM statements WHERE person_id = $1`, pa.PersonID).Scan(&code)
	grouped := code[:4] + "-" + code[4:8] + "-" + code[8:12] + "-" + code[12:16] + "-" + code[16:]
	if !strings.Contains(row, "2023") || !strings.Contains(row, grouped) {
		t.Fatalf("the person's statement row: %q", row)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/certificate/check?code="+grouped), chromedp.WaitVisible(chromedp.CSS(`main`))); err != nil {
		t.Fatal(err)
	}
	checked, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	stmtShot(t, ctx, "statements-check")
	name := ident.MaskNameEnds("张伟")
	if !strings.Contains(checked, "个人权益记录单") || !strings.Contains(checked, name) || strings.Contains(checked, "张伟") {
		t.Fatalf("check page: %s", checked)
	}
}

// downloadZIP fetches url with the browser's session cookie and returns
// the ZIP's files.
func downloadZIP(t *testing.T, ctx context.Context, url string) map[string][]byte {
	t.Helper()
	res0, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for _, c := range res0.Cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("download: %d %s", res.StatusCode, b)
	}
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range z.File {
		r, _ := f.Open()
		data, _ := io.ReadAll(r)
		r.Close()
		out[f.Name] = data
	}
	return out
}

// Package build makes the manuals: it runs the demo district in a
// temporary folder with the demo's fixed clock, walks every manual's
// tasks in headless Chromium (taking the screenshots and checking every
// page and label the manual names), and renders each manual as a web page
// and a PDF. `shebao manual` and the browser journey that checks the
// manuals both call it.
package build

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app"
	"shebao/internal/clock"
	"shebao/internal/demo"
	"shebao/internal/manual"
)

// DemoNow is the demo's fixed clock: inside the 2024 epidemic scenario.
var DemoNow = time.Date(2024, 2, 10, 9, 0, 0, 0, clock.Shanghai)

// DemoUsers are the demo logins the manuals' tasks use.
var DemoUsers = map[string]manual.Login{
	"employer": {Username: "110105000001", Password: demo.Password},
	"person":   {Username: "340102200312315849", Password: demo.Password},
	"flexible": {Username: "130102197406108476", Password: demo.Password},
	"retiree":  {Username: "11010919450101001X", Password: demo.Password},
}

// Site is a Shebao served on loopback for the browser.
type Site struct {
	App  *app.App
	URL  string
	stop func()
}

// Close stops the server and closes the database.
func (s *Site) Close() { s.stop() }

// StartDemo opens a fresh SQLite database in dir with the clock at
// DemoNow, seeds the demo district and serves the pages (without the
// scheduled jobs: the manuals' hooks run what they need) on loopback.
func StartDemo(ctx context.Context, dir string, log io.Writer) (*Site, error) {
	if log == nil {
		log = io.Discard
	}
	a, err := app.Open(ctx, app.Config{DataDir: dir, Now: DemoNow, LogOut: log, Name: "manual"})
	if err != nil {
		return nil, err
	}
	d := demo.Deps{DB: a.DB, Clock: a.Clock, Log: a.Log, Audit: a.Audit, Accounts: a.Accounts,
		Policy: a.Policy, Employers: a.Employers, Contribution: a.Contribution, Payments: a.Payments,
		Payouts: a.Payouts, Payroll: a.Payroll, Injury: a.Injury, PersonalAccounts: a.PersonalAccounts, Deaths: a.Deaths,
		Transfers: a.Transfers, Upkeep: a.Upkeep, Recovery: a.Recovery, Retirement: a.Retirement}
	if _, _, err := demo.SeedIfEmpty(ctx, d, demo.Options{}, "manual"); err != nil {
		a.Close()
		return nil, fmt.Errorf("demo: %w", err)
	}
	return Serve(a)
}

// Serve serves a's pages on a loopback port.
func Serve(a *app.App) (*Site, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		a.Close()
		return nil, err
	}
	srv := &http.Server{Handler: a.Web, ReadHeaderTimeout: 10 * time.Second,
		ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
	go srv.Serve(ln)
	return &Site{App: a, URL: "http://" + ln.Addr().String(), stop: func() { srv.Close(); a.Close() }}, nil
}

// AssessHook runs the current month's assessment as 统筹科 does on the
// assessment day, so the employer has a draft bill to check.
func AssessHook(a *app.App) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		month := clock.Today(a.Clock).Format("2006-01")
		_, err := a.Contribution.AssessMonth(ctx, access.System, month, nil)
		return err
	}
}

// ChromiumPath finds the browser, "" when none is installed.
func ChromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// ErrNoBrowser says Chromium is not installed.
var ErrNoBrowser = errors.New("未找到 Chromium 浏览器（apt-get install chromium），无法截图")

// Browser starts headless Chromium with a 960 × 760 window (its
// screenshots print legibly across the A4 text width); stop ends it.
func Browser(userDir string) (ctx context.Context, stop func(), err error) {
	path := ChromiumPath()
	if path == "" {
		return nil, nil, ErrNoBrowser
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(userDir),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(960, 760),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelCtx := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil {
		cancelCtx()
		cancelAlloc()
		return nil, nil, fmt.Errorf("start chromium: %w", err)
	}
	return bctx, func() { cancelCtx(); cancelAlloc() }, nil
}

// NewRunner returns the runner of the manuals against site: the example
// staff file as the "staff" fixture (written under work) and the monthly
// assessment as the "draft-bill" hook.
func NewRunner(site *Site, users map[string]manual.Login, work string) *Runner {
	return &Runner{Base: site.URL, Users: users,
		Fixtures: map[string]func() (string, error){"staff": StaffFixture(site.App, filepath.Join(work, "staff.xlsx"))},
		Hooks:    map[string]func(context.Context) error{"draft-bill": AssessHook(site.App)}}
}

// Render makes the web page and the PDF of m from its screenshots.
func Render(m manual.Manual, e manual.Edition, shots manual.Shots) (Output, error) {
	res := Output{Manual: m, Shots: len(shots)}
	var err error
	if res.HTML, err = manual.HTML(m, e, shots); err == nil {
		res.PDF, err = manual.PDF(m, e, shots)
	}
	return res, err
}

// Output is one generated manual.
type Output struct {
	Manual    manual.Manual
	HTML, PDF []byte
	Shots     int
	Took      time.Duration
}

// Options of Run.
type Options struct {
	Only    []string // manual keys; all when empty
	Edition manual.Edition
	Work    string    // a scratch folder (demo database, browser profile, fixtures)
	Log     io.Writer // progress lines; nil for none
}

// Run starts the demo and the browser and generates the manuals.
func Run(ctx context.Context, o Options) ([]Output, error) {
	ms, err := manual.Load()
	if err != nil {
		return nil, err
	}
	site, err := StartDemo(ctx, filepath.Join(o.Work, "demo"), nil)
	if err != nil {
		return nil, err
	}
	defer site.Close()
	bctx, stop, err := Browser(filepath.Join(o.Work, "browser"))
	if err != nil {
		return nil, err
	}
	defer stop()
	r := NewRunner(site, DemoUsers, o.Work)
	var out []Output
	for _, m := range ms {
		if !wanted(o.Only, m.Key) {
			continue
		}
		start := time.Now()
		shots, err := r.Run(bctx, m)
		if err != nil {
			return out, err
		}
		res, err := Render(m, o.Edition, shots)
		if err != nil {
			return out, err
		}
		res.Took = time.Since(start)
		if o.Log != nil {
			fmt.Fprintf(o.Log, "%s：%d 张截图，%.1f 秒\n", m.Title, res.Shots, res.Took.Seconds())
		}
		out = append(out, res)
	}
	return out, nil
}

func wanted(only []string, key string) bool {
	if len(only) == 0 {
		return true
	}
	for _, k := range only {
		if k == key {
			return true
		}
	}
	return false
}

// WriteFiles writes DIR/<key>.html and DIR/<key>.pdf of each output.
func WriteFiles(dir string, outs []Output) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, o := range outs {
		base := filepath.Join(dir, "manual-"+o.Manual.Key)
		if err := os.WriteFile(base+".html", o.HTML, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(base+".pdf", o.PDF, 0o644); err != nil {
			return err
		}
	}
	return nil
}

package build

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"shebao/internal/manual"
)

// Runner walks a manual's tasks in a browser against a running Shebao:
// it opens each task's page, checks the page exists and shows the
// documented labels, runs the steps' actions in order and takes the
// screenshots. The manual command and the browser journey both use it,
// so the manual and what the system does cannot drift apart.
type Runner struct {
	Base  string                  // e.g. http://127.0.0.1:8080
	Users map[string]manual.Login // by the keys the source names (employer, person, flexible)
	// Fixtures make the files {upload} sends, by name (e.g. "staff").
	Fixtures map[string]func() (string, error)
	// Hooks run steps outside the browser ({hook name}); a missing hook is
	// a step the demo has already done (e.g. the month's bills exist).
	Hooks map[string]func(ctx context.Context) error
	// Shots turns screenshots off (a journey that only checks the steps).
	NoShots bool
	// Wait bounds each wait for a page or a text.
	Wait time.Duration

	current string // the Users key logged in, "" for nobody
}

// Problem is a difference between the manual and the running system.
type Problem struct {
	Manual, Chapter, Task string
	Line                  int
	What                  string
}

func (p Problem) Error() string {
	return fmt.Sprintf("%s/%s line %d 《%s》: %s", p.Manual, p.Chapter, p.Line, p.Task, p.What)
}

// Run walks every task of m in order. It stops at the first problem.
func (r *Runner) Run(ctx context.Context, m manual.Manual) (manual.Shots, error) {
	if r.Wait == 0 {
		r.Wait = 30 * time.Second
	}
	shots := manual.Shots{}
	for ci, ch := range m.Chapters {
		for ti := range ch.Tasks {
			t := &ch.Tasks[ti]
			fail := func(format string, a ...any) error {
				return Problem{Manual: m.Key, Chapter: ch.File, Task: t.Title, Line: t.Line, What: fmt.Sprintf(format, a...)}
			}
			shot, err := r.task(ctx, m, t, fail)
			if err != nil {
				return shots, err
			}
			if shot != nil {
				shots[[2]int{ci, ti}] = shot
			}
		}
	}
	return shots, nil
}

func (r *Runner) task(ctx context.Context, m manual.Manual, t *manual.Task, fail func(string, ...any) error) ([]byte, error) {
	who := t.Login
	if who == "" {
		who = m.User
	}
	if who == "-" {
		who = ""
	}
	if err := r.become(ctx, who); err != nil {
		return nil, fail("登录 %q: %v", who, err)
	}
	var shot []byte
	wantShot := !r.NoShots && !hasShot(t)
	// The page is checked (and photographed) where a step opens it, after
	// the steps before (a hook may create what it shows); else first.
	check := func() error {
		if missing, err := r.missingLabels(ctx, t.Fields); err != nil || len(missing) > 0 {
			if err != nil {
				return fail("%v", err)
			}
			return fail("页面 %s 上找不到手册写的字段：%s", t.Page, strings.Join(missing, "、"))
		}
		if wantShot {
			var err error
			if shot, err = r.screenshot(ctx); err != nil {
				return fail("截图: %v", err)
			}
		}
		return nil
	}
	opened := t.Page != "" && opensPage(t)
	if t.Page != "" && !opened {
		if err := r.open(ctx, t.Page); err != nil {
			return nil, fail("%v", err)
		}
		if err := check(); err != nil {
			return nil, err
		}
	}
	for _, st := range t.Steps {
		for _, a := range st.Actions {
			s, err := r.act(ctx, a)
			if err != nil {
				return nil, fail("第 %d 步 {%s %s %s}: %v", st.N, a.Verb, a.Arg, a.Arg2, err)
			}
			if s != nil {
				shot = s
			}
			if opened && a.Verb == "open" && a.Arg == t.Page {
				opened = false
				if err := check(); err != nil {
					return nil, err
				}
			}
		}
	}
	return shot, nil
}

func opensPage(t *manual.Task) bool {
	for _, st := range t.Steps {
		for _, a := range st.Actions {
			if a.Verb == "open" && a.Arg == t.Page {
				return true
			}
		}
	}
	return false
}

func hasShot(t *manual.Task) bool {
	for _, st := range t.Steps {
		for _, a := range st.Actions {
			if a.Verb == "shot" {
				return true
			}
		}
	}
	return false
}

func (r *Runner) act(ctx context.Context, a manual.Action) ([]byte, error) {
	wctx, cancel := context.WithTimeout(ctx, r.Wait)
	defer cancel()
	switch a.Verb {
	case "open":
		return nil, r.open(ctx, a.Arg)
	case "click":
		return nil, chromedp.Do(wctx, chromedp.Click(chromedp.CSS(a.Arg), chromedp.NodeVisible))
	case "fill":
		return nil, chromedp.Do(wctx, chromedp.SetValue(chromedp.CSS(a.Arg), a.Arg2))
	case "upload":
		mk, ok := r.Fixtures[a.Arg2]
		if !ok {
			return nil, fmt.Errorf("没有名为 %q 的示例文件", a.Arg2)
		}
		path, err := mk()
		if err != nil {
			return nil, err
		}
		return nil, chromedp.Do(wctx, chromedp.SetUploadFiles(chromedp.CSS(a.Arg), []string{path}))
	case "see":
		return nil, r.see(wctx, a.Arg)
	case "shot":
		if r.NoShots {
			return nil, nil
		}
		return r.screenshot(ctx)
	case "hook":
		if h, ok := r.Hooks[a.Arg]; ok {
			return nil, h(ctx)
		}
		return nil, nil
	}
	return nil, fmt.Errorf("unknown action")
}

// errorTitles are the titles of Shebao's error pages.
var errorTitles = []string{"页面不存在", "出错了", "请求方式不支持"}

// open navigates to path and fails when the page is an error page or the
// browser ended elsewhere (e.g. sent to the login page).
func (r *Runner) open(ctx context.Context, path string) error {
	wctx, cancel := context.WithTimeout(ctx, r.Wait)
	defer cancel()
	resp, err := chromedp.Run(wctx, chromedp.NavigateResponse(r.Base+path))
	if err != nil {
		return fmt.Errorf("打开 %s: %v", path, err)
	}
	title, err := chromedp.Run(wctx, chromedp.Title())
	if err != nil {
		return err
	}
	loc, err := chromedp.Run(wctx, chromedp.Location())
	if err != nil {
		return err
	}
	bad := resp != nil && resp.Status >= 400
	for _, e := range errorTitles {
		bad = bad || strings.HasPrefix(title, e)
	}
	if bad {
		msg, _ := chromedp.Run(wctx, chromedp.Text(chromedp.CSS("main")))
		return fmt.Errorf("页面 %s 打不开（%s）：%s", path, title, strings.Join(strings.Fields(msg), " "))
	}
	want, _ := url.Parse(path)
	got, err := url.Parse(loc)
	if err != nil || got.Path != want.Path {
		return fmt.Errorf("打开 %s 却到了 %s", path, loc)
	}
	return nil
}

// labelScript lists the texts of the elements that name things on a page.
const labelScript = `Array.from(document.querySelectorAll('main label, main button, main th, main dt, main legend, main h1, main h2, main h3, main a, main summary, main option, main input[type=submit]')).map(e => (e.innerText || e.value || '').replace(/\s+/g, ' ').trim())`

func (r *Runner) missingLabels(ctx context.Context, labels []string) ([]string, error) {
	if len(labels) == 0 {
		return nil, nil
	}
	texts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](labelScript))
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, l := range labels {
		found := false
		for _, t := range texts {
			if strings.Contains(t, l) {
				found = true
				break
			}
		}
		if !found {
			missing = append(missing, l)
		}
	}
	return missing, nil
}

// see waits until the page's text contains s, across the navigation a
// submit causes (an evaluation during it fails and is retried).
func (r *Runner) see(ctx context.Context, s string) error {
	q, _ := json.Marshal(s)
	js := `document.readyState === 'complete' && document.body !== null && document.body.innerText.includes(` + string(q) + `)`
	var last error
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
		if err == nil && ok {
			return nil
		}
		last = err
		select {
		case <-ctx.Done():
			tctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			body, _ := chromedp.Run(tctx, chromedp.Text(chromedp.CSS("main")))
			if len([]rune(body)) > 600 {
				body = string([]rune(body)[:600])
			}
			return fmt.Errorf("页面上没有出现“%s”（%v）：\n%s", s, last, body)
		case <-time.After(150 * time.Millisecond):
		}
	}
}

// become logs in as the Users key who ("" for nobody).
func (r *Runner) become(ctx context.Context, who string) error {
	if who == r.current {
		return nil
	}
	wctx, cancel := context.WithTimeout(ctx, r.Wait)
	defer cancel()
	if _, err := chromedp.Call(wctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		return err
	}
	r.current = ""
	if who == "" {
		return nil
	}
	u, ok := r.Users[who]
	if !ok {
		return fmt.Errorf("没有 %q 的登录账号", who)
	}
	err := chromedp.Do(wctx, chromedp.Navigate(r.Base+"/login"), chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SetValue(chromedp.CSS("#username"), u.Username), chromedp.SetValue(chromedp.CSS("#password"), u.Password),
		chromedp.Click(chromedp.CSS(`main form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/logout"]`)))
	if err != nil {
		return err
	}
	r.current = who
	return nil
}

// screenshot captures the window (not the whole page: a bill's hundreds
// of lines would shrink to nothing on A4) as a JPEG.
func (r *Runner) screenshot(ctx context.Context) ([]byte, error) {
	q := int64(85)
	res, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatJpeg, Quality: &q})
	return res.Data, err
}

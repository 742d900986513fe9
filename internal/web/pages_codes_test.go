package web_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/demo"
	"shebao/internal/money"
)

// demoEnv opens a Shebao on the demo district (the same generator as
// serve --demo) living on 2024-02-10, with January assessed.
func demoEnv(t *testing.T) (*apptest.Env, *demo.Result) {
	t.Helper()
	return demoEnvWith(t, false)
}

// demoEnvWith is demoEnv, with the demo's retirees (pensions paid last
// month) when retirees is set.
func demoEnvWith(t *testing.T, retirees bool) (*apptest.Env, *demo.Result) {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewFixed(apptest.Start)
	a, err := app.Open(ctx, app.Config{Clock: clk, LogOut: io.Discard, LogFormat: "json", Name: "codes", DataDir: t.TempDir(),
		HashParams: account.TestHashParams})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	d := demo.Deps{DB: a.DB, Clock: a.Clock, Log: a.Log, Audit: a.Audit, Accounts: a.Accounts,
		Policy: a.Policy, Employers: a.Employers, Injury: a.Injury, Transfers: a.Transfers, Upkeep: a.Upkeep, Recovery: a.Recovery}
	opts := demo.Options{Retirees: -1}
	if retirees {
		d.Payouts, d.Payroll, opts.Retirees = a.Payouts, a.Payroll, 50
	}
	res, err := demo.Generate(ctx, d, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Contribution.AssessMonth(ctx, access.System, "2024-01", nil); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Web)
	t.Cleanup(srv.Close)
	return &apptest.Env{App: a, Clock: clk, Server: srv, Dialect: db.SQLite, Users: map[string]*apptest.User{}}, res
}

var (
	scriptOrStyle = regexp.MustCompile(`(?is)<(script|style|head)\b.*?</(script|style|head)>`)
	codeElement   = regexp.MustCompile(`(?is)<code\b.*?</code>`)
	anyTag        = regexp.MustCompile(`(?s)<[^>]*>`)
	emailOrURL    = regexp.MustCompile(`\S+@\S+|https?://\S+`)
	asciiToken    = regexp.MustCompile(`[A-Za-z][A-Za-z0-9_.\-]*[A-Za-z0-9]`)
	hexOrKeyID    = regexp.MustCompile(`^([0-9a-f]*[0-9][0-9a-f]*|sbk_[0-9a-f]{8})$`)
	fileExtension = regexp.MustCompile(`\.(xlsx|csv|pdf|jpg|jpeg|png|eml)\b`)
	apiPath       = regexp.MustCompile(`/api/v1\S*`)
	hrefAttr      = regexp.MustCompile(`href="(/[^"#]*)"`)
)

// visibleText is what a reader sees of a page: no tags, scripts or
// attributes, no e-mail addresses or links.
func visibleText(body string, keepCode bool) string {
	body = scriptOrStyle.ReplaceAllString(body, " ")
	if !keepCode {
		body = codeElement.ReplaceAllString(body, " ")
	}
	text := emailOrURL.ReplaceAllString(html.UnescapeString(anyTag.ReplaceAllString(body, " ")), " ")
	// File names' extensions and the API's address are what a user types or sees in a file dialog.
	return apiPath.ReplaceAllString(fileExtension.ReplaceAllString(text, " "), " ")
}

// codeWords returns the code-like ASCII words of a page's visible text:
// lower-case words (status codes, fen, yuan, table names, dotted audit
// actions) other than the given logins, hashes and API key ids.
func codeWords(text string, logins map[string]bool) []string {
	var out []string
	for _, w := range asciiToken.FindAllString(text, -1) {
		if len(w) < 3 || strings.ToLower(w) != w || logins[w] || hexOrKeyID.MatchString(w) {
			continue
		}
		out = append(out, w)
	}
	return out
}

// crawl visits up to max pages a client reaches by links from start (one
// page per route shape) and reports the code-like words of each.
func crawl(t *testing.T, c *apptest.Client, start string, max int, logins map[string]bool) map[string][]string {
	t.Helper()
	found := map[string][]string{}
	seen := map[string]bool{}
	queue := []string{start}
	digits := regexp.MustCompile(`[0-9]+`)
	for len(queue) > 0 && len(seen) < max {
		p := queue[0]
		queue = queue[1:]
		shape := digits.ReplaceAllString(strings.SplitN(p, "?", 2)[0], "N")
		if seen[shape] || skipCrawl(p) {
			continue
		}
		seen[shape] = true
		r := c.Get(t, p)
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			continue
		}
		// The audit record's before/after values are the stored evidence, shown as stored;
		// the API reference's field names and codes are what a programmer types (its own test
		// checks the text outside code).
		keep := !strings.HasPrefix(p, "/staff/audit/") && !strings.HasPrefix(p, "/help/api")
		if w := codeWords(visibleText(r.Body, keep), logins); len(w) > 0 {
			found[p] = w
		}
		for _, m := range hrefAttr.FindAllStringSubmatch(r.Body, -1) {
			queue = append(queue, html.UnescapeString(m[1]))
		}
	}
	return found
}

func skipCrawl(p string) bool {
	for _, s := range []string{".pdf", ".xlsx", ".csv", ".json", "/static/", "/logout", "/api/"} {
		if strings.Contains(p, s) {
			return true
		}
	}
	return false
}

// TestDemoPagesShowNoCodes logs in as every demo user (and visits as the
// public), follows the links of each section and fails on any code-like
// ASCII word a reader would see: status codes, fen and yuan, rule units,
// table names, dotted audit actions.
func TestDemoPagesShowNoCodes(t *testing.T) {
	env, res := demoEnv(t)
	logins := map[string]bool{"admin": true}
	for _, l := range res.Logins {
		logins[l.Username] = true
	}
	report := func(who string, found map[string][]string) {
		paths := make([]string, 0, len(found))
		for p := range found {
			paths = append(paths, p)
		}
		sort.Strings(paths)
		for _, p := range paths {
			t.Errorf("%s sees codes on %s: %v", who, p, found[p])
		}
	}
	report("the public", crawl(t, env.Anon(t), "/", 40, logins))
	for _, l := range res.Logins {
		c := env.Login(t, l.Username, l.Password)
		report(l.Username, crawl(t, c, "/", 80, logins))
	}

	// Employer 1 confirms its January bill; a bank statement pays it. The
	// import names its file format, the ledger shows 元 with separators.
	boss := env.Login(t, "110105000001", demoPassword(t, res, "110105000001"))
	var billID, version int64
	var total money.Fen
	err := env.App.DB.R.QueryRow(`SELECT b.id, b.version, b.total_fen FROM bills b JOIN employers e ON e.id = b.employer_id
		WHERE e.employer_no = '110105000001' AND b.fee_month = '2024-01'`).Scan(&billID, &version, &total)
	if err != nil {
		t.Fatal(err)
	}
	bill := "/employer/bills/" + strconv.FormatInt(billID, 10)
	boss.PostForm(t, bill+"/confirm", url.Values{"version": {strconv.FormatInt(version, 10)}}).WantRedirect(t, bill)
	var ref string
	if err := env.App.DB.R.QueryRow(`SELECT payment_ref FROM bills WHERE id = $1`, billID).Scan(&ref); err != nil {
		t.Fatal(err)
	}
	fund := env.Login(t, "jijin", demoPassword(t, res, "jijin"))
	r := importStatementPage(t, fund, "交易日期,交易流水号,对方户名,对方账号,贷方金额,附言\n2024-02-10,J1,北京天康数据服务有限公司,6222000011112222,"+
		total.Plain()+",社保费 "+ref+"\n")
	if w := codeWords(visibleText(r.Body, true), logins); len(w) > 0 {
		t.Errorf("statement import result shows codes: %v", w)
	}
	r.WantBody(t, "逗号分隔文本（.csv，编码 UTF-8）", total.String())
	ledger := fund.Get(t, "/staff/ledger").WantStatus(t, http.StatusOK).WantBody(t, "借贷平衡", total.String())
	if strings.Contains(ledger.Body, total.Plain()) {
		t.Errorf("ledger shows %s without thousands separators", total.Plain())
	}
	report("the employer after confirming", crawl(t, boss, bill, 20, logins))
	// Claims under review show the worker's name and no approved amount of 0.00 yet.
	claims := boss.Get(t, "/employer/injury/claims").WantStatus(t, http.StatusOK).WantBody(t, "待核准", "核准后出具")
	if strings.Contains(claims.Body, `<td class="num">0.00</td>`) {
		t.Error("a claim under review shows an approved amount of 0.00")
	}
	report("the fund clerk after the import", crawl(t, fund, "/staff/payments/queue", 30, logins))
}

// TestDemoRetireeSeesThePension logs in as the demo retiree: the home page
// leads to the pension (last month paid to the card, amounts in 元 with
// separators), says he is retired instead of offering flexible-worker
// insurance, offers no flexible-worker or retirement-application pages, and no page the retiree reaches shows a code. The clerks of the
// pension pages see no code either, and the month not yet run is said to
// be not run (not every pensioner listed as stopped).
func TestDemoRetireeSeesThePension(t *testing.T) {
	env, res := demoEnvWith(t, true)
	if res.Pensions == nil || res.Pensions.Login == nil {
		t.Fatal("the demo has no retiree login")
	}
	retiree := env.Login(t, res.Pensions.Login.Username, res.Pensions.Login.Password)
	home := retiree.Get(t, "/person").WantStatus(t, http.StatusOK).WantBody(t, `href="/person/pension"`, "退休人员")
	if strings.Contains(home.Body, `href="/person/flexible"`) || strings.Contains(home.Body, `href="/person/retirement"`) {
		t.Error("the retiree's home page offers flexible-worker payments or the retirement pages")
	}
	if strings.Contains(home.Body, "灵活就业参保") || strings.Contains(home.Body, "离职后需要个人继续缴纳") {
		t.Error("the retiree's home page offers flexible-worker insurance")
	}
	home.WantBody(t, "您已退休，按月领取基本养老金")
	pension := retiree.Get(t, "/person/pension").WantStatus(t, http.StatusOK).WantBody(t, "正常发放", "已激活", "已发放", res.Pensions.LastMonth[:4]+"年")
	if !regexp.MustCompile(`[0-9],[0-9]{3}\.[0-9]{2}`).MatchString(pension.Body) {
		t.Error("the pension page shows no amount in 元 with separators")
	}
	if d := regexp.MustCompile(`<td>20[0-9]{2}-[0-9]{2}-[0-9]{2}</td>`).FindString(pension.Body); d != "" {
		t.Errorf("the pension page shows the day paid as %s, not in Chinese", d)
	}
	logins := map[string]bool{}
	for _, l := range res.Logins {
		logins[l.Username] = true
	}
	for p, w := range crawl(t, retiree, "/", 80, logins) {
		t.Errorf("the retiree sees codes on %s: %v", p, w)
	}
	// The staff who pay pensions see who prepared and approved them in
	// words: no "system", no internal actor, no source code in the audit list.
	for _, who := range []string{"jijin", "fuli", "shenji", "admin"} {
		c := env.Login(t, who, demoPassword(t, res, who))
		for p, w := range crawl(t, c, "/", 80, logins) {
			t.Errorf("%s sees codes on %s: %v", who, p, w)
		}
	}
	// 个人账户科's retiree record upkeep: queue, batch, correction.
	zh := env.Login(t, "zhanghu", demoPassword(t, res, "zhanghu"))
	for p, w := range crawl(t, zh, "/staff/upkeep?status=", 12, logins) {
		if strings.HasPrefix(p, "/staff/upkeep") {
			t.Errorf("zhanghu sees codes on %s: %v", p, w)
		}
	}
	retiree.Get(t, "/person/record-corrections").WantStatus(t, http.StatusOK).WantBody(t, res.Upkeep.Pending, "已到账")
	fund := env.Login(t, "jijin", demoPassword(t, res, "jijin"))
	fund.Get(t, "/staff/payroll").WantStatus(t, http.StatusOK).WantBody(t, `id="payroll-not-run"`, "尚未生成", "系统（自动）")
}

func demoPassword(t *testing.T, res *demo.Result, username string) string {
	t.Helper()
	for _, l := range res.Logins {
		if l.Username == username {
			return l.Password
		}
	}
	t.Fatalf("no demo login %s", username)
	return ""
}

// importStatementPage posts a CSV bank statement through the 基金管理科 page.
func importStatementPage(t *testing.T, c *apptest.Client, csv string) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("_csrf", c.CSRF)
	fw, _ := mw.CreateFormFile("file", "statement.csv")
	fw.Write([]byte(csv))
	mw.Close()
	return c.Do(t, http.MethodPost, "/staff/statements", &body, http.Header{"Content-Type": {mw.FormDataContentType()}})
}

// TestDemoRecoveryRegisterHasEntries: the demo puts the business its
// emergency deferred on the recovery register when it is made, so 审计科
// opening 延期业务登记 sees items waiting to be made up, not an empty list.
func TestDemoRecoveryRegisterHasEntries(t *testing.T) {
	env, res := demoEnv(t)
	if res.Deferred == 0 {
		t.Fatal("the demo registered no deferred business")
	}
	body := env.Login(t, "shenji", demoPassword(t, res, "shenji")).Get(t, "/staff/deferred").WantStatus(t, http.StatusOK).
		WantBody(t, "待补办").Body
	if strings.Contains(body, "没有符合条件的延期业务") {
		t.Error("the recovery register is empty in the demo")
	}
}

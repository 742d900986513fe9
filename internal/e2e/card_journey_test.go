package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/ledger"
	"shebao/internal/money"
	"shebao/internal/payout"
	"shebao/internal/payroll"
)

// TestCardJourney walks the social security card steps in a real browser:
// two new retirees without a card have their February pension held; the
// fund clerk lists them for the agent bank, downloads the list file,
// imports the bank's answer (one card mailed and already active, one to
// pick up at the branch), and the active card's held pension is released
// for the next batch; the second is ticked, confirmed on a page listing it
// and registered active in one go.
func TestCardJourney(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	ctx := Browser(t)
	base := env.Server.URL
	bg := context.Background()
	env.Clock.Set(time.Date(2024, 2, 10, 9, 0, 0, 0, clock.Shanghai))
	admin := env.Actor(t, apptest.Admin)
	csvGBK, _ := payout.DemoProfiles()
	if _, err := env.App.Payouts.SaveBank(bg, admin, payout.Bank{Code: "ICBC", Name: "中国工商银行", Profile: csvGBK, Active: true}); err != nil {
		t.Fatal(err)
	}
	welfare := env.Actor(t, apptest.Staff(access.Welfare))
	ids := map[string]string{}
	for i, key := range []string{apptest.PersonA, apptest.PersonB} {
		u := env.User(t, key)
		err := env.App.DB.WithTx(bg, func(tx *sql.Tx) error {
			var name, idn string
			if err := tx.QueryRow(`SELECT name, id_number FROM persons WHERE id = $1`, u.PersonID).Scan(&name, &idn); err != nil {
				return err
			}
			ids[key] = idn
			_, err := env.App.Payroll.EnrolTx(bg, tx, welfare, payroll.Enrolment{PersonID: u.PersonID, Name: name, IDNumber: idn,
				Monthly: []money.Fen{325000, 288050}[i], FirstMonth: clock.Month{Year: 2024, Mon: 2}, Basis: "养老金核定表",
				SourceKind: "pension_determination", SourceID: key})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	fund := env.User(t, apptest.Staff(access.Fund))
	if _, err := env.App.Payroll.RunMonth(bg, fund.Actor(), clock.Month{Year: 2024, Mon: 2}); err != nil {
		t.Fatal(err)
	}
	login(t, ctx, base, fund.Username, fund.Password)
	run(t, ctx, "list", chromedp.Navigate(base+"/staff/cards"),
		chromedp.WaitVisible(chromedp.Search(`//h2[contains(., "共 2 人")]`)),
		chromedp.Click(chromedp.CSS(`main form[action="/staff/cards/lists"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//a[contains(., "下载名单文件")]`)))
	status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch(document.querySelector('a[href$="/file"]').href).then(r => r.status)`, chromedp.EvalAwaitPromise))
	if err != nil || status != 200 {
		t.Fatalf("list file download: %d %v", status, err)
	}
	pa, pb := env.User(t, apptest.PersonA).PersonID, env.User(t, apptest.PersonB).PersonID
	answer := "申请编号,证件号码,社保卡号,金融账号,领取方式,运单号,领取网点,卡状态\n" +
		fmt.Sprintf("%s,%s,C1,%s,邮寄,SF1234567,,已激活\n", payroll.CardRef(pa), ids[apptest.PersonA], luhnCard(501)) +
		fmt.Sprintf("%s,%s,C2,%s,网点领取,,工行东城支行,待激活\n", payroll.CardRef(pb), ids[apptest.PersonB], luhnCard(502))
	path := filepath.Join(t.TempDir(), "answer.csv")
	if err := os.WriteFile(path, []byte(answer), 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "answer",
		chromedp.SetUploadFiles(chromedp.CSS(`form[action$="/answer"] input[type=file]`), []string{path}),
		chromedp.Click(chromedp.CSS(`form[action$="/answer"] button`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "开卡回复已导入：制卡 2 人，其中已激活 1 人，解除暂停发放 1 笔")]`)))
	shot(t, ctx, "cards")
	page := text(t, ctx)
	if !strings.Contains(page, "工行东城支行") || strings.Contains(page, "3,250.00") || !strings.Contains(page, "2,880.50 元") ||
		strings.Contains(page, luhnCard(502)) || strings.Contains(page, ids[apptest.PersonB]) {
		t.Fatalf("card page:\n%s", page)
	}
	run(t, ctx, "choose", chromedp.Click(chromedp.CSS(`#activate-form input[name="person"]`)),
		chromedp.Click(chromedp.CSS(`#activate-form button[name="pick"]`)),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "确认登记社保卡激活")]`)))
	shot(t, ctx, "cards-activate")
	confirm := text(t, ctx)
	if !strings.Contains(confirm, "将以下 1 名退休人员") || !strings.Contains(confirm, "1 笔，2,880.50 元") ||
		!strings.Contains(confirm, "工行东城支行") || strings.Contains(confirm, ids[apptest.PersonB]) || strings.Contains(confirm, luhnCard(502)) {
		t.Fatalf("confirmation page:\n%s", confirm)
	}
	run(t, ctx, "activate", chromedp.Click(chromedp.CSS(`form[action="/staff/cards/activate"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已登记激活社保卡 1 张，解除暂停发放 1 笔")]`)))
	var held int64
	if err := env.App.DB.R.QueryRow(`SELECT COUNT(*) FROM payout_lines WHERE status = 'held'`).Scan(&held); err != nil || held != 0 {
		t.Fatalf("%d lines still held (%v)", held, err)
	}
	if n, err := ledger.Unbalanced(bg, env.App.DB.W); err != nil || n != 0 {
		t.Fatalf("ledger unbalanced (%d, %v)", n, err)
	}
}

// shot saves the window as a PNG when SHEBAO_SHOTS names a folder, to look
// at the page as its user does.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("SHEBAO_SHOTS")
	if dir == "" {
		return
	}
	beyond := true
	res, err := chromedp.Call(ctx, page.CaptureScreenshot, page.CaptureScreenshotParams{Format: page.CaptureScreenshotFormatPng, CaptureBeyondViewport: &beyond})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), res.Data, 0o644); err != nil {
		t.Fatal(err)
	}
}

package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"mime"
	"mime/multipart"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/calc"
	"shebao/internal/casework"
	"shebao/internal/db"
	"shebao/internal/mailintake"
	"shebao/internal/money"
	"shebao/internal/person"
	"shebao/internal/transfer"
)

// transferMail is an application to transfer in e-mailed to 个人账户科 with
// the old place's 参保缴费凭证 (PDF) and both sides of the ID card (PNG).
func transferMail(from, to, name, idNumber string, at time.Time) []byte {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
	pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	add := func(contentType, file string, data []byte) {
		h := textproto.MIMEHeader{"Content-Type": {contentType}, "Content-Transfer-Encoding": {"base64"}}
		if file != "" {
			h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": file}))
		}
		pw, _ := w.CreatePart(h)
		pw.Write([]byte(base64.StdEncoding.EncodeToString(data) + "\r\n"))
	}
	add("text/plain; charset=utf-8", "", []byte(fmt.Sprintf("您好：\r\n本人%s（公民身份号码 %s）申请将河北省石家庄市的基本养老保险关系转入。\r\n", name, idNumber)))
	add("application/pdf", "参保缴费凭证.pdf", pdf)
	add("image/png", "身份证人像面.png", png)
	add("image/png", "身份证国徽面.png", png)
	w.Close()
	var m bytes.Buffer
	fmt.Fprintf(&m, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <transfer-%s@example.com>\r\nMIME-Version: 1.0\r\n"+
		"Content-Type: multipart/mixed; boundary=%s\r\n\r\n", from, to, mime.BEncoding.Encode("utf-8", "养老保险关系转入申请"),
		at.Format(time.RFC1123Z), idNumber, w.Boundary())
	m.Write(body.Bytes())
	return m.Bytes()
}

// TestTransferInByEmailJourney: the application e-mailed to 个人账户科
// becomes a case; the clerk opens the transfer from it, issues the 联系函,
// records the old agency's 信息表 (a pooled amount that does not add up is
// refused), matches the money from the bank statement (a line of another
// amount is refused) and merges; the money is the pension fund's transfer
// income once, the pooled amount equals the calculator's and the person's
// history shows the years marked with the old agency.
func TestTransferInByEmailJourney(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	ctx := Browser(t)
	base, bg := env.Server.URL, context.Background()
	me := env.User(t, apptest.PersonA)
	p, err := person.Load(bg, env.App.DB.Read(), me.PersonID)
	if err != nil {
		t.Fatal(err)
	}
	to := mailintake.Address(access.Account, env.App.Mail.Domain())
	raw := transferMail("zhang@example.com", to, p.Name, p.IDNumber, env.Clock.Now())
	res, err := env.App.Mail.Accept(bg, mailintake.Envelope{From: "zhang@example.com", To: []string{to}}, raw)
	if err != nil || res.CaseNo == "" {
		t.Fatalf("mail intake: %+v %v", res, err)
	}
	clerk := env.User(t, apptest.Staff(access.Account))
	draft, err := env.App.Cases.Get(bg, clerk.Actor(), res.CaseNo)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Cases.ConfirmDraft(bg, clerk.Actor(), res.CaseNo, draft.Version, casework.ConfirmInput{Type: transfer.CaseType,
		Applicant: casework.Applicant{Kind: casework.ApplicantPerson, PersonID: p.ID, Name: p.Name}, SubjectIDNumber: p.IDNumber}); err != nil {
		t.Fatal(err)
	}

	// 1. The clerk opens the transfer from the case and issues the 联系函.
	login(t, ctx, base, clerk.Username, clerk.Password)
	run(t, ctx, "open the transfer",
		chromedp.Navigate(base+"/staff/transfers"),
		chromedp.WaitVisible(chromedp.CSS("#open-in")),
		chromedp.SetValue(chromedp.CSS("#in-id"), p.IDNumber),
		chromedp.SetValue(chromedp.CSS("#in-case"), res.CaseNo),
		chromedp.SetValue(chromedp.CSS("#in-agency"), "河北省石家庄市社会保险事业管理局"),
		chromedp.SetValue(chromedp.CSS("#in-region"), "130100"),
		chromedp.Click(chromedp.CSS("#open-in")),
		chromedp.WaitVisible(chromedp.CSS("#transfer-steps")),
	)
	run(t, ctx, "letter",
		chromedp.Click(chromedp.CSS("#transfer-step")),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="transfer-status"][contains(., "已出具联系函")]`)),
		chromedp.WaitVisible(chromedp.CSS("#transfer-pdf")),
	)

	// 2. The 信息表: a pooled amount that is not 12% of the wages is refused.
	form := func(pooled string) {
		run(t, ctx, "信息表 "+pooled,
			chromedp.SetValue(chromedp.CSS("#years"), "2019,12,36000,2880\n2020,12,40000,3200"),
			chromedp.SetValue(chromedp.CSS("#account"), "6500"),
			chromedp.SetValue(chromedp.CSS("#pooled"), pooled),
			chromedp.Click(chromedp.CSS("#transfer-step")),
		)
	}
	form("9120.01")
	run(t, ctx, "refused form", chromedp.WaitVisible(chromedp.Search(`//*[contains(@class, "field-error")][contains(., "不符")]`)))
	form("9120")
	run(t, ctx, "form recorded", chromedp.WaitVisible(chromedp.Search(`//*[@id="transfer-status"][contains(., "已登记信息表")]`)))

	// 3. The money from the bank statement: another amount is refused.
	for serial, fen := range map[string]int64{"SJZ-1": 1_500_000, "SJZ-2": 1_562_000} {
		if _, err := env.App.DB.W.Exec(`INSERT INTO payments (channel, account_no, serial, paid_on, payer_name, payer_account,
			amount_fen, status, created_by, created_at, open_fen) VALUES ('transfer', '社保费收入户', $1, '2024-02-09',
			'石家庄市社会保险事业管理局', '13010000001', $2, 'unmatched', 'import', $3, $2)`, serial, fen, env.Clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	run(t, ctx, "wrong money",
		chromedp.SetValue(chromedp.CSS("#bank_serial"), "SJZ-1"),
		chromedp.Click(chromedp.CSS("#transfer-step")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(@class, "field-error")][contains(., "15,000.00")]`)),
	)
	run(t, ctx, "money matched",
		chromedp.SetValue(chromedp.CSS("#bank_serial"), "SJZ-2"),
		chromedp.Click(chromedp.CSS("#transfer-step")),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="transfer-status"][contains(., "基金已到账")]`)),
	)
	run(t, ctx, "merge",
		chromedp.Click(chromedp.CSS("#transfer-step")),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="transfer-status"][contains(., "已办结")]`)),
	)

	// The amounts: the calculator's pooled amount, the ledger's income.
	list, err := env.App.Transfers.List(bg, clerk.Actor(), transfer.Filter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("transfers %d %v", len(list), err)
	}
	cs := calc.NewService(env.App.Policy, env.Clock, 10, 10)
	c, _ := cs.Get("transfer")
	out, err := cs.Run(bg, c, calc.Values{"wages_fen": []money.Fen{money.Yuan(36000), money.Yuan(40000)}})
	if err != nil || out.Outputs[0].Value != int64(list[0].Pooled) {
		t.Fatalf("pooled %s, calculator %+v %v", list[0].Pooled, out, err)
	}
	var income, wrong int64
	env.App.DB.Read().QueryRowContext(bg, `SELECT COALESCE(SUM(l.credit_fen - l.debit_fen), 0) FROM ledger_entries l JOIN payments p ON p.id = l.payment_id
		WHERE l.account = 'transfer_income' AND p.serial = 'SJZ-2'`).Scan(&income)
	env.App.DB.Read().QueryRowContext(bg, `SELECT COUNT(*) FROM ledger_entries l JOIN payments p ON p.id = l.payment_id WHERE p.serial = 'SJZ-1'`).Scan(&wrong)
	if income != 1_562_000 || wrong != 0 {
		t.Fatalf("transfer income %d, entries of the refused line %d", income, wrong)
	}

	// 4. The person's history shows the years with the old agency.
	signOut(t, ctx)
	login(t, ctx, base, me.Username, me.Password)
	run(t, ctx, "history",
		chromedp.Navigate(base+"/person/history"),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "由外地转入的缴费年度")]`)),
	)
	page := text(t, ctx)
	for _, want := range []string{"转入（河北省石家庄市社会保险事业管理局）", "36,000.00", "40,000.00"} {
		if !strings.Contains(page, want) {
			t.Errorf("history lacks %q:\n%s", want, page)
		}
	}
}

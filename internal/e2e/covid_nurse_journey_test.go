package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/casework"
	"shebao/internal/db"
	"shebao/internal/demo"
	"shebao/internal/e2e"
	"shebao/internal/injury"
	"shebao/internal/mailintake"
	"shebao/internal/money"
	"shebao/internal/payout"
)

// TestCovidNurseSettlementJourney: a nurse infected on duty is recognised
// in the COVID category (the bureau's API); the hospital settles her stay
// through the API: covered items in full, the other left out; 基金管理科
// registers the hospital's receiving account, which releases the held
// line; it is approved and paid, and the hospital's web user sees it paid.
func TestCovidNurseSettlementJourney(t *testing.T) {
	ctx := e2e.Browser(t)
	env, workerID := covidNurse(t)
	base := env.Server.URL
	fund := env.Actor(t, apptest.Admin) // approves; 基金管理科 registers the account

	// The hospital settles through the API.
	items := []injury.SettlementItem{{Code: "XG001", Name: "抗病毒药物", Quantity: "2", AmountFen: 246912},
		{Code: "XG002", Name: "负压病房床位费", Quantity: "10", AmountFen: 380000},
		{Code: "QT009", Name: "单人病房差价", Quantity: "10", AmountFen: 50000}}
	in := injury.SettlementInput{PatientIDNumber: workerID, AdmittedOn: "2024-01-26", DischargedOn: "2024-02-05",
		InvoiceNo: "FP-2024-0051", Items: items}
	for _, it := range items {
		in.TotalFen += it.AmountFen
	}
	wantSettled := money.Fen(items[0].AmountFen + items[1].AmountFen) // covered items in full, the rest left out
	body, _ := json.Marshal(in)
	var ans injury.SettlementAnswer
	env.LoginAs(t, apptest.APIHospital).Do(t, http.MethodPost, "/api/v1/injury/settlements", bytes.NewReader(body),
		http.Header{"Content-Type": {"application/json"}, "Idempotency-Key": {"his-0051"}}).
		WantStatus(t, http.StatusCreated).JSON(t, &ans)
	if money.Fen(ans.AcceptedFen) != wantSettled || ans.Lines[2].Covered {
		t.Fatalf("settlement answer %+v, want %s accepted", ans, wantSettled)
	}

	// 基金管理科 registers the hospital's receiving account: the held line is released.
	hospitalID := env.User(t, apptest.APIHospital).ID
	fundUser := env.User(t, apptest.Staff(access.Fund))
	login(t, ctx, base, fundUser.Username)
	do(t, ctx, "hospital account", chromedp.Navigate(base+"/staff/injury/hospitals/"+strconv.FormatInt(hospitalID, 10)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "暂停发放的结算款：1 笔，合计 `+wantSettled.String()+` 元")]`)),
		chromedp.SetValue(chromedp.CSS("#account_no"), "110060149018000123"),
		chromedp.SetValue(chromedp.CSS("#bank_name"), "中国工商银行北京分行"),
		chromedp.Click(chromedp.CSS("#hospital-account-form button[type=submit]")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已登记收款账户")]`)))
	injuryShot(t, ctx, "journey2-hospital-account")
	logout(t, ctx)
	payApproved(t, env, fund)
	hospitalLine := onlyLine(t, env, "injury_settlement", ans.SettlementNo)
	if hospitalLine.Status != payout.Paid || money.Fen(hospitalLine.Amount) != wantSettled {
		t.Fatalf("hospital line %+v", hospitalLine)
	}

	// The hospital's web user sees the payment.
	login(t, ctx, base, env.User(t, apptest.HospitalWeb).Username)
	do(t, ctx, "hospital payments", chromedp.Navigate(base+"/hospital/payments"),
		chromedp.WaitVisible(chromedp.Search(`//table[@id="hospital-payment-list"]//td[contains(., "`+ans.SettlementNo+`")]`)))
	row := text(t, ctx, "#hospital-payment-list tbody tr")
	if !strings.Contains(row, wantSettled.String()) || !strings.Contains(row, payout.StatusName(payout.Paid)) ||
		strings.Contains(row, workerID) {
		t.Fatalf("hospital's payment row %q", row)
	}
	injuryShot(t, ctx, "journey2-hospital-payments")
	logout(t, ctx)

}

// TestCovidNurseScansJourney: for the nurse's stay in a non-designated
// hospital the employer e-mails the scans; the mail becomes a draft; the
// clerk confirms it as a fast-track claim paid to the worker, keys the
// items from the scans and approves them in full (covered items); the
// fund pays the worker's card within the fast-track deadline.
func TestCovidNurseScansJourney(t *testing.T) {
	ctx := e2e.Browser(t)
	env, workerID := covidNurse(t)
	bg := context.Background()
	base := env.Server.URL
	fund := env.Actor(t, apptest.Admin) // approves the payout lines

	// The employer e-mails the scans of a stay in a non-designated hospital.
	to := mailintake.Address(access.Injury, env.App.Mail.Domain())
	raw := demo.InjuryScansMail("hr@example.com", to, "测试单位", "护士", env.Clock.Now())
	res, err := env.App.Mail.Accept(bg, mailintake.Envelope{From: "hr@example.com", To: []string{to}}, raw)
	if err != nil || res.CaseNo == "" || len(res.DocumentIDs) != 2 {
		t.Fatalf("mail intake: %+v %v", res, err)
	}
	clerk := env.User(t, apptest.Staff(access.Injury))
	login(t, ctx, base, clerk.Username)
	do(t, ctx, "draft to claim", chromedp.Navigate(base+"/staff/cases/"+res.CaseNo),
		chromedp.WaitVisible(chromedp.CSS("#confirm-claim-submit")),
		chromedp.SetValue(chromedp.CSS("#claim_decision_no"), "京朝人社工伤认字〔2024〕051号"),
		chromedp.SetValue(chromedp.CSS("#claim_payee"), "worker"),
		chromedp.SetValue(chromedp.CSS("#claim_bank_name"), "中国工商银行"),
		chromedp.SetValue(chromedp.CSS("#claim_bank_account"), "6222020200112233446"),
		chromedp.Click(chromedp.CSS(`#confirm-claim input[name="non_designated"]`)),
		chromedp.Click(chromedp.CSS("#confirm-claim-submit")),
		chromedp.WaitVisible(chromedp.CSS("#items-form")))
	claimPath := claimPathRe.FindString(location(t, ctx))
	if claimPath == "" {
		t.Fatalf("not on a claim page: %s", location(t, ctx))
	}
	do(t, ctx, "key items", chromedp.SetValue(chromedp.CSS("#items"), "XG001,抗病毒药物,3,1852.35\nXG002,负压病房床位费,5,1900.00"),
		chromedp.Click(chromedp.CSS("#add-items")),
		chromedp.WaitVisible(chromedp.Search(`//td[contains(., "覆盖项目（全额）")]`)))
	do(t, ctx, "approve items", chromedp.Click(chromedp.CSS("#approve-rest")),
		chromedp.WaitReady(chromedp.Search(`//option[@value="approved"][@selected]`)))
	do(t, ctx, "complete", chromedp.Click(chromedp.CSS("#complete-review")), chromedp.WaitNotPresent(chromedp.CSS("#complete-review")),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="claim-status"][contains(., "已核准")]`)))
	wantClaim := money.Fen(185235 + 190000) // covered items of the fast track: in full
	if a := text(t, ctx, "#claim-approved"); !strings.Contains(a, wantClaim.String()) {
		t.Fatalf("approved %q, want %s", a, wantClaim)
	}
	if strings.Contains(text(t, ctx, "main"), workerID) {
		t.Fatal("the full ID number on the claim page")
	}
	injuryShot(t, ctx, "journey2-scans-claim")
	logout(t, ctx)

	payApproved(t, env, fund)
	cs, err := env.App.Cases.Get(bg, env.Actor(t, apptest.Staff(access.Injury)), res.CaseNo)
	if err != nil || cs.Type != injury.FastTrackTypeCode || cs.State != casework.Decided || cs.DeadlineAt == nil {
		t.Fatalf("case %+v %v", cs, err)
	}
	var paid money.Fen
	lines, err := env.App.Payouts.OfSource(bg, nil, "injury_claim", res.CaseNo)
	if err != nil {
		t.Fatal(err)
	}
	deadline := cs.DeadlineAt.Format("2006-01-02")
	for _, l := range lines {
		if l.Status != payout.Paid || l.PayeeKind != payout.PayeePerson || l.PaidOn == "" || l.PaidOn > deadline {
			t.Fatalf("worker's line %+v (deadline %s)", l, deadline)
		}
		paid += money.Fen(l.Amount)
	}
	if paid != wantClaim {
		t.Fatalf("paid %s to the worker, want %s", paid, wantClaim)
	}
}

// payApproved has 基金管理科 approve every prepared line, send them to the
// bank and import its answer: all paid.
func payApproved(t *testing.T, env *apptest.Env, fund *access.Actor) {
	t.Helper()
	bg := context.Background()
	ids, err := env.App.Payouts.PreparedIDs(bg, fund, payout.Filter{})
	if err != nil || len(ids) == 0 {
		t.Fatalf("prepared lines %v %v", ids, err)
	}
	if _, err := env.App.Payouts.Approve(bg, fund, ids, "复核"); err != nil {
		t.Fatal(err)
	}
	batch, _, err := env.App.Payouts.CreateBatch(bg, fund, "ICBC")
	if err != nil {
		t.Fatal(err)
	}
	ret, err := env.App.Payouts.SimulatedReturn(bg, fund, batch.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Payouts.ImportReturn(bg, fund, batch.ID, ret.Name, ret.Data); err != nil {
		t.Fatal(err)
	}
}

func onlyLine(t *testing.T, env *apptest.Env, kind, source string) payout.Line {
	t.Helper()
	lines, err := env.App.Payouts.OfSource(context.Background(), nil, kind, source)
	if err != nil || len(lines) != 1 {
		t.Fatalf("lines of %s: %+v %v", source, lines, err)
	}
	return lines[0]
}

// covidNurse starts a Shebao on SQLite with an agent bank, the covered
// COVID items XG001 and XG002, and person-a recognised in the COVID
// category through the bureau's API; it returns her ID number.
func covidNurse(t *testing.T) (*apptest.Env, string) {
	t.Helper()
	env := apptest.New(t, db.SQLite)
	bg := context.Background()
	csvGBK, _ := payout.DemoProfiles()
	if _, err := env.App.Payouts.SaveBank(bg, env.Actor(t, apptest.Admin), payout.Bank{Code: "ICBC", Name: "中国工商银行",
		Profile: csvGBK, Active: true}); err != nil {
		t.Fatal(err)
	}
	workerID := employWorker(t, env)
	env.LoginAs(t, apptest.APIBureau).PostJSON(t, "/api/v1/injury/recognitions", map[string]any{
		"decision_no": "京朝人社工伤认字〔2024〕051号", "decided_on": "2024-02-08", "worker_id_number": workerID,
		"employer_no": env.User(t, apptest.EmployerA).Username, "accident_on": "2024-01-25", "applied_on": "2024-01-30",
		"applicant": "employer", "result": "recognised", "category": "covid_medical"}).WantStatus(t, http.StatusCreated)
	for _, code := range []string{"XG001", "XG002"} {
		if _, err := env.App.Injury.AddCovidItem(bg, env.Actor(t, apptest.Staff(access.Injury)), injury.CovidItemInput{
			Code: code, Name: "覆盖项目" + code, ValidFrom: "2020-01-20", Basis: "新型冠状病毒肺炎诊疗方案"}); err != nil {
			t.Fatal(err)
		}
	}

	return env, workerID
}

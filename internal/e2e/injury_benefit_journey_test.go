package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/e2e"
	"shebao/internal/injury"
	"shebao/internal/money"
)

var claimPathRe = regexp.MustCompile(`/staff/injury/claims/(\d+)$`)

// injuryShot writes a full-page PNG of the current page to SHEBAO_SHOTS_DIR,
// when set, for a person to look at.
func injuryShot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("SHEBAO_SHOTS_DIR")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o600); err != nil {
		t.Fatal(err)
	}
}

// contributionYear gives the worker 2023's twelve paid months at base.
func contributionYear(t *testing.T, env *apptest.Env, base money.Fen) {
	t.Helper()
	u := env.User(t, apptest.PersonA)
	for m := 1; m <= 12; m++ {
		if _, err := env.App.DB.W.Exec(`INSERT INTO contribution_records (person_id, fee_month, scheme, payer_kind,
			employer_id, payer_name, base_fen, employer_fen, individual_fen, paid, source, created_at)
			VALUES ($1, $2, 'injury', 'employer', $3, '测试单位', $4, 100, 0, TRUE, 'demo', $5)`, u.PersonID,
			"2023-"+strconv.Itoa(100 + m)[1:], env.User(t, apptest.EmployerA).EmployerID, int64(base), env.Clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

func fill(fields map[string]string) []chromedp.Action[chromedp.Void] {
	var steps []chromedp.Action[chromedp.Void]
	for sel, v := range fields {
		steps = append(steps, chromedp.SetValue(chromedp.CSS(sel), v))
	}
	return steps
}

func do(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestInjuryBenefitJourney: the employer reports the accident; the clerk
// records the bureau's recognition (linked to the report, with its scan),
// a grade 5 appraisal and the own wage from the contribution records,
// files the disability claim and approves every item; above the threshold
// a second clerk checks it; the payout lines and the decision letter
// follow. Amounts are the calculator's (injury.DisabilityOf).
func TestInjuryBenefitJourney(t *testing.T) {
	ctx := e2e.Browser(t)
	env := apptest.New(t, db.SQLite)
	workerID := employWorker(t, env)
	contributionYear(t, env, money.Yuan(6000))
	scan := filepath.Join(t.TempDir(), "认定决定书.png")
	if err := os.WriteFile(scan, tinyPNG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	base := env.Server.URL

	login(t, ctx, base, env.User(t, apptest.EmployerA).Username)
	steps := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/employer/injury/reports/new"),
		chromedp.WaitVisible(chromedp.CSS("#submit-report"))},
		fill(map[string]string{"#worker_id_number": workerID, "#accident_at": "2024-02-09T15:00", "#place": "二号车间",
			"#what": "搬运货物时被叉车撞伤", "#injury": "右手骨折", "#hospital": "区人民医院", "#contact_name": "李丽",
			"#contact_phone": "13800138001"})...)
	steps = append(steps, chromedp.SetUploadFiles(chromedp.CSS("#photos"), []string{scan}),
		chromedp.Click(chromedp.CSS("#submit-report")), chromedp.WaitVisible(chromedp.CSS("#case-state")))
	do(t, ctx, "report", steps...)
	report := regexp.MustCompile(`GS\d{8}-\d{4}`).FindString(location(t, ctx))
	logout(t, ctx)

	login(t, ctx, base, env.User(t, apptest.Staff(access.Injury)).Username)
	steps = append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/staff/injury/recognitions/new"),
		chromedp.WaitVisible(chromedp.CSS("#submit-recognition"))},
		fill(map[string]string{"#decision_no": "京朝人社工伤认字〔2024〕031号", "#worker_id_number": workerID,
			"#employer_no": env.User(t, apptest.EmployerA).Username, "#report_case_no": report, "#accident_on": "2024-02-09",
			"#applicant": "employer", "#applied_on": "2024-02-10", "#decided_on": "2024-02-10", "#result": "recognised",
			"#category": "ordinary"})...)
	steps = append(steps, chromedp.SetUploadFiles(chromedp.CSS("#scan"), []string{scan}),
		chromedp.Click(chromedp.CSS("#submit-recognition")), chromedp.WaitVisible(chromedp.CSS("#appraisal-form")))
	do(t, ctx, "recognition", steps...)
	do(t, ctx, "appraisal", append(fill(map[string]string{"#conclusion_no": "京劳鉴〔2024〕041号", "#appraised_on": "2024-02-10",
		"#grade": "5", "#nursing": "none"}), chromedp.Click(chromedp.CSS("#submit-appraisal")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "5 级伤残")]`)))...)
	do(t, ctx, "own wage", chromedp.Click(chromedp.CSS("#submit-own-wage-records")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "取自缴费记录")]`)))
	injuryShot(t, ctx, "journey1-recognition")
	do(t, ctx, "claim", append(fill(map[string]string{"#benefit": "disability", "#channel": "counter", "#payee": "worker",
		"#bank_name": "建设银行", "#bank_account": "6222020200112233446"}), chromedp.Click(chromedp.CSS("#submit-claim")),
		chromedp.WaitVisible(chromedp.CSS("#review-form")))...)
	claimPath := claimPathRe.FindString(location(t, ctx))
	if claimPath == "" {
		t.Fatalf("not on a claim page: %s", location(t, ctx))
	}
	do(t, ctx, "approve items", chromedp.Click(chromedp.CSS("#approve-rest")),
		chromedp.WaitReady(chromedp.Search(`//option[@value="approved"][@selected]`)))
	do(t, ctx, "complete", chromedp.Click(chromedp.CSS("#complete-review")),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="claim-status"][contains(., "待复核")]`)))
	logout(t, ctx)

	login(t, ctx, base, env.User(t, apptest.Admin).Username)
	do(t, ctx, "second check", chromedp.Navigate(base+claimPath), chromedp.WaitVisible(chromedp.CSS("#check-agree")),
		chromedp.Click(chromedp.CSS("#check-agree")),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="claim-status"][contains(., "已核准")]`)))
	injuryShot(t, ctx, "journey1-claim")

	avg, _, err := env.App.Policy.Amount(context.Background(), "avg_wage", "", time.Date(2024, 2, 10, 0, 0, 0, 0, clock.Shanghai))
	if err != nil {
		t.Fatal(err)
	}
	want, err := injury.DisabilityOf(5, money.Yuan(6000), avg, injury.NursingNone)
	if err != nil {
		t.Fatal(err)
	}
	if p := text(t, ctx, "#payables"); !strings.Contains(p, want.LumpSum.String()) || !strings.Contains(p, "待审核") {
		t.Fatalf("payout lines %q, want %s", p, want.LumpSum)
	}
	if a := text(t, ctx, "#claim-approved"); !strings.Contains(a, want.LumpSum.String()) {
		t.Errorf("approved %q, want %s", a, want.LumpSum)
	}
	id, _ := strconv.ParseInt(claimPathRe.FindStringSubmatch(claimPath)[1], 10, 64)
	c, err := env.App.Injury.ClaimByID(context.Background(), env.Actor(t, apptest.Admin), id)
	if err != nil || c.LetterCode == "" {
		t.Fatalf("letter code: %v", err)
	}
	do(t, ctx, "letter link", chromedp.WaitVisible(chromedp.CSS("#letter-link")))
	logout(t, ctx)
	do(t, ctx, "letter check", chromedp.Navigate(base+"/injury/letters/check?code="+c.LetterCode),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "`+want.LumpSum.String()+`")]`)))
}

// TestContinuedTreatmentJourney: the hospital's web user files the
// continued-treatment form (approval deferred, in the section's register);
// the clerk's claim for the stay names the form and approving the claim
// approves the form, which the hospital then sees.
func TestContinuedTreatmentJourney(t *testing.T) {
	ctx := e2e.Browser(t)
	env := apptest.New(t, db.SQLite)
	workerID := employWorker(t, env)
	clerkActor := env.Actor(t, apptest.Staff(access.Injury))
	rec, err := env.App.Injury.RecordDecision(context.Background(), clerkActor, injury.RecognitionRecordInput{
		DecisionNo: "京朝人社工伤认字〔2024〕041号", DecidedOn: "2024-01-20", WorkerIDNumber: workerID,
		EmployerID: env.User(t, apptest.EmployerA).EmployerID, AccidentOn: "2024-01-02", AppliedOn: "2024-01-05",
		Applicant: "employer", Result: "recognised", Category: "ordinary", DocumentID: 1})
	if err != nil {
		t.Fatal(err)
	}
	base := env.Server.URL

	login(t, ctx, base, env.User(t, apptest.HospitalWeb).Username)
	steps := append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/hospital/continued"),
		chromedp.WaitVisible(chromedp.CSS("#file-continued"))},
		fill(map[string]string{"#patient_id_number": workerID, "#admitted_on": "2024-02-08", "#diagnosis": "右胫骨骨折术后感染",
			"#reason": "伤口感染需再次住院清创"})...)
	do(t, ctx, "file form", append(steps, chromedp.Click(chromedp.CSS("#file-continued")),
		chromedp.WaitVisible(chromedp.Search(`//table[@id="hospital-continued-list"]//td[contains(., "暂不审批")]`)))...)
	injuryShot(t, ctx, "journey3-hospital-form")
	formNo := regexp.MustCompile(`JZ[0-9A-F]{12}`).FindString(text(t, ctx, "#hospital-continued-list"))
	if formNo == "" {
		t.Fatal("no form number on the hospital's list")
	}
	logout(t, ctx)

	login(t, ctx, base, env.User(t, apptest.Staff(access.Injury)).Username)
	do(t, ctx, "register", chromedp.Navigate(base+"/staff/injury/continued"),
		chromedp.WaitVisible(chromedp.Search(`//table[@id="continued-list"]//td[contains(., "`+formNo+`")]`)))
	recPath := "/staff/injury/recognitions/" + strconv.FormatInt(rec.ID, 10)
	steps = append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + recPath),
		chromedp.WaitVisible(chromedp.CSS("#submit-claim"))},
		fill(map[string]string{"#benefit": "medical", "#channel": "counter", "#payee": "employer", "#bank_name": "工商银行",
			"#bank_account": "0200001234567890", "#items": "Y001,清创术,1,3200.00\nY002,抗生素,10,860.50",
			"#continued_form_no": formNo})...)
	do(t, ctx, "claim", append(steps, chromedp.Click(chromedp.CSS("#submit-claim")),
		chromedp.WaitVisible(chromedp.CSS("#review-form")))...)
	do(t, ctx, "approve items", chromedp.Click(chromedp.CSS("#approve-rest")),
		chromedp.WaitReady(chromedp.Search(`//option[@value="approved"][@selected]`)))
	// The approval redirects back to the same page: the status element is
	// on both, so the wait starts once the old page has gone.
	do(t, ctx, "complete", chromedp.Click(chromedp.CSS("#complete-review")), chromedp.WaitNotPresent(chromedp.CSS("#complete-review")),
		chromedp.WaitVisible(chromedp.Search(`//*[@id="claim-status"][contains(., "已核准")]`)))
	if a := text(t, ctx, "#claim-approved"); !strings.Contains(a, money.Fen(406050).String()) {
		t.Errorf("approved %q", a)
	}
	do(t, ctx, "register approved", chromedp.Navigate(base+"/staff/injury/continued?status=approved"),
		chromedp.WaitVisible(chromedp.Search(`//table[@id="continued-list"]//td[contains(., "`+formNo+`")]`)))
	logout(t, ctx)

	login(t, ctx, base, env.User(t, apptest.HospitalWeb).Username)
	do(t, ctx, "hospital sees approval", chromedp.Navigate(base+"/hospital/continued"),
		chromedp.WaitVisible(chromedp.Search(`//table[@id="hospital-continued-list"]//td[contains(., "已补办审批")]`)))
}

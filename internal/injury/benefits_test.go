package injury_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/injury"
	"shebao/internal/money"
)

// employer number of employer-a.
func employerNo(t *testing.T, env *apptest.Env) string {
	t.Helper()
	var no string
	if err := env.App.DB.R.QueryRowContext(context.Background(), `SELECT employer_no FROM employers WHERE id = $1`,
		env.User(t, apptest.EmployerA).EmployerID).Scan(&no); err != nil {
		t.Fatal(err)
	}
	return no
}

func personIDNumber(t *testing.T, env *apptest.Env, key string) string {
	t.Helper()
	var id string
	if err := env.App.DB.R.QueryRowContext(context.Background(), `SELECT id_number FROM persons WHERE id = $1`,
		env.User(t, key).PersonID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// pushCovid has the bureau push a COVID-category recognition of person-a.
func pushCovid(t *testing.T, env *apptest.Env, workerID, decisionNo string) {
	t.Helper()
	bureau := env.LoginAs(t, apptest.APIBureau)
	bureau.PostJSON(t, "/api/v1/injury/recognitions", map[string]any{"decision_no": decisionNo, "decided_on": "2024-02-08",
		"worker_id_number": workerID, "employer_no": employerNo(t, env), "accident_on": "2024-01-25",
		"applied_on": "2024-01-30", "applicant": "employer", "result": "recognised", "category": "covid_medical"}).
		WantStatus(t, http.StatusCreated).WantBody(t, `"insured":true`, `"late":false`)
}

func covidItems(t *testing.T, env *apptest.Env, codes ...string) {
	t.Helper()
	clerk := env.Actor(t, apptest.Staff(access.Injury))
	for _, c := range codes {
		if _, err := env.App.Injury.AddCovidItem(context.Background(), clerk, injury.CovidItemInput{Code: c,
			Name: "覆盖项目" + c, ValidFrom: "2020-01-20", Basis: "新型冠状病毒肺炎诊疗方案"}); err != nil {
			t.Fatal(err)
		}
	}
}

func settlement(workerID, invoice string, items ...injury.SettlementItem) injury.SettlementInput {
	in := injury.SettlementInput{PatientIDNumber: workerID, AdmittedOn: "2024-01-26", DischargedOn: "2024-02-06",
		InvoiceNo: invoice, Items: items}
	for _, it := range items {
		in.TotalFen += it.AmountFen
	}
	return in
}

func settle(t *testing.T, c *apptest.Client, key string, in any) *apptest.Response {
	t.Helper()
	b, _ := json.Marshal(in)
	return c.Do(t, http.MethodPost, "/api/v1/injury/settlements", bytes.NewReader(b),
		http.Header{"Content-Type": {"application/json"}, "Idempotency-Key": {key}})
}

// TestCovidDirectSettlement: a hospital settles a recognised COVID nurse's
// stay; covered items are paid in full, the rest left out; the same key
// replays the answer, the same invoice is refused, bad input names the
// field and writes nothing; another hospital sees nothing of it.
func TestCovidDirectSettlement(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		workerID := employ(t, env)
		pushCovid(t, env, workerID, "京朝人社工伤认字〔2024〕001号")
		covidItems(t, env, "XG001", "XG002")
		hosp := env.LoginAs(t, apptest.APIHospital)
		in := settlement(workerID, "INV-0001",
			injury.SettlementItem{Code: "XG001", Name: "抗病毒药物", Quantity: "2", AmountFen: 12345},
			injury.SettlementItem{Code: "XG002", Name: "呼吸机辅助通气", Quantity: "1", AmountFen: 500000},
			injury.SettlementItem{Code: "QT900", Name: "特需病房", Quantity: "3", AmountFen: 90000})
		var ans injury.SettlementAnswer
		settle(t, hosp, "k-1", in).WantStatus(t, http.StatusCreated).JSON(t, &ans)
		if ans.AcceptedFen != 512345 || ans.TotalFen != 602345 || !strings.HasPrefix(ans.SettlementNo, "JS") ||
			ans.Lines[2].Covered || ans.Lines[2].AcceptedFen != 0 {
			t.Fatalf("answer %+v", ans)
		}
		var again injury.SettlementAnswer
		r := settle(t, hosp, "k-1", in).WantStatus(t, http.StatusOK)
		r.JSON(t, &again)
		if again.SettlementNo != ans.SettlementNo || r.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay %+v", again)
		}
		other := in
		other.InvoiceNo = "INV-0002"
		settle(t, hosp, "k-1", other).WantStatus(t, http.StatusConflict).WantBody(t, "幂等键")
		settle(t, hosp, "k-2", in).WantStatus(t, http.StatusConflict).WantBody(t, "invoice_no", "该发票号码已结算")

		bad := settlement(workerID, "INV-0003",
			injury.SettlementItem{Code: "XG001", Name: "抗病毒药物", Quantity: "-1", AmountFen: 100},
			injury.SettlementItem{Code: "XG002", Name: "检查", Quantity: "1", AmountFen: 100, ServiceDate: "2024-03-01"})
		bad.TotalFen = 999
		settle(t, hosp, "k-3", bad).WantStatus(t, http.StatusUnprocessableEntity).
			WantBody(t, "items[0].quantity", "数量应为正数", "items[1].service_date", "不在住院期间", "total_fen", "不符")
		settle(t, hosp, "k-4", settlement(personIDNumber(t, env, apptest.PersonB), "INV-0004",
			injury.SettlementItem{Code: "XG001", Name: "药", Quantity: "1", AmountFen: 100})).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "patient_id_number", "未被认定为工伤")
		settle(t, hosp, "", in).WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "Idempotency-Key")

		var n int
		env.App.DB.R.QueryRow(`SELECT COUNT(*) FROM injury_settlements`).Scan(&n)
		if n != 1 {
			t.Fatalf("%d settlements stored, want 1", n)
		}
		hosp.Get(t, "/api/v1/injury/payouts").WantStatus(t, 200).WantBody(t, ans.SettlementNo, `"amount_fen":512345`,
			`"payout_status":"暂停发放（待账户）"`)
		hosp.Get(t, "/api/v1/injury/settlements").WantStatus(t, 200).WantBody(t, ans.SettlementNo)
		hosp2 := env.LoginAs(t, apptest.APIHospital2)
		hosp2.Get(t, "/api/v1/injury/settlements/"+ans.SettlementNo).WantStatus(t, http.StatusNotFound)
		if r := hosp2.Get(t, "/api/v1/injury/payouts"); strings.Contains(r.Body, ans.SettlementNo) {
			t.Fatal("another hospital sees the payout")
		}
		if r := hosp2.Get(t, "/api/v1/injury/settlements"); strings.Contains(r.Body, ans.SettlementNo) {
			t.Fatal("another hospital sees the settlement")
		}
		// A bank key may not settle.
		settle(t, env.LoginAs(t, apptest.APIBank), "k-9", in).WantStatus(t, http.StatusForbidden)
	})
}

// TestSettlementOrdinaryCategoryRefused: a worker recognised in the
// ordinary category cannot be settled directly.
func TestSettlementOrdinaryCategoryRefused(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		workerID := employ(t, env)
		env.LoginAs(t, apptest.APIBureau).PostJSON(t, "/api/v1/injury/recognitions", map[string]any{
			"decision_no": "京朝人社工伤认字〔2024〕009号", "decided_on": "2024-02-08", "worker_id_number": workerID,
			"employer_no": employerNo(t, env), "accident_on": "2023-12-01", "applied_on": "2024-01-30",
			"applicant": "employer", "result": "recognised", "category": "ordinary"}).
			WantStatus(t, http.StatusCreated).WantBody(t, `"late":true`, "由用人单位负担")
		settle(t, env.LoginAs(t, apptest.APIHospital), "k-1", settlement(workerID, "INV-1",
			injury.SettlementItem{Code: "XG001", Name: "药", Quantity: "1", AmountFen: 100})).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "认定类别不是医护及相关工作人员感染新冠肺炎")
		// The bureau key is the only API key that records decisions.
		env.LoginAs(t, apptest.APIHospital).PostJSON(t, "/api/v1/injury/recognitions", map[string]any{}).
			WantStatus(t, http.StatusForbidden)
	})
}

// TestContinuedTreatmentApprovedInClaim: a hospital files the form (approval
// deferred); a claim for the stay without the form is refused naming the
// field; with it, the review approves the form and the approved items
// become payout lines to the employer.
func TestContinuedTreatmentApprovedInClaim(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		workerID := employ(t, env)
		pushCovid(t, env, workerID, "京朝人社工伤认字〔2024〕002号")
		hosp := env.LoginAs(t, apptest.APIHospital)
		var form injury.Continued
		hosp.PostJSON(t, "/api/v1/injury/continued-treatments", map[string]string{"patient_id_number": workerID,
			"admitted_on": "2024-02-09", "diagnosis": "肺部感染后遗症", "reason": "出院后复查肺功能异常，需再次住院"}).
			WantStatus(t, http.StatusCreated).JSON(t, &form)
		if form.Status != injury.ContinuedDeferred || form.FormNo == "" {
			t.Fatalf("form %+v", form)
		}
		clerk := env.Actor(t, apptest.Staff(access.Injury))
		list, err := env.App.Injury.ContinuedForms(ctx, clerk, injury.ContinuedDeferred, 1)
		if err != nil || len(list) != 1 {
			t.Fatalf("register %v %v", list, err)
		}
		boss := env.Actor(t, apptest.EmployerA)
		in := injury.ClaimInput{DecisionNo: "京朝人社工伤认字〔2024〕002号", Benefit: injury.BenefitMedical,
			Payee: injury.PayeeEmployer, BankName: "工商银行朝阳支行", BankAccount: "0200001234567890123",
			Continued: true, Items: []injury.ItemInput{{Code: "CT01", Name: "胸部CT", Quantity: "1", AmountFen: 45000,
				InCatalogue: true}, {Kind: "food", Name: "住院伙食补助费", Quantity: "10", AmountFen: 50000}}}
		_, err = env.App.Injury.FileClaim(ctx, boss, in)
		if e := fieldErr(err, "continued_form_no"); e == "" {
			t.Fatalf("claim without the form: %v", err)
		}
		in.ContinuedFormNo = form.FormNo
		c, err := env.App.Injury.FileClaim(ctx, boss, in)
		if err != nil {
			t.Fatal(err)
		}
		if !c.FastTrack || !strings.HasPrefix(c.CaseNo, "KJ") || c.Claimed != 95000 {
			t.Fatalf("claim %+v", c)
		}
		if _, err := env.App.Injury.CompleteReview(ctx, clerk, c.ID, 1, &injury.ContinuedDecision{Approve: true}); fieldErr(err, "items[1]") == "" {
			t.Fatalf("completed with pending items: %v", err)
		}
		err = env.App.Injury.ReviewItems(ctx, clerk, c.ID, 1, []injury.ItemDecision{{Line: 1, Decision: injury.DecisionApproved},
			{Line: 2, Decision: injury.DecisionReduced, AmountFen: 40000, Reason: "按每日 40 元标准核定"}})
		if err != nil {
			t.Fatal(err)
		}
		done, err := env.App.Injury.CompleteReview(ctx, clerk, c.ID, 2, &injury.ContinuedDecision{Approve: true})
		if err != nil {
			t.Fatal(err)
		}
		if done.Status != injury.StatusApproved || done.Approved != 85000 || done.LetterCode == "" {
			t.Fatalf("done %+v", done)
		}
		pays, err := env.App.Injury.Payables(ctx, clerk, c.CaseNo, 1)
		if err != nil || len(pays) != 2 || pays[0].PayeeKind != injury.PayeeEmployer {
			t.Fatalf("payables %+v %v", pays, err)
		}
		forms, _ := env.App.Injury.ContinuedForms(ctx, clerk, injury.ContinuedApproved, 1)
		if len(forms) != 1 {
			t.Fatal("form not approved")
		}
		cs, err := env.App.Cases.Get(ctx, clerk, c.CaseNo)
		if err != nil || cs.State != "decided" {
			t.Fatalf("case %v %v", cs, err)
		}
	})
}

// TestDisabilityClaimSecondCheck: grade 3 appraisal with partial nursing;
// the own wage from entered wages; the claim's amounts are the formula's;
// above the threshold a second clerk (not the reviewer) must check; the
// monthly allowances become one line per month.
func TestDisabilityClaimSecondCheck(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		workerID := employ(t, env)
		clerk := env.Actor(t, apptest.Staff(access.Injury))
		rec, err := env.App.Injury.RecordDecision(ctx, clerk, injury.RecognitionRecordInput{DecisionNo: "京朝人社工伤认字〔2023〕105号",
			DecidedOn: "2023-10-20", WorkerIDNumber: workerID, EmployerID: env.User(t, apptest.EmployerA).EmployerID,
			AccidentOn: "2023-09-01", AppliedOn: "2023-09-10", Applicant: "employer", Result: "recognised",
			Category: "ordinary", DocumentID: 1})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Injury.RecordDecision(ctx, clerk, injury.RecognitionRecordInput{}); fieldErr(err, "scan") == "" ||
			fieldErr(err, "decision_no") == "" {
			t.Fatalf("empty decision: %v", err)
		}
		if _, err := env.App.Injury.SetOwnWage(ctx, clerk, rec.ID, injury.OwnWageInput{Wages: []money.Fen{money.Yuan(9000)}}); fieldErr(err, "evidence") == "" {
			t.Fatalf("wages without evidence: %v", err)
		}
		wages := make([]money.Fen, 12)
		for i := range wages {
			wages[i] = money.Yuan(9000)
		}
		o, err := env.App.Injury.SetOwnWage(ctx, clerk, rec.ID, injury.OwnWageInput{Wages: wages, EvidenceID: 1})
		if err != nil || o.Own != money.Yuan(9000) {
			t.Fatalf("own wage %+v %v", o, err)
		}
		ap, err := env.App.Injury.RecordAppraisal(ctx, clerk, rec.ID, injury.AppraisalInput{ConclusionNo: "京劳鉴〔2024〕031号",
			AppraisedOn: "2023-12-15", Grade: "3", Nursing: "partial"})
		if err != nil || ap.ReappraisalDue != "2023-12-30" {
			t.Fatalf("appraisal %+v %v", ap, err)
		}
		if err := env.App.Injury.RequestReappraisal(ctx, clerk, ap.ID, "2024-01-05"); fieldErr(err, "asked_on") == "" {
			t.Fatalf("late re-appraisal accepted: %v", err)
		}
		c, err := env.App.Injury.FileClaim(ctx, clerk, injury.ClaimInput{RecognitionID: rec.ID, Benefit: injury.BenefitDisability,
			Payee: injury.PayeeWorker, BankName: "建设银行", BankAccount: "6222020200112233445", Channel: "counter"})
		if fieldErr(err, "bank_account") == "" {
			t.Fatalf("bad card number accepted: %v", err)
		}
		c, err = env.App.Injury.FileClaim(ctx, clerk, injury.ClaimInput{RecognitionID: rec.ID, Benefit: injury.BenefitDisability,
			Payee: injury.PayeeWorker, BankName: "建设银行", BankAccount: "6222020200112233446", Channel: "counter"})
		if err != nil {
			t.Fatal(err)
		}
		avg, _, _ := env.App.Policy.Amount(ctx, "avg_wage", "", mustDay("2023-12-15"))
		want, _ := injury.DisabilityOf(3, money.Yuan(9000), avg, injury.NursingPartial)
		if len(c.Items) != 3 || c.Items[0].Claimed != want.LumpSum || c.Items[1].Claimed != want.Allowance ||
			c.Items[2].Claimed != want.NursingFee || c.Items[1].FirstMonth != "2024-01" {
			t.Fatalf("items %+v want %+v", c.Items, want)
		}
		var ds []injury.ItemDecision
		for _, it := range c.Items {
			ds = append(ds, injury.ItemDecision{Line: it.Line, Decision: injury.DecisionApproved})
		}
		if err := env.App.Injury.ReviewItems(ctx, clerk, c.ID, 1, ds); err != nil {
			t.Fatal(err)
		}
		done, err := env.App.Injury.CompleteReview(ctx, clerk, c.ID, 2, nil)
		if err != nil || done.Status != injury.StatusCheck {
			t.Fatalf("above the threshold: %+v %v", done, err)
		}
		if _, err := env.App.Injury.SecondCheck(ctx, clerk, c.ID, 3, true, ""); err == nil {
			t.Fatal("the reviewer checked their own review")
		}
		checked, err := env.App.Injury.SecondCheck(ctx, env.Actor(t, apptest.Admin), c.ID, 3, true, "")
		if err != nil || checked.Status != injury.StatusApproved {
			t.Fatalf("check %+v %v", checked, err)
		}
		pays, _ := env.App.Injury.Payables(ctx, clerk, c.CaseNo, 1)
		// lump sum + allowance and nursing for 2024-01 and 2024-02
		if len(pays) != 5 {
			t.Fatalf("%d payables: %+v", len(pays), pays)
		}
		n, err := env.App.Injury.PayMonth(ctx, clerk, mustMonth("2024-02"))
		if err != nil || n != 0 {
			t.Fatalf("pay month %d %v", n, err)
		}
		pays, _ = env.App.Injury.Payables(ctx, clerk, c.CaseNo, 1)
		if len(pays) != 5 || pays[0].PayoutState != "待审核" {
			t.Fatalf("month paid twice: %d %+v", len(pays), pays)
		}
		// The same lines are prepared in the payouts module, to the worker's card, once each.
		lines, err := env.App.Payouts.OfSource(ctx, nil, "injury_claim", c.CaseNo)
		if err != nil || len(lines) != 5 {
			t.Fatalf("payout lines %d %v", len(lines), err)
		}
		var sum money.Fen
		for _, l := range lines {
			sum += money.Fen(l.Amount)
		}
		if sum != want.LumpSum+2*want.Allowance+2*want.NursingFee {
			t.Fatalf("payout total %s", sum)
		}
	})
}

// TestUninsuredClaimRefused: an employer without the worker insured at the
// accident gets the claim refused and listed for 统筹科.
func TestUninsuredClaimRefused(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		workerID := personIDNumber(t, env, apptest.PersonA) // not employed by employer-a
		clerk := env.Actor(t, apptest.Staff(access.Injury))
		rec, err := env.App.Injury.RecordDecision(ctx, clerk, injury.RecognitionRecordInput{DecisionNo: "京朝人社工伤认字〔2024〕003号",
			DecidedOn: "2024-02-08", WorkerIDNumber: workerID, EmployerID: env.User(t, apptest.EmployerA).EmployerID,
			AccidentOn: "2024-01-25", AppliedOn: "2024-01-30", Applicant: "employer", Result: "recognised",
			Category: "covid_medical", DocumentID: 1})
		if err != nil || rec.Insured {
			t.Fatalf("%+v %v", rec, err)
		}
		c, err := env.App.Injury.FileClaim(ctx, clerk, injury.ClaimInput{RecognitionID: rec.ID, Benefit: injury.BenefitMedical,
			Payee: injury.PayeeEmployer, BankName: "工商银行", BankAccount: "0200001234567890123",
			Items: []injury.ItemInput{{Code: "XG001", Name: "药", Quantity: "1", AmountFen: 100}}})
		if err != nil || c.Status != injury.StatusRefused || !strings.Contains(c.Refusal, "未参加工伤保险") {
			t.Fatalf("%+v %v", c, err)
		}
		list, err := env.App.Injury.Uninsured(ctx, env.Actor(t, apptest.Staff(access.Coordination)), 1)
		if err != nil || len(list) != 1 {
			t.Fatalf("uninsured list %v %v", list, err)
		}
		if _, err := env.App.Injury.Uninsured(ctx, env.Actor(t, apptest.Staff(access.Welfare)), 1); err == nil {
			t.Fatal("welfare sees the uninsured list")
		}
	})
}

// fieldErr returns the message of field in an Invalid error ("" if none).
func fieldErr(err error, field string) string {
	e := errs.As(err)
	if e == nil {
		return ""
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return f.Message
		}
	}
	return ""
}

func mustDay(s string) time.Time {
	d, err := clock.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

func mustMonth(s string) clock.Month {
	m, err := clock.ParseMonth(s)
	if err != nil {
		panic(err)
	}
	return m
}

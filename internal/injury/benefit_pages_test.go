package injury_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/injury"
	"shebao/internal/money"
)

// postMultipart posts fields and files (field name → file name → content).
func postMultipart(t *testing.T, c *apptest.Client, path string, fields url.Values, files map[string]map[string][]byte) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("_csrf", c.CSRF)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	for field, fs := range files {
		for name, data := range fs {
			fw, err := mw.CreateFormFile(field, name)
			if err != nil {
				t.Fatal(err)
			}
			fw.Write(data)
		}
	}
	mw.Close()
	return c.Do(t, http.MethodPost, path, &body, http.Header{"Content-Type": {mw.FormDataContentType()}})
}

// contributionYear gives person-a twelve months of injury-scheme records.
func contributionYear(t *testing.T, env *apptest.Env, base money.Fen) {
	t.Helper()
	u := env.User(t, apptest.PersonA)
	for m := 1; m <= 12; m++ {
		if _, err := env.App.DB.W.ExecContext(context.Background(), `INSERT INTO contribution_records (person_id, fee_month,
			scheme, payer_kind, employer_id, payer_name, base_fen, employer_fen, individual_fen, paid, source, created_at)
			VALUES ($1, $2, 'injury', 'employer', $3, '测试单位', $4, 100, 0, TRUE, 'demo', $5)`, u.PersonID,
			"2023-"+twoDigits(m), env.User(t, apptest.EmployerA).EmployerID, int64(base), env.Clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
}

func twoDigits(n int) string { return string([]byte{byte('0' + n/10), byte('0' + n%10)}) }

var (
	recURL   = regexp.MustCompile(`/staff/injury/recognitions/(\d+)$`)
	claimURL = regexp.MustCompile(`/staff/injury/claims/(\d+)$`)
)

// TestRecognitionToLetterPages: the clerk records the bureau's decision
// with its scan, a grade 5 appraisal, the own wage from the contribution
// records and a disability claim; reviews it (all items approved), a
// second clerk checks it above the threshold, the payout lines appear
// and the decision letter and its public check work. Amounts are the
// formula's.
func TestRecognitionToLetterPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		workerID := employ(t, env)
		contributionYear(t, env, money.Yuan(6000))
		clerk := env.LoginAs(t, apptest.Staff(access.Injury))
		fields := url.Values{"decision_no": {"京朝人社工伤认字〔2024〕011号"}, "worker_id_number": {workerID},
			"employer_no": {employerNo(t, env)}, "accident_on": {"2024-01-08"}, "applicant": {"employer"},
			"applied_on": {"2024-01-15"}, "decided_on": {"2024-02-01"}, "result": {"recognised"}, "category": {"ordinary"}}
		// A scan that is neither an image nor a PDF is refused naming the field.
		postMultipart(t, clerk, "/staff/injury/recognitions/new", fields,
			map[string]map[string][]byte{"scan": {"决定书.txt": []byte("not a scan at all")}}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "PDF、JPEG 或 PNG")
		r := postMultipart(t, clerk, "/staff/injury/recognitions/new", fields,
			map[string]map[string][]byte{"scan": {"决定书.png": pngBytes(t)}}).WantRedirect(t, "/staff/injury/recognitions/")
		recPath := r.Location()
		if !recURL.MatchString(recPath) {
			t.Fatalf("redirect %s", recPath)
		}
		clerk.Get(t, recPath).WantStatus(t, 200).WantBody(t, "京朝人社工伤认字〔2024〕011号", "认定为工伤", "一般工伤")
		clerk.PostForm(t, recPath+"/appraisals", url.Values{"conclusion_no": {"京劳鉴〔2024〕007号"},
			"appraised_on": {"2024-02-05"}, "grade": {"5"}, "nursing": {"none"}}).WantRedirect(t, recPath)
		clerk.PostForm(t, recPath+"/own-wage", url.Values{"source": {"records"}}).WantRedirect(t, recPath)
		clerk.Get(t, recPath).WantBody(t, "5 级伤残", "可于 2024-02-20 前申请", "6,000.00", "取自缴费记录：2023-01 至 2023-12 共 12 个月")

		r = clerk.PostForm(t, recPath+"/claims", url.Values{"benefit": {"disability"}, "channel": {"counter"},
			"payee": {"worker"}, "bank_name": {"建设银行"}, "bank_account": {"6222020200112233446"}}).
			WantRedirect(t, "/staff/injury/claims/")
		claimPath := r.Location()
		ctx := context.Background()
		avg, _, _ := env.App.Policy.Amount(ctx, "avg_wage", "", mustDay("2024-02-05"))
		want, _ := injury.DisabilityOf(5, money.Yuan(6000), avg, injury.NursingNone)
		clerk.Get(t, claimPath).WantStatus(t, 200).WantBody(t, "一次性伤残补助金", want.LumpSum.String(), "本人工资")
		clerk.PostForm(t, claimPath+"/review?all=1", url.Values{"version": {"1"}}).WantRedirect(t, claimPath)
		clerk.PostForm(t, claimPath+"/complete", url.Values{"version": {"2"}}).WantRedirect(t, claimPath)
		page := clerk.Get(t, claimPath).WantBody(t, "待复核", want.LumpSum.String())
		if strings.Contains(page.Body, `id="check-form"`) {
			t.Fatal("the reviewer is offered the second check")
		}
		admin := env.LoginAs(t, apptest.Admin)
		admin.PostForm(t, claimPath+"/check", url.Values{"version": {"3"}, "agree": {"1"}}).WantRedirect(t, claimPath)
		done := admin.Get(t, claimPath).WantBody(t, "已核准", "支付明细", "待审核", "letter.pdf")
		id := claimURL.FindStringSubmatch(claimPath)[1]

		boss := env.LoginAs(t, apptest.EmployerA)
		boss.Get(t, "/employer/injury/claims").WantBody(t, "伤残待遇", want.LumpSum.String())
		env.LoginAs(t, apptest.EmployerB).Get(t, "/injury/claims/"+id+"/letter.pdf").WantStatus(t, http.StatusNotFound)
		pdf := boss.Get(t, "/injury/claims/"+id+"/letter.pdf")
		if pdf.Status == http.StatusOK {
			if !strings.HasPrefix(pdf.Body, "%PDF") {
				t.Fatal("letter is not a PDF")
			}
		} else if os.Getenv("SHEBAO_TEST_PDF") != "" {
			t.Fatalf("letter: %d %s", pdf.Status, pdf.Body)
		}
		c, _ := env.App.Injury.ClaimByID(ctx, env.Actor(t, apptest.Admin), parseID(id))
		env.Anon(t).Get(t, "/injury/letters/check?code="+c.LetterCode).WantStatus(t, 200).
			WantBody(t, c.CaseNo, want.LumpSum.String(), "已核准")
		if strings.Contains(done.Body, workerID) {
			t.Fatal("full ID number on the claim page")
		}
	})
}

func parseID(s string) int64 {
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}

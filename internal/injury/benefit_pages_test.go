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
	"time"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/casework"
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
		// The payout table masks the worker's name; computed lump sums
		// have no catalogue mark (only medical items are in or out of it).
		name := personName(t, env)
		if pay := section(t, done.Body, `id="payables"`, "</table>"); strings.Contains(pay, name) ||
			!strings.Contains(pay, string([]rune(name)[:1])+"*") {
			t.Fatalf("payout table does not mask %s: %s", name, pay)
		}
		if items := section(t, done.Body, "<h2>明细", "</table>"); strings.Contains(items, "目录外") || strings.Contains(items, "目录内") {
			t.Fatalf("a computed lump sum marked as a catalogue item: %s", items)
		}

		// The letter is delivered to the employer's and the worker's
		// portal messages, and the worker downloads it from their page.
		boss.Get(t, "/messages").WantBody(t, "工伤保险待遇核定决定书", c.CaseNo, want.LumpSum.String())
		worker := env.LoginAs(t, apptest.PersonA)
		worker.Get(t, "/messages").WantBody(t, "工伤保险待遇核定决定书", c.CaseNo, "我的工伤待遇")
		worker.Get(t, "/person/injury/claims").WantStatus(t, 200).WantBody(t, c.CaseNo, want.LumpSum.String(),
			"/injury/claims/"+id+"/letter.pdf")
		if pdf := worker.Get(t, "/injury/claims/"+id+"/letter.pdf"); pdf.Status != http.StatusOK &&
			(pdf.Status != http.StatusServiceUnavailable || os.Getenv("SHEBAO_TEST_PDF") != "") {
			t.Fatalf("worker's letter: %d", pdf.Status)
		}
		other := env.LoginAs(t, apptest.PersonB)
		if r := other.Get(t, "/person/injury/claims"); strings.Contains(r.Body, c.CaseNo) {
			t.Fatal("another person sees the claim")
		}
		if r := other.Get(t, "/messages"); strings.Contains(r.Body, c.CaseNo) {
			t.Fatal("another person got the letter")
		}
		other.Get(t, "/injury/claims/"+id+"/letter.pdf").WantStatus(t, http.StatusNotFound)
	})
}

// personName is person-a's name.
func personName(t *testing.T, env *apptest.Env) string {
	t.Helper()
	var name string
	if err := env.App.DB.R.QueryRowContext(context.Background(), `SELECT name FROM persons WHERE id = $1`,
		env.User(t, apptest.PersonA).PersonID).Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

// section is the part of body from the first start to the next end.
func section(t *testing.T, body, start, end string) string {
	t.Helper()
	i := strings.Index(body, start)
	if i < 0 {
		t.Fatalf("no %q on the page", start)
	}
	j := strings.Index(body[i:], end)
	if j < 0 {
		return body[i:]
	}
	return body[i : i+j]
}

func parseID(s string) int64 {
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}

// TestMailedScansToFastTrackClaim: the employer mails scans of a stay in a
// non-designated hospital to the section's mailbox; the clerk confirms
// the draft as a claim (fast track, 3 working days), keys the items from
// the scans, approves them in full (covered items), and the payout goes
// to the worker's own account within the deadline.
func TestMailedScansToFastTrackClaim(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		workerID := employ(t, env)
		pushCovid(t, env, workerID, "京朝人社工伤认字〔2024〕021号")
		covidItems(t, env, "XG001")
		no, err := env.App.Cases.OpenDraft(ctx, casework.DraftInput{Section: access.Injury, Channel: "email",
			FromName: "测试单位人事", FromEmail: "hr@example.com", Subject: "护士住院费用报销（扫描件）",
			Body: "附住院费用汇总明细清单和发票", ReceivedAt: env.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		clerk := env.LoginAs(t, apptest.Staff(access.Injury))
		clerk.Get(t, "/staff/cases/"+no).WantStatus(t, 200).WantBody(t, "确认为工伤待遇申报")
		r := clerk.PostForm(t, "/staff/cases/"+no+"/confirm-claim", url.Values{"version": {"1"}, "benefit": {"medical"},
			"decision_no": {"京朝人社工伤认字〔2024〕021号"}, "payee": {"worker"}, "bank_name": {"工商银行"},
			"bank_account": {"6222020200112233446"}, "non_designated": {"1"}}).WantRedirect(t, "/staff/injury/claims/")
		claimPath := r.Location()
		cs, err := env.App.Cases.Get(ctx, env.Actor(t, apptest.Staff(access.Injury)), no)
		if err != nil || cs.Type != injury.FastTrackTypeCode || cs.DeadlineAt == nil {
			t.Fatalf("case %+v %v", cs, err)
		}
		// 2024-02-10 is a Saturday and a 春节 holiday: 3 working days end on 2024-02-20.
		if got := cs.DeadlineAt.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02"); got != "2024-02-20" {
			t.Fatalf("deadline %s", got)
		}
		clerk.Get(t, "/staff/cases?section=injury&type="+injury.FastTrackTypeCode).WantStatus(t, 200).WantBody(t, no)
		clerk.PostForm(t, claimPath+"/items", url.Values{"version": {"1"},
			"items": {"XG001,抗病毒药物,2,123.45\n住院伙食补助费,住院伙食补助费,10,300"}}).WantRedirect(t, claimPath)
		clerk.Get(t, claimPath).WantBody(t, "覆盖项目（全额）", "123.45", "非定点医疗机构")
		clerk.PostForm(t, claimPath+"/review?all=1", url.Values{"version": {"2"}}).WantRedirect(t, claimPath)
		clerk.PostForm(t, claimPath+"/complete", url.Values{"version": {"3"}}).WantRedirect(t, claimPath)
		clerk.Get(t, claimPath).WantBody(t, "已核准", "423.45", "工伤职工本人")
		cs, _ = env.App.Cases.Get(ctx, env.Actor(t, apptest.Staff(access.Injury)), no)
		if cs.State != casework.Decided || cs.DecidedAt == nil || cs.DecidedAt.After(*cs.DeadlineAt) {
			t.Fatalf("not decided within the deadline: %+v", cs)
		}
		lines, err := env.App.Payouts.OfSource(ctx, nil, "injury_claim", no)
		if err != nil || len(lines) != 2 || lines[0].PayeeKind != "person" {
			t.Fatalf("payout lines %+v %v", lines, err)
		}
	})
}

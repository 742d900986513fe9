package injury_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/casework"
)

// TestDeferredOriginalsPages: the clerk accepts a report with the signed
// form missing (容缺); the employer commits (告知承诺); the audit section
// lists the owed original, flags the commitment false and sees it listed;
// the clerk ticks the original off.
func TestDeferredOriginalsPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		workerID := employ(t, env)
		boss := env.LoginAs(t, apptest.EmployerA)
		no := caseNoRe.FindStringSubmatch(reportForm(t, boss, accident(workerID),
			map[string][]byte{"a.png": pngBytes(t)}).WantStatus(t, http.StatusSeeOther).Location())[1]
		clerk := env.LoginAs(t, apptest.Staff(access.Injury))
		clerk.Get(t, "/staff/cases/"+no).WantBody(t, "容缺受理", "领取本件")
		clerk.PostForm(t, "/staff/cases/"+no+"/claim", url.Values{"version": {"1"}}).WantRedirect(t, "/staff/cases/"+no)
		clerk.PostForm(t, "/staff/cases/"+no+"/accept-missing", url.Values{"version": {"2"},
			"items": {"工伤事故报告表"}}).WantRedirect(t, "/staff/cases/"+no)
		clerk.Get(t, "/staff/cases/"+no).WantBody(t, "待补原件", "工伤事故报告表", "登记收到", "退回队列")
		boss.Get(t, "/cases/"+no).WantBody(t, "容缺受理", "我已阅读并承诺")
		boss.PostForm(t, "/cases/"+no+"/commit", url.Values{"item": {"工伤事故报告表"}}).WantRedirect(t, "/cases/"+no)
		boss.Get(t, "/cases/"+no).WantBody(t, "告知承诺", "承诺")

		auditor := env.LoginAs(t, apptest.Staff(access.Audit))
		page := auditor.Get(t, "/staff/originals").WantStatus(t, 200).WantBody(t, no, "工伤事故报告表", "2024-03-11")
		v, err := env.App.Cases.Detail(context.Background(), env.Actor(t, apptest.Staff(access.Injury)), no)
		if err != nil || len(v.Commitments) != 1 || len(v.Owed) != 1 {
			t.Fatalf("detail %+v %v", v, err)
		}
		auditor.PostForm(t, "/staff/commitments/"+itoa(v.Commitments[0].ID)+"/false", url.Values{
			"note": {"核查发现报告表所述时间不实，已约谈单位"}}).WantRedirect(t, "/staff/commitments")
		auditor.Get(t, "/staff/commitments").WantBody(t, no, "核查发现报告表所述时间不实")
		env.LoginAs(t, apptest.EmployerB).Get(t, "/staff/originals").WantStatus(t, http.StatusForbidden)

		owedID := regexp.MustCompile(`/staff/originals/(\d+)/receive`).FindStringSubmatch(page.Body)[1]
		clerk.PostForm(t, "/staff/originals/"+owedID+"/receive", url.Values{"via": {"post"}, "case_no": {no}}).
			WantRedirect(t, "/staff/cases/"+no)
		clerk.Get(t, "/staff/cases/"+no).WantBody(t, "已收到")
		if !strings.Contains(auditor.Get(t, "/staff/originals").Body, "没有待补的原件") {
			t.Error("received original still listed")
		}
	})
}

// TestOnBehalfAndDrafts: a clerk registers a case taken by phone, finding
// the employer by name instead of typing an internal ID; the accident
// report needs its own form; a mail draft is filed as another type of the
// section with the applicant found by credit code.
func TestOnBehalfAndDrafts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		clerk := env.LoginAs(t, apptest.Staff(access.Injury))
		form := clerk.Get(t, "/staff/cases/new").WantStatus(t, 200).WantBody(t, "电话", "工伤医疗费用报销",
			"工伤职工继续治疗申请", `href="/staff/injury/reports/new"`)
		if strings.Contains(form.Body, "内部编号") || strings.Contains(form.Body, `name="employer_id"`) {
			t.Error("the form still asks for an internal ID")
		}
		if strings.Contains(form.Body, `value="retirement_benefit"`) {
			t.Error("the injury clerk is offered another section's types")
		}
		clerk.PostForm(t, "/staff/cases/new", url.Values{"type": {"injury_medical_claim"}, "channel": {"fax"},
			"applicant_kind": {"anonymous"}}).WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "请选择来件渠道")
		clerk.PostForm(t, "/staff/cases/new", url.Values{"type": {"injury_report"}, "channel": {"phone"},
			"applicant_kind": {"anonymous"}, "applicant_name": {"某建筑工地"}, "title": {"电话报告：工人摔伤"}}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "须使用专门的登记表")

		emp := env.User(t, apptest.EmployerA)
		found := clerk.Get(t, "/staff/cases/new?kind=employer&q="+url.QueryEscape("甲测试")).WantStatus(t, 200).
			WantBody(t, "北京甲测试科技有限公司", `value="employer:`+itoa(emp.EmployerID)+`"`)
		if strings.Contains(found.Body, "北京乙") {
			t.Error("the search lists an employer that does not match")
		}
		clerk.PostForm(t, "/staff/cases/new", url.Values{"type": {"injury_medical_claim"}, "channel": {"phone"},
			"applicant_kind": {"employer"}, "applicant_name": {"北京甲测试科技有限公司"}, "title": {"医疗费报销"}}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "请查找并选择参保单位")
		r := clerk.PostForm(t, "/staff/cases/new", url.Values{"type": {"injury_medical_claim"}, "channel": {"phone"},
			"applicant_ref": {"employer:" + itoa(emp.EmployerID)}, "applicant_name": {"北京甲测试科技有限公司"},
			"title": {"电话申请：住院费用报销"}})
		r.WantRedirect(t, "/staff/cases/YL")
		clerk.Get(t, r.Location()).WantBody(t, "代为登记", "电话", "工伤医疗费用报销")
		// The employer sees the case the clerk linked to it.
		env.LoginAs(t, apptest.EmployerA).Get(t, strings.Replace(r.Location(), "/staff", "", 1)).WantStatus(t, 200)

		no, err := env.App.Cases.OpenDraft(context.Background(), casework.DraftInput{Section: access.Injury,
			Channel: "email", FromName: "王五", FromEmail: "wang@example.com", Subject: "工伤事故报告 <急>", Body: "见附件"})
		if err != nil {
			t.Fatal(err)
		}
		clerk.Get(t, "/staff/cases?section=injury&view=unassigned").WantBody(t, no, "工伤事故报告 &lt;急&gt;")
		clerk.Get(t, "/staff/cases?section=injury&q="+no).WantBody(t, no, "全部在办（1）")
		draft := clerk.Get(t, "/staff/cases/"+no).WantBody(t, "确认来件", "作废", "确认为工伤事故报告",
			`value="injury_continued_treatment"`, `value="injury_medical_claim"`)
		if strings.Contains(draft.Body, `<option value="injury_report"`) || strings.Contains(draft.Body, `value="complaint"`) {
			t.Error("the generic confirmation offers the accident report or another section's type")
		}
		var uscc string
		if err := env.App.DB.R.QueryRow(`SELECT uscc FROM employers WHERE id = $1`, emp.EmployerID).Scan(&uscc); err != nil {
			t.Fatal(err)
		}
		clerk.Get(t, "/staff/cases/"+no+"?kind=employer&q="+uscc).WantBody(t, "北京甲测试科技有限公司",
			uscc[:4]+"**********"+uscc[14:]).WantStatus(t, 200)
		clerk.PostForm(t, "/staff/cases/"+no+"/confirm", url.Values{"version": {"1"}, "type": {"injury_continued_treatment"},
			"applicant_ref": {"employer:" + itoa(emp.EmployerID)}, "applicant_name": {"王五"}}).WantRedirect(t, "/staff/cases/"+no)
		clerk.Get(t, "/staff/cases/"+no).WantBody(t, "已提交", "确认为“工伤职工继续治疗申请”")
		env.LoginAs(t, apptest.Staff(access.Welfare)).Get(t, "/staff/cases?section=injury").WantStatus(t, http.StatusForbidden)
	})
}

// TestClerkRecordsAccidentReports: a report by phone asks for the same
// facts as the employer's form and counts its 24 hours from the accident;
// an e-mailed report filed from its draft is judged at the mail's arrival.
func TestClerkRecordsAccidentReports(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		workerID := employ(t, env)
		emp := env.User(t, apptest.EmployerA)
		clerk := env.LoginAs(t, apptest.Staff(access.Injury))
		clerk.Get(t, "/staff/injury/reports/new").WantStatus(t, 200).WantBody(t, "事故发生时间", "事故经过", "就诊医院",
			"受伤职工身份证号码", "来电（来件）时间")
		facts := accident(workerID) // accident 2024-02-09 08:00; the clock stands at 2024-02-10 09:00
		facts.Set("channel", "phone")
		clerk.PostForm(t, "/staff/injury/reports/new", facts).WantStatus(t, http.StatusUnprocessableEntity).
			WantBody(t, "请先查找并选择受伤职工所在的参保单位")
		facts.Set("applicant_ref", "employer:"+itoa(env.User(t, apptest.EmployerB).EmployerID))
		clerk.PostForm(t, "/staff/injury/reports/new", facts).WantStatus(t, http.StatusUnprocessableEntity).
			WantBody(t, "不是本单位的参保职工")
		facts.Set("applicant_ref", "employer:"+itoa(emp.EmployerID))
		facts.Set("received_at", "2024-02-09T20:00") // the call came in the evening of the accident day
		r := clerk.PostForm(t, "/staff/injury/reports/new", facts).WantRedirect(t, "/staff/cases/GS")
		page := clerk.Get(t, r.Location()).WantBody(t, "左腿骨折", "区人民医院", "2024-02-09 08:00", "电话", "尚缺")
		if strings.Contains(page.Body, "迟报") {
			t.Error("a report phoned in 12 hours after the accident is flagged late")
		}
		facts.Set("received_at", "")
		r = clerk.PostForm(t, "/staff/injury/reports/new", facts).WantRedirect(t, "/staff/cases/GS")
		clerk.Get(t, r.Location()).WantBody(t, "迟报 1 小时")
		env.LoginAs(t, apptest.EmployerA).Get(t, strings.Replace(r.Location(), "/staff", "", 1)).WantStatus(t, 200).
			WantBody(t, "左腿骨折", "迟报 1 小时")

		// An e-mail that arrived at 2024-02-09 10:00, filed the next day.
		no, err := env.App.Cases.OpenDraft(context.Background(), casework.DraftInput{Section: access.Injury,
			Channel: "email", FromName: "李丽", Subject: "工伤事故报告", Body: "附报告表",
			ReceivedAt: env.Clock.Now().Add(-23 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		mail := accident(workerID)
		mail.Set("version", "1")
		clerk.PostForm(t, "/staff/cases/"+no+"/confirm-injury", mail).WantStatus(t, http.StatusUnprocessableEntity).
			WantBody(t, "请先查找并选择受伤职工所在的参保单位", "二号车间")
		mail.Set("applicant_ref", "employer:"+itoa(emp.EmployerID))
		clerk.PostForm(t, "/staff/cases/"+no+"/confirm-injury", mail).WantRedirect(t, "/staff/cases/"+no)
		done := clerk.Get(t, "/staff/cases/"+no).WantBody(t, "工伤事故报告", "已提交", "左腿骨折", "2024-02-10 08:00")
		if strings.Contains(done.Body, "迟报") {
			t.Error("a mail that arrived 2 hours after the accident is flagged late")
		}
		var late bool
		var n int
		if err := env.App.DB.R.QueryRow(`SELECT COUNT(*), MAX(CASE WHEN late THEN 1 ELSE 0 END) = 1 FROM injury_reports`).
			Scan(&n, &late); err != nil || n != 3 || !late {
			t.Fatalf("injury_reports rows %d, late %v, %v", n, late, err)
		}
		env.LoginAs(t, apptest.Staff(access.Welfare)).PostForm(t, "/staff/injury/reports/new", facts).
			WantStatus(t, http.StatusForbidden)
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// TestWithdrawAndDocuments: the employer withdraws a report (it leaves the
// open queue and takes no more documents); a document of one case cannot
// be read through another case's address; a person's own case list works.
func TestWithdrawAndDocuments(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		workerID := employ(t, env)
		boss := env.LoginAs(t, apptest.EmployerA)
		first := caseNoRe.FindStringSubmatch(reportForm(t, boss, accident(workerID),
			map[string][]byte{"a.png": pngBytes(t)}).WantStatus(t, http.StatusSeeOther).Location())[1]
		second := caseNoRe.FindStringSubmatch(reportForm(t, boss, accident(workerID),
			map[string][]byte{"b.png": append(pngBytes(t), 0)}).WantStatus(t, http.StatusSeeOther).Location())[1]
		docRe := regexp.MustCompile(`/cases/` + first + `/documents/(\d+)`)
		doc := docRe.FindStringSubmatch(boss.Get(t, "/cases/"+first).Body)[1]
		boss.Get(t, "/cases/"+first+"/documents/"+doc).WantStatus(t, 200)
		boss.Get(t, "/cases/"+second+"/documents/"+doc).WantStatus(t, http.StatusNotFound)
		env.LoginAs(t, apptest.EmployerB).Get(t, "/cases/"+first+"/documents/"+doc).WantStatus(t, http.StatusNotFound)

		boss.PostForm(t, "/cases/"+second+"/transition", url.Values{"version": {"1"}, "to": {"withdrawn"}}).
			WantRedirect(t, "/cases/"+second)
		boss.Get(t, "/cases/"+second).WantBody(t, "已撤回")
		boss.PostForm(t, "/cases/"+second+"/transition", url.Values{"version": {"2"}, "to": {"resubmitted"}}).
			WantStatus(t, http.StatusConflict)
		clerk := env.LoginAs(t, apptest.Staff(access.Injury))
		q := clerk.Get(t, "/staff/cases?section=injury").Body
		if !strings.Contains(q, first) || strings.Contains(q, second) {
			t.Errorf("open queue: first %v second %v", strings.Contains(q, first), strings.Contains(q, second))
		}
		// Staff cannot withdraw for the employer.
		clerk.PostForm(t, "/cases/"+first+"/transition", url.Values{"version": {"1"}, "to": {"withdrawn"}}).
			WantStatus(t, http.StatusConflict)
		var mine struct {
			Items []casework.Case `json:"items"`
		}
		env.LoginAs(t, apptest.PersonA).Get(t, "/api/v1/cases").WantStatus(t, 200).JSON(t, &mine)
		if len(mine.Items) != 0 {
			t.Errorf("person sees %d cases", len(mine.Items))
		}
	})
}

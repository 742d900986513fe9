package injury_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

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

// TestOnBehalfAndDrafts: a clerk registers a case taken by phone; a mail
// draft appears in the unassigned queue and is confirmed as a type.
func TestOnBehalfAndDrafts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		clerk := env.LoginAs(t, apptest.Staff(access.Injury))
		clerk.Get(t, "/staff/cases/new").WantStatus(t, 200).WantBody(t, "电话", "工伤事故报告")
		clerk.PostForm(t, "/staff/cases/new", url.Values{"type": {"injury_report"}, "channel": {"fax"},
			"applicant_kind": {"anonymous"}}).WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "请选择来件渠道")
		r := clerk.PostForm(t, "/staff/cases/new", url.Values{"type": {"injury_report"}, "channel": {"phone"},
			"applicant_kind": {"anonymous"}, "applicant_name": {"某建筑工地"}, "title": {"电话报告：工人摔伤"}})
		r.WantRedirect(t, "/staff/cases/GS")
		clerk.Get(t, r.Location()).WantBody(t, "代为登记", "电话")

		no, err := env.App.Cases.OpenDraft(context.Background(), casework.DraftInput{Section: access.Injury,
			Channel: "email", FromName: "王五", FromEmail: "wang@example.com", Subject: "工伤事故报告 <急>", Body: "见附件"})
		if err != nil {
			t.Fatal(err)
		}
		clerk.Get(t, "/staff/cases?section=injury&view=unassigned").WantBody(t, no, "工伤事故报告 &lt;急&gt;")
		clerk.Get(t, "/staff/cases?section=injury&q="+no).WantBody(t, no, "全部在办（1）")
		clerk.Get(t, "/staff/cases/"+no).WantBody(t, "确认来件", "作废")
		clerk.PostForm(t, "/staff/cases/"+no+"/confirm", url.Values{"version": {"1"}, "type": {"injury_report"},
			"applicant_kind": {"anonymous"}, "applicant_name": {"王五"}}).WantRedirect(t, "/staff/cases/"+no)
		clerk.Get(t, "/staff/cases/"+no).WantBody(t, "已提交", "确认为“工伤事故报告”")
		env.LoginAs(t, apptest.Staff(access.Welfare)).Get(t, "/staff/cases?section=injury").WantStatus(t, http.StatusForbidden)
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

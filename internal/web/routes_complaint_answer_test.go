package web_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/casework"
	"shebao/internal/complaint"
	"shebao/internal/db"
)

// wantPDF checks a written answer download (503 only without the font).
func wantPDF(t *testing.T, r *apptest.Response) {
	t.Helper()
	if r.Status == http.StatusServiceUnavailable && os.Getenv("SHEBAO_TEST_PDF") == "" {
		return
	}
	r.WantStatus(t, http.StatusOK)
	if !strings.HasPrefix(r.Body, "%PDF-") || r.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("not a PDF: %q", r.Header.Get("Content-Type"))
	}
}

// TestComplaintAnswerDownloads: the reporter signed in, the holder of the
// tracking code and 审计科 download the written answer; nobody else.
func TestComplaintAnswerDownloads(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	ctx := context.Background()
	auditor := env.Actor(t, apptest.Staff(access.Audit))
	in := complaint.Input{Category: complaint.CatArrears, Subject: "某公司未给职工缴纳社保",
		Body: "北京某科技有限公司 2024 年以来未给 30 名职工缴纳社会保险费。", TargetName: "北京某科技有限公司"}
	anon, err := env.App.Complaints.FileAnonymous(ctx, "10.0.0.1", in)
	if err != nil {
		t.Fatal(err)
	}
	mine, err := env.App.Complaints.File(ctx, env.Actor(t, apptest.PersonA), in)
	if err != nil {
		t.Fatal(err)
	}
	pa := env.LoginAs(t, apptest.PersonA)
	pa.Get(t, "/my/complaints/"+strconv.FormatInt(mine.ID, 10)+"/answer.pdf").WantStatus(t, http.StatusConflict).WantBody(t, "尚未书面答复")
	for _, id := range []int64{anon.ID, mine.ID} {
		c, err := env.App.Complaints.Act(ctx, auditor, id, complaint.Action{Kind: "accept", Version: 1, Section: access.Coordination})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Complaints.Act(ctx, auditor, id, complaint.Action{Kind: "answer", Version: c.Version,
			Text: "经查属实，已责令该单位限期补缴。"}); err != nil {
			t.Fatal(err)
		}
	}
	pa.Get(t, "/messages").WantStatus(t, http.StatusOK).WantBody(t, "投诉举报已答复", mine.No)
	pa.Get(t, "/my/complaints/"+strconv.FormatInt(mine.ID, 10)).WantStatus(t, http.StatusOK).WantBody(t, "下载书面答复")
	wantPDF(t, pa.Get(t, "/my/complaints/"+strconv.FormatInt(mine.ID, 10)+"/answer.pdf"))
	env.LoginAs(t, apptest.PersonB).Get(t, "/my/complaints/"+strconv.FormatInt(mine.ID, 10)+"/answer.pdf").WantStatus(t, http.StatusNotFound)

	visitor := env.Anon(t)
	visitor.PostForm(t, "/complaints/track", url.Values{"code": {anon.TrackingCode}}).WantStatus(t, http.StatusOK).
		WantBody(t, `action="/complaints/track/answer.pdf"`, "下载书面答复")
	wantPDF(t, visitor.PostForm(t, "/complaints/track/answer.pdf", url.Values{"code": {anon.TrackingCode}}))
	visitor.PostForm(t, "/complaints/track/answer.pdf", url.Values{"code": {"ABCD-EFGH-JKLM-NPQR-STUV"}}).WantStatus(t, http.StatusNotFound)

	au := env.LoginAs(t, apptest.Staff(access.Audit))
	wantPDF(t, au.Get(t, "/staff/complaints/"+strconv.FormatInt(anon.ID, 10)+"/answer.pdf"))
	env.LoginAs(t, apptest.Staff(access.Fund)).Get(t, "/staff/complaints/"+strconv.FormatInt(anon.ID, 10)+"/answer.pdf").
		WantStatus(t, http.StatusForbidden)
}

// TestMailDraftBecomesComplaint: 审计科's mail draft offers to become a
// complaint; the clerk's form comes filled with the mail.
func TestMailDraftBecomesComplaint(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	no, err := env.App.Cases.OpenDraft(context.Background(), casework.DraftInput{Section: access.Audit, Channel: "email",
		FromName: "李四", FromEmail: "lisi@example.com", Subject: "举报某公司骗取失业金", Body: "该公司虚构 5 名职工领取待遇。"})
	if err != nil {
		t.Fatal(err)
	}
	au := env.LoginAs(t, apptest.Staff(access.Audit))
	au.Get(t, "/staff/cases/"+no).WantStatus(t, http.StatusOK).WantBody(t, `href="/staff/complaints/new?draft=`+no+`"`, "转为投诉举报登记")
	au.Get(t, "/staff/complaints/new?draft="+no).WantStatus(t, http.StatusOK).
		WantBody(t, "举报某公司骗取失业金", "该公司虚构 5 名职工领取待遇。", `value="李四"`, `value="lisi@example.com"`, `value="`+no+`"`)
	env.LoginAs(t, apptest.Staff(access.Fund)).Get(t, "/staff/complaints/new?draft="+no).WantStatus(t, http.StatusForbidden)
}

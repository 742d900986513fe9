package web_test

import (
	"bytes"
	"context"
	"maps"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
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
// complaint; the clerk's form comes filled with the mail; registering it
// closes the draft with a note naming the complaint, and the mail's
// attachments become the complaint's (the same bytes served from the
// complaint); the draft cannot be registered a second time.
func TestMailDraftBecomesComplaint(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		pdf := []byte("%PDF-1.4\n% 举报材料\n")
		var docs []int64
		for name, data := range map[string][]byte{"工资表.pdf": pdf, "照片.png": certPNG} {
			d, err := env.App.Documents.Put(ctx, access.System, name, bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			docs = append(docs, d.ID)
		}
		no, err := env.App.Cases.OpenDraft(ctx, casework.DraftInput{Section: access.Audit, Channel: "email",
			FromName: "李四", FromEmail: "lisi@example.com", Subject: "举报某公司骗取失业金", Body: "该公司虚构 5 名职工领取待遇。",
			DocumentIDs: docs})
		if err != nil {
			t.Fatal(err)
		}
		au := env.LoginAs(t, apptest.Staff(access.Audit))
		au.Get(t, "/staff/cases/"+no).WantStatus(t, http.StatusOK).WantBody(t, `href="/staff/complaints/new?draft=`+no+`"`, "转为投诉举报登记")
		au.Get(t, "/staff/complaints/new?draft="+no).WantStatus(t, http.StatusOK).
			WantBody(t, "举报某公司骗取失业金", "该公司虚构 5 名职工领取待遇。", `value="李四"`, `value="lisi@example.com"`, `value="`+no+`"`,
				`name="draft" value="`+no+`"`, "随即关闭")
		env.LoginAs(t, apptest.Staff(access.Fund)).Get(t, "/staff/complaints/new?draft="+no).WantStatus(t, http.StatusForbidden)

		post := url.Values{"channel": {complaint.ChannelEmail}, "category": {complaint.CatFraud}, "subject": {"举报某公司骗取失业金"},
			"body": {"该公司虚构 5 名职工领取失业保险金，请核查。"}, "reporter_name": {"李四"}, "reporter_contact": {"lisi@example.com"},
			"source_ref": {no}, "draft": {no}}
		loc := au.PostForm(t, "/staff/complaints/new", post).WantRedirect(t, "/staff/complaints/").Location()
		page := au.Get(t, loc).WantStatus(t, http.StatusOK).WantBody(t, "来件 "+no+" 所附材料", "工资表.pdf", "照片.png")
		cno := regexp.MustCompile(`JB\d{10}`).FindString(page.Body)
		if cno == "" {
			t.Fatalf("no complaint number on %s", loc)
		}
		// The attachments are served from the complaint, byte for byte.
		links := regexp.MustCompile(`href="(/staff/complaints/\d+/documents/\d+)">([^<]+)<`).FindAllStringSubmatch(page.Body, -1)
		got := map[string]string{}
		for _, l := range links {
			got[l[2]] = au.Get(t, l[1]).WantStatus(t, http.StatusOK).Body
		}
		if got["工资表.pdf"] != string(pdf) || got["照片.png"] != string(certPNG) {
			t.Fatalf("attachments served from the complaint: %d files, %v", len(got), slices.Collect(maps.Keys(got)))
		}
		// The draft is closed, its history names the complaint.
		c, err := env.App.Cases.Get(ctx, env.Actor(t, apptest.Staff(access.Audit)), no)
		if err != nil || c.State != casework.Closed {
			t.Fatalf("draft after the filing: %v %+v", err, c)
		}
		au.Get(t, "/staff/cases/"+no).WantStatus(t, http.StatusOK).WantBody(t, "已转为投诉举报登记", cno)
		// Registering it again is refused and files nothing.
		au.PostForm(t, "/staff/complaints/new", post).WantStatus(t, http.StatusConflict)
		au.Get(t, "/staff/complaints/new?draft="+no).WantStatus(t, http.StatusConflict)
		var n int
		if err := env.App.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM complaints WHERE source_ref = $1`, no).Scan(&n); err != nil || n != 1 {
			t.Fatalf("%d complaints from the draft (%v)", n, err)
		}
	})
}

package web_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/casework"
	"shebao/internal/db"
	"shebao/internal/person"
	"shebao/internal/transfer"
)

// transferApplication is the multipart body of an online transfer-in
// application with the files given (name → content).
func transferApplication(t *testing.T, csrf string, files map[string][2]string) (*bytes.Buffer, http.Header) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range map[string]string{"_csrf": csrf, "other_agency": "河北省石家庄市社会保险事业管理局", "other_region": "130100"} {
		mw.WriteField(k, v)
	}
	for field, f := range files {
		w, err := mw.CreateFormFile(field, f[0])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(f[1]))
	}
	mw.Close()
	return &body, http.Header{"Content-Type": {mw.FormDataContentType()}}
}

// The person applies online: a file that is not a scan by its bytes is
// refused with its field named and nothing filed; with the three scans the
// transfer is in 个人账户科's queue (case and channel 网上) and the
// person's page shows the first step's deadline.
func TestPersonAppliesForTransferIn(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	c := env.LoginAs(t, apptest.PersonA)
	c.Get(t, "/person/transfers").WantStatus(t, http.StatusOK).WantBody(t, "网上申请转入", "45 个工作日")
	png := "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
	pdf := "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
	body, h := transferApplication(t, c.CSRF, map[string][2]string{"proof": {"凭证.pdf", "这不是扫描件，只是一段文字"},
		"id_front": {"front.png", png}, "id_back": {"back.png", png}})
	c.Do(t, http.MethodPost, "/person/transfers", body, h).WantStatus(t, http.StatusUnprocessableEntity).
		WantBody(t, "JPEG/PNG/PDF")
	clerk := env.Actor(t, apptest.Staff(access.Account))
	if list, _ := env.App.Transfers.List(t.Context(), clerk, transfer.Filter{Open: true}); len(list) != 0 {
		t.Fatalf("a refused application left %d transfers", len(list))
	}
	body, h = transferApplication(t, c.CSRF, map[string][2]string{"proof": {"凭证.pdf", pdf},
		"id_front": {"front.png", png}, "id_back": {"back.png", png}})
	c.Do(t, http.MethodPost, "/person/transfers", body, h).WantRedirect(t, "/person/transfers")
	list, err := env.App.Transfers.List(t.Context(), clerk, transfer.Filter{Open: true})
	if err != nil || len(list) != 1 || list[0].Channel != "web" || list[0].CaseNo == "" {
		t.Fatalf("queue = %+v, %v", list, err)
	}
	r := c.Get(t, "/person/transfers").WantStatus(t, http.StatusOK)
	r.WantBody(t, list[0].No, "已受理，待审核", "办理中，期限 "+list[0].StepDue, "您已有正在办理的转移接续")
	if dir := os.Getenv("SHEBAO_SHOTS"); dir != "" { // the page as served, to look at in a browser
		css, _ := os.ReadFile("static/site.css")
		os.WriteFile(filepath.Join(dir, "person_transfers.html"), []byte(strings.Replace(r.Body, "</head>", "<style>"+string(css)+"</style></head>", 1)), 0o644)
	}
	if strings.Contains(r.Body, `id="apply-transfer"`) {
		t.Fatal("the form is offered again while a transfer is under way")
	}
	env.LoginAs(t, apptest.Staff(access.Account)).Get(t, "/staff/transfers").WantStatus(t, http.StatusOK).WantBody(t, list[0].No)
}

// The clerk uploads the old agency's 信息表 file: one that does not add up
// answers 422 with the row and column in Chinese and records nothing; the
// right one records the form.
func TestTransferFormFileUpload(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	ctx := t.Context()
	me := env.Actor(t, apptest.PersonA)
	var ids [3]int64
	for i := range ids {
		d, err := env.App.Documents.Put(ctx, me, fmt.Sprintf("scan%d.pdf", i), strings.NewReader(fmt.Sprintf("%%PDF-1.4\n%%%d\n%%%%EOF\n", i)))
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = d.ID
	}
	tr, err := env.App.Transfers.ApplyIn(ctx, me, transfer.ApplyInput{OtherAgency: "河北省石家庄市社会保险事业管理局",
		OtherRegion: "130100", Proof: ids[0], IDFront: ids[1], IDBack: ids[2]})
	if err != nil {
		t.Fatal(err)
	}
	clerk := env.Actor(t, apptest.Staff(access.Account))
	if tr, err = env.App.Transfers.IssueLetter(ctx, clerk, tr.ID, tr.Version); err != nil {
		t.Fatal(err)
	}
	c := env.LoginAs(t, apptest.Staff(access.Account))
	path := "/staff/transfers/" + strconv.FormatInt(tr.ID, 10)
	c.Get(t, path).WantStatus(t, http.StatusOK).WantBody(t, "上传并登记信息表", "办理中，期限 "+tr.StepDue)
	upload := func(csv string) *apptest.Response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("_csrf", c.CSRF)
		mw.WriteField("version", strconv.FormatInt(tr.Version, 10))
		w, _ := mw.CreateFormFile("file", "信息表.csv")
		w.Write([]byte(csv))
		mw.Close()
		return c.Do(t, http.MethodPost, path+"/form-file", &body, http.Header{"Content-Type": {mw.FormDataContentType()}})
	}
	head := "年度,缴费月数,实际缴费工资（元）,个人账户记账额（元）,统筹基金转移额（元）,个人账户储存额（元）\n"
	bad := upload(head+"2019,12,36000,2880,4000,\n合计,12,36000,2880,4000,3000\n").WantStatus(t, http.StatusUnprocessableEntity)
	if dir := os.Getenv("SHEBAO_SHOTS"); dir != "" {
		css, _ := os.ReadFile("static/site.css")
		os.WriteFile(filepath.Join(dir, "transfer_form_file.html"), []byte(strings.Replace(bad.Body, "</head>", "<style>"+string(css)+"</style></head>", 1)), 0o644)
	}
	bad.WantBody(t, "信息表未登记", "<td>2</td><td>E 列（统筹基金转移额（元））</td>", "4,320.00")
	if got, _ := env.App.Transfers.Get(ctx, clerk, tr.ID); got.Status != transfer.LetterIssued {
		t.Fatalf("a refused file moved the transfer to %s", got.Status)
	}
	upload(head+"2019,12,36000,2880,4320,\n合计,12,36000,2880,4320,3000\n").WantRedirect(t, path)
	c.Get(t, path).WantStatus(t, http.StatusOK).WantBody(t, "已登记信息表，待基金到账", "36,000.00", "7,320.00")
	c.Get(t, "/staff/transfers/form-template.xlsx").WantStatus(t, http.StatusOK)
}

// A transfer case (an e-mailed application confirmed in 个人账户科) shows
// the clerk 受理转入 on its page; accepting it there (the ID number left
// empty: the applicant's) opens the transfer on the case, and the page
// then links to it instead of offering the form again.
func TestCaseAcceptsTransferIn(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	ctx := t.Context()
	me := env.User(t, apptest.PersonA)
	clerk := env.Actor(t, apptest.Staff(access.Account))
	c, err := env.App.Cases.Open(ctx, clerk, casework.OpenInput{Type: transfer.CaseType, Channel: "email", Title: "养老保险关系转入申请",
		Applicant: casework.Applicant{Kind: casework.ApplicantPerson, PersonID: me.PersonID, Name: "申请人", Email: "a@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	cl := env.LoginAs(t, apptest.Staff(access.Account))
	page := "/staff/cases/" + c.No
	cl.Get(t, page).WantStatus(t, http.StatusOK).WantBody(t, `id="accept-transfer"`, "受理转入", "留空即为申请人本人")
	r := cl.PostForm(t, "/staff/transfers/in", url.Values{"case_no": {c.No}, "channel": {"email"}, "id_number": {""},
		"other_agency": {"河北省石家庄市社会保险事业管理局"}, "other_region": {"130100"}}).WantRedirect(t, "/staff/transfers/")
	tr, err := env.App.Transfers.OfCase(ctx, clerk, c.No)
	if err != nil || tr == nil || tr.PersonID != me.PersonID || tr.Status != transfer.Applied || r.Location() != "/staff/transfers/"+strconv.FormatInt(tr.ID, 10) {
		t.Fatalf("transfer of the case %+v, %v (to %s)", tr, err, r.Location())
	}
	after := cl.Get(t, page).WantStatus(t, http.StatusOK).WantBody(t, `id="case-transfer"`, tr.No, "已受理，待审核")
	if strings.Contains(after.Body, `id="accept-transfer"`) {
		t.Fatal("the case still offers 受理转入 after it was accepted")
	}
	// Another section's clerk sees the case page of their own cases only;
	// the transfer queue's form refuses a case of another type.
	other, err := env.App.Cases.Open(ctx, clerk, casework.OpenInput{Type: "account_statement", Channel: "email", Title: "账户清单",
		Applicant: casework.Applicant{Kind: casework.ApplicantAnonymous, Name: "来件人"}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(cl.Get(t, "/staff/cases/"+other.No).Body, `id="accept-transfer"`) {
		t.Fatal("a case of another type offers 受理转入")
	}
	p, err := person.Load(ctx, env.App.DB.Read(), me.PersonID)
	if err != nil {
		t.Fatal(err)
	}
	cl.PostForm(t, "/staff/transfers/in", url.Values{"case_no": {other.No}, "channel": {"email"}, "id_number": {p.IDNumber},
		"other_agency": {"河北省石家庄市社会保险事业管理局"}, "other_region": {"130100"}}).WantStatus(t, http.StatusUnprocessableEntity).
		WantBody(t, "不是养老保险关系转移接续业务")
}

package mailintake_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"golang.org/x/text/encoding/simplifiedchinese"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/document"
	"shebao/internal/mailintake"
	"shebao/internal/notify"
)

// fakeOpener records drafts and numbers them.
type fakeOpener struct {
	mu     sync.Mutex
	drafts []mailintake.Draft
	panic  bool
}

func (f *fakeOpener) OpenDraft(_ context.Context, d mailintake.Draft) (string, error) {
	if f.panic {
		panic("case service bug")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.drafts = append(f.drafts, d)
	return fmt.Sprintf("YJ-%04d", len(f.drafts)), nil
}

func (f *fakeOpener) all() []mailintake.Draft {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]mailintake.Draft(nil), f.drafts...)
}

type rig struct {
	d      *db.DB
	svc    *mailintake.Service
	docs   *document.Store
	opener *fakeOpener
	addr   string
}

var t0 = time.Date(2024, 2, 10, 2, 0, 0, 0, time.UTC)

func newRig(t testing.TB, d *db.DB, cfg mailintake.Config) *rig {
	dir := t.TempDir()
	c := clock.NewFixed(t0)
	docs := document.NewStore(d, c, filepath.Join(dir, "documents"))
	op := &fakeOpener{}
	if cfg.Domain == "" {
		cfg.Domain = "shebao.example"
	}
	svc := mailintake.NewService(d, c, docs, notify.NewService(d, c), op, filepath.Join(dir, "mail-quarantine"), cfg, nil)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { svc.Serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return &rig{d: d, svc: svc, docs: docs, opener: op, addr: ln.Addr().String()}
}

func (r *rig) send(from string, to []string, msg []byte) error {
	c, err := smtp.Dial(r.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail(from, to, bytes.NewReader(msg)); err != nil {
		return err
	}
	return c.Quit()
}

var (
	jpegBytes = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{9}, 3000)...)
	pdfBytes  = []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n")
)

func gbk(s string) []byte {
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		panic(err)
	}
	return b
}

func b64lines(b []byte) string {
	enc := base64.StdEncoding.EncodeToString(b)
	var sb strings.Builder
	for len(enc) > 76 {
		sb.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	sb.WriteString(enc + "\r\n")
	return sb.String()
}

type part struct {
	name, ctype string
	data        []byte
}

// message builds a multipart message. headers are written as given.
func message(headers string, bodyCT string, body []byte, parts ...part) []byte {
	var b strings.Builder
	b.WriteString(headers)
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"BOUNDARY\"\r\n\r\n")
	b.WriteString("--BOUNDARY\r\nContent-Type: " + bodyCT + "\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	b.WriteString(b64lines(body))
	for _, p := range parts {
		fmt.Fprintf(&b, "--BOUNDARY\r\nContent-Type: %s\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
			p.ctype, p.name)
		b.WriteString(b64lines(p.data))
	}
	b.WriteString("--BOUNDARY--\r\n")
	return []byte(b.String())
}

const (
	subjUTF8 = "工伤事故报告：张三 2月9日 车间受伤"
	bodyUTF8 = "您好，附件是工伤事故报告表和住院照片。\n联系电话见报告表。"
	subjGBK  = "关于养老保险退休申请的材料（补充）"
	bodyGBK  = "统筹科：\n本单位职工王五申请退休，现将材料发送给你们，请查收。"
)

func TestSMTPIntakeUTF8AndGBK(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		r := newRig(t, d, mailintake.Config{})
		utf8Msg := message("From: =?UTF-8?B?"+base64.StdEncoding.EncodeToString([]byte("某某机械厂 人事"))+"?= <hr@factory.example>\r\n"+
			"To: gongshang@shebao.example\r\nSubject: "+mime.BEncoding.Encode("UTF-8", subjUTF8)+"\r\nMessage-ID: <a1@factory.example>\r\n",
			"text/plain; charset=UTF-8", []byte(bodyUTF8),
			part{mime.BEncoding.Encode("UTF-8", "住院照片.jpg"), "image/jpeg", jpegBytes},
			part{"report.pdf", "application/pdf", pdfBytes})
		if err := r.send("hr@factory.example", []string{"gongshang@shebao.example"}, utf8Msg); err != nil {
			t.Fatalf("send utf-8: %v", err)
		}
		gbkSubject := "=?GBK?B?" + base64.StdEncoding.EncodeToString(gbk(subjGBK)) + "?="
		gbkMsg := message("From: \"=?GB2312?B?"+base64.StdEncoding.EncodeToString(gbk("李四"))+"?=\" <lisi@corp.example>\r\n"+
			"To: tongchou@shebao.example\r\nSubject: "+gbkSubject+"\r\n",
			"text/plain; charset=GBK", gbk(bodyGBK),
			part{"scan.png", "image/png", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 500)...)},
			part{"notes.docx", "application/octet-stream", []byte("PK\x03\x04 word document")})
		if err := r.send("lisi@corp.example", []string{"tongchou@shebao.example"}, gbkMsg); err != nil {
			t.Fatalf("send gbk: %v", err)
		}
		drafts := r.opener.all()
		if len(drafts) != 2 {
			t.Fatalf("want 2 drafts, got %d", len(drafts))
		}
		u, g := drafts[0], drafts[1]
		if u.Section != access.Injury || u.Subject != subjUTF8 || u.Body != bodyUTF8 || u.FromName != "某某机械厂 人事" ||
			u.FromEmail != "hr@factory.example" || u.Channel != "email" || len(u.DocumentIDs) != 2 || !u.ReceivedAt.Equal(t0) {
			t.Fatalf("utf-8 draft: %+v", u)
		}
		doc, err := r.docs.Get(ctx, u.DocumentIDs[0])
		if err != nil || doc.Name != "住院照片.jpg" || doc.ContentType != "image/jpeg" {
			t.Fatalf("attachment: %+v %v", doc, err)
		}
		rc, _, err := r.docs.Open(ctx, u.DocumentIDs[1])
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, pdfBytes) {
			t.Fatal("pdf attachment content differs")
		}
		if g.Section != access.Coordination || g.Subject != subjGBK || !strings.HasPrefix(g.Body, bodyGBK) || g.FromName != "李四" {
			t.Fatalf("gbk draft: %+v", g)
		}
		if len(g.DocumentIDs) != 1 || !strings.Contains(g.Body, "notes.docx") {
			t.Fatalf("gbk: want png kept and docx listed as skipped: %+v", g)
		}
		// Acknowledgements queued for both senders, with the case number.
		rows, err := d.Read().QueryContext(ctx, `SELECT recipient, subject, body FROM outbox WHERE kind = 'mail.ack' ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		var acks []string
		for rows.Next() {
			var to, subj, body string
			rows.Scan(&to, &subj, &body)
			acks = append(acks, to+"|"+subj+"|"+body)
		}
		if len(acks) != 2 || !strings.HasPrefix(acks[0], "hr@factory.example|来件已受理：YJ-0001") ||
			!strings.Contains(acks[1], "YJ-0002") || !strings.Contains(acks[1], "notes.docx") {
			t.Fatalf("acks: %q", acks)
		}
	})
}

func TestUnknownRecipientRefusedAtRcpt(t *testing.T) {
	r := newRig(t, dbtest.SQLite(t), mailintake.Config{})
	for _, to := range []string{"nobody@shebao.example", "gongshang@other.example", "postmaster"} {
		err := r.send("a@b.example", []string{to}, []byte("Subject: x\r\n\r\nhi\r\n"))
		var se *smtp.SMTPError
		if !errors.As(err, &se) || se.Code != 550 {
			t.Fatalf("%s: want 550, got %v", to, err)
		}
	}
	if len(r.opener.all()) != 0 {
		t.Fatal("draft opened for an unknown mailbox")
	}
}

func quarantined(t *testing.T, d *db.DB) []string {
	rows, err := d.Read().QueryContext(context.Background(), `SELECT reason FROM mail_quarantine ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		rows.Scan(&s)
		out = append(out, s)
	}
	return out
}

func TestOversizedRefusedWith552AndRecorded(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		r := newRig(t, d, mailintake.Config{MaxMessageBytes: 64 << 10})
		big := message("From: a@b.example\r\nTo: jijin@shebao.example\r\nSubject: big\r\n", "text/plain; charset=UTF-8",
			[]byte("x"), part{"a.jpg", "image/jpeg", bytes.Repeat(jpegBytes, 40)})
		err := r.send("a@b.example", []string{"jijin@shebao.example"}, big)
		var se *smtp.SMTPError
		if !errors.As(err, &se) || se.Code != 552 {
			t.Fatalf("want 552, got %v", err)
		}
		if q := quarantined(t, d); len(q) != 1 || !strings.Contains(q[0], "超过") {
			t.Fatalf("quarantine: %q", q)
		}
		// The listener still works.
		small := message("From: a@b.example\r\nTo: jijin@shebao.example\r\nSubject: ok\r\n", "text/plain; charset=UTF-8", []byte("hello"))
		if err := r.send("a@b.example", []string{"jijin@shebao.example"}, small); err != nil || len(r.opener.all()) != 1 {
			t.Fatalf("after oversized: %v", err)
		}
	})
}

func TestSpamAndMalformedQuarantined(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		r := newRig(t, d, mailintake.Config{})
		to := []string{"fuli@shebao.example"}
		cases := []struct {
			name, want string
			msg        []byte
		}{
			{"exe renamed jpg", "可执行文件", message("From: x@spam.example\r\nTo: fuli@shebao.example\r\nSubject: invoice\r\n",
				"text/plain; charset=UTF-8", []byte("open it"), part{"photo.jpg", "image/jpeg", append([]byte("MZ\x90\x00"), make([]byte, 100)...)})},
			{"no from", "缺少发件人", []byte("To: fuli@shebao.example\r\nSubject: hi\r\n\r\nbody\r\n")},
			{"flagged", "垃圾邮件", []byte("From: x@spam.example\r\nX-Spam-Flag: YES\r\nSubject: win\r\n\r\nbody\r\n")},
			{"malformed", "格式错误", []byte("this is not a header at all\r\n\x00\x01\x02\r\n\r\nbody")},
			{"nul in header", "格式错误", []byte("bad\x00line\r\n\r\nx")},
		}
		for _, c := range cases {
			if err := r.send("x@spam.example", to, c.msg); err != nil {
				t.Fatalf("%s: send: %v", c.name, err)
			}
		}
		q := quarantined(t, d)
		if len(q) != len(cases) {
			t.Fatalf("quarantine: %q", q)
		}
		for i, c := range cases {
			if !strings.Contains(q[i], c.want) {
				t.Errorf("%s: reason %q, want %q", c.name, q[i], c.want)
			}
		}
		if n := len(r.opener.all()); n != 0 {
			t.Fatalf("%d drafts opened from spam", n)
		}
		var acks int
		d.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM outbox`).Scan(&acks)
		if acks != 0 {
			t.Fatal("spam was acknowledged")
		}
	})
}

func TestReleaseAndDelete(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		r := newRig(t, d, mailintake.Config{})
		bulk := message("From: hr@corp.example\r\nTo: zhanghu@shebao.example\r\nSubject: "+mime.BEncoding.Encode("UTF-8", "账户转移申请")+
			"\r\nX-Spam-Flag: YES\r\n", "text/plain; charset=UTF-8", []byte("请办理"),
			part{"form.pdf", "application/pdf", pdfBytes}, part{"setup.exe", "application/octet-stream", []byte("MZ....")})
		for i := 0; i < 2; i++ {
			if err := r.send("hr@corp.example", []string{"zhanghu@shebao.example"}, bulk); err != nil {
				t.Fatal(err)
			}
		}
		office := &access.Actor{UserID: 2, Username: "office", Role: access.RoleStaff, Sections: []access.Section{access.Office}}
		clerk := &access.Actor{UserID: 3, Username: "c", Role: access.RoleStaff, Sections: []access.Section{access.Fund}}
		if _, err := r.svc.ListQuarantine(ctx, clerk, ""); err == nil {
			t.Fatal("fund clerk saw the quarantine")
		}
		list, err := r.svc.ListQuarantine(ctx, office, "")
		if err != nil || len(list) != 2 {
			t.Fatalf("list: %v %v", list, err)
		}
		q, preview, err := r.svc.GetQuarantine(ctx, office, list[1].ID)
		if err != nil || !strings.Contains(preview, "X-Spam-Flag") || q.Subject != "账户转移申请" {
			t.Fatalf("get: %+v %v", q, err)
		}
		res, err := r.svc.Release(ctx, office, list[1].ID)
		if err != nil {
			t.Fatal(err)
		}
		drafts := r.opener.all()
		if len(drafts) != 1 || res.CaseNo != "YJ-0001" || drafts[0].Section != access.Account || len(drafts[0].DocumentIDs) != 1 ||
			!strings.Contains(drafts[0].Body, "setup.exe") {
			t.Fatalf("release: %+v %+v", res, drafts)
		}
		if _, err := r.svc.Release(ctx, office, list[1].ID); err == nil {
			t.Fatal("released twice")
		}
		if err := r.svc.Delete(ctx, office, list[0].ID); err != nil {
			t.Fatal(err)
		}
		if err := r.svc.Delete(ctx, office, list[0].ID); err == nil {
			t.Fatal("deleted twice")
		}
		if left, _ := r.svc.ListQuarantine(ctx, office, ""); len(left) != 0 {
			t.Fatalf("still held: %v", left)
		}
		if del, _ := r.svc.ListQuarantine(ctx, office, mailintake.Deleted); len(del) != 1 {
			t.Fatalf("deleted list: %v", del)
		}
	})
}

func TestPanicInHandlingQuarantinesAndListenerSurvives(t *testing.T) {
	d := dbtest.SQLite(t)
	r := newRig(t, d, mailintake.Config{})
	r.opener.panic = true
	msg := message("From: a@b.example\r\nTo: shenji@shebao.example\r\nSubject: x\r\n", "text/plain; charset=UTF-8", []byte("y"))
	if err := r.send("a@b.example", []string{"shenji@shebao.example"}, msg); err != nil {
		t.Fatal(err)
	}
	if q := quarantined(t, d); len(q) != 1 {
		t.Fatalf("quarantine %q", q)
	}
	r.opener.panic = false
	if err := r.send("a@b.example", []string{"shenji@shebao.example"}, msg); err != nil || len(r.opener.all()) != 1 {
		t.Fatalf("listener after panic: %v", err)
	}
}

func TestImportedMessageUsesHeaders(t *testing.T) {
	d := dbtest.SQLite(t)
	r := newRig(t, d, mailintake.Config{})
	msg := message("From: a@b.example\r\nTo: \"个体参保\" <geti@shebao.example>\r\nSubject: x\r\n", "text/plain; charset=UTF-8", []byte("y"))
	res, err := r.svc.Accept(context.Background(), mailintake.Envelope{}, msg)
	if err != nil || res.CaseNo == "" || res.Section != access.SelfEmployed {
		t.Fatalf("%+v %v", res, err)
	}
}

// A sending server that retries the same message (same Message-ID and
// sender) after a lost reply does not open a second case.
func TestRetriedDeliveryIsOneCase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		r := newRig(t, d, mailintake.Config{})
		msg := message("From: a@b.example\r\nTo: jijin@shebao.example\r\nSubject: x\r\nMessage-ID: <retry-1@b.example>\r\n",
			"text/plain; charset=UTF-8", []byte("y"))
		for i := 0; i < 3; i++ {
			if err := r.send("a@b.example", []string{"jijin@shebao.example"}, msg); err != nil {
				t.Fatal(err)
			}
		}
		res, err := r.svc.Accept(context.Background(), mailintake.Envelope{To: []string{"jijin@shebao.example"}}, msg)
		if err != nil || !res.Duplicate || res.CaseNo != "YJ-0001" {
			t.Fatalf("%+v %v", res, err)
		}
		var acks int
		d.Read().QueryRowContext(context.Background(), `SELECT COUNT(*) FROM outbox`).Scan(&acks)
		if n := len(r.opener.all()); n != 1 || acks != 1 {
			t.Fatalf("%d drafts, %d acks for one message sent three times", n, acks)
		}
	})
}

func TestQuarantineMasksIDNumbersOnScreen(t *testing.T) {
	d := dbtest.SQLite(t)
	r := newRig(t, d, mailintake.Config{})
	id := "11010519491231002X"
	raw := []byte("From: x@spam.example\r\nTo: fuli@shebao.example\r\nX-Spam-Flag: YES\r\nSubject: " + id + "\r\n\r\n身份证 " + id + " 电话 13812345678\r\n")
	res, err := r.svc.Accept(context.Background(), mailintake.Envelope{To: []string{"fuli@shebao.example"}}, raw)
	if err != nil {
		t.Fatal(err)
	}
	office := &access.Actor{UserID: 2, Role: access.RoleAdmin}
	q, preview, err := r.svc.GetQuarantine(context.Background(), office, res.QuarantineID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(q.Subject, id) || strings.Contains(preview, id) || strings.Contains(preview, "13812345678") || !strings.Contains(preview, "身份证") {
		t.Fatalf("not masked: %q / %q", q.Subject, preview)
	}
}

package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
	"golang.org/x/text/encoding/simplifiedchinese"

	"shebao/internal/app/apptest"
	"shebao/internal/notify"
)

type captureRelay struct {
	mu  sync.Mutex
	got []string
}

func (c *captureRelay) NewSession(*smtp.Conn) (smtp.Session, error) { return &captureSession{c}, nil }

type captureSession struct{ c *captureRelay }

func (s *captureSession) Reset()                               {}
func (s *captureSession) Logout() error                        { return nil }
func (s *captureSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *captureSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *captureSession) Data(r io.Reader) error {
	b, _ := io.ReadAll(r)
	s.c.mu.Lock()
	s.c.got = append(s.c.got, string(b))
	s.c.mu.Unlock()
	return nil
}

func listen(t *testing.T) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// A GBK mail to gongshang@ through the real listener becomes a draft case
// of the real casework service in 工伤保险待遇科's queue, with its photo as
// a document, and the sender's acknowledgement goes out through a relay.
func TestMailToDraftCaseAndAcknowledgement(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		a := env.App
		ln := listen(t)
		done := make(chan struct{})
		go func() { a.Mail.Serve(ctx, ln); close(done) }()
		defer func() { cancel(); <-done }()

		subject, _ := simplifiedchinese.GBK.NewEncoder().String("工伤事故报告 某机械厂")
		body, _ := simplifiedchinese.GBK.NewEncoder().String("职工今晨在车间受伤，已送区人民医院。")
		jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, make([]byte, 2000)...)
		msg := "From: hr@factory.example\r\nTo: gongshang@shebao.example\r\nSubject: =?GBK?B?" +
			base64.StdEncoding.EncodeToString([]byte(subject)) + "?=\r\nMIME-Version: 1.0\r\n" +
			"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain; charset=GBK\r\n" +
			"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + "\r\n--B\r\nContent-Type: image/jpeg\r\n" +
			"Content-Disposition: attachment; filename=\"photo.jpg\"\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			base64.StdEncoding.EncodeToString(jpeg) + "\r\n--B--\r\n"
		c, err := smtp.Dial(ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		if err := c.SendMail("hr@factory.example", []string{"gongshang@shebao.example"}, strings.NewReader(msg)); err != nil {
			t.Fatal(err)
		}
		c.Quit()

		var no, section, state, title, summary, channel string
		err = a.DB.Read().QueryRowContext(ctx, `SELECT case_no, section, state, title, summary, channel FROM cases WHERE channel = 'email'`).
			Scan(&no, &section, &state, &title, &summary, &channel)
		if err != nil {
			t.Fatal(err)
		}
		if section != "injury" || title != "工伤事故报告 某机械厂" || !strings.Contains(summary, "已送区人民医院") {
			t.Fatalf("case %s %s %s %q %q", no, section, state, title, summary)
		}
		var docs int
		a.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM documents WHERE name = 'photo.jpg' AND content_type = 'image/jpeg'`).Scan(&docs)
		if docs != 1 {
			t.Fatalf("attachment stored %d times", docs)
		}

		relay := &captureRelay{}
		srv := smtp.NewServer(relay)
		srv.AllowInsecureAuth = true
		rl := listen(t)
		go srv.Serve(rl)
		defer srv.Close()
		dr := notify.NewDrainer(a.DB, a.Clock, "test", nil,
			map[notify.Channel]notify.Provider{notify.Email: &notify.SMTP{Addr: rl.Addr().String(), From: "noreply@shebao.example"}})
		if n, err := dr.DrainOnce(ctx); err != nil || n < 1 {
			t.Fatalf("drain: %d %v", n, err)
		}
		relay.mu.Lock()
		defer relay.mu.Unlock()
		found := false
		for _, m := range relay.got {
			if strings.Contains(m, "To: hr@factory.example") {
				found = true
				dec := m[strings.Index(m, "\r\n\r\n")+4:]
				b, _ := base64.StdEncoding.DecodeString(strings.ReplaceAll(dec, "\r\n", ""))
				if !bytes.Contains(b, []byte(no)) {
					t.Fatalf("acknowledgement without case number %s: %s", no, b)
				}
			}
		}
		if !found {
			t.Fatalf("no acknowledgement sent: %d messages", len(relay.got))
		}
	})
}

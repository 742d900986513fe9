package notify_test

import (
	"context"
	"encoding/base64"
	"io"
	"mime"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/notify"
)

// relay is a real SMTP server capturing what it receives; the first
// failFirst DATA commands get a temporary 451 error.
type relay struct {
	mu        sync.Mutex
	failFirst int
	got       [][]byte
	rcpt      []string
}

func (r *relay) NewSession(*smtp.Conn) (smtp.Session, error) { return &relaySession{r: r}, nil }

type relaySession struct {
	r  *relay
	to []string
}

func (s *relaySession) Reset()                               {}
func (s *relaySession) Logout() error                        { return nil }
func (s *relaySession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *relaySession) Data(rd io.Reader) error {
	b, err := io.ReadAll(rd)
	if err != nil {
		return err
	}
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	if s.r.failFirst > 0 {
		s.r.failFirst--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try later"}
	}
	s.r.got = append(s.r.got, b)
	s.r.rcpt = append(s.r.rcpt, s.to...)
	return nil
}

func startRelay(t *testing.T, failFirst int) (*relay, string) {
	r := &relay{failFirst: failFirst}
	srv := smtp.NewServer(r)
	srv.Domain = "relay.test"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r, ln.Addr().String()
}

var t0 = time.Date(2024, 2, 10, 2, 0, 0, 0, time.UTC)

func TestEmailDeliveredWithRetryAndChineseSubject(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := clock.NewFixed(t0)
		svc := notify.NewService(d, c)
		rl, addr := startRelay(t, 1)
		dr := notify.NewDrainer(d, c, "server-a", nil, map[notify.Channel]notify.Provider{notify.Email: &notify.SMTP{Addr: addr, From: "noreply@shebao.example"}})

		subject := "您的来信已受理：案件编号 GS-2024-000123"
		body := "您好！\n您发送的工伤事故报告已收到，我们将在 1 个工作日内处理。"
		if err := svc.Notify(ctx, notify.Recipient{UserID: 5, Email: "zhang@example.com"}, notify.Message{Subject: subject, Body: body, Kind: "mail.ack"}); err != nil {
			t.Fatal(err)
		}
		// First attempt: the relay answers 451; the row stays pending with a backoff.
		if n, err := dr.DrainOnce(ctx); err != nil || n != 0 {
			t.Fatalf("first drain: sent %d err %v", n, err)
		}
		a := &access.Actor{UserID: 1, Username: "office", Role: access.RoleStaff, Sections: []access.Section{access.Office}}
		items, _, err := svc.List(ctx, a, notify.Filter{})
		if err != nil || len(items) != 1 {
			t.Fatalf("list: %v %v", items, err)
		}
		it := items[0]
		if it.Status != notify.Pending || it.Attempts != 1 || !strings.Contains(it.LastError, "451") || !it.NextAttemptAt.Equal(t0.Add(30*time.Second)) {
			t.Fatalf("after failure: %+v", it)
		}
		if it.Recipient != "z***@example.com" {
			t.Fatalf("recipient not masked: %q", it.Recipient)
		}
		// Not yet due: nothing happens.
		if n, _ := dr.DrainOnce(ctx); n != 0 {
			t.Fatal("sent before the backoff elapsed")
		}
		c.Advance(31 * time.Second)
		if n, err := dr.DrainOnce(ctx); err != nil || n != 1 {
			t.Fatalf("second drain: sent %d err %v", n, err)
		}
		if len(rl.got) != 1 || rl.rcpt[0] != "zhang@example.com" {
			t.Fatalf("relay got %d messages to %v", len(rl.got), rl.rcpt)
		}
		raw := string(rl.got[0])
		if !strings.Contains(raw, "Subject: =?UTF-8?b?") {
			t.Fatalf("subject not RFC 2047 encoded:\n%s", raw)
		}
		m, err := mail.ReadMessage(strings.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		dec, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil || dec != subject {
			t.Fatalf("decoded subject %q (%v)", dec, err)
		}
		bb, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, m.Body))
		if string(bb) != body {
			t.Fatalf("body %q", bb)
		}
		items, _, _ = svc.List(ctx, a, notify.Filter{Status: notify.Sent})
		if len(items) != 1 || items[0].Attempts != 2 || items[0].SentAt.IsZero() {
			t.Fatalf("after send: %+v", items)
		}
		// The portal inbox got it too.
		msgs, unread, err := svc.Inbox(ctx, &access.Actor{UserID: 5, Role: access.RolePerson})
		if err != nil || len(msgs) != 1 || unread != 1 || msgs[0].Subject != subject {
			t.Fatalf("inbox %v %d %v", msgs, unread, err)
		}
	})
}

func TestHoldPermanentAndRetry(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := clock.NewFixed(t0)
		svc := notify.NewService(d, c)
		_, addr := startRelay(t, 0)
		dr := notify.NewDrainer(d, c, "server-a", nil, map[notify.Channel]notify.Provider{notify.Email: &notify.SMTP{Addr: addr, From: "noreply@shebao.example"}})
		office := &access.Actor{UserID: 1, Username: "office", Role: access.RoleStaff, Sections: []access.Section{access.Office}}
		if err := svc.Notify(ctx, notify.Recipient{Phone: "13812345678", WeChatOpenID: "oABCDEFG12345", Email: "not an address"},
			notify.Message{Subject: "提醒", Body: "请补交原件"}); err != nil {
			t.Fatal(err)
		}
		if _, err := dr.DrainOnce(ctx); err != nil {
			t.Fatal(err)
		}
		items, total, err := svc.List(ctx, office, notify.Filter{})
		if err != nil || total != 3 {
			t.Fatalf("%d %v", total, err)
		}
		by := map[notify.Channel]notify.Item{}
		for _, it := range items {
			by[it.Channel] = it
		}
		if s := by[notify.SMS]; s.Status != notify.Pending || s.LastError != "未配置短信服务商" || s.Attempts != 0 || s.Recipient == "13812345678" {
			t.Fatalf("sms should be held: %+v", s)
		}
		if w := by[notify.WeChat]; w.Status != notify.Pending || w.LastError == "" {
			t.Fatalf("wechat should be held: %+v", w)
		}
		e := by[notify.Email]
		if e.Status != notify.Failed || e.Attempts != 1 {
			t.Fatalf("bad address should fail permanently: %+v", e)
		}
		// Retry: only office/admin, CSRF at the web layer; resets attempts.
		if err := svc.Retry(ctx, &access.Actor{UserID: 9, Role: access.RolePerson}, e.ID); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("person retried: %v", err)
		}
		if err := svc.Retry(ctx, office, e.ID); err != nil {
			t.Fatal(err)
		}
		items, _, _ = svc.List(ctx, office, notify.Filter{Channel: notify.Email})
		if len(items) != 1 || items[0].Status != notify.Pending || items[0].Attempts != 0 {
			t.Fatalf("after retry %+v", items)
		}
		if err := svc.Retry(ctx, office, 999); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("retry unknown: %v", err)
		}
	})
}

func TestGivesUpAfterMaxAttempts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := clock.NewFixed(t0)
		svc := notify.NewService(d, c)
		dr := notify.NewDrainer(d, c, "server-a", nil, map[notify.Channel]notify.Provider{notify.Email: &notify.SMTP{Addr: "127.0.0.1:1", From: "noreply@shebao.example"}}) // nothing listens
		dr.MaxAttempts = 3
		svc.Notify(ctx, notify.Recipient{Email: "a@example.com"}, notify.Message{Subject: "x", Body: "y"})
		for i := 0; i < 5; i++ {
			dr.DrainOnce(ctx)
			c.Advance(2 * time.Hour)
		}
		office := &access.Actor{UserID: 1, Role: access.RoleAdmin}
		items, _, _ := svc.List(ctx, office, notify.Filter{})
		if items[0].Status != notify.Failed || items[0].Attempts != 3 {
			t.Fatalf("%+v", items[0])
		}
	})
}

// Two drainers (two servers) on the same database send each row once.
func TestConcurrentDrainersSendOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := clock.NewFixed(t0)
		svc := notify.NewService(d, c)
		rl, addr := startRelay(t, 0)
		for i := 0; i < 30; i++ {
			svc.Notify(ctx, notify.Recipient{Email: "a@example.com"}, notify.Message{Subject: "x", Body: "y"})
		}
		var wg sync.WaitGroup
		for _, name := range []string{"a", "b", "c"} {
			dr := notify.NewDrainer(d, c, name, nil, map[notify.Channel]notify.Provider{notify.Email: &notify.SMTP{Addr: addr, From: "noreply@shebao.example"}})
			dr.Batch = 4
			wg.Add(1)
			go func() { defer wg.Done(); dr.DrainOnce(ctx) }()
		}
		wg.Wait()
		if len(rl.got) != 30 {
			t.Fatalf("relay got %d messages, want exactly 30", len(rl.got))
		}
	})
}

func TestInboxMarkRead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		svc := notify.NewService(d, clock.NewFixed(t0))
		me := &access.Actor{UserID: 3, Role: access.RoleEmployer}
		other := &access.Actor{UserID: 4, Role: access.RoleEmployer}
		svc.Notify(ctx, notify.Recipient{UserID: 3}, notify.Message{Subject: "a", Body: "b"})
		svc.Notify(ctx, notify.Recipient{UserID: 4}, notify.Message{Subject: "c", Body: "d"})
		if n, _ := svc.UnreadCount(ctx, me); n != 1 {
			t.Fatalf("unread %d", n)
		}
		if err := svc.MarkAllRead(ctx, me); err != nil {
			t.Fatal(err)
		}
		if n, _ := svc.UnreadCount(ctx, me); n != 0 {
			t.Fatalf("unread after read %d", n)
		}
		if n, _ := svc.UnreadCount(ctx, other); n != 1 {
			t.Fatal("marked another user's message read")
		}
		if _, _, err := svc.Inbox(ctx, nil); errs.KindOf(err) != errs.Unauthenticated {
			t.Fatal(err)
		}
	})
}

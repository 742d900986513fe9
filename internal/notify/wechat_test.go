package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/notify"
)

const (
	wxAppID  = "wx0123456789abcdef"
	wxSecret = "s3cr3t-never-logged"
)

// fakeWX is a local fake of the WeChat Official Account API: the token
// endpoint counts its calls and issues TOKEN-n (only the latest is
// valid); the template endpoint answers the errcodes scripted per OpenID
// (500: an HTTP 500 instead), then 0.
type fakeWX struct {
	mu         sync.Mutex
	tokenCalls int
	tokenDelay time.Duration
	current    string
	script     map[string][]int
	sent       []map[string]any
}

func startWX(t *testing.T) (*fakeWX, string) {
	f := &fakeWX{script: map[string][]int{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fakeWX) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	reply := func(v any) { w.Header().Set("Content-Type", "application/json"); json.NewEncoder(w).Encode(v) }
	switch r.URL.Path {
	case "/cgi-bin/token":
		time.Sleep(f.tokenDelay)
		f.mu.Lock()
		defer f.mu.Unlock()
		q := r.URL.Query()
		if q.Get("grant_type") != "client_credential" || q.Get("appid") != wxAppID || q.Get("secret") != wxSecret {
			reply(map[string]any{"errcode": 40125, "errmsg": "invalid appsecret"})
			return
		}
		f.tokenCalls++
		f.current = fmt.Sprintf("TOKEN-%d", f.tokenCalls)
		reply(map[string]any{"access_token": f.current, "expires_in": 7200})
	case "/cgi-bin/message/template/send":
		f.mu.Lock()
		defer f.mu.Unlock()
		if r.Method != http.MethodPost || r.URL.Query().Get("access_token") != f.current || f.current == "" {
			reply(map[string]any{"errcode": 40001, "errmsg": "invalid credential"})
			return
		}
		var m map[string]any
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			reply(map[string]any{"errcode": 47001, "errmsg": "data format error"})
			return
		}
		to, _ := m["touser"].(string)
		code := 0
		if s := f.script[to]; len(s) > 0 {
			code, f.script[to] = s[0], s[1:]
		}
		switch code {
		case 500:
			w.WriteHeader(http.StatusInternalServerError)
		case 0:
			f.sent = append(f.sent, m)
			reply(map[string]any{"errcode": 0, "errmsg": "ok", "msgid": len(f.sent)})
		default:
			reply(map[string]any{"errcode": code, "errmsg": "scripted"})
		}
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeWX) counts() (tokens, sent int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenCalls, len(f.sent)
}

func newWX(base string, c clock.Clock, log *slog.Logger) *notify.WeChatOA {
	return &notify.WeChatOA{AppID: wxAppID, Secret: wxSecret, BaseURL: base, Template: "TPL-DEFAULT",
		Templates: map[string]string{"case": "TPL-CASE"}, PortalURL: "https://shebao.example.gov.cn/", Clock: c, Log: log}
}

func delivery(id int64, to, kind string) notify.Delivery {
	return notify.Delivery{ID: id, Channel: notify.WeChat, To: to, Subject: "补正通知", Body: "请于 5 个工作日内补交材料。", Kind: kind, CreatedAt: t0}
}

// One token serves many sends until shortly before it expires; a token
// the API has revoked (40001) is replaced and the send retried once.
func TestWeChatTokenCachedRefreshedAndRetriedOn40001(t *testing.T) {
	ctx := context.Background()
	f, base := startWX(t)
	c := clock.NewFixed(t0)
	wx := newWX(base, c, nil)
	for i := range 5 {
		if err := wx.Send(ctx, delivery(int64(i), "oOPENID-AAAA-1111", "case.deadline")); err != nil {
			t.Fatal(err)
		}
	}
	if tok, sent := f.counts(); tok != 1 || sent != 5 {
		t.Fatalf("5 sends: %d token fetches, %d sent", tok, sent)
	}
	m := f.sent[0]
	data, _ := json.Marshal(m)
	if m["touser"] != "oOPENID-AAAA-1111" || m["template_id"] != "TPL-CASE" || m["url"] != "https://shebao.example.gov.cn/messages" ||
		!strings.Contains(string(data), `"value":"补正通知"`) || !strings.Contains(string(data), "2024年02月10日 10:00") {
		t.Fatalf("template message: %s", data)
	}
	// Still valid 1h54m later; replaced after 1h55m (5 minutes before expiry).
	c.Advance(time.Hour + 54*time.Minute)
	wx.Send(ctx, delivery(6, "oOPENID-AAAA-1111", "appointment.reminder"))
	if tok, _ := f.counts(); tok != 1 {
		t.Fatalf("token refetched before expiry: %d", tok)
	}
	if f.sent[5]["template_id"] != "TPL-DEFAULT" {
		t.Fatalf("kind without its own template: %v", f.sent[5]["template_id"])
	}
	c.Advance(2 * time.Minute)
	if err := wx.Send(ctx, delivery(7, "oOPENID-AAAA-1111", "case")); err != nil {
		t.Fatal(err)
	}
	if tok, _ := f.counts(); tok != 2 {
		t.Fatalf("token not refreshed near expiry: %d fetches", tok)
	}
	// The API revokes the token (another server fetched one): 40001, refresh, retry.
	f.mu.Lock()
	f.current = "TOKEN-OTHER"
	f.mu.Unlock()
	if err := wx.Send(ctx, delivery(8, "oOPENID-AAAA-1111", "case")); err != nil {
		t.Fatalf("send after 40001: %v", err)
	}
	if tok, sent := f.counts(); tok != 3 || sent != 8 {
		t.Fatalf("after 40001: %d token fetches, %d sent", tok, sent)
	}
}

func TestWeChatConcurrentSendsFetchOneToken(t *testing.T) {
	f, base := startWX(t)
	f.tokenDelay = 50 * time.Millisecond
	wx := newWX(base, clock.NewFixed(t0), nil)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- wx.Send(context.Background(), delivery(int64(i), fmt.Sprintf("oOPENID-%04d", i), "case"))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if tok, sent := f.counts(); tok != 1 || sent != 20 {
		t.Fatalf("20 concurrent sends: %d token fetches, %d sent", tok, sent)
	}
}

// Through the outbox: busy (-1), HTTP 500 and rate limit (45009) are
// retried with backoff and then delivered; an unsubscribed user (43004), a
// bad OpenID (40003) and a bad template (40037) fail at once with a Chinese
// reason; neither the secret, the token nor a whole OpenID reaches the log.
func TestWeChatThroughOutbox(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := clock.NewFixed(t0)
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		f, base := startWX(t)
		f.script = map[string][]int{"oBUSY-0000000001": {-1}, "oFLAKY-000000002": {500, 45009}, "oGONE-0000000003": {43004},
			"oBAD-00000000004": {40003}, "oTPL-00000000005": {40037}}
		svc := notify.NewService(d, c)
		dr := notify.NewDrainer(d, c, "server-a", log, map[notify.Channel]notify.Provider{notify.WeChat: newWX(base, c, log)})
		for _, to := range []string{"oBUSY-0000000001", "oFLAKY-000000002", "oGONE-0000000003", "oBAD-00000000004", "oTPL-00000000005"} {
			if err := svc.Notify(ctx, notify.Recipient{WeChatOpenID: to}, notify.Message{Subject: "缴费提醒", Body: "本月社保费将于 15 日扣款。", Kind: "bill"}); err != nil {
				t.Fatal(err)
			}
		}
		office := &access.Actor{UserID: 1, Username: "office", Role: access.RoleStaff, Sections: []access.Section{access.Office}}
		byTo := func() map[string]notify.Item {
			items, _, err := svc.List(ctx, office, notify.Filter{Channel: notify.WeChat})
			if err != nil {
				t.Fatal(err)
			}
			m := map[string]notify.Item{}
			for _, it := range items {
				m[it.Recipient] = it
			}
			return m
		}
		if n, err := dr.DrainOnce(ctx); err != nil || n != 0 {
			t.Fatalf("first round: sent %d, %v", n, err)
		}
		got := byTo()
		want := map[string]struct {
			st  notify.Status
			err string
		}{
			"oBU***001": {notify.Pending, "微信系统繁忙"}, "oFL***002": {notify.Pending, "状态码 500"},
			"oGO***003": {notify.Failed, "已取消关注"}, "oBA***004": {notify.Failed, "微信绑定无效"}, "oTP***005": {notify.Failed, "模板编号无效"},
		}
		for to, w := range want {
			if it := got[to]; it.Status != w.st || !strings.Contains(it.LastError, w.err) || it.Attempts != 1 {
				t.Fatalf("%s after round 1: %+v (want %s, %q)", to, it, w.st, w.err)
			}
		}
		c.Advance(31 * time.Second)
		if n, err := dr.DrainOnce(ctx); err != nil || n != 1 {
			t.Fatalf("second round: sent %d, %v", n, err)
		}
		got = byTo()
		if it := got["oBU***001"]; it.Status != notify.Sent || it.LastError != "" {
			t.Fatalf("busy row not delivered on retry: %+v", it)
		}
		if it := got["oFL***002"]; it.Status != notify.Pending || !strings.Contains(it.LastError, "当日限额") || it.Attempts != 2 ||
			!it.NextAttemptAt.Equal(c.Now().Add(time.Minute)) {
			t.Fatalf("rate-limited row: %+v", it)
		}
		c.Advance(61 * time.Second)
		if n, err := dr.DrainOnce(ctx); err != nil || n != 1 {
			t.Fatalf("third round: sent %d, %v", n, err)
		}
		if it := byTo()["oFL***002"]; it.Status != notify.Sent || it.Attempts != 3 {
			t.Fatalf("flaky row: %+v", it)
		}
		if tok, sent := f.counts(); tok != 1 || sent != 2 {
			t.Fatalf("%d token fetches, %d delivered", tok, sent)
		}
		for _, secret := range []string{wxSecret, "TOKEN-1", "oGONE-0000000003", "oBUSY-0000000001"} {
			if strings.Contains(logs.String(), secret) {
				t.Fatalf("log holds %q:\n%s", secret, logs.String())
			}
		}
		if !strings.Contains(logs.String(), "oGO***003") {
			t.Fatalf("refusal not logged with the masked OpenID:\n%s", logs.String())
		}
	})
}

// A wrong secret holds every row (no attempt counted) with a reason
// naming what to fix; an unreachable API is retried; neither error
// carries the URL with the secret.
func TestWeChatWrongSecretHoldsAndNetworkErrorRetries(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := clock.NewFixed(t0)
		_, base := startWX(t)
		svc := notify.NewService(d, c)
		wx := newWX(base, c, nil)
		wx.Secret = "wrong-secret"
		dr := notify.NewDrainer(d, c, "server-a", slog.New(slog.DiscardHandler), map[notify.Channel]notify.Provider{notify.WeChat: wx})
		if err := svc.Notify(ctx, notify.Recipient{WeChatOpenID: "oPERSON-00000001"}, notify.Message{Subject: "缴费提醒", Body: "x", Kind: "bill"}); err != nil {
			t.Fatal(err)
		}
		dr.DrainOnce(ctx)
		office := &access.Actor{UserID: 1, Username: "office", Role: access.RoleStaff, Sections: []access.Section{access.Office}}
		items, _, _ := svc.List(ctx, office, notify.Filter{})
		if it := items[0]; it.Status != notify.Pending || it.Attempts != 0 || !strings.Contains(it.LastError, "密钥无效") ||
			strings.Contains(it.LastError, "wrong-secret") {
			t.Fatalf("wrong secret: %+v", it)
		}
		down := newWX("http://127.0.0.1:1", c, nil)
		err := down.Send(ctx, delivery(1, "oPERSON-00000001", "bill"))
		var perm *notify.PermanentError
		var hold *notify.HoldError
		if err == nil || errors.As(err, &perm) || errors.As(err, &hold) || !strings.Contains(err.Error(), "无法连接微信接口") ||
			strings.Contains(err.Error(), wxSecret) {
			t.Fatalf("unreachable API: %v", err)
		}
	})
}

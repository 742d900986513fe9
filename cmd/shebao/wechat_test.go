package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app"
	"shebao/internal/notify"
)

// The WeChat flags and SHEBAO_WECHAT_SECRET reach a real provider: a
// WeChat notice queued in the outbox is delivered to the fake API named
// by --wechat-api with the kind's template; without the secret it is held
// with a reason saying what to set.
func TestWeChatFlagsWireTheProvider(t *testing.T) {
	var mu sync.Mutex
	var tokenQuery string
	var sent []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		switch r.URL.Path {
		case "/cgi-bin/token":
			tokenQuery = r.URL.RawQuery
			io.WriteString(w, `{"access_token":"T1","expires_in":7200}`)
		case "/cgi-bin/message/template/send":
			var m map[string]any
			json.NewDecoder(r.Body).Decode(&m)
			sent = append(sent, m)
			io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
		}
	}))
	defer srv.Close()
	open := func(t *testing.T, args ...string) *app.App {
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		var mf mailFlags
		mf.register(fs)
		if err := fs.Parse(args); err != nil {
			t.Fatal(err)
		}
		cfg := app.Config{DataDir: t.TempDir(), LogOut: io.Discard}
		if err := mf.apply(&cfg); err != nil {
			t.Fatal(err)
		}
		a, err := app.Open(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { a.Close() })
		return a
	}
	ctx := context.Background()
	office := &access.Actor{UserID: 1, Username: "office", Role: access.RoleStaff, Sections: []access.Section{access.Office}}
	msg := notify.Message{Subject: "补正通知", Body: "请补交材料", Kind: "case"}
	to := notify.Recipient{WeChatOpenID: "oPERSON-00000001"}

	t.Setenv("SHEBAO_WECHAT_SECRET", "")
	held := open(t, "--wechat-app-id", "wxapp", "--wechat-api", srv.URL, "--wechat-template", "TPL")
	held.Notify.Notify(ctx, to, msg)
	held.Drainer.DrainOnce(ctx)
	if items, _, _ := held.Notify.List(ctx, office, notify.Filter{}); len(items) != 1 || items[0].Status != notify.Pending ||
		!strings.Contains(items[0].LastError, "SHEBAO_WECHAT_SECRET") {
		t.Fatalf("without a secret: %+v", items)
	}

	t.Setenv("SHEBAO_WECHAT_SECRET", "the-secret")
	a := open(t, "--wechat-app-id", "wxapp", "--wechat-api", srv.URL, "--wechat-template", "TPL", "--wechat-templates", "case=TPL-CASE, appointment=TPL-APPT")
	a.Notify.Notify(ctx, to, msg)
	if n, err := a.Drainer.DrainOnce(ctx); err != nil || n != 1 {
		t.Fatalf("drain: %d %v", n, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(tokenQuery, "appid=wxapp") || !strings.Contains(tokenQuery, "secret=the-secret") ||
		len(sent) != 1 || sent[0]["template_id"] != "TPL-CASE" || sent[0]["touser"] != "oPERSON-00000001" {
		t.Fatalf("token query %q, sent %v", tokenQuery, sent)
	}

	var mf mailFlags
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	mf.register(fs)
	fs.Parse([]string{"--wechat-templates", "case"})
	if err := mf.apply(&app.Config{}); err == nil || !strings.Contains(err.Error(), "业务类别=模板编号") {
		t.Fatalf("bad --wechat-templates: %v", err)
	}
}

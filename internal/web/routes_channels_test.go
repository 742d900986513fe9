package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/document"
	"shebao/internal/mailintake"
	"shebao/internal/notify"
)

type channelsOpener struct{ n int }

func (o *channelsOpener) OpenDraft(context.Context, mailintake.Draft) (string, error) {
	o.n++
	return "YJ-TEST-1", nil
}

func channelsTestServer(t *testing.T, d *db.DB) (*Server, func(a *access.Actor, method, target string, form url.Values) *httptest.ResponseRecorder) {
	t.Helper()
	c := clock.NewFixed(time.Date(2024, 2, 10, 1, 0, 0, 0, time.UTC))
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	n := notify.NewService(d, c)
	docs := document.NewStore(d, c, filepath.Join(t.TempDir(), "documents"))
	mail := mailintake.NewService(d, c, docs, n, &channelsOpener{}, filepath.Join(t.TempDir(), "q"), mailintake.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	s := &Server{Deps: Deps{DB: d, Clock: c, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Audit: audit.NewService(d, c),
		Notify: n, Mail: mail}, pages: pages}
	mux := testMux(s.channelRoutes(), s.channelAPIRoutes())
	do := func(a *access.Actor, method, target string, form url.Values) *httptest.ResponseRecorder {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		r := httptest.NewRequest(method, target, body)
		if form != nil {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		r = r.WithContext(withCSRF(withActor(r.Context(), a), "token"))
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, r)
		return w
	}
	return s, do
}

var chOfficeStaff = &access.Actor{UserID: 11, Username: "bangongshi01", Role: access.RoleStaff, Sections: []access.Section{access.Office}}

func TestOutboxAndInboxPages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, do := channelsTestServer(t, d)
		ctx := context.Background()
		if err := s.Notify.Notify(ctx, notify.Recipient{UserID: 42, Email: "wang@example.com", Phone: "13812345678"},
			notify.Message{Subject: "补正通知 <b>", Body: "请补交材料", Kind: "case"}); err != nil {
			t.Fatal(err)
		}
		w := do(chOfficeStaff, "GET", "/staff/outbox", nil)
		if w.Code != 200 || !strings.Contains(w.Body.String(), "w***@example.com") || strings.Contains(w.Body.String(), "13812345678") ||
			strings.Contains(w.Body.String(), "<b>") || !strings.Contains(w.Body.String(), `name="_csrf"`) {
			t.Fatalf("outbox page %d:\n%s", w.Code, w.Body)
		}
		if w := do(chOfficeStaff, "GET", "/staff/outbox?channel=sms&status=pending", nil); !strings.Contains(w.Body.String(), "短信") || strings.Contains(w.Body.String(), "w***@") {
			t.Fatalf("filtered outbox:\n%s", w.Body)
		}
		if w := do(coordStaff, "GET", "/staff/outbox", nil); w.Code != http.StatusForbidden {
			t.Fatalf("coordination clerk sees the outbox: %d", w.Code)
		}
		if w := do(chOfficeStaff, "POST", "/staff/outbox/1/retry", url.Values{}); w.Code != http.StatusSeeOther {
			t.Fatalf("retry: %d %s", w.Code, w.Body)
		}
		me := &access.Actor{UserID: 42, Username: "wang", Role: access.RolePerson}
		if w := do(me, "GET", "/messages", nil); w.Code != 200 || !strings.Contains(w.Body.String(), "1</strong> 条未读") {
			t.Fatalf("inbox %d:\n%s", w.Code, w.Body)
		}
		if w := do(me, "POST", "/messages/read", url.Values{}); w.Code != http.StatusSeeOther {
			t.Fatalf("mark read %d", w.Code)
		}
		if w := do(me, "GET", "/messages", nil); !strings.Contains(w.Body.String(), "没有未读消息") {
			t.Fatalf("after read:\n%s", w.Body)
		}
		if w := do(me, "GET", "/api/v1/messages", nil); w.Code != 200 || !strings.Contains(w.Body.String(), `"unread":0`) ||
			!strings.Contains(w.Body.String(), `"read_at":"2024-02-10T01:00:00Z"`) {
			t.Fatalf("api inbox %d %s", w.Code, w.Body)
		}
		if w := do(chOfficeStaff, "GET", "/api/v1/outbox?channel=email", nil); w.Code != 200 || !strings.Contains(w.Body.String(), `"total":1`) ||
			!strings.Contains(w.Body.String(), `"recipient":"w***@example.com"`) {
			t.Fatalf("api outbox %d %s", w.Code, w.Body)
		}
		if w := do(me, "GET", "/api/v1/outbox", nil); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), `"code":"forbidden"`) {
			t.Fatalf("person reads the outbox: %d %s", w.Code, w.Body)
		}
		if w := do(chOfficeStaff, "POST", "/api/v1/outbox/99/retry", nil); w.Code != http.StatusNotFound {
			t.Fatalf("retry unknown: %d", w.Code)
		}
	})
}

func TestQuarantinePages(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, do := channelsTestServer(t, d)
		raw := "From: a@b.example\r\nTo: fuli@shebao.example\r\nX-Spam-Flag: YES\r\nSubject: <script>x</script>\r\n\r\nhello\r\n"
		res, err := s.Mail.Accept(context.Background(), mailintake.Envelope{From: "a@b.example", To: []string{"fuli@shebao.example"}}, []byte(raw))
		if err != nil || res.QuarantineID == 0 {
			t.Fatalf("%+v %v", res, err)
		}
		w := do(chOfficeStaff, "GET", "/staff/mail/quarantine", nil)
		if w.Code != 200 || !strings.Contains(w.Body.String(), "垃圾邮件") || strings.Contains(w.Body.String(), "<script>") {
			t.Fatalf("list %d:\n%s", w.Code, w.Body)
		}
		path := "/staff/mail/quarantine/" + chItoa(res.QuarantineID)
		// The list and the message are named by time and subject, not by the record's number.
		if strings.Contains(w.Body.String(), ">"+chItoa(res.QuarantineID)+"</a>") {
			t.Errorf("the list shows the record number:\n%s", w.Body)
		}
		if w := do(chOfficeStaff, "GET", path, nil); w.Code != 200 || !strings.Contains(w.Body.String(), "X-Spam-Flag") ||
			!strings.Contains(w.Body.String(), "<h1>隔离邮件：&lt;script&gt;x&lt;/script&gt;</h1>") || strings.Contains(w.Body.String(), "#"+chItoa(res.QuarantineID)) {
			t.Fatalf("item %d:\n%s", w.Code, w.Body)
		}
		if w := do(chOfficeStaff, "POST", path+"/release", url.Values{}); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "请勾选确认") {
			t.Fatalf("release without confirmation %d:\n%s", w.Code, w.Body)
		}
		if w := do(coordStaff, "POST", path+"/release", url.Values{"confirm": {"yes"}}); w.Code != http.StatusForbidden {
			t.Fatalf("coordination clerk released: %d", w.Code)
		}
		if w := do(chOfficeStaff, "POST", path+"/release", url.Values{"confirm": {"yes"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("release %d:\n%s", w.Code, w.Body)
		}
		if w := do(chOfficeStaff, "POST", path+"/delete", url.Values{"confirm": {"yes"}}); w.Code != http.StatusConflict {
			t.Fatalf("delete after release %d", w.Code)
		}
	})
}

func chItoa(n int64) string { return strconv.FormatInt(n, 10) }

// A WeChat notice refused by the official account (the user unsubscribed,
// errcode 43004) shows on the outbox page as failed with the reason in
// Chinese and the OpenID masked.
func TestOutboxShowsWeChatRefusalInChinese(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		wx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/cgi-bin/token" {
				io.WriteString(w, `{"access_token":"T1","expires_in":7200}`)
				return
			}
			io.WriteString(w, `{"errcode":43004,"errmsg":"require subscribe"}`)
		}))
		defer wx.Close()
		s, do := channelsTestServer(t, d)
		ctx := context.Background()
		if err := s.Notify.Notify(ctx, notify.Recipient{WeChatOpenID: "oPERSON-SECRET-0001"}, notify.Message{Subject: "缴费提醒", Body: "本月社保费将于 15 日扣款", Kind: "bill"}); err != nil {
			t.Fatal(err)
		}
		dr := notify.NewDrainer(d, s.Clock, "web-test", s.Log, map[notify.Channel]notify.Provider{notify.WeChat: &notify.WeChatOA{AppID: "wx", Secret: "s", BaseURL: wx.URL, Template: "TPL", Clock: s.Clock, Log: s.Log}})
		if _, err := dr.DrainOnce(ctx); err != nil {
			t.Fatal(err)
		}
		w := do(chOfficeStaff, "GET", "/staff/outbox?channel=wechat", nil)
		body := w.Body.String()
		if w.Code != 200 || !strings.Contains(body, "收件人未关注或已取消关注本服务号") || !strings.Contains(body, "发送失败") ||
			!strings.Contains(body, "oPE***001") || strings.Contains(body, "oPERSON-SECRET-0001") || strings.Contains(body, "require subscribe") {
			t.Fatalf("outbox page %d:\n%s", w.Code, body)
		}
	})
}

// A person chooses WeChat on the notices page: without an OpenID the form
// says which field to fill; with one it is saved and shown checked; staff
// have no such page.
func TestNoticePrefsPage(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		_, do := channelsTestServer(t, d)
		me := &access.Actor{UserID: 42, Username: "110101199001011234", Role: access.RolePerson}
		if w := do(me, "GET", "/account/notices", nil); w.Code != 200 || !strings.Contains(w.Body.String(), "微信用户标识") {
			t.Fatalf("page %d:\n%s", w.Code, w.Body)
		}
		w := do(me, "POST", "/account/notices", url.Values{"channel": {"wechat"}, "phone": {"13812345678"}})
		if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "已选择以微信接收通知，请填写微信用户标识") ||
			!strings.Contains(w.Body.String(), `value="13812345678"`) {
			t.Fatalf("missing openid %d:\n%s", w.Code, w.Body)
		}
		if w := do(me, "POST", "/account/notices", url.Values{"channel": {"wechat", "sms"}, "phone": {"13812345678"},
			"wechat_openid": {"oPERSON-bound-000000042"}}); w.Code != http.StatusSeeOther {
			t.Fatalf("save %d:\n%s", w.Code, w.Body)
		}
		body := do(me, "GET", "/account/notices", nil).Body.String()
		if !strings.Contains(body, `value="wechat" checked`) || !strings.Contains(body, `value="sms" checked`) || strings.Contains(body, `value="email" checked`) ||
			!strings.Contains(body, `value="oPERSON-bound-000000042"`) {
			t.Fatalf("saved page:\n%s", body)
		}
		if w := do(chOfficeStaff, "GET", "/account/notices", nil); w.Code != http.StatusForbidden {
			t.Fatalf("staff notices page: %d", w.Code)
		}
	})
}

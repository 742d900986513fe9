package notify_test

import (
	"context"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/notify"
)

// A person chooses WeChat and email (not SMS, though a phone is given):
// a notice to the account goes to the inbox, the chosen channels only, and
// the WeChat one is delivered by the provider to the bound OpenID. Invalid
// or missing addresses are refused with the field named; staff have no
// preferences; the change is audited with masked addresses.
func TestPrefsRouteNoticesToChosenChannels(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		c := clock.NewFixed(t0)
		svc := notify.NewService(d, c)
		person := &access.Actor{UserID: 42, Username: "110101199001011234", Role: access.RolePerson}
		staff := &access.Actor{UserID: 1, Username: "office", Role: access.RoleStaff, Sections: []access.Section{access.Office}}

		err := svc.SetMyPrefs(ctx, person, notify.Prefs{Channels: []notify.Channel{notify.WeChat, notify.SMS}, Phone: "1381234"})
		fe := errs.As(err)
		if fe == nil || !errs.Fields(fe.Fields).Has("wechat_openid") || !errs.Fields(fe.Fields).Has("phone") || !strings.Contains(err.Error()+fieldMsgs(fe), "微信用户标识") {
			t.Fatalf("missing openid and bad phone: %v", err)
		}
		if err := svc.SetMyPrefs(ctx, staff, notify.Prefs{}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("staff sets notice channels: %v", err)
		}
		openid := "oPERSON-bound-000000042"
		if err := svc.SetMyPrefs(ctx, person, notify.Prefs{Channels: []notify.Channel{notify.WeChat, notify.Email},
			Email: "li@example.com", Phone: "13812345678", WeChatOpenID: openid}); err != nil {
			t.Fatal(err)
		}
		if p, err := svc.MyPrefs(ctx, person); err != nil || !p.Wants(notify.WeChat) || !p.Wants(notify.Email) || p.Wants(notify.SMS) || p.WeChatOpenID != openid {
			t.Fatalf("prefs: %+v %v", p, err)
		}
		var before, after string
		if err := d.Read().QueryRowContext(ctx, `SELECT before_json, after_json FROM audit_log WHERE action = 'notify.prefs'`).Scan(&before, &after); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(after, openid) || strings.Contains(after, "13812345678") || !strings.Contains(after, "oPE***042") {
			t.Fatalf("audit not masked: %s", after)
		}

		if err := svc.Notify(ctx, notify.Recipient{UserID: 42}, notify.Message{Subject: "补正通知", Body: "请补交材料", Kind: "case"}); err != nil {
			t.Fatal(err)
		}
		items, _, err := svc.List(ctx, staff, notify.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[notify.Channel]string{}
		for _, it := range items {
			got[it.Channel] = it.Recipient
		}
		if len(got) != 2 || got[notify.WeChat] != "oPE***042" || got[notify.Email] != "l***@example.com" {
			t.Fatalf("routed to %v", got)
		}
		f, base := startWX(t)
		dr := notify.NewDrainer(d, c, "server-a", nil, map[notify.Channel]notify.Provider{notify.WeChat: newWX(base, c, nil)})
		dr.DrainOnce(ctx)
		if _, sent := f.counts(); sent != 1 || f.sent[0]["touser"] != openid {
			t.Fatalf("wechat delivered %d: %v", sent, f.sent)
		}
	})
}

func fieldMsgs(e *errs.Error) string {
	var b strings.Builder
	for _, f := range e.Fields {
		b.WriteString(f.Message)
	}
	return b.String()
}

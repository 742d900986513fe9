package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/mailintake"
)

// TestSelfEmployedSampleDownload: 个体参保科's application page links the
// sample e-mail; the .eml downloaded is written for a flexible worker about
// to retire, addressed to the section's mailbox, and the mail intake turns
// it into a draft with both ID sides and the letter, whose two phone
// numbers the form takes. Other sections may not download it.
func TestSelfEmployedSampleDownload(t *testing.T) {
	env := retireEnv(t)
	bg := context.Background()
	_, idn := insured(t, env, "钱桂芬", time.Date(1966, 3, 10, 0, 0, 0, 0, time.UTC), 51, 0, "1995-01", "2026-05", 500_000)
	geti := env.LoginAs(t, apptest.Staff(access.SelfEmployed))
	geti.Get(t, "/staff/retirement/selfemployed/new").WantStatus(t, http.StatusOK).
		WantBody(t, `href="/staff/retirement/selfemployed/sample.eml"`, "下载申报邮件样例")
	res := geti.Get(t, "/staff/retirement/selfemployed/sample.eml").WantStatus(t, http.StatusOK)
	if ct := res.Header.Get("Content-Type"); ct != "message/rfc822" || !strings.Contains(res.Header.Get("Content-Disposition"), ".eml") {
		t.Fatalf("content type %q, disposition %q", ct, res.Header.Get("Content-Disposition"))
	}
	raw := []byte(res.Body)
	to := mailintake.Address(access.SelfEmployed, env.App.Mail.Domain())
	if !strings.Contains(res.Body, "To: "+to) || !strings.Contains(res.Body, idn) {
		t.Fatalf("sample not addressed to %s for %s:\n%.600s", to, idn, res.Body)
	}
	got, err := env.App.Mail.Accept(bg, mailintake.Envelope{From: "shenqingren@example.com", To: []string{to}}, raw)
	if err != nil || got.CaseNo == "" {
		t.Fatalf("mail intake: %+v %v", got, err)
	}
	form := geti.Get(t, "/staff/retirement/selfemployed/new?draft="+got.CaseNo).WantStatus(t, http.StatusOK)
	form.WantBody(t, "身份证人像面", "身份证国徽面", "退休申请书", `value="13800138000"`, `value="13911220006"`)
	env.LoginAs(t, apptest.Staff(access.Welfare)).Get(t, "/staff/retirement/selfemployed/sample.eml").WantStatus(t, http.StatusForbidden)
}

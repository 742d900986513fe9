package upkeep_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app/apptest"
	"shebao/internal/ident"
	"shebao/internal/upkeep"
)

// multipartRaise posts the raise form with one scan.
func multipartRaise(t *testing.T, c *apptest.Client, fields map[string]string, scan []byte) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	_ = w.WriteField("_csrf", c.CSRF)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	if scan != nil {
		fw, _ := w.CreateFormFile("evidence", "工资表.pdf")
		_, _ = fw.Write(scan)
	}
	_ = w.Close()
	return c.Do(t, http.MethodPost, "/staff/upkeep/new", &body, http.Header{"Content-Type": {w.FormDataContentType()}})
}

var pdfBytes = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

// TestUpkeepPages: 保险福利科 raises from the case page (a missing scan is
// named), 个人账户科's queue shows it masked and searchable, a batch is
// confirmed and made, its preparer is refused the check in Chinese, a
// second clerk checks and applies, the batch and the case show the new
// version with the difference, and the retiree sees the correction.
func TestUpkeepPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		f := retiree(t, env)
		fuli := env.Login(t, f.welfareU.Username, f.welfareU.Password)
		fuli.Get(t, "/staff/retirement/cases/"+f.caseNo).WantStatus(t, 200).WantBody(t, "提请缴费记录维护", "/staff/upkeep/new?case="+f.caseNo)
		fields := map[string]string{"case_no": f.caseNo, "from": "2010-01", "to": "2010-12", "base": "9000", "paid": "", "reason": "原单位工资表核实"}
		multipartRaise(t, fuli, fields, nil).WantStatus(t, 422).WantBody(t, "请上传证明材料扫描件")
		multipartRaise(t, fuli, fields, pdfBytes).WantRedirect(t, "/staff/retirement/cases/"+f.caseNo)
		fuli.Get(t, "/staff/retirement/cases/"+f.caseNo).WantBody(t, "WH2026", "待集中处理")

		z1 := env.Login(t, f.acct1U.Username, f.acct1U.Password)
		q := z1.Get(t, "/staff/upkeep").WantStatus(t, 200).WantBody(t, ident.MaskID(f.idn), "2010年1月 至 2010年12月", "9,000.00 元", "待集中处理")
		if strings.Contains(q.Body, f.idn) {
			t.Fatal("the queue shows the full ID number")
		}
		z1.Get(t, "/staff/upkeep?status=&q="+f.idn).WantBody(t, ident.MaskID(f.idn))
		if b := z1.Get(t, "/staff/upkeep?status=&q=nobody").Body; strings.Contains(b, ident.MaskID(f.idn)) {
			t.Fatal("the search does not filter")
		}
		list, _, _ := env.App.Upkeep.List(bg, f.acct1, upkeep.Filter{})
		id := list[0].ID
		z1.PostForm(t, "/staff/upkeep/batches", url.Values{"ids": {itoa(id)}}).WantStatus(t, 200).WantBody(t, "确认编入批次", list[0].No)
		loc := z1.PostForm(t, "/staff/upkeep/batches", url.Values{"ids": {itoa(id)}, "confirm": {"1"}}).WantRedirect(t, "/staff/upkeep/batches/").Location()
		path := loc[strings.Index(loc, "/staff/"):]
		batch := z1.Get(t, path).WantStatus(t, 200).WantBody(t, "已编制，待第二人复核", "须由个人账户科另一名经办人员复核")
		version := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(batch.Body)[1]
		z1.PostForm(t, path+"/check", url.Values{"version": {version}}).WantStatus(t, 403).WantBody(t, "复核须由编制人以外的第二名经办人员办理")

		z2 := env.Login(t, f.acct2U.Username, f.acct2U.Password)
		z2.PostForm(t, path+"/check", url.Values{"version": {version}}).WantRedirect(t, path)
		z2.PostForm(t, path+"/apply", url.Values{"version": {"2"}}).WantRedirect(t, path)
		vs := f.versions(t)
		done := z2.Get(t, path).WantStatus(t, 200).WantBody(t, "已执行更正", "待遇金额变化，已提请重新核定", vs[0].Total.String()+" 元",
			f.det.Total.String()+" 元", "第 2 版")
		if strings.Contains(done.Body, f.idn) {
			t.Fatal("the batch shows the full ID number")
		}
		fuli.Get(t, "/staff/retirement/cases/"+f.caseNo).WantBody(t, "已计算，待经办复核", "缴费记录维护批次")
		fuli.Get(t, "/staff/cases?section=welfare&view=mine").WantStatus(t, 200).WantBody(t, "缴费记录维护后重新核定",
			`href="/staff/cases/`+f.caseNo+`"`, "审核中")

		me := env.AddLogin(t, account.NewAccount{Role: access.RolePerson, Username: f.idn, PersonID: f.pid, DisplayName: "周建国"}, false)
		mine := env.Login(t, me.Username, me.Password)
		mine.Get(t, "/person/record-corrections").WantStatus(t, 200).WantBody(t, "2010年5月", "6,000.00 元", "9,000.00 元",
			"月基本养老金由 "+f.det.Total.String()+" 元重新计算为 "+vs[0].Total.String()+" 元")
		env.Login(t, env.User(t, apptest.PersonA).Username, apptest.Password).Get(t, "/person/record-corrections").
			WantStatus(t, 200).WantBody(t, "没有经过维护更正")
	})
}

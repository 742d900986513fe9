package web_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/pdfdoc"
)

// seedPaidBill gives person A a paid bill of employer A for month, with
// one line per scheme (base 4,800).
func seedPaidBill(t testing.TB, env *apptest.Env, month, flags string) {
	t.Helper()
	a, emp := env.User(t, apptest.PersonA), env.User(t, apptest.EmployerA)
	var id int64
	err := env.App.DB.W.QueryRowContext(t.Context(), `INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month,
		status, total_fen, paid_fen, flags, assessed_at) VALUES ($1, 'employer', $2, $3, 'paid', 121152, 121152, $4, $5) RETURNING id`,
		"T"+month, emp.EmployerID, month, flags, env.Clock.Now()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	_, err = env.App.DB.W.ExecContext(t.Context(), `INSERT INTO bill_lines (bill_id, person_id, fee_month, scheme, base_fen,
		declared_base_fen, employer_rate_ppm, individual_rate_ppm, employer_fen, individual_fen) VALUES
		($1, $2, $3, 'pension', 480000, 480000, 160000, 80000, 76800, 38400),
		($1, $2, $3, 'unemployment', 480000, 480000, 5000, 5000, 2400, 2400),
		($1, $2, $3, 'injury', 480000, 480000, 2400, 0, 1152, 0)`, id, a.PersonID, month)
	if err != nil {
		t.Fatal(err)
	}
}

func TestCertificateJourney(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		a := env.User(t, apptest.PersonA)
		seedPaidBill(t, env, "2024-01", "emergency_makeup")
		pa := env.LoginAs(t, apptest.PersonA)
		pa.Get(t, "/person/certificates").WantStatus(t, http.StatusOK).WantBody(t, "stamped_certificate", "尚未开具证明")
		r := pa.PostForm(t, "/person/certificates", url.Values{"from": {"2024-01"}, "to": {"2024-02"}})
		loc := r.WantRedirect(t, "/certificates/").Location()
		pa.Get(t, loc).WantStatus(t, http.StatusOK).WantBody(t, "下载 PDF", "网页打印版", "疫情补缴", "1,211.52")
		pa.Get(t, loc+"/certificate.html").WantStatus(t, http.StatusOK).WantBody(t, "张伟", a.Username, "2024-01 至 2024-02")
		if pdfdoc.Available() == nil {
			pdf := pa.Get(t, loc+"/certificate.pdf").WantStatus(t, http.StatusOK)
			if !strings.HasPrefix(pdf.Body, "%PDF") || pdf.Header.Get("Content-Type") != "application/pdf" {
				t.Fatalf("not a PDF: %q", pdf.Header.Get("Content-Type"))
			}
		}
		// Another person sees neither the certificate nor its files.
		pb := env.LoginAs(t, apptest.PersonB)
		for _, p := range []string{loc, loc + "/certificate.pdf", loc + "/certificate.html"} {
			pb.Get(t, p).WantStatus(t, http.StatusNotFound)
		}
		var code string
		id, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/certificates/"), 10, 64)
		if err := env.App.DB.W.QueryRowContext(t.Context(), `SELECT code FROM certificates WHERE id = $1`, id).Scan(&code); err != nil {
			t.Fatal(err)
		}
		// The public check shows masked data only.
		anon := env.Anon(t)
		r = anon.Get(t, "/certificate/check?code="+strings.ToLower(code)).WantStatus(t, http.StatusOK)
		r.WantBody(t, "证明有效", "张*", ident.MaskID(a.Username), "2024-01 至 2024-02")
		if strings.Contains(r.Body, "张伟") || strings.Contains(r.Body, a.Username) {
			t.Fatal("the check page shows clear data")
		}
		anon.Get(t, "/certificate/check?code=nonsense").WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "20位")
		var res struct {
			Valid bool   `json:"valid"`
			Name  string `json:"name"`
		}
		anon.Get(t, "/api/v1/certificates/check?code="+code).WantStatus(t, http.StatusOK).JSON(t, &res)
		if !res.Valid || res.Name != "张*" {
			t.Fatalf("API check %+v", res)
		}
		// 统筹科 revokes it; the check says so.
		coord := env.LoginAs(t, apptest.Staff(access.Coordination))
		coord.Get(t, "/staff/certificates?code="+code).WantStatus(t, http.StatusOK).WantBody(t, "撤销证明")
		coord.PostForm(t, "/staff/certificates/"+strconv.FormatInt(id, 10)+"/revoke",
			url.Values{"version": {"1"}, "reason": {""}}).WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "撤销原因")
		coord.PostForm(t, "/staff/certificates/"+strconv.FormatInt(id, 10)+"/revoke",
			url.Values{"version": {"1"}, "reason": {"缴费记录更正"}}).WantRedirect(t, "/staff/certificates")
		anon.Get(t, "/certificate/check?code="+code).WantStatus(t, http.StatusOK).WantBody(t, "证明已撤销")

		// Without the font: a clear message, and the HTML version still works.
		pdfdoc.UseFont(t.TempDir() + "/missing.ttc")
		t.Cleanup(func() { pdfdoc.UseFont("") })
		pa.Get(t, loc+"/certificate.pdf").WantStatus(t, http.StatusServiceUnavailable).WantBody(t, "未找到中文字体", "网页打印版")
		pa.Get(t, loc).WantStatus(t, http.StatusOK).WantBody(t, "未找到中文字体")
		pa.Get(t, loc+"/certificate.html").WantStatus(t, http.StatusOK).WantBody(t, "参保缴费证明", "张伟")

		// The employer issues its own certificate.
		ea := env.LoginAs(t, apptest.EmployerA)
		ea.PostForm(t, "/employer/certificates", url.Values{"from": {"2024-01"}}).WantRedirect(t, "/certificates/")
		ea.Get(t, "/employer/certificates").WantStatus(t, http.StatusOK).WantBody(t, "有效")
	})
}

func TestHistoryIsOwnOnly(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		seedPaidBill(t, env, "2024-01", "emergency_makeup")
		env.LoginAs(t, apptest.PersonA).Get(t, "/person/history").WantStatus(t, http.StatusOK).
			WantBody(t, "北京甲测试科技有限公司", "2024-01", "4,800.00", "768.00 / 384.00", "疫情补缴")
		r := env.LoginAs(t, apptest.PersonB).Get(t, "/person/history").WantStatus(t, http.StatusOK)
		if strings.Contains(r.Body, "北京甲测试科技有限公司") {
			t.Fatal("person B sees person A's history")
		}
		a := env.User(t, apptest.PersonA)
		if _, err := env.App.Certificates.History(t.Context(), env.Actor(t, apptest.PersonB), a.PersonID); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("B reads A's history: %v", err)
		}
		env.LoginAs(t, apptest.EmployerA).Get(t, "/person/history").WantStatus(t, http.StatusForbidden)
	})
}

func TestFlexibleWorkerPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		b := env.User(t, apptest.PersonB)
		self := env.LoginAs(t, apptest.Staff(access.SelfEmployed))
		self.Get(t, "/staff/flexible?id_number="+b.Username).WantRedirect(t, "/staff/flexible?person=")
		path := "/staff/flexible/" + strconv.FormatInt(b.PersonID, 10)
		self.PostForm(t, path+"/register", url.Values{"version": {"1"}, "flex_base": {"1000"}, "flex_since": {"2024-02"}}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "缴费基数须在")
		self.PostForm(t, path+"/register", url.Values{"version": {"1"}, "flex_base": {"4800"}, "flex_since": {"2024-02"}}).
			WantRedirect(t, "/staff/flexible?person=")
		pb := env.LoginAs(t, apptest.PersonB)
		pb.PostForm(t, "/person/flexible/bills", url.Values{"month": {"2024-02"}, "plan": {"monthly"}}).WantRedirect(t, "/person/flexible")
		pb.Get(t, "/person/flexible").WantStatus(t, http.StatusOK).WantBody(t, "960.00", "384.00", "2024-03-15")
		pb.PostForm(t, "/person/flexible/bills", url.Values{"month": {"2024-02"}, "plan": {"monthly"}}).
			WantStatus(t, http.StatusConflict).WantBody(t, "已有缴费单")
		env.LoginAs(t, apptest.PersonA).PostForm(t, "/person/flexible/bills", url.Values{"month": {"2024-02"}, "plan": {"monthly"}}).
			WantStatus(t, http.StatusConflict).WantBody(t, "尚未登记为灵活就业人员")
		auditor := env.LoginAs(t, apptest.Staff(access.Audit))
		auditor.Get(t, "/staff/deferred").WantStatus(t, http.StatusOK).WantBody(t, "延期业务登记", "共 <strong>0</strong> 项", "没有符合条件的延期业务")
		auditor.Get(t, "/staff/deferred?status=made_up&page=2").WantStatus(t, http.StatusOK).WantBody(t, "没有符合条件的延期业务")
		auditor.Get(t, "/staff/deferred?status=nonsense").WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "状态不在可选范围内")
		env.LoginAs(t, apptest.EmployerA).Get(t, "/staff/deferred").WantStatus(t, http.StatusForbidden)
	})
}

// issueAndCode issues person A's certificate and returns its page path and
// grouped code.
func issueAndCode(t *testing.T, env *apptest.Env, pa *apptest.Client) (string, string) {
	t.Helper()
	loc := pa.PostForm(t, "/person/certificates", url.Values{"from": {"2024-01"}, "to": {"2024-02"}}).
		WantRedirect(t, "/certificates/").Location()
	id, _ := strconv.ParseInt(strings.TrimPrefix(loc, "/certificates/"), 10, 64)
	c, err := env.App.Certificates.Get(t.Context(), env.Actor(t, apptest.PersonA), id)
	if err != nil {
		t.Fatal(err)
	}
	return loc, c.Grouped()
}

// wantQR checks that body shows checkURL and a QR code image encoding it.
func wantQR(t *testing.T, what, body, checkURL string) {
	t.Helper()
	png, err := pdfdoc.QR(checkURL, 256)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(body, `id="cert-check-url">`+checkURL+`<`) {
		t.Errorf("%s does not show the check address %s", what, checkURL)
	}
	body = strings.ReplaceAll(body, "&#43;", "+") // html/template escapes + in attributes
	if !strings.Contains(body, `id="cert-qr" src="data:image/png;base64,`+base64.StdEncoding.EncodeToString(png)+`"`) {
		t.Errorf("%s has no QR code of %s", what, checkURL)
	}
}

// TestCertificateQRHoldsAbsoluteURL: without SHEBAO_PUBLIC_URL the QR code
// (page, printable HTML) holds the address the request came to, which a
// phone can open; with it, the configured address. The check page confirms
// the document with masked data and the printed totals only.
func TestCertificateQRHoldsAbsoluteURL(t *testing.T) {
	env := apptest.New(t, "sqlite")
	seedPaidBill(t, env, "2024-01", "emergency_makeup")
	pa := env.LoginAs(t, apptest.PersonA)
	loc, code := issueAndCode(t, env, pa)
	want := env.Server.URL + "/certificate/check?code=" + code
	if !strings.HasPrefix(want, "http://127.0.0.1:") {
		t.Fatalf("test server address %s", env.Server.URL)
	}
	wantQR(t, "certificate page", pa.Get(t, loc).WantStatus(t, http.StatusOK).Body, want)
	wantQR(t, "printable version", pa.Get(t, loc+"/certificate.html").WantStatus(t, http.StatusOK).Body, want)
	if strings.Contains(env.Logs.String(), "SHEBAO_PUBLIC_URL") {
		t.Error("the missing public address is logged per request")
	}

	// What the QR code opens: masked name and number, period, months and
	// totals as printed, issuer and date; no month-by-month lines.
	a := env.User(t, apptest.PersonA)
	check := env.Anon(t).Get(t, strings.TrimPrefix(want, env.Server.URL)).WantStatus(t, http.StatusOK)
	check.WantBody(t, "证明有效", "参保人", "张*", ident.MaskID(a.Username), "2024-01 至 2024-02", "1 个月",
		"缴费金额合计 1,211.52 元", "出具机构", "2024-02-10")
	for _, leak := range []string{"张伟", a.Username, "4,800.00", "疫情补缴", "北京甲测试科技有限公司"} {
		if strings.Contains(check.Body, leak) {
			t.Errorf("the check page shows %q", leak)
		}
	}
	var res struct {
		Months int    `json:"months"`
		Totals string `json:"totals"`
	}
	env.Anon(t).Get(t, "/api/v1/certificates/check?code="+code).WantStatus(t, http.StatusOK).JSON(t, &res)
	if res.Months != 1 || res.Totals != "缴费金额合计 1,211.52 元" {
		t.Fatalf("API check %+v", res)
	}

	t.Setenv("SHEBAO_PUBLIC_URL", "https://shebao.example.gov.cn/")
	env2 := apptest.New(t, "sqlite")
	seedPaidBill(t, env2, "2024-01", "")
	pa2 := env2.LoginAs(t, apptest.PersonA)
	loc2, code2 := issueAndCode(t, env2, pa2)
	wantQR(t, "configured address", pa2.Get(t, loc2+"/certificate.html").Body,
		"https://shebao.example.gov.cn/certificate/check?code="+code2)
}

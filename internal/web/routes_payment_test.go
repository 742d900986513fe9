package web_test

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
)

// TestPaymentJourney: a bank client posts a statement, employer A sees
// the payment and its receipt (HTML and PDF) and asks for the invoice by
// post, the fund clerk records the courier; employer B gets 404.
func TestPaymentJourney(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		d := env.App.DB
		empA := env.User(t, apptest.EmployerA).EmployerID
		var billID, personID int64
		now := env.App.Clock.Now()
		if err := d.W.QueryRow(`SELECT id FROM persons ORDER BY id LIMIT 1`).Scan(&personID); err != nil {
			t.Fatal(err)
		}
		if err := d.W.QueryRow(`INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status, employer_fen, total_fen,
			payment_ref, due_on, assessed_at) VALUES ('HDJOURNEY', 'employer', $1, '2020-01', 'confirmed', 85000, 85000,
			'SBJOURNEY00001', '2099-12-31', $2) RETURNING id`, empA, now).Scan(&billID); err != nil {
			t.Fatal(err)
		}
		for s, v := range map[string]int{"pension": 80000, "unemployment": 4000, "injury": 1000} {
			if _, err := d.W.Exec(`INSERT INTO bill_lines (bill_id, person_id, fee_month, scheme, base_fen, declared_base_fen,
				employer_rate_ppm, individual_rate_ppm, employer_fen, individual_fen) VALUES ($1, $2, '2020-01', $3, 0, 0, 0, 0, $4, 0)`,
				billID, personID, s, v); err != nil {
				t.Fatal(err)
			}
		}
		day := now.Format("2006-01-02")
		csv := "交易日期,交易流水号,对方户名,对方账号,贷方金额,附言\n" + day + ",J0001,北京甲测试科技有限公司,6222000011112222,850.00,社保费 SBJOURNEY00001\n" +
			day + ",J0002,某某个人,6217000000009999,12.00,货款\n"
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "statement.csv")
		fw.Write([]byte(csv))
		mw.Close()
		bank := env.LoginAs(t, apptest.APIBank)
		r := bank.Do(t, "POST", "/api/v1/statements", &body, http.Header{"Content-Type": {mw.FormDataContentType()}})
		r.WantStatus(t, http.StatusOK).WantBody(t, `"matched":1`)

		a := env.LoginAs(t, apptest.EmployerA)
		var list struct {
			Items []struct {
				ID          int64  `json:"id"`
				Status      string `json:"status"`
				ReceiptCode string `json:"receipt_code"`
			} `json:"items"`
		}
		a.Get(t, "/api/v1/employers/me/payments").WantStatus(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].Status != "matched" || len(list.Items[0].ReceiptCode) != 16 {
			t.Fatalf("payments %+v", list)
		}
		id := strconv.FormatInt(list.Items[0].ID, 10)
		a.Get(t, "/employer/payments").WantStatus(t, http.StatusOK).WantBody(t, "HDJOURNEY", "查看收据")
		a.Get(t, "/employer/payments/"+id+"/receipt").WantStatus(t, http.StatusOK).
			WantBody(t, "社会保险费缴费收据", list.Items[0].ReceiptCode, "基本养老保险", "800.00", "待疫情结束后领取")
		if pdf := a.Get(t, "/employer/payments/"+id+"/receipt.pdf"); pdf.Status == http.StatusOK {
			if !strings.HasPrefix(pdf.Body, "%PDF") {
				t.Fatal("receipt.pdf is not a PDF")
			}
		} else {
			pdf.WantStatus(t, http.StatusServiceUnavailable).WantBody(t, "社会保险费缴费收据")
		}
		chk := env.Anon(t).Get(t, "/receipts/check?code="+strings.ToLower(list.Items[0].ReceiptCode)).WantStatus(t, http.StatusOK).
			WantBody(t, "收据有效", "北京***公司", "850.00")
		if strings.Contains(chk.Body, "北京甲测试科技有限公司") {
			t.Fatal("check page shows the payer in clear")
		}
		env.Anon(t).Get(t, "/receipts/check?code=ABC").WantStatus(t, http.StatusUnprocessableEntity)
		b := env.LoginAs(t, apptest.EmployerB)
		b.Get(t, "/employer/payments/"+id+"/receipt").WantStatus(t, http.StatusNotFound)
		b.PostForm(t, "/employer/payments/"+id+"/invoice", url.Values{}).WantStatus(t, http.StatusNotFound)

		a.PostForm(t, "/employer/payments/"+id+"/invoice", url.Values{"recipient": {"李丽"}, "phone": {"138"}, "address": {"北京"}}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "请填写正确的手机号")
		a.PostForm(t, "/employer/payments/"+id+"/invoice", url.Values{"recipient": {"李丽"}, "phone": {"13800138001"},
			"address": {"北京市朝阳区建国路1号甲测试科技"}}).WantRedirect(t, "/employer/payments/")
		fund := env.LoginAs(t, apptest.Staff(access.Fund))
		q := fund.Get(t, "/staff/invoices").WantStatus(t, http.StatusOK).WantBody(t, "李丽", "138****8001")
		if strings.Contains(q.Body, "13800138001") {
			t.Fatal("phone in clear in the invoice list")
		}
		var invID int64
		d.W.QueryRow(`SELECT id FROM invoice_requests`).Scan(&invID)
		fund.PostForm(t, "/staff/invoices/"+strconv.FormatInt(invID, 10)+"/mailed", url.Values{"courier": {"EMS"},
			"tracking_no": {"EA123456789CN"}, "version": {"1"}}).WantRedirect(t, "/staff/invoices")
		a.Get(t, "/employer/payments/"+id+"/receipt").WantStatus(t, http.StatusOK).WantBody(t, "已寄出", "EA123456789CN")
		fund.Get(t, "/staff/ledger").WantStatus(t, http.StatusOK).WantBody(t, "借贷平衡", "基本养老保险", "800.00", "待查明款项")
		fund.Get(t, "/staff/statements").WantStatus(t, http.StatusOK)
		var up bytes.Buffer
		mw2 := multipart.NewWriter(&up)
		fw2, _ := mw2.CreateFormFile("file", "bad.csv")
		fw2.Write([]byte("交易日期,交易流水号,对方户名,贷方金额,附言\n" + day + ",K1,某单位,1.234,x\n"))
		mw2.Close()
		fund.Do(t, "POST", "/staff/statements", &up, http.Header{"Content-Type": {mw2.FormDataContentType()}, "X-Csrf-Token": {fund.CSRF}}).
			WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "整份未导入", "最多两位小数")
		fund.Get(t, "/staff/payments/queue").WantStatus(t, http.StatusOK).WantBody(t, "未匹配", "某某个人", "****9999")
		var qid int64
		d.W.QueryRow(`SELECT id FROM payments WHERE serial = 'J0002'`).Scan(&qid)
		fund.PostForm(t, "/staff/payments/"+strconv.FormatInt(qid, 10)+"/settle", url.Values{"action": {"refund"}, "note": {"非社保款，退回"},
			"version": {"1"}}).WantRedirect(t, "/staff/payments/queue")
		fund.Get(t, "/staff/payments/queue").WantStatus(t, http.StatusOK).WantBody(t, "没有待处理的款项")
		fund.PostForm(t, "/staff/payments/card", url.Values{"method": {"cash"}, "bill_no": {"HDJOURNEY"}, "terminal_ref": {"C0001"},
			"amount": {"1"}}).WantStatus(t, http.StatusUnprocessableEntity)
	})
}

package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"shebao/internal/app/apptest"
	"shebao/internal/policy"
)

// addReceivingAccount sets the agency's receiving account through the
// administrator's rule form; a mistyped number is refused on its field.
func addReceivingAccount(t *testing.T, env *apptest.Env) {
	t.Helper()
	admin := env.LoginAs(t, apptest.Admin)
	rule := func(key, value string) *apptest.Response {
		return admin.PostForm(t, "/admin/policy", url.Values{"key": {key}, "effective_from": {"2020-01-01"}, "value": {value},
			"legal_basis": {"区社保处收入户开户通知（测试）"}})
	}
	rule(policy.KeyReceivingAccountNo, "0200-12AB").WantStatus(t, http.StatusUnprocessableEntity).WantBody(t, "银行账号应为 8 至 32 位数字")
	rule(policy.KeyReceivingAccountName, "某区社会保险事业管理处").WantRedirect(t, "/admin/policy")
	rule(policy.KeyReceivingAccountNo, "0200 0012 3456 7890 123").WantRedirect(t, "/admin/policy")
	rule(policy.KeyReceivingAccountBank, "中国工商银行某区支行").WantRedirect(t, "/admin/policy")
}

// insertBill adds a bill of employer A with one pension line.
func insertBill(t *testing.T, env *apptest.Env, month, status, ref, due string, total int64) int64 {
	t.Helper()
	d := env.App.DB
	var id, person int64
	if err := d.W.QueryRow(`SELECT id FROM persons ORDER BY id LIMIT 1`).Scan(&person); err != nil {
		t.Fatal(err)
	}
	var refArg, dueArg any
	if ref != "" {
		refArg, dueArg = ref, due
	}
	err := d.W.QueryRow(`INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status, employer_fen, total_fen,
		payment_ref, due_on, assessed_at) VALUES ($1, 'employer', $2, $3, $4, $5, $5, $6, $7, $8) RETURNING id`,
		"HD"+month, env.User(t, apptest.EmployerA).EmployerID, month, status, total, refArg, dueArg, env.Clock.Now()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.W.Exec(`INSERT INTO bill_lines (bill_id, person_id, fee_month, scheme, base_fen, declared_base_fen,
		employer_rate_ppm, individual_rate_ppm, employer_fen, individual_fen) VALUES ($1, $2, $3, 'pension', 0, 0, 0, 0, $4, 0)`,
		id, person, month, total); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestBillShowsWhereToPayAndTheLateFeeSplit: the employer's bill, bill
// list and confirmation show the receiving account, the reference to
// quote and that the account takes no medical or maternity insurance; an
// overdue bill shows today's late fee split into days charged and waived.
func TestBillShowsWhereToPayAndTheLateFeeSplit(t *testing.T) {
	apptest.Each(t, func(t *testing.T, env *apptest.Env) {
		a := env.LoginAs(t, apptest.EmployerA)
		// Before the administrator sets the account, the bill list says so.
		a.Get(t, "/employer/bills").WantStatus(t, http.StatusOK).WantBody(t, "收款账户尚未公布", policy.NotCollected)
		addReceivingAccount(t, env)
		account := []string{"某区社会保险事业管理处", "0200 0012 3456 7890 123", "中国工商银行某区支行", policy.NotCollected}

		a.Get(t, "/employer/bills").WantStatus(t, http.StatusOK).WantBody(t, account...)

		// Due 2024-01-15, the emergency began 2024-01-23 (open), today is
		// 2024-02-10: 26 days late, the 7 before the start charged,
		// 6,583.36 × 0.05% × 7 = 23.04.
		if _, err := env.App.Policy.Declare(context.Background(), env.Actor(t, apptest.Admin), policy.Epidemic2024()); err != nil {
			t.Fatal(err)
		}
		late := insertBill(t, env, "2023-12", "confirmed", "SBPAYTO000001", "2024-01-15", 658336)
		a.Get(t, "/employer/bills/"+strconv.FormatInt(late, 10)).WantStatus(t, http.StatusOK).
			WantBody(t, append(account, "SBPAYTO000001", "逾期 26 天，计收 7 天，免收 19 天", "<strong>23.04 元</strong>",
				"6,606.40 元", "人社厅明电〔2024〕7号")...)

		// Confirming a draft says where to pay.
		draft := insertBill(t, env, "2024-01", "draft", "", "", 100000)
		path := "/employer/bills/" + strconv.FormatInt(draft, 10)
		a.PostForm(t, path+"/confirm", url.Values{"version": {"1"}}).WantRedirect(t, path)
		page := a.Get(t, path).WantStatus(t, http.StatusOK).
			WantBody(t, "核定单已确认，缴费参考号 SB", "转账至开户名称 某区社会保险事业管理处，银行账号 0200 0012 3456 7890 123，开户银行 中国工商银行某区支行",
				policy.NotCollected, "转账时请在附言中注明缴费参考号")
		if strings.Contains(page.Body, `id="late-fee"`) {
			t.Fatal("a bill not yet due shows a late fee")
		}
		// A flexible worker's bills say where to pay and to quote each bill's number.
		pb := env.LoginAs(t, apptest.PersonB)
		pb.PostForm(t, "/person/flexible/register", url.Values{"category": {"flexible"}, "flex_base": {"4800"},
			"flex_since": {"2024-02"}}).WantRedirect(t, "/person/flexible")
		pb.PostForm(t, "/person/flexible/bills", url.Values{"month": {"2024-02"}, "plan": {"monthly"}}).WantRedirect(t, "/person/flexible")
		pb.Get(t, "/person/flexible").WantStatus(t, http.StatusOK).WantBody(t, append(account, "附言中注明所缴缴费单的缴费编号")...)

		// Another employer sees neither bill.
		b := env.LoginAs(t, apptest.EmployerB)
		b.Get(t, "/employer/bills/"+strconv.FormatInt(late, 10)).WantStatus(t, http.StatusNotFound)
	})
}

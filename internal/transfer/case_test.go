package transfer_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/calc"
	"shebao/internal/casework"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/personalaccount"
	"shebao/internal/policy"
	"shebao/internal/transfer"
)

var (
	ctx   = context.Background()
	clerk = &access.Actor{UserID: 7, Username: "zhanghu", Role: access.RoleStaff, Sections: []access.Section{access.Account}}
	coord = &access.Actor{UserID: 8, Username: "tongchou", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
)

type env struct {
	d     *db.DB
	c     *clock.Fixed
	pol   *policy.Service
	svc   *transfer.Service
	cases *casework.Service
	pay   *fakePayouts
	seq   int
}

// fakePayouts stands for the payouts service: it records the request and
// says paid when told.
type fakePayouts struct {
	prepared map[string]money.Fen
	paid     bool
}

func (f *fakePayouts) PrepareTransfer(ctx context.Context, tx *sql.Tx, a *access.Actor, t *transfer.Transfer) (string, error) {
	k := "transfer_out/transfer:" + t.No
	f.prepared[k] = t.Total()
	return k, nil
}

func (f *fakePayouts) Paid(ctx context.Context, q db.Querier, key string) (bool, error) {
	_, ok := f.prepared[key]
	return ok && f.paid, nil
}

func newEnv(t testing.TB, d *db.DB) *env {
	t.Helper()
	day0, _ := clock.ParseDate("2024-06-03")
	c := clock.NewFixed(day0.Add(10 * time.Hour))
	au := audit.NewService(d, c)
	pol := policy.NewService(d, c, au)
	if err := pol.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	cases := casework.NewService(d, c, au, pol, nil)
	for _, ty := range casework.Catalog() {
		cases.Register(ty)
	}
	pay := &fakePayouts{prepared: map[string]money.Fen{}}
	e := &env{d: d, c: c, pol: pol, cases: cases, svc: transfer.NewService(d, c, au, pol, cases, pay, nil), pay: pay}
	return e
}

// doc stores a scan's row as uploaded by user by and returns its id.
func (e *env) doc(t testing.TB, by int64) int64 {
	t.Helper()
	var id int64
	if err := e.d.W.QueryRow(`INSERT INTO documents (sha256, name, content_type, size, uploaded_by, created_at)
		VALUES ('00', 'scan.pdf', 'application/pdf', 100, $1, $2) RETURNING id`, by, e.c.Now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (e *env) person(t testing.TB, kind, gender string, birth time.Time, hukou string) (int64, string) {
	t.Helper()
	e.seq++
	idn := ident.MakeID("110105", birth, 100+e.seq, gender == "M")
	var id int64
	if err := e.d.W.QueryRowContext(ctx, `INSERT INTO persons (id_number, name, gender, birth_date, kind, hukou_area, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`, idn, fmt.Sprintf("参保人%d", e.seq), gender,
		birth.Format(time.DateOnly), kind, hukou, e.c.Now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id, idn
}

func (e *env) employer(t testing.TB) int64 {
	t.Helper()
	e.seq++
	var id int64
	if err := e.d.W.QueryRowContext(ctx, `INSERT INTO employers (employer_no, uscc, name, legal_rep, address, industry, risk_class,
		bank_account, established_on, registered_on, created_at, updated_at)
		VALUES ($1, $2, $3, '王某', '北京市', '软件业', 1, '6222000011112222', '2020-01-01', '2020-01-02', $4, $4) RETURNING id`,
		fmt.Sprintf("E%06d", e.seq), fmt.Sprintf("USCC%014d", e.seq), fmt.Sprintf("单位%d", e.seq), e.c.Now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// bill inserts an employer's bill of month with one pension line of base
// for the person (8% individual), in status.
func (e *env) bill(t testing.TB, emp, personID int64, month string, base money.Fen, status string) int64 {
	t.Helper()
	e.seq++
	ind, er := base.Apply(money.MustPercent("8")), base.Apply(money.MustPercent("16"))
	var id int64
	if err := e.d.W.QueryRowContext(ctx, `INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status, employer_fen, individual_fen,
		total_fen, paid_fen, payment_ref, due_on, assessed_at) VALUES ($1, 'employer', $2, $3, $4, $5, $6, $7, $8, $9, '2024-01-15', $10) RETURNING id`,
		fmt.Sprintf("HD-%d", e.seq), emp, month, status, int64(er), int64(ind), int64(er+ind), map[bool]int64{true: int64(er + ind)}[status == "paid"],
		fmt.Sprintf("SBT%09dX", e.seq), e.c.Now()).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, err := e.d.W.ExecContext(ctx, `INSERT INTO bill_lines (bill_id, person_id, fee_month, scheme, base_fen, declared_base_fen,
		employer_rate_ppm, individual_rate_ppm, employer_fen, individual_fen) VALUES ($1, $2, $3, 'pension', $4, $4, 160000, 80000, $5, $6)`,
		id, personID, month, int64(base), int64(er), int64(ind)); err != nil {
		t.Fatal(err)
	}
	if status == "paid" {
		if err := e.d.WithTx(ctx, func(tx *sql.Tx) error {
			return personalaccount.CreditPaidBills(ctx, tx, e.d.Dialect, []int64{id}, e.c.Now())
		}); err != nil {
			t.Fatal(err)
		}
	}
	return id
}

func fieldOf(err error) string {
	if x := errs.As(err); x != nil && len(x.Fields) > 0 {
		return x.Fields[0].Field
	}
	return ""
}

// A transfer in goes through every step; the bad inputs of each step are
// refused with the field named and nothing is posted twice.
func TestTransferInSteps(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		id, idn := e.person(t, "employee", "F", time.Date(1985, 4, 1, 0, 0, 0, 0, time.UTC), "110105")
		_, retired := e.person(t, "retiree", "M", time.Date(1955, 4, 1, 0, 0, 0, 0, time.UTC), "110105")
		mailed, err := e.cases.Open(ctx, clerk, casework.OpenInput{Type: transfer.CaseType, Channel: "email",
			Applicant: casework.Applicant{Kind: casework.ApplicantPerson, PersonID: id, Name: "来件人", Email: "laijian@example.com"}, SubjectIDNumber: idn, Title: "养老保险关系转入申请"})
		if err != nil {
			t.Fatalf("%v %+v", err, errs.As(err).Fields)
		}
		other, err := e.cases.Open(ctx, clerk, casework.OpenInput{Type: "account_statement", Channel: "email",
			Applicant: casework.Applicant{Kind: casework.ApplicantAnonymous, Name: "来件人"}, Title: "账户更正"})
		if err != nil {
			t.Fatal(err)
		}
		in := transfer.InInput{IDNumber: idn, CaseNo: mailed.No, Channel: "email", OtherAgency: "河北省石家庄市社会保险事业管理局", OtherRegion: "130100"}
		for _, no := range []string{"ZY-2024-999999", other.No} {
			bad := in
			bad.CaseNo = no
			if _, err := e.svc.OpenIn(ctx, clerk, bad); fieldOf(err) != "case_no" {
				t.Fatalf("case %s: %v", no, err)
			}
		}
		if _, err := e.svc.OpenIn(ctx, clerk, transfer.InInput{IDNumber: retired, OtherAgency: in.OtherAgency, OtherRegion: "130100"}); fieldOf(err) != "id_number" ||
			!strings.Contains(errs.As(err).Fields[0].Message, "退休") {
			t.Fatalf("retiree: %v", err)
		}
		if _, err := e.svc.OpenIn(ctx, coord, in); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("another section: %v", err)
		}
		tr, err := e.svc.OpenIn(ctx, clerk, in)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := e.svc.OfCase(ctx, clerk, mailed.No); err != nil || got == nil || got.No != tr.No {
			t.Fatalf("transfer of the case: %+v, %v", got, err)
		}
		due, _ := clock.ParseDate(tr.StepDue)
		if n, _ := e.pol.WorkingDaysBetween(ctx, clock.Today(e.c), due); n != 15 {
			t.Fatalf("step due %s is %d working days away, want 15", tr.StepDue, n)
		}
		if _, err := e.svc.OpenIn(ctx, clerk, in); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("second open transfer: %v", err)
		}
		if tr, err = e.svc.IssueLetter(ctx, clerk, tr.ID, tr.Version); err != nil || tr.LetterCode == "" {
			t.Fatalf("letter: %v", err)
		}
		years := []transfer.YearLine{{Year: 2019, Months: 12, Wages: money.Yuan(36000), Account: money.Yuan(2880)},
			{Year: 2020, Months: 12, Wages: money.Yuan(40000), Account: money.Yuan(3200)}}
		pooled := money.Yuan(9120) // 12% of 76,000
		if _, err := e.svc.RecordForm(ctx, clerk, tr.ID, tr.Version, transfer.FormInput{Years: years, Account: money.Yuan(6500), Pooled: pooled + 1}); fieldOf(err) != "pooled_fen" {
			t.Fatalf("pooled amount that does not add up: %v", err)
		}
		if _, err := e.svc.RecordForm(ctx, clerk, tr.ID, tr.Version, transfer.FormInput{Years: years, Account: money.Yuan(6000), Pooled: pooled}); fieldOf(err) != "account_fen" {
			t.Fatalf("account below the credits: %v", err)
		}
		tr, err = e.svc.RecordForm(ctx, clerk, tr.ID, tr.Version, transfer.FormInput{Years: years, Account: money.Yuan(6500), Pooled: pooled})
		if err != nil {
			t.Fatal(err)
		}
		e.payment(t, "B20240605001", money.Yuan(15000))
		e.payment(t, "B20240605002", money.Yuan(15620))
		if _, err := e.svc.MatchFunds(ctx, clerk, tr.ID, tr.Version, "B20240605001"); fieldOf(err) != "bank_serial" {
			t.Fatalf("money that does not match: %v", err)
		}
		if tr, err = e.svc.MatchFunds(ctx, clerk, tr.ID, tr.Version, "B20240605002"); err != nil {
			t.Fatal(err)
		}
		wantIncome(t, d, "B20240605002", money.Yuan(15620))
		if tr, err = e.svc.Merge(ctx, clerk, tr.ID, tr.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Merge(ctx, clerk, tr.ID, tr.Version); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("merged twice: %v", err)
		}
		if b, _ := personalaccount.BalanceAt(ctx, d.Read(), id, clock.Today(e.c)); b != money.Yuan(6500) {
			t.Fatalf("balance after the transfer = %s", b)
		}
		// A case once accepted is not accepted again; the same period again
		// (a new application) is refused at its 信息表.
		if _, err := e.svc.OpenIn(ctx, clerk, in); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("the case accepted twice: %v", err)
		}
		in.CaseNo = ""
		again, err := e.svc.OpenIn(ctx, clerk, in)
		if err != nil {
			t.Fatal(err)
		}
		again, _ = e.svc.IssueLetter(ctx, clerk, again.ID, again.Version)
		if _, err := e.svc.RecordForm(ctx, clerk, again.ID, again.Version, transfer.FormInput{Years: years[:1], Account: money.Yuan(2880), Pooled: money.Yuan(4320)}); fieldOf(err) != "years" {
			t.Fatalf("the same period twice: %v", err)
		}
	})
}

// wantIncome checks the fund ledger: the statement line's money posted
// once to the pension fund's transfer income, and the line settled.
func wantIncome(t testing.TB, d *db.DB, serial string, want money.Fen) {
	t.Helper()
	var income, suspense int64
	var status string
	if err := d.Read().QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN l.account = 'transfer_income' AND l.scheme = 'pension' THEN l.credit_fen - l.debit_fen END), 0),
		COALESCE(SUM(CASE WHEN l.account = 'suspense' THEN l.debit_fen - l.credit_fen END), 0), MAX(p.status)
		FROM payments p LEFT JOIN ledger_entries l ON l.payment_id = p.id WHERE p.serial = $1`, serial).Scan(&income, &suspense, &status); err != nil {
		t.Fatal(err)
	}
	if money.Fen(income) != want || money.Fen(suspense) != want || status != "settled" {
		t.Fatalf("line %s: transfer income %d, out of suspense %d, status %s; want %s", serial, income, suspense, status, want)
	}
}

func (e *env) payment(t testing.TB, serial string, amount money.Fen) {
	t.Helper()
	if _, err := e.d.W.ExecContext(ctx, `INSERT INTO payments (channel, account_no, serial, paid_on, payer_name, payer_account,
		amount_fen, status, created_by, created_at, open_fen) VALUES ('transfer', '社保费收入户', $1, '2024-06-05', '石家庄市社会保险事业管理局', '13010000001', $2, 'unmatched', 'import', $3, $2)`,
		serial, int64(amount), e.c.Now()); err != nil {
		t.Fatal(err)
	}
}

// A transfer out computes the 信息表 with the calculator's pooled amount,
// refuses unpaid months, pays through the payouts and closes the account.
func TestTransferOutComputedPaidAndClosed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		emp := e.employer(t)
		id, idn := e.person(t, "employee", "M", time.Date(1970, 4, 1, 0, 0, 0, 0, time.UTC), "110105")
		for m := 1; m <= 12; m++ {
			e.bill(t, emp, id, fmt.Sprintf("2023-%02d", m), money.Yuan(5000), "paid")
		}
		unpaid := e.bill(t, emp, id, "2024-01", money.Yuan(5000), "confirmed")
		out := transfer.OutInput{IDNumber: idn, OtherAgency: "广东省深圳市社会保险基金管理局", OtherRegion: "440300", OtherLetter: "深社保转函〔2024〕18号",
			PayName: "深圳市社会保险基金管理局", PayAccount: "44201500000052500001", PayBank: "中国建设银行深圳分行"}
		if _, err := e.svc.OpenOut(ctx, clerk, out); fieldOf(err) != "id_number" || !strings.Contains(errs.As(err).Fields[0].Message, "未缴清") {
			t.Fatalf("unpaid months: %v", err)
		}
		if _, err := d.W.ExecContext(ctx, `UPDATE bills SET status = 'cancelled' WHERE id = $1`, unpaid); err != nil {
			t.Fatal(err)
		}
		bad := out
		bad.PayAccount = "12"
		if _, err := e.svc.OpenOut(ctx, clerk, bad); fieldOf(err) != "pay_account" {
			t.Fatalf("bad account: %v", err)
		}
		tr, err := e.svc.OpenOut(ctx, clerk, out)
		if err != nil {
			t.Fatal(err)
		}
		if tr, err = e.svc.IssueForm(ctx, clerk, tr.ID, tr.Version); err != nil {
			t.Fatal(err)
		}
		cs := calc.NewService(e.pol, e.c, 10, 10)
		c, _ := cs.Get("transfer")
		res, err := cs.Run(ctx, c, calc.Values{"wages_fen": []money.Fen{money.Yuan(60000)}})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Outputs[0].Value; got != int64(tr.Pooled) || tr.Pooled != money.Yuan(7200) {
			t.Fatalf("pooled %s, calculator %v", tr.Pooled, got)
		}
		if tr.Account != money.Yuan(4800) || !tr.TempAccount || tr.PensionPlace == "" {
			t.Fatalf("信息表 = %+v", tr)
		}
		if tr, err = e.svc.PreparePayout(ctx, clerk, tr.ID, tr.Version); err != nil {
			t.Fatal(err)
		}
		if e.pay.prepared[tr.PayoutKey] != money.Yuan(12000) {
			t.Fatalf("payout %v", e.pay.prepared)
		}
		if _, err := e.svc.Close(ctx, clerk, tr.ID, tr.Version); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("closed before payment: %v", err)
		}
		e.pay.paid = true
		if tr, err = e.svc.Close(ctx, clerk, tr.ID, tr.Version); err != nil {
			t.Fatal(err)
		}
		if b, _ := personalaccount.BalanceAt(ctx, d.Read(), id, clock.Today(e.c)); b != 0 {
			t.Fatalf("balance after transfer out = %s", b)
		}
		var status string
		d.Read().QueryRowContext(ctx, `SELECT status FROM persons WHERE id = $1`, id).Scan(&status)
		if status != "transferred" {
			t.Fatalf("person status %s", status)
		}
	})
}

// Within the city a change of employer is only a staff change: one
// history and one account across both employers, and no transfer.
func TestWithinCityNoTransfer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		a, b := e.employer(t), e.employer(t)
		id, _ := e.person(t, "employee", "F", time.Date(1990, 4, 1, 0, 0, 0, 0, time.UTC), "110105")
		for m := 1; m <= 6; m++ {
			e.bill(t, a, id, fmt.Sprintf("2023-%02d", m), money.Yuan(4000), "paid")
		}
		for m := 7; m <= 12; m++ {
			e.bill(t, b, id, fmt.Sprintf("2023-%02d", m), money.Yuan(5000), "paid")
		}
		bal, _ := personalaccount.BalanceAt(ctx, d.Read(), id, clock.Today(e.c))
		if bal != money.Yuan(6*320+6*400) {
			t.Fatalf("one account across both employers = %s", bal)
		}
		list, err := e.svc.List(ctx, clerk, transfer.Filter{})
		if err != nil || len(list) != 0 {
			t.Fatalf("transfers: %d, %v", len(list), err)
		}
	})
}

// A phone consultation logged before the application shows on it.
func TestConsultationLog(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		id, idn := e.person(t, "employee", "F", time.Date(1990, 4, 1, 0, 0, 0, 0, time.UTC), "110105")
		if _, err := e.svc.LogConsultation(ctx, clerk, transfer.ConsultInput{CallerName: "张女士", Topic: "转入"}); fieldOf(err) != "advice" {
			t.Fatalf("no advice: %v", err)
		}
		if _, err := e.svc.LogConsultation(ctx, clerk, transfer.ConsultInput{IDNumber: idn, CallerName: "张女士", Phone: "13912345678",
			Topic: "从石家庄转入", Advice: "先在本地参保，再将参保缴费凭证和身份证正反面发到个人账户科邮箱", FollowUp: "收到邮件后回电"}); err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.Consultations(ctx, clerk, id)
		if err != nil || len(list) != 1 || list[0].MaskedPhone() == "13912345678" {
			t.Fatalf("consultations = %+v, %v", list, err)
		}
	})
}

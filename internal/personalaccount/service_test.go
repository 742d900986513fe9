package personalaccount_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/calc"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/personalaccount"
	"shebao/internal/policy"
)

var (
	ctx   = context.Background()
	clerk = &access.Actor{UserID: 7, Username: "zhanghu", Role: access.RoleStaff, Sections: []access.Section{access.Account}}
	coord = &access.Actor{UserID: 8, Username: "tongchou", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
)

type env struct {
	d   *db.DB
	c   *clock.Fixed
	au  *audit.Service
	pol *policy.Service
	svc *personalaccount.Service
	seq int
}

func newEnv(t testing.TB, d *db.DB, day string) *env {
	t.Helper()
	day0, _ := clock.ParseDate(day)
	c := clock.NewFixed(day0.Add(10 * time.Hour))
	au := audit.NewService(d, c)
	pol := policy.NewService(d, c, au)
	if err := pol.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	return &env{d: d, c: c, au: au, pol: pol, svc: personalaccount.NewService(d, c, au, pol, "", nil, 0)}
}

// person inserts an insured person and returns the id and ID number.
func (e *env) person(t testing.TB, name string) (int64, string) {
	t.Helper()
	e.seq++
	idn := ident.MakeID("110105", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, e.seq), 100+e.seq, true)
	var id int64
	err := e.d.W.QueryRowContext(ctx, `INSERT INTO persons (id_number, name, gender, birth_date, created_at, updated_at)
		VALUES ($1, $2, 'M', '1970-01-01', $3, $3) RETURNING id`, idn, name, e.c.Now()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id, idn
}

// opening imports opening balances (ID number → balance at the end of year).
func (e *env) opening(t testing.TB, year int, rows map[string]string, names map[string]string) *personalaccount.Import {
	t.Helper()
	var b strings.Builder
	b.WriteString("公民身份号码,姓名,截至年度,年末账户余额（元）\n")
	for idn, bal := range rows {
		fmt.Fprintf(&b, "%s,%s,%d,\"%s\"\n", idn, names[idn], year, bal)
	}
	rep, err := e.svc.ImportOpenings(ctx, clerk, "余额.csv", []byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func (e *env) correct(t testing.TB, id int64, amount money.Fen, date string) {
	t.Helper()
	if _, err := e.svc.Correct(ctx, clerk, id, personalaccount.CorrectionInput{Amount: amount, Date: date, Reason: "原系统漏记个人缴费"}); err != nil {
		t.Fatal(err)
	}
}

func fieldOf(err error) string {
	if e := errs.As(err); e != nil && len(e.Fields) > 0 {
		return e.Fields[0].Field
	}
	return ""
}

// The worked example of the rule: opening 50,000.00, credits 7,680.00 in
// 2023 at 3.97% → interest 2,150.10, closing 59,830.10; the same amount
// the public calculator gives; rerunning the year adds nothing.
func TestInterestRunAgreesWithCalculatorAndRunsOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-07-01")
		id, idn := e.person(t, "张三")
		other, idn2 := e.person(t, "李四")
		rep := e.opening(t, 2022, map[string]string{idn: "50,000.00", idn2: "1,000.00"}, map[string]string{idn: "张三", idn2: "李四"})
		if !rep.Applied() {
			t.Fatalf("import rejected: %+v", rep.Problems)
		}
		e.correct(t, id, money.Yuan(7680), "2023-06-30")
		run, err := e.svc.RunInterest(ctx, clerk, 2023, nil)
		if err != nil {
			t.Fatal(err)
		}
		acc, err := e.svc.Account(ctx, clerk, id, false)
		if err != nil {
			t.Fatal(err)
		}
		y := acc.Years[1]
		if y.Year != 2023 || y.Interest != 215010 || y.Closing != 5983010 {
			t.Fatalf("2023 = %+v, want interest 2,150.10 closing 59,830.10", y)
		}
		cs := calc.NewService(e.pol, e.c, 10, 10)
		c, _ := cs.Get("account-interest")
		res, err := cs.Run(ctx, c, calc.Values{"opening_fen": money.Yuan(50000), "credits_fen": money.Yuan(7680), "year": int64(2023)})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Outputs[0].Value; got != int64(y.Interest) {
			t.Fatalf("calculator says %v, the account %d", got, y.Interest)
		}
		if run.Credited != 2 || run.Interest != 215010+3970 {
			t.Fatalf("run = %+v", run)
		}
		again, err := e.svc.RunInterest(ctx, clerk, 2023, nil)
		if err != nil {
			t.Fatal(err)
		}
		if again.Credited != 0 || again.Interest != 0 {
			t.Fatalf("rerun credited %d (%s)", again.Credited, again.Interest)
		}
		if b, _ := personalaccount.BalanceAt(ctx, d.Read(), other, time.Date(2023, 12, 31, 0, 0, 0, 0, clock.Shanghai)); b != 103970 {
			t.Fatalf("balance at year end = %s", b)
		}
		if b, _ := personalaccount.BalanceAt(ctx, d.Read(), other, time.Date(2023, 12, 30, 0, 0, 0, 0, clock.Shanghai)); b != 100000 {
			t.Fatalf("balance before the interest date = %s", b)
		}
	})
}

// A run killed part-way (its context cancelled after the first batch) and
// run again leaves exactly one interest entry per account and year.
func TestInterestKilledAndRerunCreditsEachAccountOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-07-01")
		rows, names := map[string]string{}, map[string]string{}
		for i := range 7 {
			_, idn := e.person(t, fmt.Sprintf("参保人%c", '甲'+rune(i)))
			rows[idn], names[idn] = fmt.Sprintf("%d.00", 1000*(i+1)), fmt.Sprintf("参保人%c", '甲'+rune(i))
		}
		e.opening(t, 2022, rows, names)
		e.svc = personalaccount.NewService(d, e.c, e.au, e.pol, "", nil, 2) // two accounts a transaction
		kctx, kill := context.WithCancel(ctx)
		_, err := e.svc.RunInterest(kctx, clerk, 2023, func(done, total int) {
			if done >= 2 {
				kill()
			}
		})
		if err == nil {
			t.Fatal("the killed run reported success")
		}
		var partial int64
		d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM account_entries WHERE kind = 'interest'`).Scan(&partial)
		if partial == 0 || partial >= 7 {
			t.Fatalf("killed run credited %d of 7", partial)
		}
		run, err := e.svc.RunInterest(ctx, clerk, 2023, nil)
		if err != nil {
			t.Fatal(err)
		}
		if run.Credited != 7-partial {
			t.Fatalf("rerun credited %d, want %d", run.Credited, 7-partial)
		}
		var n, distinct int64
		d.Read().QueryRowContext(ctx, `SELECT COUNT(*), COUNT(DISTINCT person_id) FROM account_entries WHERE kind = 'interest' AND year = 2023`).Scan(&n, &distinct)
		if n != 7 || distinct != 7 {
			t.Fatalf("%d interest entries for %d accounts", n, distinct)
		}
	})
}

func TestInterestNeedsThePublishedRateAndTheSection(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-07-01")
		if _, err := e.svc.RunInterest(ctx, coord, 2023, nil); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("another section: %v", err)
		}
		if _, err := e.svc.RunInterest(ctx, clerk, 2024, nil); fieldOf(err) != "year" {
			t.Fatalf("this year: %v", err)
		}
		if _, err := e.svc.RunInterest(ctx, clerk, 2015, nil); fieldOf(err) != "year" || !strings.Contains(errs.As(err).Fields[0].Message, "尚未公布") {
			t.Fatalf("year without a rate: %v", err)
		}
	})
}

// The import is all-or-nothing with a report naming row and column, and a
// person's opening balance is imported once.
func TestOpeningImportAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-07-01")
		_, idn := e.person(t, "王五")
		_, idn2 := e.person(t, "赵六")
		rep := e.opening(t, 2022, map[string]string{idn: "1,234.56", idn2: "-5"}, map[string]string{idn: "王五", idn2: "赵六"})
		if rep.Applied() || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Column, "年末账户余额") {
			t.Fatalf("report = %+v", rep)
		}
		var n int64
		d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM account_entries`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d entries written from a rejected file", n)
		}
		rep = e.opening(t, 2022, map[string]string{idn: "1,234.56"}, map[string]string{idn: "王"})
		if rep.Applied() || !strings.Contains(rep.Problems[0].Message, "姓名") {
			t.Fatalf("wrong name accepted: %+v", rep)
		}
		if rep = e.opening(t, 2022, map[string]string{idn: "1,234.56"}, map[string]string{idn: "王五"}); !rep.Applied() {
			t.Fatalf("rejected: %+v", rep.Problems)
		}
		rep = e.opening(t, 2021, map[string]string{idn: "99.00"}, map[string]string{idn: "王五"})
		if rep.Applied() || !strings.Contains(rep.Problems[0].Message, "已经导入") {
			t.Fatalf("second opening balance: %+v", rep)
		}
		if _, err := e.svc.ImportOpenings(ctx, coord, "x.csv", []byte("a")); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("another section imported: %v", err)
		}
	})
}

// Corrections need a reason, may not make the balance negative, and a
// person sees only their own account.
func TestCorrectionsAndWhoSees(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-07-01")
		id, _ := e.person(t, "孙七")
		other, _ := e.person(t, "周八")
		_, err := e.svc.Correct(ctx, clerk, id, personalaccount.CorrectionInput{Amount: -100, Date: "2024-01-02", Reason: "多记冲回"})
		if fieldOf(err) != "amount" {
			t.Fatalf("negative balance allowed: %v", err)
		}
		_, err = e.svc.Correct(ctx, clerk, id, personalaccount.CorrectionInput{Amount: 100, Date: "2024-01-02", Reason: ""})
		if fieldOf(err) != "reason" {
			t.Fatalf("no reason: %v", err)
		}
		e.correct(t, id, 12345, "2024-01-02")
		me := &access.Actor{UserID: 99, Role: access.RolePerson, PersonID: id}
		if b, err := e.svc.Balance(ctx, me, id, clock.Today(e.c)); err != nil || b != 12345 {
			t.Fatalf("own balance = %s, %v", b, err)
		}
		if _, err := e.svc.Account(ctx, me, other, false); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("another person's account: %v", err)
		}
		if _, err := e.svc.Correct(ctx, coord, id, personalaccount.CorrectionInput{Amount: 1, Date: "2024-01-02", Reason: "更正测试"}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("another section corrected: %v", err)
		}
	})
}

// The benchmark's single statement and the run agree on every account.
func TestBenchStatementAgreesWithRun(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-07-01")
		rows, names := map[string]string{}, map[string]string{}
		for i := range 5 {
			id, idn := e.person(t, fmt.Sprintf("参保人%c", '甲'+rune(i)))
			rows[idn], names[idn] = fmt.Sprintf("%d.%02d", 1234*(i+1), 17*i), fmt.Sprintf("参保人%c", '甲'+rune(i))
			e.correct(t, id, money.Fen(76805+i*1001), "2023-03-01")
		}
		e.opening(t, 2022, rows, names)
		r, err := e.svc.BenchInterest(ctx, clerk, 2023, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.Accounts != 5 || r.Run.Credited != 5 || r.Interest != r.Run.Interest {
			t.Fatalf("statement %d accounts %s, run %d accounts %s", r.Accounts, r.Interest, r.Run.Credited, r.Run.Interest)
		}
	})
}

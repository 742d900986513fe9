package statement_test

import (
	"archive/zip"
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/notify"
	"shebao/internal/person"
	"shebao/internal/personalaccount"
	"shebao/internal/policy"
	"shebao/internal/statement"
)

var (
	ctx   = context.Background()
	clerk = &access.Actor{UserID: 7, Username: "zhanghu", Role: access.RoleStaff, Sections: []access.Section{access.Account}}
	coord = &access.Actor{UserID: 8, Username: "tongchou", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
	start = time.Date(2024, 3, 10, 2, 0, 0, 0, time.UTC)
)

type env struct {
	d        *db.DB
	c        *clock.Fixed
	svc      *statement.Service
	accounts *personalaccount.Service
	employer int64
	seq      int
}

func newEnv(t testing.TB, d *db.DB, at time.Time) *env {
	t.Helper()
	c := clock.NewFixed(at)
	au := audit.NewService(d, c)
	pol := policy.NewService(d, c, au)
	if err := pol.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	e := &env{d: d, c: c, accounts: personalaccount.NewService(d, c, au, pol, "", nil, 0),
		svc: statement.NewService(d, c, au, notify.NewService(d, c), statement.Options{Issuer: "测试区社会保险事业管理中心", BaseURL: "https://sb.example"})}
	return e
}

// addEmployer inserts an employer (once per env).
func (e *env) addEmployer(t testing.TB, name string) int64 {
	t.Helper()
	var id int64
	e.seq++
	err := e.d.W.QueryRowContext(ctx, `INSERT INTO employers (employer_no, uscc, name, legal_rep, address, industry,
		risk_class, established_on, registered_on, created_at, updated_at)
		VALUES ($1, $2, $3, '张三', '北京市', '软件', 1, '2020-01-01', '2020-02-01', $4, $4) RETURNING id`,
		fmt.Sprintf("E%07d", e.seq), ident.MakeUSCC("91", "110105", fmt.Sprintf("MA%06d", e.seq)), name, e.c.Now()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// addPerson inserts a person, employed by employer (0: none).
func (e *env) addPerson(t testing.TB, name string, kind person.Kind, employer int64) *person.Person {
	t.Helper()
	e.seq++
	p := &person.Person{IDNumber: ident.MakeID("110101", time.Date(1970, 3, 7, 0, 0, 0, 0, time.UTC).AddDate(0, 0, e.seq), 10+e.seq%800, true),
		Name: name, Gender: "M", BirthDate: "1970-03-07", Kind: kind}
	if err := person.Insert(ctx, e.d.W, p, e.c.Now()); err != nil {
		t.Fatal(err)
	}
	if employer != 0 {
		if err := person.InsertEmployment(ctx, e.d.W, &person.Employment{PersonID: p.ID, EmployerID: employer,
			StartMonth: "2022-01", Base: 480000}, e.c.Now()); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

// addMail gives the person a portal account with an e-mail address.
func (e *env) addMail(t testing.TB, p *person.Person, email string) {
	t.Helper()
	var uid int64
	if err := e.d.W.QueryRowContext(ctx, `INSERT INTO users (username, password_hash, role, person_id, created_at)
		VALUES ($1, 'x', 'person', $2, $3) RETURNING id`, "p"+p.IDNumber, p.ID, e.c.Now()).Scan(&uid); err != nil {
		t.Fatal(err)
	}
	if _, err := e.d.W.ExecContext(ctx, `INSERT INTO notify_prefs (user_id, channels, email, updated_at) VALUES ($1, 'email', $2, $3)`,
		uid, email, e.c.Now()); err != nil {
		t.Fatal(err)
	}
}

// payBill inserts a paid employer bill of month with a pension line per
// person (base 4,800.00: employer 768.00, individual 384.00) and posts the
// account credits as payment does.
func (e *env) payBill(t testing.TB, employer int64, month, flags string, persons ...*person.Person) {
	t.Helper()
	var id int64
	err := e.d.W.QueryRowContext(ctx, `INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status,
		total_fen, paid_fen, flags, assessed_at) VALUES ($1, 'employer', $2, $3, 'paid', $4, $4, $5, $6) RETURNING id`,
		fmt.Sprintf("B%s-%d", month, employer), employer, month, int64(len(persons))*115_200, flags, e.c.Now()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range persons {
		if _, err := e.d.W.ExecContext(ctx, `INSERT INTO bill_lines (bill_id, person_id, fee_month, scheme, base_fen,
			declared_base_fen, employer_rate_ppm, individual_rate_ppm, employer_fen, individual_fen)
			VALUES ($1, $2, $3, 'pension', 480000, 480000, 160000, 80000, 76800, 38400)`, id, p.ID, month); err != nil {
			t.Fatal(err)
		}
	}
	paidOn := month + "-20"
	on, _ := clock.ParseDate(paidOn)
	if err := e.d.WithTx(ctx, func(tx *sql.Tx) error { return personalaccount.CreditPaidBills(ctx, tx, e.d.Dialect, []int64{id}, on) }); err != nil {
		t.Fatal(err)
	}
}

func zipNames(t testing.TB, b []byte) map[string][]byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range z.File {
		r, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		_, _ = buf.ReadFrom(r)
		r.Close()
		out[f.Name] = buf.Bytes()
	}
	return out
}

func pdfText(t testing.TB, pdf []byte) string {
	t.Helper()
	if os.Getenv("SHEBAO_TEST_PDF") == "" {
		return ""
	}
	f := filepath.Join(t.TempDir(), "s.pdf")
	if err := os.WriteFile(f, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-enc", "UTF-8", "-layout", f, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// A batch for one employer: one statement per employee (not the retiree,
// not the other employer's staff), years, bases, paid amounts, credits,
// interest and balance as the account ledger and the interest run have
// them, the 疫情补缴 flag, a mail to the employee with an address only, a
// ZIP with one PDF each plus the print edition, and codes the public check
// finds.
func TestEmployerBatch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, start)
		emp := e.addEmployer(t, "北京示例科技有限公司")
		other := e.addEmployer(t, "另一家公司")
		a := e.addPerson(t, "张三丰", person.Employee, emp)
		b := e.addPerson(t, "李四", person.Employee, emp)
		c := e.addPerson(t, "王五", person.Employee, other)
		e.addPerson(t, "赵六", person.Retiree, 0)
		e.addMail(t, a, "zhangsan@example.com")
		e.payBill(t, emp, "2023-03", "emergency_makeup", a, b)
		e.payBill(t, emp, "2023-04", "", a)
		e.payBill(t, other, "2023-04", "", c)
		run, err := e.accounts.RunInterest(ctx, clerk, 2023, nil)
		if err != nil || run.Credited != 3 {
			t.Fatalf("interest run: %+v %v", run, err)
		}
		if _, err := e.svc.CreateBatch(ctx, coord, statement.BatchInput{Scope: statement.ScopeEmployer, EmployerNo: no(t, d, emp), Year: 2023}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("another section made a batch: %v", err)
		}
		if _, err := e.svc.CreateBatch(ctx, clerk, statement.BatchInput{Scope: statement.ScopeEmployer, Year: 2023}); fieldOf(err) != "employer_no" {
			t.Fatalf("no employer: %v", err)
		}
		batch, err := e.svc.CreateBatch(ctx, clerk, statement.BatchInput{Scope: statement.ScopeEmployer, EmployerNo: no(t, d, emp), Year: 2023, Mail: true, Print: true})
		if err != nil {
			t.Fatal(err)
		}
		if batch.Total != 2 {
			t.Fatalf("members %d, want the 2 employees", batch.Total)
		}
		if err := e.svc.RunBatch(ctx, batch.ID); err != nil {
			t.Fatal(err)
		}
		got, err := e.svc.Batch(ctx, clerk, batch.ID)
		if err != nil || got.Status != statement.Done || got.Done != 2 || got.Mailed != 1 {
			t.Fatalf("batch %+v %v", got, err)
		}
		if err := e.svc.RunBatch(ctx, batch.ID); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("a done batch ran again: %v", err)
		}
		var mails int
		d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND recipient = 'zhangsan@example.com'`).Scan(&mails)
		if mails != 1 {
			t.Fatalf("%d mails to the employee with an address", mails)
		}
		yearEnd := time.Date(2023, 12, 31, 0, 0, 0, 0, time.UTC)
		for _, p := range []*person.Person{a, b} {
			list, err := e.svc.StatementsOf(ctx, &access.Actor{UserID: 99, Role: access.RolePerson, PersonID: p.ID}, p.ID)
			if err != nil || len(list) != 1 {
				t.Fatalf("statements of %s: %v %v", p.Name, list, err)
			}
			bal, _ := personalaccount.BalanceAt(ctx, d.Read(), p.ID, yearEnd)
			if list[0].Balance != bal || bal == 0 {
				t.Fatalf("%s: statement balance %d, ledger %s", p.Name, list[0].Balance, bal)
			}
			if _, _, err := e.svc.PDF(ctx, &access.Actor{UserID: 98, Role: access.RolePerson, PersonID: c.ID}, list[0].ID); errs.KindOf(err) != errs.NotFound {
				t.Fatalf("another person read the statement: %v", err)
			}
			chk, err := e.svc.Check(ctx, strings.ToLower(list[0].Grouped()))
			if err != nil || chk.Name == p.Name || !strings.Contains(chk.Number, "*") || !strings.Contains(chk.Totals, bal.String()) {
				t.Fatalf("check %+v %v", chk, err)
			}
		}
		var zb bytes.Buffer
		if err := e.svc.WriteZIP(ctx, clerk, batch.ID, &zb); err != nil {
			t.Fatal(err)
		}
		files := zipNames(t, zb.Bytes())
		pz := files["北京示例科技有限公司/00001_张三丰.pdf"]
		pa := files["北京示例科技有限公司/00002_李四.pdf"]
		if len(files) != 3 || pa == nil || pz == nil || files["打印版/第01册.pdf"] == nil {
			t.Fatalf("zip files %v", keys(files))
		}
		if dir := os.Getenv("SHEBAO_SHOTS"); dir != "" && d.Dialect == db.SQLite { // to look at
			os.WriteFile(filepath.Join(dir, "statement.pdf"), pz, 0o644)
		}
		if txt := pdfText(t, pz); txt != "" {
			years, _ := personalaccount.YearsOf(ctx, d.Read(), a.ID, 2023)
			last := years[len(years)-1]
			for _, want := range []string{"2023 年度个人权益记录单", ident.MaskID(a.IDNumber), "疫情补缴", "4,800.00", "2,304.00",
				last.Credits.String(), last.Interest.String(), last.Closing.String(), "0 年 2 个月"} {
				if !strings.Contains(txt, want) {
					t.Errorf("statement lacks %q:\n%s", want, txt)
				}
			}
			if strings.Contains(txt, a.IDNumber) {
				t.Error("statement shows the full ID number")
			}
			if print := pdfText(t, files["打印版/第01册.pdf"]); !strings.Contains(print, ident.MaskNameEnds(a.Name)) ||
				!strings.Contains(print, ident.MaskNameEnds(b.Name)) {
				t.Errorf("print edition lacks the first statement:\n%s", print)
			}
		}
	})
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func fieldOf(err error) string {
	if e := errs.As(err); e != nil && len(e.Fields) > 0 {
		return e.Fields[0].Field
	}
	return ""
}

// no is an employer's 单位编号.
func no(t testing.TB, d *db.DB, id int64) string {
	t.Helper()
	var s string
	if err := d.Read().QueryRowContext(ctx, `SELECT employer_no FROM employers WHERE id = $1`, id).Scan(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

package staffchange_test

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/policy"
	"shebao/internal/staffchange"
)

var (
	admin       = &access.Actor{UserID: 1, Username: "admin", Role: access.RoleAdmin, Sections: access.Sections}
	coordinator = &access.Actor{UserID: 2, Username: "tongchou", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
	fundClerk   = &access.Actor{UserID: 3, Username: "jijin", Role: access.RoleStaff, Sections: []access.Section{access.Fund}}
)

// env is a staff change service on a fresh database with two employers.
type env struct {
	d      *db.DB
	s      *staffchange.Service
	policy *policy.Service
	clock  *clock.Fixed
	empA   int64
	empB   int64
	bossA  *access.Actor
	bossB  *access.Actor
}

// newEnv stops the clock at 2024-02-10 09:00 Shanghai and sets A = 8,000
// (limits 4,800 and 24,000, bases in whole yuan), as in docs/rules.md §2.2.
func newEnv(t testing.TB, d *db.DB) *env {
	t.Helper()
	ctx := context.Background()
	c := clock.NewFixed(time.Date(2024, 2, 10, 9, 0, 0, 0, clock.Shanghai))
	au := audit.NewService(d, c)
	p := policy.NewService(d, c, au)
	for _, r := range []policy.RuleInput{
		{Key: policy.KeyAvgWage, From: "2020-01-01", Value: "8000", LegalBasis: "测试"},
		{Key: policy.KeyBaseFloorPct, From: "2019-05-01", Value: "60", LegalBasis: "国办发〔2019〕13号"},
		{Key: policy.KeyBaseCeilingPct, From: "2019-05-01", Value: "300", LegalBasis: "国办发〔2019〕13号"},
		{Key: policy.KeyBaseRounding, From: "2019-05-01", Value: "yuan", LegalBasis: "测试"},
	} {
		if _, err := p.AddRule(ctx, admin, r); err != nil {
			t.Fatalf("rule %s: %v", r.Key, err)
		}
	}
	e := &env{d: d, s: staffchange.NewService(d, c, au, p, nil), policy: p, clock: c}
	e.empA = addEmployer(t, d, "110100000001", "北京甲测试科技有限公司", c.Now())
	e.empB = addEmployer(t, d, "110100000002", "北京乙测试建筑工程有限公司", c.Now())
	e.bossA = &access.Actor{UserID: 10, Username: "A", Role: access.RoleEmployer, EmployerID: e.empA}
	e.bossB = &access.Actor{UserID: 11, Username: "B", Role: access.RoleEmployer, EmployerID: e.empB}
	return e
}

func addEmployer(t testing.TB, d *db.DB, no, name string, now time.Time) int64 {
	t.Helper()
	var id int64
	err := d.W.QueryRowContext(context.Background(), `INSERT INTO employers (employer_no, uscc, name, legal_rep,
		address, industry, risk_class, established_on, registered_on, created_at, updated_at)
		VALUES ($1, $2, $3, '张三', '北京市', '软件', 1, '2020-01-01', '2020-02-01', $4, $4) RETURNING id`,
		no, ident.MakeUSCC("91", "110105", "MA0"+no[len(no)-5:]), name, now).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// idNo returns a valid ID number for sequence n.
func idNo(n int) string {
	return ident.MakeID("110105", time.Date(1970+n%30, time.Month(1+n%12), 1+n%28, 0, 0, 0, 0, time.UTC), n%1000, n%2 == 0)
}

func count(t testing.TB, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.W.QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantKind(t *testing.T, err error, k errs.Kind) *errs.Error {
	t.Helper()
	if errs.KindOf(err) != k {
		t.Fatalf("want %s, got %v", k, err)
	}
	return errs.As(err)
}

// wantField fails unless err is Invalid on field.
func wantField(t *testing.T, err error, field string) {
	t.Helper()
	e := errs.As(err)
	if e == nil || e.Kind != errs.Invalid || !errs.Fields(e.Fields).Has(field) {
		t.Fatalf("want Invalid on %s, got %v", field, err)
	}
}

var headers = []any{"变动类型", "公民身份号码", "姓名", "参保起始月份", "月工资（元）", "手机号码", "终止月份", "减员原因"}

// xlsx builds a staff file with header and rows.
func xlsx(t testing.TB, header []any, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.SetRow("A1", header); err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if err := sw.SetRow(fmt.Sprintf("A%d", i+2), r); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Flush(); err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func addRow(n int, name, month, wage string) []any {
	return []any{"增员", idNo(n), name, month, wage, "13800138000", "", ""}
}

func mustDate(s string) time.Time {
	d, err := clock.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

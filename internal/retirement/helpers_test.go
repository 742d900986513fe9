package retirement

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/casework"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/document"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/notify"
	"shebao/internal/policy"
)

// The tests live on 2026-06-15: a man born 1966-03 retires in 2026-07.
var testNow = time.Date(2026, 6, 15, 9, 0, 0, 0, clock.Shanghai)

var ctxBg = context.Background()

type env struct {
	d     *db.DB
	s     *Service
	pol   *policy.Service
	cases *casework.Service
	clk   *clock.Fixed
	seq   int
	emp   int64
	docs  *document.Store
	// staff
	clerk1, clerk2, approver, geti *access.Actor
}

func newEnv(t testing.TB, d *db.DB) *env {
	t.Helper()
	c := clock.NewFixed(testNow)
	au := audit.NewService(d, c)
	pol := policy.NewService(d, c, au)
	pol.SetCacheTTL(0)
	if err := pol.SeedDefaults(ctxBg); err != nil {
		t.Fatal(err)
	}
	// A historical average wage for the months before the shipped rules.
	if _, err := pol.AddRule(ctxBg, access.System, policy.RuleInput{Key: policy.KeyAvgWage, From: "1990-01-01", To: "2022-06-30",
		Value: "5000", LegalBasis: "测试：历年社平工资"}); err != nil {
		t.Fatal(err)
	}
	cases := casework.NewService(d, c, au, pol, nil)
	for _, ty := range casework.Catalog() {
		cases.Register(ty)
	}
	docs := document.NewStore(d, c, t.TempDir())
	e := &env{d: d, pol: pol, cases: cases, clk: c, docs: docs,
		s: NewService(d, c, au, pol, cases, docs, notify.NewService(d, c), Options{})}
	e.clerk1 = e.user(t, "fuli1", access.Welfare)
	e.clerk2 = e.user(t, "fuli2", access.Welfare)
	e.approver = e.user(t, "shenpi1", access.Coordination)
	e.geti = e.user(t, "geti1", access.SelfEmployed)
	if err := e.s.SetApprover(ctxBg, &access.Actor{UserID: 1, Role: access.RoleAdmin, Sections: access.Sections}, e.approver.UserID, true); err != nil {
		t.Fatal(err)
	}
	e.emp = e.employer(t)
	return e
}

func (e *env) user(t testing.TB, name string, sec access.Section) *access.Actor {
	t.Helper()
	var id int64
	if err := e.d.W.QueryRowContext(ctxBg, `INSERT INTO users (username, password_hash, role, created_at) VALUES ($1, 'x', 'staff', $2) RETURNING id`,
		name, testNow).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return &access.Actor{UserID: id, Username: name, Role: access.RoleStaff, Sections: []access.Section{sec}}
}

func (e *env) employer(t testing.TB) int64 {
	t.Helper()
	e.seq++
	var id int64
	err := e.d.W.QueryRowContext(ctxBg, `INSERT INTO employers (employer_no, uscc, name, legal_rep, address, industry,
		risk_class, injury_float_ppm, established_on, registered_on, created_at, updated_at)
		VALUES ($1, $2, $3, '法人', '地址', '制造', 1, 1000000, '1990-01-01', '1992-02-01', $4, $4) RETURNING id`,
		fmt.Sprintf("E%07d", e.seq), fmt.Sprintf("USCC%014d", e.seq), fmt.Sprintf("机床厂%d", e.seq), testNow).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func employerActor(id int64) *access.Actor {
	return &access.Actor{UserID: 9000 + id, Username: fmt.Sprintf("emp%d", id), Role: access.RoleEmployer, EmployerID: id}
}

// person inserts a person born in birth (YYYY-MM-DD) of gender, employed
// by employerID since 1990 (0: a flexible worker), with paid pension
// records from..to at base.
func (e *env) person(t testing.TB, birth, gender string, employerID int64, from, to string, base money.Fen) (int64, string) {
	t.Helper()
	e.seq++
	b, _ := time.Parse("2006-01-02", birth)
	idn := ident.MakeID("110105", b, e.seq, gender == "M")
	kind := "employee"
	if employerID == 0 {
		kind = "flexible"
	}
	var pid int64
	err := e.d.W.QueryRowContext(ctxBg, `INSERT INTO persons (id_number, name, gender, birth_date, kind, phone, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, '13800138000', $6, $6) RETURNING id`, idn, fmt.Sprintf("张%d", e.seq), gender, birth, kind, testNow).Scan(&pid)
	if err != nil {
		t.Fatal(err)
	}
	if employerID != 0 {
		if _, err := e.d.W.ExecContext(ctxBg, `INSERT INTO employments (person_id, employer_id, start_month, base_fen, declared_fen,
			created_at, updated_at) VALUES ($1, $2, '1990-01', $3, $3, $4, $4)`, pid, employerID, int64(base), testNow); err != nil {
			t.Fatal(err)
		}
	}
	e.records(t, pid, from, to, base)
	return pid, idn
}

func (e *env) records(t testing.TB, pid int64, from, to string, base money.Fen) {
	t.Helper()
	if from == "" {
		return
	}
	f, _ := clock.ParseMonth(from)
	l, _ := clock.ParseMonth(to)
	var recs []contribution.Record
	for m := f; !l.Before(m); m = m.Add(1) {
		recs = append(recs, contribution.Record{PersonID: pid, Month: m.String(), Scheme: contribution.Pension, PayerKind: "employer",
			PayerName: "机床厂", Base: base, Employer: base * 16 / 100, Individual: base * 8 / 100, Paid: true})
	}
	if err := e.d.WithTx(ctxBg, func(tx *sql.Tx) error {
		return contribution.InsertRecords(ctxBg, tx, recs, contribution.SourceImport, 0, testNow)
	}); err != nil {
		t.Fatal(err)
	}
}

// doc stores a small PDF and returns its id.
func (e *env) doc(t *testing.T, name string) int64 {
	t.Helper()
	e.seq++
	body := fmt.Sprintf("%%PDF-1.4\n%% %s %d\n%%%%EOF\n", name, e.seq)
	d, err := e.docs.Put(ctxBg, access.System, name, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

package upkeep_test

import (
	"bytes"
	"context"
	"database/sql"
	"strconv"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/policy"
	"shebao/internal/retirement"
	"shebao/internal/upkeep"
)

var bg = context.Background()

// upkeepNow: a man born in March 1966 retired in July 2026 and his pension
// was decided in September; the corrections come in December.
var upkeepNow = time.Date(2026, 6, 15, 9, 0, 0, 0, clock.Shanghai)

// fixture is a retiree with a decided pension and the clerks around him.
type fixture struct {
	env            *apptest.Env
	pid            int64
	idn, caseNo    string
	det            *retirement.Determination
	welfare, fuli2 *access.Actor
	acct1, acct2   *access.Actor
	// The logins of the clerks (welfare, acct1, acct2).
	welfareU, acct1U, acct2U *apptest.User
}

// pdf is a scan recognised as a PDF by its bytes.
func pdf() upkeep.Upload {
	return upkeep.Upload{Name: "工资表.pdf", R: bytes.NewReader([]byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))}
}

// retiree builds the fixture: records 1991-06..2026-05 at 6,000 元, the
// qualification confirmed and pushed, the pension computed, reviewed and
// checked by two clerks of 保险福利科.
func retiree(t *testing.T, env *apptest.Env) *fixture {
	t.Helper()
	env.Clock.Set(upkeepNow)
	if _, err := env.App.Policy.AddRule(bg, access.System, policy.RuleInput{Key: policy.KeyAvgWage,
		From: "1990-01-01", To: "2022-06-30", Value: "5000", LegalBasis: "历年社平工资"}); err != nil {
		t.Fatal(err)
	}
	// The base limits of the years before the shipped rules (60 % to 300 % of the average wage).
	for key, v := range map[string]string{policy.KeyBaseFloorPct: "60", policy.KeyBaseCeilingPct: "300", policy.KeyBaseRounding: "yuan"} {
		if _, err := env.App.Policy.AddRule(bg, access.System, policy.RuleInput{Key: key, From: "1990-01-01", To: "2019-04-30",
			Value: v, LegalBasis: "历年缴费基数上下限"}); err != nil {
			t.Fatal(err)
		}
	}
	f := &fixture{env: env}
	boss := env.User(t, apptest.EmployerA)
	birth := time.Date(1966, 3, 10, 0, 0, 0, 0, time.UTC)
	f.idn = ident.MakeID("110105", birth, 31, true)
	if err := env.App.DB.W.QueryRow(`INSERT INTO persons (id_number, name, gender, birth_date, kind, phone, created_at, updated_at)
		VALUES ($1, '周建国', 'M', $2, 'employee', '13800138000', $3, $3) RETURNING id`, f.idn, birth.Format(time.DateOnly), upkeepNow).Scan(&f.pid); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.DB.W.Exec(`INSERT INTO employments (person_id, employer_id, start_month, base_fen, declared_fen,
		created_at, updated_at) VALUES ($1, $2, '1990-01', 600000, 600000, $3, $3)`, f.pid, boss.EmployerID, upkeepNow); err != nil {
		t.Fatal(err)
	}
	var recs []contribution.Record
	for m := (clock.Month{Year: 1991, Mon: 6}); !(clock.Month{Year: 2026, Mon: 5}).Before(m); m = m.Add(1) {
		recs = append(recs, contribution.Record{PersonID: f.pid, Month: m.String(), Scheme: contribution.Pension, PayerKind: "employer",
			PayerName: "机床厂", Base: 600_000, Employer: 96_000, Individual: 48_000, Paid: true})
	}
	if err := env.App.DB.WithTx(bg, func(tx *sql.Tx) error {
		return contribution.InsertRecords(bg, tx, recs, contribution.SourceImport, 0, upkeepNow)
	}); err != nil {
		t.Fatal(err)
	}
	if err := retirement.ImportBalance(bg, env.App.DB.W, f.pid, 15_000_000, clock.Month{Year: 2026, Mon: 5}, upkeepNow); err != nil {
		t.Fatal(err)
	}
	approver := env.AddLogin(t, account.NewAccount{Role: access.RoleStaff, Username: "shenpi1", DisplayName: "审批一",
		Sections: []access.Section{access.Coordination}}, false)
	if err := env.App.Retirement.SetApprover(bg, env.Actor(t, apptest.Admin), approver.ID, true); err != nil {
		t.Fatal(err)
	}
	f.welfareU = env.User(t, apptest.Staff(access.Welfare))
	f.welfare = f.welfareU.Actor()
	f.fuli2 = env.AddLogin(t, account.NewAccount{Role: access.RoleStaff, Username: "fuli2", DisplayName: "福利二",
		Sections: []access.Section{access.Welfare}}, false).Actor()
	f.acct1U = env.User(t, apptest.Staff(access.Account))
	f.acct1 = f.acct1U.Actor()
	f.acct2U = env.AddLogin(t, account.NewAccount{Role: access.RoleStaff, Username: "zhanghu2", DisplayName: "账户二",
		Sections: []access.Section{access.Account}}, false)
	f.acct2 = f.acct2U.Actor()
	q, err := env.App.Retirement.SubmitQualification(bg, boss.Actor(), retirement.QualInput{IDNumber: f.idn, Category: "male",
		DeemedMonths: "0", Contact: "李四", Phone: "13900139000"})
	if err != nil {
		t.Fatal(err)
	}
	if q, err = env.App.Retirement.Decide(bg, approver.Actor(), retirement.Decision{No: q.No, Version: q.Version, Approve: true}); err != nil {
		t.Fatal(err)
	}
	f.caseNo = q.CaseNo
	det, err := env.App.Retirement.Compute(bg, f.welfare, retirement.ComputeInput{CaseNo: f.caseNo})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Retirement.Review(bg, f.welfare, f.caseNo, det.Version); err != nil {
		t.Fatal(err)
	}
	env.Clock.Set(upkeepNow.AddDate(0, 3, 0))
	if f.det, err = env.App.Retirement.Check(bg, f.fuli2, f.caseNo, det.Version); err != nil {
		t.Fatal(err)
	}
	env.Clock.Set(upkeepNow.AddDate(0, 6, 0))
	return f
}

// raise raises a correction of the case.
func (f *fixture) raise(t *testing.T, from, to, base, paid string) *upkeep.Correction {
	t.Helper()
	c, err := f.env.App.Upkeep.Raise(bg, f.welfare, upkeep.RaiseInput{CaseNo: f.caseNo, From: from, To: to, Base: base, Paid: paid,
		Reason: "原单位工资表核实", Evidence: []upkeep.Upload{pdf()}})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// batch prepares (acct1), checks (acct2) and applies a batch of ids.
func (f *fixture) batch(t *testing.T, ids ...int64) *upkeep.Batch {
	t.Helper()
	b, err := f.env.App.Upkeep.CreateBatch(bg, f.acct1, ids, "")
	if err != nil {
		t.Fatal(err)
	}
	if b, err = f.env.App.Upkeep.Check(bg, f.acct2, b.ID, b.Version); err != nil {
		t.Fatal(err)
	}
	if b, err = f.env.App.Upkeep.Apply(bg, f.acct2, b.ID); err != nil {
		t.Fatal(err)
	}
	return b
}

// record reads one month's pension record.
func (f *fixture) record(t *testing.T, month string) (base money.Fen, emp, ind money.Fen, paid bool) {
	t.Helper()
	if err := f.env.App.DB.W.QueryRow(`SELECT base_fen, employer_fen, individual_fen, paid FROM contribution_records
		WHERE person_id = $1 AND fee_month = $2 AND scheme = 'pension'`, f.pid, month).Scan(&base, &emp, &ind, &paid); err != nil {
		t.Fatal(err)
	}
	return
}

// versions returns the case's determinations, newest first.
func (f *fixture) versions(t *testing.T) []*retirement.Determination {
	t.Helper()
	_, ds, err := f.env.App.Retirement.CaseDeterminations(bg, f.welfare, f.caseNo)
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

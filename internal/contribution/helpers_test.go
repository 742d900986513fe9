package contribution

import (
	"context"
	"fmt"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/policy"
)

// The tests live on 2024-02-10, inside the seed's epidemic scenario.
var testNow = time.Date(2024, 2, 10, 9, 0, 0, 0, clock.Shanghai)

var (
	ctxBg = context.Background()
	clerk = &access.Actor{UserID: 101, Username: "tongchou1", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
	fund  = &access.Actor{UserID: 102, Username: "jijin1", Role: access.RoleStaff, Sections: []access.Section{access.Fund}}
	inj   = &access.Actor{UserID: 103, Username: "gongshang1", Role: access.RoleStaff, Sections: []access.Section{access.Injury}}
)

func employerActor(id int64) *access.Actor {
	return &access.Actor{UserID: 1000 + id, Username: fmt.Sprintf("emp%d", id), Role: access.RoleEmployer, EmployerID: id}
}

// env is a migrated database with the shipped rules, optionally the 2024
// epidemic, and the contribution service.
type env struct {
	d   *db.DB
	s   *Service
	pol *policy.Service
	seq int
}

func newEnv(t *testing.T, d *db.DB, epidemic bool) *env {
	t.Helper()
	c := clock.NewFixed(testNow)
	au := audit.NewService(d, c)
	pol := policy.NewService(d, c, au)
	pol.SetCacheTTL(0)
	if err := pol.SeedDefaults(ctxBg); err != nil {
		t.Fatal(err)
	}
	if epidemic {
		if _, err := pol.Declare(ctxBg, access.System, policy.Epidemic2024()); err != nil {
			t.Fatal(err)
		}
	}
	return &env{d: d, s: NewService(d, c, au, pol, "", nil, Tuning{}), pol: pol}
}

// employer inserts an employer of a risk class and float (ppm).
func (e *env) employer(t *testing.T, class int, floatPPM int64) int64 {
	t.Helper()
	e.seq++
	var id int64
	err := e.d.W.QueryRowContext(ctxBg, `INSERT INTO employers (employer_no, uscc, name, legal_rep, address, industry,
		risk_class, injury_float_ppm, established_on, registered_on, created_at, updated_at)
		VALUES ($1, $2, $3, '法人', '地址', '软件', $4, $5, '2020-01-01', '2020-02-01', $6, $6) RETURNING id`,
		fmt.Sprintf("E%07d", e.seq), fmt.Sprintf("USCC%014d", e.seq), fmt.Sprintf("测试单位%d", e.seq),
		class, floatPPM, testNow).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// staff inserts a person employed by employer from start (end "" = open)
// with a declared wage (declared_fen) and the stored base.
func (e *env) staff(t *testing.T, employerID int64, start, end string, declared, base money.Fen) int64 {
	t.Helper()
	e.seq++
	idn := ident.MakeID("110105", time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, e.seq), e.seq%500*2, true)
	var pid int64
	err := e.d.W.QueryRowContext(ctxBg, `INSERT INTO persons (id_number, name, gender, birth_date, created_at, updated_at)
		VALUES ($1, $2, 'M', '1980-01-01', $3, $3) RETURNING id`, idn, fmt.Sprintf("职工%d", e.seq), testNow).Scan(&pid)
	if err != nil {
		t.Fatal(err)
	}
	var endV any
	if end != "" {
		endV = end
	}
	_, err = e.d.W.ExecContext(ctxBg, `INSERT INTO employments (person_id, employer_id, start_month, end_month, base_fen,
		declared_fen, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
		pid, employerID, start, endV, int64(base), int64(declared), testNow)
	if err != nil {
		t.Fatal(err)
	}
	return pid
}

// billOf returns the employer's bill of month with its lines.
func (e *env) billOf(t *testing.T, employerID int64, month string) *Bill {
	t.Helper()
	var id int64
	if err := e.d.W.QueryRowContext(ctxBg, `SELECT id FROM bills WHERE employer_id = $1 AND fee_month = $2`,
		employerID, month).Scan(&id); err != nil {
		t.Fatalf("bill of employer %d %s: %v", employerID, month, err)
	}
	b, err := e.s.Get(ctxBg, clerk, id)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (e *env) assess(t *testing.T, month string) RunResult {
	t.Helper()
	r, err := e.s.AssessMonth(ctxBg, clerk, month, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// workedParams are the assumptions of docs/rules.md §3.4: A = 8,000
// (limits 4,800 and 24,000), pension 16% + 8%, unemployment 0.5% + 0.5%,
// work-injury class 1 at 0.2%.
func workedParams() *Params {
	p := &Params{Month: clock.Month{Year: 2024, Mon: 1}, Floor: money.Yuan(4800), Ceiling: money.Yuan(24000), RoundYuan: true,
		PensionER: money.MustPercent("16"), PensionIR: money.MustPercent("8"),
		UnemployER: money.MustPercent("0.5"), UnemployIR: money.MustPercent("0.5"),
		floorText: "低于下限 4,800.00 元，按下限", ceilText: "高于上限 24,000.00 元，按上限"}
	for c, r := range []string{"", "0.2", "0.4", "0.7", "0.9", "1.1", "1.3", "1.6", "1.9"} {
		if r != "" {
			p.ClassRate[c] = money.MustPercent(r)
		}
	}
	return p
}

package death

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"database/sql"
	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/calc"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/document"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/notify"
	"shebao/internal/payout"
	"shebao/internal/policy"
)

var testNow = time.Date(2026, 6, 15, 9, 0, 0, 0, clock.Shanghai)

var ctxBg = context.Background()

type env struct {
	d      *db.DB
	s      *Service
	pol    *policy.Service
	clk    *clock.Fixed
	po     *payout.Service
	seq    int
	c1, c2 *access.Actor
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
	po := payout.NewService(d, c, au, nil)
	e := &env{d: d, pol: pol, clk: c, po: po, s: NewService(d, c, au, pol, notify.NewService(d, c), po, document.NewStore(d, c, t.TempDir()), nil)}
	e.c1 = &access.Actor{UserID: 501, Username: "fuli1", Role: access.RoleStaff, Sections: []access.Section{access.Welfare}}
	e.c2 = &access.Actor{UserID: 502, Username: "fuli2", Role: access.RoleStaff, Sections: []access.Section{access.Welfare}}
	return e
}

// person inserts a person of kind with paid pension months from..to.
func (e *env) person(t *testing.T, name, kind string, from, to string) (int64, string) {
	t.Helper()
	e.seq++
	idn := ident.MakeID("110105", time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, e.seq), e.seq, true)
	var pid int64
	if err := e.d.W.QueryRowContext(ctxBg, `INSERT INTO persons (id_number, name, gender, birth_date, kind, phone, created_at, updated_at)
		VALUES ($1, $2, 'M', '1960-01-01', $3, '13800138000', $4, $4) RETURNING id`, idn, name, kind, testNow).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	f, _ := clock.ParseMonth(from)
	l, _ := clock.ParseMonth(to)
	var recs []contribution.Record
	for m := f; !l.Before(m); m = m.Add(1) {
		recs = append(recs, contribution.Record{PersonID: pid, Month: m.String(), Scheme: contribution.Pension, PayerKind: "employer",
			PayerName: "厂", Base: 500_000, Employer: 80_000, Individual: 40_000, Paid: true})
	}
	if err := e.d.WithTx(ctxBg, func(tx *sql.Tx) error {
		return contribution.InsertRecords(ctxBg, tx, recs, contribution.SourceImport, 0, testNow)
	}); err != nil {
		t.Fatal(err)
	}
	return pid, idn
}

// pension gives pid a decided pension (total, account part) from first.
func (e *env) pension(t *testing.T, pid int64, total, account money.Fen, first string) {
	t.Helper()
	var qid int64
	if err := e.d.W.QueryRowContext(ctxBg, `INSERT INTO retirement_qualifications (no, kind, person_id, channel, category, retire_month,
		status, received_at, created_at) VALUES ($1, 'employee', $2, 'web', 'male', '2024-12', 'approved', $3, $3) RETURNING id`,
		fmt.Sprintf("TX-%d", pid), pid, testNow).Scan(&qid); err != nil {
		t.Fatal(err)
	}
	if _, err := e.d.W.ExecContext(ctxBg, `INSERT INTO pension_determinations (case_no, person_id, qualification_id, version, retire_month,
		first_month, months, deemed_months, transitional_months, avg_index_ppm, calc_base_fen, balance_fen, basic_fen, account_fen,
		transitional_fen, total_fen, steps, status, computed_by, created_at) VALUES ($1,$2,$3,1,'2024-12',$4,360,0,0,1000000,1204900,
		10000000,0,$5,0,$6,'[]','decided',1,$7)`, fmt.Sprintf("TD-%d", pid), pid, qid, first, account, total, testNow); err != nil {
		t.Fatal(err)
	}
	if _, err := e.d.W.ExecContext(ctxBg, `INSERT INTO retirement_account_balances (person_id, balance_fen, as_of_month, imported_at)
		VALUES ($1, 10000000, '2024-12', $2)`, pid, testNow); err != nil {
		t.Fatal(err)
	}
}

func csvOf(rows ...string) []byte {
	s := "公民身份号码,姓名,死亡日期,死亡证明或火化证明编号\n"
	for _, r := range rows {
		s += r + "\n"
	}
	return []byte(s)
}

// TestCivilImportStopsAndClaims: the register file applies a retiree's
// death (pension stopped from the next month, two months overpaid), sends
// a name mismatch and an unknown ID to the review queue, counts a death
// already reported as a duplicate and is refused the second time; the
// heir's claim is computed by the rule in force on the date of death
// (agreeing with the public calculator), the overpayment offset first,
// reviewed, checked by a second clerk and paid by payout lines; a second
// claim and a claimant who is not an heir are refused.
func TestCivilImportStopsAndClaims(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ret, retID := e.person(t, "王大", "retiree", "1994-12", "2024-11")
		e.pension(t, ret, 400_000, 60_000, "2025-01")
		_, mmID := e.person(t, "李二", "employee", "2000-01", "2026-01")
		_, knownID := e.person(t, "赵三", "employee", "2000-01", "2026-01")
		if _, err := e.s.Report(ctxBg, e.c1, ReportInput{IDNumber: knownID, Date: "2026-02-01", CertificateNo: "HZ001"}); err != nil {
			t.Fatal(err)
		}
		unknown := ident.MakeID("110105", time.Date(1950, 5, 5, 0, 0, 0, 0, time.UTC), 7, true)
		file := csvOf(retID+",王大,2026-03-10,HZ100", mmID+",李四,2026-03-11,HZ101", knownID+",赵三,2026-02-01,HZ001", unknown+",某人,2026-03-12,HZ102")
		// A future date or a duplicate ID refuses the whole file.
		if _, err := e.s.ImportCivil(ctxBg, e.c1, "bad.csv", csvOf(retID+",王大,2026-07-01,X", mmID+",李四,2026-03-11,Y")); !hasField(err, "file") {
			t.Fatalf("future date: %v", err)
		}
		if _, err := e.s.ImportCivil(ctxBg, e.c1, "dup.csv", csvOf(retID+",王大,2026-03-10,X", retID+",王大,2026-03-10,Y")); !hasField(err, "file") {
			t.Fatalf("duplicate: %v", err)
		}
		if _, err := e.s.ImportCivil(ctxBg, e.c1, "cols.csv", []byte("身份证,名字\n1,2\n")); !hasField(err, "file") {
			t.Fatalf("wrong columns: %v", err)
		}
		res, err := e.s.ImportCivil(ctxBg, e.c1, "mz.csv", file)
		if err != nil {
			t.Fatal(err)
		}
		if res.Applied != 1 || res.Review != 2 || res.Duplicates != 1 {
			t.Fatalf("result %+v", res)
		}
		if _, err := e.s.ImportCivil(ctxBg, e.c1, "mz.csv", file); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("second import: %v", err)
		}
		var status string
		_ = d.W.QueryRowContext(ctxBg, `SELECT status FROM persons WHERE id = $1`, ret).Scan(&status)
		if status != "deceased" {
			t.Fatalf("status %s", status)
		}
		ds, _ := e.s.Deaths(ctxBg, e.c1, "open")
		if len(ds) != 1 || ds[0].PersonID != ret || ds[0].Overpaid != 800_000 || ds[0].OverpaidMonths != 2 {
			t.Fatalf("overpayment %+v", ds)
		}
		dead := ds[0]
		q, _ := e.s.ReviewQueue(ctxBg, e.c1, 10)
		if len(q) != 2 {
			t.Fatalf("queue %+v", q)
		}
		if err := e.s.AddHeir(ctxBg, e.c1, dead.ID, Heir{Name: "王小", IDNumber: ident.MakeID("110105", time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), 3, true), Relationship: "子女"}); err != nil {
			t.Fatal(err)
		}
		heirs, _ := heirsOf(ctxBg, d.W, dead.ID)
		in := ClaimInput{DeathID: dead.ID, ClaimantName: "王小", ClaimantID: heirs[0].IDNumber, Relationship: "子女",
			AccountNo: "6222020000000000000", BankName: "工商银行"}
		stranger := in
		stranger.ClaimantName, stranger.ClaimantID = "路人", ident.MakeID("110105", time.Date(1991, 1, 1, 0, 0, 0, 0, time.UTC), 5, true)
		if _, err := e.s.OpenClaim(ctxBg, e.c1, stranger); !hasField(err, "claimant_id") {
			t.Fatalf("stranger: %v", err)
		}
		c, err := e.s.OpenClaim(ctxBg, e.c1, in)
		if err != nil {
			t.Fatal(err)
		}
		agreeWithDeathCalculator(t, e, c, 360, 15)
		// Account: 100,000.00 − 600.00 × 15 months = 91,000.00; offset 8,000.00.
		if c.Account != 9_100_000 || c.Offset != 800_000 || c.Net != c.Funeral+c.Relief+c.Account-800_000 {
			t.Fatalf("claim %+v", c)
		}
		if _, err := e.s.OpenClaim(ctxBg, e.c1, in); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("second claim: %v", err)
		}
		if _, err := e.s.ReviewClaim(ctxBg, e.c1, c.No, c.Version); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.CheckClaim(ctxBg, e.c1, c.No, c.Version+1); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("same clerk: %v", err)
		}
		if _, err := e.s.CheckClaim(ctxBg, e.c2, c.No, c.Version+1); err != nil {
			t.Fatal(err)
		}
		lines, err := e.po.OfSource(ctxBg, nil, "death_claim", c.No)
		if err != nil {
			t.Fatal(err)
		}
		var paid money.Fen
		for _, l := range lines {
			paid += l.Amount
		}
		if len(lines) != 3 || paid != c.Net {
			t.Fatalf("lines %d paid %d net %d", len(lines), paid, c.Net)
		}
		after, _ := e.s.DeathDetail(ctxBg, e.c1, dead.ID)
		if after.Death.Recovery != "settled" || after.Death.Outstanding() != 0 {
			t.Fatalf("recovery %+v", after.Death)
		}
	})
}

// agreeWithDeathCalculator compares the claim's funeral and relief with
// the public calculator given the same inputs.
func agreeWithDeathCalculator(t *testing.T, e *env, c *Claim, months, pensionMonths int) {
	t.Helper()
	cs := calc.NewService(e.pol, e.clk, 100, 100)
	dc, err := cs.Get("death-benefit")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"death_date": "2026-03-10", "contribution_months": months, "pension_months": pensionMonths})
	vals, err := dc.ParseJSON(body)
	if err != nil {
		t.Fatal(err)
	}
	res, err := cs.Run(ctxBg, dc, vals)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]money.Fen{"funeral_fen": c.Funeral, "relief_fen": c.Relief}
	seen := 0
	for _, o := range res.Outputs {
		if w, ok := want[o.Key]; ok {
			seen++
			if fmt.Sprint(o.Value) != fmt.Sprint(int64(w)) {
				t.Errorf("%s: calculator %v, claim %d", o.Key, o.Value, w)
			}
		}
	}
	if seen != 2 {
		t.Fatalf("calculator gave %d of 2 amounts", seen)
	}
}

// TestRemovalThenCivilConfirms: an employer's removal with the reason 死亡
// marks the person deceased with a provisional date; the register confirms
// the date without a second death; a relative's report after it is refused.
func TestRemovalThenCivilConfirms(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		pid, idn := e.person(t, "钱五", "employee", "2000-01", "2026-02")
		emp := &access.Actor{UserID: 900, Role: access.RoleEmployer, EmployerID: 1}
		if err := e.d.WithTx(ctxBg, func(tx *sql.Tx) error { return e.s.RecordFromRemovalTx(ctxBg, tx, emp, pid, "2026-03") }); err != nil {
			t.Fatal(err)
		}
		res, err := e.s.ImportCivil(ctxBg, e.c1, "mz.csv", csvOf(idn+",钱五,2026-03-08,HZ9"))
		if err != nil || res.Applied != 1 {
			t.Fatalf("confirm: %v %+v", err, res)
		}
		var n int
		var date string
		var confirmed bool
		_ = d.W.QueryRowContext(ctxBg, `SELECT COUNT(*), MAX(death_date) FROM deaths WHERE person_id = $1`, pid).Scan(&n, &date)
		_ = d.W.QueryRowContext(ctxBg, `SELECT date_confirmed FROM deaths WHERE person_id = $1`, pid).Scan(&confirmed)
		if n != 1 || date != "2026-03-08" || !confirmed {
			t.Fatalf("deaths %d %s %v", n, date, confirmed)
		}
		if _, err := e.s.Report(ctxBg, e.c1, ReportInput{IDNumber: idn, Date: "2026-03-08", CertificateNo: "HZ9"}); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("second report: %v", err)
		}
	})
}

func hasField(err error, field string) bool {
	e := errs.As(err)
	if e == nil {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

package retirement

import (
	"context"
	"database/sql"
	"regexp"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/policy"
)

// fakeSuspender records suspensions and marks the pensioner as the
// payroll would.
type fakeSuspender struct{ suspended, resumed []int64 }

func (f *fakeSuspender) SuspendTx(ctx context.Context, tx *sql.Tx, personID int64, last clock.Month, reason string) error {
	f.suspended = append(f.suspended, personID)
	_, err := tx.ExecContext(ctx, `UPDATE pensioners SET status = 'suspended', stop_kind = 'suspension', last_month = $2 WHERE person_id = $1`,
		personID, last.String())
	return err
}

func (f *fakeSuspender) ResumeTx(ctx context.Context, tx *sql.Tx, personID int64, reason string) error {
	f.resumed = append(f.resumed, personID)
	_, err := tx.ExecContext(ctx, `UPDATE pensioners SET status = 'active', stop_kind = '' WHERE person_id = $1`, personID)
	return err
}

func (e *env) pensioner(t *testing.T, birth, first string) int64 {
	t.Helper()
	pid, idn := e.person(t, birth, "M", 0, "", "", 0)
	if _, err := e.d.W.ExecContext(ctxBg, `INSERT INTO pensioners (person_id, name, id_number, first_month, status, created_by, created_at, updated_at)
		VALUES ($1, '退休人', $2, $3, 'active', 'test', $4, $4)`, pid, idn, first, testNow); err != nil {
		t.Fatal(err)
	}
	return pid
}

// TestCertificationEmergency: a certification missed outside an emergency
// suspends the pension; one missed during an emergency with the measure
// does not; after the emergency the pensioner is reminded once and
// suspended only after the make-up window; certifying on the portal puts
// the pension back into pay; the civil-affairs match certifies those
// absent from the death register.
func TestCertificationEmergency(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		fs := &fakeSuspender{}
		e.s.suspender = fs
		early := e.pensioner(t, "1960-01-10", "2023-06") // due 2024-06-01
		late := e.pensioner(t, "1960-02-10", "2024-01")  // due 2025-01-01, inside the emergency
		admin := &access.Actor{UserID: 1, Role: access.RoleAdmin, Sections: access.Sections}
		em, err := e.pol.Declare(ctxBg, admin, policy.DeclareInput{Title: "应急期", Start: "2024-12-01", Scope: "全区", LegalBasis: "测试〔2024〕1号",
			Measures: []policy.Measure{policy.MeasureCertificationKept, policy.MeasureMakeUpAllowed}})
		if err != nil {
			t.Fatal(err)
		}
		e.clk.Set(time.Date(2025, 1, 10, 9, 0, 0, 0, clock.Shanghai))
		res, err := e.s.CheckCertifications(ctxBg)
		if err != nil || res.Suspended != 1 || res.Kept != 1 || res.Reminded != 0 || len(fs.suspended) != 1 || fs.suspended[0] != early {
			t.Fatalf("during the emergency: %+v %v %v", res, fs.suspended, err)
		}
		// Again the same day: nothing more (the suspended one is not suspended twice).
		if res, _ = e.s.CheckCertifications(ctxBg); res.Suspended != 0 || res.Kept != 1 {
			t.Fatalf("second run %+v", res)
		}
		// The early one certifies on the portal: back into pay.
		if _, err := e.s.CertifySelf(ctxBg, &access.Actor{UserID: 77, Role: access.RolePerson, PersonID: early}); err != nil {
			t.Fatal(err)
		}
		if len(fs.resumed) != 1 || fs.resumed[0] != early {
			t.Fatalf("resumed %v", fs.resumed)
		}
		// The emergency ends on 2025-02-28: reminded once in March, kept until the make-up window ends.
		if _, err := e.pol.SetEnd(ctxBg, admin, em.ID, em.Version, "2025-02-28"); err != nil {
			t.Fatal(err)
		}
		e.clk.Set(time.Date(2025, 3, 3, 9, 0, 0, 0, clock.Shanghai))
		if res, err = e.s.CheckCertifications(ctxBg); err != nil || res.Reminded != 1 || res.Suspended != 0 {
			t.Fatalf("after the emergency: %+v %v", res, err)
		}
		if res, _ = e.s.CheckCertifications(ctxBg); res.Reminded != 0 {
			t.Fatalf("reminded twice %+v", res)
		}
		missed, err := e.s.Missed(ctxBg, e.clerk1)
		if err != nil || len(missed) != 1 || missed[0].PersonID != late || missed[0].Kept == "" || !missed[0].Reminded {
			t.Fatalf("missed %+v %v", missed, err)
		}
		if got := missed[0].DueText(); got != "2025-01-01" {
			t.Fatalf("due shown as %q, not as pages show dates", got)
		}
		e.clk.Set(time.Date(2025, 6, 2, 9, 0, 0, 0, clock.Shanghai))
		if res, _ = e.s.CheckCertifications(ctxBg); res.Suspended != 1 || fs.suspended[len(fs.suspended)-1] != late {
			t.Fatalf("after the make-up window %+v", res)
		}
		// A civil-affairs match certifies the late one (absent from the register).
		if _, err := d.W.ExecContext(ctxBg, `INSERT INTO civil_imports (file_name, file_sha256, actor_id, created_at) VALUES ('mz.csv', 'x', 1, $1)`,
			e.clk.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.CertifyByCivil(ctxBg, e.geti); err == nil {
			t.Fatal("another section ran the match")
		}
		n, err := e.s.CertifyByCivil(ctxBg, e.clerk1)
		if err != nil || n != 1 || fs.resumed[len(fs.resumed)-1] != late {
			t.Fatalf("civil match %d %v", n, err)
		}
		if missed, _ = e.s.Missed(ctxBg, e.clerk1); len(missed) != 0 {
			t.Fatalf("still missed %+v", missed)
		}
	})
}

// TestCertificationDatesAsPagesShowThem: the due and last certification
// dates read as every other page shows a day (2025-01-01), not 2025年1月1日.
func TestCertificationDatesAsPagesShowThem(t *testing.T) {
	c := Certifiee{Due: time.Date(2025, 1, 1, 0, 0, 0, 0, clock.Shanghai), Last: "2024-01-15"}
	if c.DueText() != "2025-01-01" || c.LastText() != "2024-01-15" {
		t.Fatalf("due %q last %q", c.DueText(), c.LastText())
	}
	if c.Last = ""; c.LastText() != "" {
		t.Fatalf("no certification shown as %q", c.LastText())
	}
}

// TestCivilMatchPlan: the civil-affairs certification looks up the death
// register by ID number through its index on SQLite, and anti-joins it
// once on PostgreSQL (never a scan of the register per pensioner).
func TestCivilMatchPlan(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		plan := dbtest.Explain(t, d, certifieesQuery(absentFromCivil))
		if d.Dialect == db.SQLite {
			if !strings.Contains(plan, "civil_records_id_number") || strings.Contains(plan, "SCAN r") {
				t.Fatalf("the register is not searched by its index:\n%s", plan)
			}
			return
		}
		// With statistics PostgreSQL hashes the register for the anti join;
		// here (empty tables, sequential scans discouraged) it may loop, but
		// the register is joined, not read by a subplan per pensioner.
		if !regexp.MustCompile(`(Join Filter|Hash Cond|Merge Cond): \((p\.id_number = r\.id_number|r\.id_number = p\.id_number)\)`).MatchString(plan) {
			t.Fatalf("the register is not anti-joined:\n%s", plan)
		}
	})
}

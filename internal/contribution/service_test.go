package contribution

import (
	"strconv"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

func wantKind(t *testing.T, err error, k errs.Kind) {
	t.Helper()
	if errs.KindOf(err) != k {
		t.Fatalf("err = %v, want %s", err, k)
	}
}

// TestConfirmEmergencyDue: fee month 2024-01 under the 2024 epidemic is due
// 2024-03-31 (extended) with the late fee waived, both with their basis.
func TestConfirmEmergencyDue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, true)
		a := e.employer(t, 1, 1_000_000)
		e.staff(t, a, "2023-01", "", 800000, 800000)
		e.assess(t, "2024-01")
		b := e.billOf(t, a, "2024-01")
		if b.Status != Draft || b.PaymentRef != "" {
			t.Fatalf("draft: %+v", b)
		}
		_, err := e.s.Confirm(ctxBg, employerActor(a), b.ID, b.Version+1)
		wantKind(t, err, errs.Conflict)
		got, err := e.s.Confirm(ctxBg, employerActor(a), b.ID, b.Version)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != Confirmed || got.DueOn != "2024-03-31" || !strings.Contains(got.DueBasis, "人社厅明电〔2024〕7号") {
			t.Errorf("confirmed: status %s due %s basis %q", got.Status, got.DueOn, got.DueBasis)
		}
		if !got.LateFeeWaived || !strings.Contains(got.WaiverBasis, "免收滞纳金") || !ValidPaymentRef(got.PaymentRef) {
			t.Errorf("waiver %v %q ref %q", got.LateFeeWaived, got.WaiverBasis, got.PaymentRef)
		}
		if got.Version != b.Version+1 || got.ConfirmedAt.IsZero() {
			t.Errorf("version %d confirmed at %v", got.Version, got.ConfirmedAt)
		}
		byRef, err := ByPaymentRef(ctxBg, d.Read(), strings.ToLower(got.PaymentRef))
		if err != nil || byRef.ID != b.ID {
			t.Fatalf("ByPaymentRef: %v %v", byRef, err)
		}
		_, err = e.s.Confirm(ctxBg, employerActor(a), b.ID, got.Version)
		wantKind(t, err, errs.Conflict) // already confirmed
		var n int
		d.W.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'contribution.bill.confirm'`).Scan(&n)
		if n != 1 {
			t.Errorf("%d confirm audit entries", n)
		}
	})
}

// TestConfirmNormalDue: without an emergency, 2024-04 is due 2024-05-15
// and late fees are not waived.
func TestConfirmNormalDue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, false)
		a := e.employer(t, 2, 1_000_000)
		e.staff(t, a, "2024-03", "", 800000, 800000)
		e.assess(t, "2024-04")
		b := e.billOf(t, a, "2024-04")
		got, err := e.s.Confirm(ctxBg, employerActor(a), b.ID, b.Version)
		if err != nil {
			t.Fatal(err)
		}
		if got.DueOn != "2024-05-15" || got.LateFeeWaived || got.WaiverBasis != "" || !strings.Contains(got.DueBasis, "次月15日") {
			t.Errorf("due %s basis %q waived %v", got.DueOn, got.DueBasis, got.LateFeeWaived)
		}
	})
}

// TestCorrectionFlow: the employer asks for a correction, 统筹科 refuses,
// the employer asks again, 统筹科 reassesses from the current staff.
func TestCorrectionFlow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, true)
		a := e.employer(t, 1, 1_000_000)
		e.staff(t, a, "2023-01", "", 800000, 800000)
		left := e.staff(t, a, "2023-01", "", 900000, 900000)
		e.assess(t, "2024-01")
		b := e.billOf(t, a, "2024-01")
		emp := employerActor(a)
		_, err := e.s.RequestCorrection(ctxBg, emp, b.ID, b.Version, "  ")
		wantKind(t, err, errs.Invalid)
		c, err := e.s.RequestCorrection(ctxBg, emp, b.ID, b.Version, "职工已于2023年12月离职")
		if err != nil {
			t.Fatal(err)
		}
		if c.Status != CorrectionRequested || !strings.Contains(c.CorrectionNote, "离职") {
			t.Fatalf("after request: %s %q", c.Status, c.CorrectionNote)
		}
		queue, err := e.s.List(ctxBg, clerk, CorrectionRequested, "")
		if err != nil || len(queue) != 1 || queue[0].ID != b.ID {
			t.Fatalf("queue %v %v", queue, err)
		}
		_, err = e.s.Confirm(ctxBg, emp, b.ID, c.Version)
		wantKind(t, err, errs.Conflict) // not a draft now
		_, err = e.s.Reassess(ctxBg, emp, b.ID, c.Version)
		wantKind(t, err, errs.Forbidden)
		r, err := e.s.RejectCorrection(ctxBg, clerk, b.ID, c.Version, "经核实该职工1月仍在职")
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != Draft || !strings.Contains(r.CorrectionNote, "不予更正") {
			t.Fatalf("after reject: %s %q", r.Status, r.CorrectionNote)
		}
		c, err = e.s.RequestCorrection(ctxBg, emp, b.ID, r.Version, "请删除已离职职工")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.Exec(`UPDATE employments SET end_month = '2023-12' WHERE person_id = $1`, left); err != nil {
			t.Fatal(err)
		}
		_, err = e.s.Reassess(ctxBg, clerk, b.ID, c.Version-1)
		wantKind(t, err, errs.Conflict)
		x, err := e.s.Reassess(ctxBg, clerk, b.ID, c.Version)
		if err != nil {
			t.Fatal(err)
		}
		if x.Status != Draft || len(x.Lines) != 3 || x.Total >= b.Total || x.Total != sumE(x.Lines)+sumI(x.Lines) {
			t.Fatalf("after reassess: %s %d lines total %s (was %s)", x.Status, len(x.Lines), x.Total, b.Total)
		}
		if _, err := e.s.Confirm(ctxBg, emp, b.ID, x.Version); err != nil {
			t.Fatal(err)
		}
		var n int
		d.W.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'bill' AND entity_id = $1`, itoa(b.ID)).Scan(&n)
		if n != 5 {
			t.Errorf("%d audit entries for the bill, want 5", n)
		}
	})
}

// TestRerunIdempotent: a second run adds no bill, leaves a confirmed bill
// exactly as it was and recomputes drafts from the current staff.
func TestRerunIdempotent(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, true)
		a, b2 := e.employer(t, 1, 1_000_000), e.employer(t, 5, 800_000)
		e.employer(t, 3, 1_000_000) // no staff: no bill
		e.staff(t, a, "2023-01", "", 800000, 800000)
		e.staff(t, b2, "2023-01", "", 300000, 480000)
		r1 := e.assess(t, "2024-01")
		if r1.Created != 2 || r1.Lines != 6 {
			t.Fatalf("first run %+v", r1)
		}
		ba := e.billOf(t, a, "2024-01")
		conf, err := e.s.Confirm(ctxBg, employerActor(a), ba.ID, ba.Version)
		if err != nil {
			t.Fatal(err)
		}
		e.staff(t, a, "2024-01", "", 1000000, 1000000)  // confirmed bill must not change
		e.staff(t, b2, "2024-01", "", 1000000, 1000000) // the draft takes the new hire
		r2 := e.assess(t, "2024-01")
		if r2.Created != 0 || r2.Redone != 1 {
			t.Fatalf("second run %+v", r2)
		}
		var bills int
		d.W.QueryRow(`SELECT COUNT(*) FROM bills WHERE fee_month = '2024-01'`).Scan(&bills)
		if bills != 2 {
			t.Fatalf("%d bills", bills)
		}
		after := e.billOf(t, a, "2024-01")
		if after.Total != conf.Total || after.Version != conf.Version || len(after.Lines) != 3 || after.PaymentRef != conf.PaymentRef {
			t.Errorf("confirmed bill changed: %+v", after)
		}
		db2 := e.billOf(t, b2, "2024-01")
		if len(db2.Lines) != 6 || db2.Persons != 2 {
			t.Errorf("draft not recomputed: %d lines", len(db2.Lines))
		}
	})
}

// TestAuthorization: another employer, a person and staff outside 统筹科
// and 基金管理科 see nothing; only the employer itself confirms.
func TestAuthorization(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, true)
		a, other := e.employer(t, 1, 1_000_000), e.employer(t, 1, 1_000_000)
		e.staff(t, a, "2023-01", "", 800000, 800000)
		e.assess(t, "2024-01")
		b := e.billOf(t, a, "2024-01")
		for _, x := range []struct {
			name string
			err  error
		}{
			{"other employer get", get(e, employerActor(other), b.ID)},
			{"injury staff get", get(e, inj, b.ID)},
			{"other employer confirm", second(e.s.Confirm(ctxBg, employerActor(other), b.ID, b.Version))},
			{"other employer correction", second(e.s.RequestCorrection(ctxBg, employerActor(other), b.ID, b.Version, "x"))},
		} {
			if errs.KindOf(x.err) != errs.NotFound {
				t.Errorf("%s: %v, want NotFound", x.name, x.err)
			}
		}
		if _, err := e.s.Confirm(ctxBg, clerk, b.ID, b.Version); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("staff confirm: %v", err)
		}
		if _, err := e.s.AssessMonth(ctxBg, fund, "2024-01", nil); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("fund assess: %v", err)
		}
		if _, err := e.s.ListForEmployer(ctxBg, employerActor(other), a); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("other employer list: %v", err)
		}
		for _, who := range []struct {
			name string
			err  error
		}{{"employer", get(e, employerActor(a), b.ID)}, {"clerk", get(e, clerk, b.ID)}, {"fund", get(e, fund, b.ID)}} {
			if who.err != nil {
				t.Errorf("%s get: %v", who.name, who.err)
			}
		}
		if _, err := e.s.List(ctxBg, employerActor(a), "", ""); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("employer staff list: %v", err)
		}
	})
}

func get(e *env, a *access.Actor, id int64) error {
	_, err := e.s.Get(ctxBg, a, id)
	return err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func second(_ *Bill, err error) error { return err }

func TestPaymentRef(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ {
		r := NewPaymentRef()
		if !ValidPaymentRef(r) || len(r) != 14 || seen[r] {
			t.Fatalf("bad or repeated ref %q", r)
		}
		seen[r] = true
		// one mistyped character is caught
		b := []byte(r)
		pos := 2 + i%11
		b[pos] = refAlphabet[(strings.IndexByte(refAlphabet, b[pos])+1+i%30)%len(refAlphabet)]
		if ValidPaymentRef(string(b)) {
			t.Fatalf("typo %q of %q accepted", b, r)
		}
	}
	if ValidPaymentRef("SB123") || !ValidPaymentRef(" "+strings.ToLower(NewPaymentRef())) {
		t.Error("form check")
	}
}

// TestConfirmLateFlagged: December 2023 was due 2024-01-15; confirmed on
// 2024-02-10, inside the epidemic (from 2024-01-23), the declaration is
// late and accepted under the measure: flagged 疫情逾期受理 with the basis.
// Without an emergency it is not flagged; January, not yet due, neither.
func TestConfirmLateFlagged(t *testing.T) {
	for _, epidemic := range []bool{true, false} {
		t.Run("epidemic="+strconv.FormatBool(epidemic), func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				e := newEnv(t, d, epidemic)
				a := e.employer(t, 1, 1_000_000)
				e.staff(t, a, "2023-01", "", 800000, 800000)
				e.assess(t, "2023-12")
				e.assess(t, "2024-01")
				dec, jan := e.billOf(t, a, "2023-12"), e.billOf(t, a, "2024-01")
				got, err := e.s.Confirm(ctxBg, employerActor(a), dec.ID, dec.Version)
				if err != nil {
					t.Fatal(err)
				}
				if epidemic != (got.Flags == FlagLateAccepted) || epidemic != strings.Contains(got.FlagBasis, "人社厅明电〔2024〕7号") ||
					epidemic != (got.FlagNames() == "疫情逾期受理") {
					t.Errorf("flags %q basis %q", got.Flags, got.FlagBasis)
				}
				if epidemic && !strings.Contains(got.FlagBasis, "申报日 2024-02-10，原缴费期限 2024-01-15") {
					t.Errorf("basis %q", got.FlagBasis)
				}
				if got, err := e.s.Confirm(ctxBg, employerActor(a), jan.ID, jan.Version); err != nil || got.Flags != "" {
					t.Errorf("January, not yet due: %+v %v", got, err)
				}
			})
		})
	}
}

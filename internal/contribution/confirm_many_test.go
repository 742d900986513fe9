package contribution

import (
	"testing"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

// TestConfirmManyMatchesConfirm: a bill confirmed in bulk gets what the
// employer's own confirmation gives (due date, waiver, late flag, a valid
// payment reference of its own), other months' drafts and bills already
// confirmed are left alone, and only the system may call it.
func TestConfirmManyMatchesConfirm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, true)
		var emps []int64
		for range 3 {
			a := e.employer(t, 1, 1_000_000)
			e.staff(t, a, "2023-01", "", 800000, 800000)
			emps = append(emps, a)
		}
		e.assess(t, "2023-12")
		e.assess(t, "2024-01")
		one, err := e.s.Confirm(ctxBg, employerActor(emps[0]), e.billOf(t, emps[0], "2023-12").ID,
			e.billOf(t, emps[0], "2023-12").Version)
		if err != nil {
			t.Fatal(err)
		}
		ids := []int64{one.ID, e.billOf(t, emps[1], "2023-12").ID, e.billOf(t, emps[2], "2023-12").ID,
			e.billOf(t, emps[1], "2024-01").ID}
		if _, err := e.s.ConfirmMany(ctxBg, clerk, "2023-12", ids); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("clerk: %v", err)
		}
		n, err := e.s.ConfirmMany(ctxBg, access.System, "2023-12", ids)
		if err != nil || n != 2 {
			t.Fatalf("confirmed %d: %v", n, err)
		}
		refs := map[string]bool{one.PaymentRef: true}
		for _, a := range emps[1:] {
			b := e.billOf(t, a, "2023-12")
			if b.Status != Confirmed || b.DueOn != one.DueOn || b.DueBasis != one.DueBasis ||
				b.LateFeeWaived != one.LateFeeWaived || b.WaiverBasis != one.WaiverBasis || b.Flags != one.Flags ||
				b.FlagBasis != one.FlagBasis || b.Version != one.Version || b.ConfirmedAt.IsZero() {
				t.Errorf("bulk %+v\nown  %+v", b, one)
			}
			if !ValidPaymentRef(b.PaymentRef) || refs[b.PaymentRef] {
				t.Errorf("payment reference %q", b.PaymentRef)
			}
			refs[b.PaymentRef] = true
		}
		if one.Flags != FlagLateAccepted {
			t.Errorf("the late-accepted flag is expected here: %q", one.Flags)
		}
		if b := e.billOf(t, emps[0], "2023-12"); b.Version != one.Version || b.PaymentRef != one.PaymentRef {
			t.Errorf("an already confirmed bill changed: %+v", b)
		}
		if b := e.billOf(t, emps[1], "2024-01"); b.Status != Draft {
			t.Errorf("another month's draft was confirmed: %s", b.Status)
		}
		var audits int
		d.W.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'contribution.bill.confirm'`).Scan(&audits)
		if audits != 2 {
			t.Errorf("%d confirm audit entries, want the employer's and one for the batch", audits)
		}
	})
}

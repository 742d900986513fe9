package death

import (
	"time"

	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// TestRecoveryNoticeSteps: an overpayment not recovered gets a notice at
// once, a reminder 30 days later and a final reminder 30 days after that;
// running the job again the same day (or on a second server) sends nothing
// more; a settled overpayment gets none.
func TestRecoveryNoticeSteps(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ret, retID := e.person(t, "孙大", "retiree", "1994-12", "2024-11")
		e.pension(t, ret, 400_000, 60_000, "2025-01")
		dd, err := e.s.Report(ctxBg, e.c1, ReportInput{IDNumber: retID, Date: "2026-03-10", CertificateNo: "HZ200"})
		if err != nil {
			t.Fatal(err)
		}
		if dd.Outstanding() == 0 {
			t.Fatalf("no overpayment: %+v", dd)
		}
		run := func(want int) {
			t.Helper()
			n, err := e.s.SendRecoveryNotices(ctxBg)
			if err != nil || n != want {
				t.Fatalf("on %s sent %d (%v), want %d", e.clk.Now().Format("2006-01-02"), n, err, want)
			}
		}
		run(1)
		run(0)
		e.clk.Advance(29 * 24 * time.Hour)
		run(0)
		e.clk.Advance(24 * time.Hour)
		run(1)
		e.clk.Advance(30 * 24 * time.Hour)
		run(1)
		e.clk.Advance(60 * 24 * time.Hour)
		run(0)
		det, err := e.s.DeathDetail(ctxBg, e.c1, dd.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(det.Notices) != 3 || det.Death.Notices != 3 || det.Notices[2].StepName() != "最后催告" {
			t.Fatalf("notices %+v", det.Notices)
		}
		var msgs int
		_ = d.W.QueryRowContext(ctxBg, `SELECT COUNT(*) FROM outbox WHERE kind = 'death.recovery'`).Scan(&msgs)
		if msgs != 3 {
			t.Fatalf("messages %d", msgs)
		}
		// Repaid in full: nothing more.
		if _, err := e.s.Repay(ctxBg, e.c1, dd.ID, dd.Outstanding()); err != nil {
			t.Fatal(err)
		}
		other, oID := e.person(t, "孙二", "retiree", "1994-12", "2024-11")
		e.pension(t, other, 400_000, 60_000, "2025-01")
		od, err := e.s.Report(ctxBg, e.c1, ReportInput{IDNumber: oID, Date: "2026-03-10", CertificateNo: "HZ201"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.Repay(ctxBg, e.c1, od.ID, od.Outstanding()); err != nil {
			t.Fatal(err)
		}
		run(0)
	})
}

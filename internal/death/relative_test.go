package death

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

var scanPNG = append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{7}, 200)...)

func reportOf(idn, date string, scan io.Reader) RelativeInput {
	return RelativeInput{Relationship: "子女", IDNumber: idn, Date: date, CertificateNo: "SZ2026-001", Phone: "13912345678",
		ScanName: "证明.png", Scan: scan}
}

// TestRelativeReportReview: a relative's online report with the
// certificate's scan waits for 保险福利科 (nothing recorded); bad input is
// refused field by field (a scan that is not an image or PDF by its bytes
// among them); a second report of the same person is refused while one is
// under review; a rejection needs a reason and is sent to the relative,
// who may then report again; accepting records the death through the
// death service (pension stopped, two months overpaid, the relative listed
// as an heir), is audited and cannot be done twice. Only the reporter and
// the section see a report; a relative can no longer record a death
// directly.
func TestRelativeReportReview(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		ret, retID := e.person(t, "王大", "retiree", "1994-12", "2024-11")
		e.pension(t, ret, 400_000, 60_000, "2025-01")
		son, sonID := e.person(t, "王小", "employee", "2010-01", "2026-05")
		rel := &access.Actor{UserID: 900, Username: sonID, Role: access.RolePerson, PersonID: son}
		other := &access.Actor{UserID: 901, Username: "x", Role: access.RolePerson, PersonID: son}

		bad := []struct {
			field string
			in    RelativeInput
		}{
			{"scan", reportOf(retID, "2026-03-10", nil)},
			{"scan", reportOf(retID, "2026-03-10", strings.NewReader("这不是扫描件，只是文字"))},
			{"date", reportOf(retID, "2026-07-01", bytes.NewReader(scanPNG))},
			{"id_number", reportOf(sonID, "2026-03-10", bytes.NewReader(scanPNG))},
			{"id_number", reportOf("110105195001010000", "2026-03-10", bytes.NewReader(scanPNG))},
		}
		for _, b := range bad {
			if _, err := e.s.SubmitReport(ctxBg, rel, b.in); !hasField(err, b.field) {
				t.Errorf("%s: %v", b.field, err)
			}
		}
		in := reportOf(retID, "2026-03-10", bytes.NewReader(scanPNG))
		in.Relationship, in.Phone = "朋友", "12345"
		if _, err := e.s.SubmitReport(ctxBg, rel, in); !hasField(err, "relationship") || !hasField(err, "phone") {
			t.Errorf("relationship and phone: %v", err)
		}
		if _, err := e.s.Report(ctxBg, rel, ReportInput{IDNumber: retID, Date: "2026-03-10", CertificateNo: "X"}); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("a relative recorded a death directly: %v", err)
		}

		r, err := e.s.SubmitReport(ctxBg, rel, reportOf(retID, "2026-03-10", bytes.NewReader(scanPNG)))
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != ReportSubmitted || r.ScanDocID == 0 || !strings.HasPrefix(r.No, "SB20260615-") {
			t.Fatalf("report %+v", r)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM deaths`); n != 0 {
			t.Fatalf("a report under review recorded %d deaths", n)
		}
		if _, err := e.s.SubmitReport(ctxBg, rel, reportOf(retID, "2026-03-10", bytes.NewReader(scanPNG))); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("second report under review: %v", err)
		}
		if _, err := e.s.RelativeReport(ctxBg, other, r.No); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("another account sees the report: %v", err)
		}
		if _, err := e.s.PendingReports(ctxBg, rel); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("a relative reads the queue: %v", err)
		}
		q, err := e.s.PendingReports(ctxBg, e.c1)
		if err != nil || len(q) != 1 || q[0].No != r.No {
			t.Fatalf("queue %v %v", q, err)
		}

		// Rejected with a reason, sent to the relative.
		if err := e.s.RejectReport(ctxBg, e.c1, r.No, r.Version, " "); !hasField(err, "reason") {
			t.Fatalf("reject without reason: %v", err)
		}
		if err := e.s.RejectReport(ctxBg, e.c1, r.No, r.Version, "扫描件不清晰，看不清证明编号"); err != nil {
			t.Fatal(err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM user_messages WHERE user_id = 900 AND body LIKE '%扫描件不清晰%'`); n != 1 {
			t.Fatalf("the relative got %d rejection messages", n)
		}
		if err := e.s.RejectReport(ctxBg, e.c1, r.No, r.Version, "再次"); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("decided twice: %v", err)
		}

		// Filed again and accepted: the death recorded through the service.
		r2, err := e.s.SubmitReport(ctxBg, rel, reportOf(retID, "2026-03-10", bytes.NewReader(scanPNG)))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.AcceptReport(ctxBg, rel, r2.No, r2.Version); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("a relative accepted: %v", err)
		}
		if _, err := e.s.AcceptReport(ctxBg, e.c1, r2.No, r2.Version+1); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("stale version: %v", err)
		}
		dd, err := e.s.AcceptReport(ctxBg, e.c1, r2.No, r2.Version)
		if err != nil {
			t.Fatal(err)
		}
		if dd.Source != SourceRelative || dd.Overpaid != 800_000 || dd.OverpaidMonths != 2 || dd.Recovery != "open" {
			t.Fatalf("death %+v", dd)
		}
		det, err := e.s.DeathDetail(ctxBg, e.c1, dd.ID)
		if err != nil || len(det.Heirs) != 1 || det.Heirs[0].IDNumber != sonID || det.Heirs[0].Relationship != "子女" {
			t.Fatalf("heirs %+v %v", det, err)
		}
		if _, err := e.s.AcceptReport(ctxBg, e.c1, r2.No, r2.Version+1); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("accepted twice: %v", err)
		}
		mine, err := e.s.MyReports(ctxBg, rel)
		if err != nil || len(mine) != 2 || mine[0].Status != ReportRejected || mine[1].Status != ReportAccepted || mine[0].Reason == "" {
			t.Fatalf("my reports %v %v", mine, err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action IN ('death.report.submit', 'death.report.reject', 'death.report.accept')`); n != 4 {
			t.Fatalf("%d audit entries", n)
		}
		if _, err := e.s.SubmitReport(ctxBg, rel, reportOf(retID, "2026-03-10", bytes.NewReader(scanPNG))); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("report of a recorded death: %v", err)
		}
	})
}

func count(t *testing.T, d *db.DB, q string) int {
	t.Helper()
	var n int
	if err := d.W.QueryRowContext(ctxBg, q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

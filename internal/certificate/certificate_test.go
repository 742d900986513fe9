package certificate_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"shebao/internal/certificate"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/pdfdoc"
)

func TestCodesAreLongRandomAndGrouped(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 20000; i++ {
		c := certificate.NewCode()
		if len(c) != 20 || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") != "" {
			t.Fatalf("code %q is not 20 base32 characters", c)
		}
		if seen[c] {
			t.Fatalf("duplicate code %q", c)
		}
		seen[c] = true
	}
	code := "ABCDEFGHIJKLMNOPQRST"
	g := certificate.GroupCode(code)
	if g != "ABCD-EFGH-IJKL-MNOP-QRST" {
		t.Fatalf("grouped = %q", g)
	}
	for _, in := range []string{g, strings.ToLower(g), " abcd efgh ijkl mnop qrst ", "ABCDEFGH1JKLMN0PQRST"} {
		if got := certificate.NormalizeCode(in); got != code {
			t.Errorf("NormalizeCode(%q) = %q", in, got)
		}
	}
	for _, in := range []string{"", "ABCD", code + "A", "ABCDEFGHIJKLMNOPQRS!", "' OR 1=1 --"} {
		if got := certificate.NormalizeCode(in); got != "" {
			t.Errorf("NormalizeCode(%q) = %q, want rejected", in, got)
		}
	}
}

func TestPersonCertificateFromPaidBills(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, certificate.Options{Issuer: "示例区社会保险事业管理中心"})
		f.addBill(t, "2024-01", "paid", "", f.personA, f.personB)
		f.addBill(t, "2024-02", "confirmed", "", f.personA) // not paid: not certified
		f.addBill(t, "2024-03", "paid", "emergency_makeup", f.personA)
		c, err := f.svc.IssueForPerson(ctx, personActor(f.personA), f.personA, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Content.Rows) != 2 || c.Content.Rows[0][0] != "2024-01" || c.Content.Rows[1][0] != "2024-03" {
			t.Fatalf("rows = %v", c.Content.Rows)
		}
		if c.Content.Rows[1][5] != "疫情补缴" || c.Content.Rows[0][2] != "养老、失业、工伤" {
			t.Fatalf("row = %v", c.Content.Rows[1])
		}
		if c.Content.Total[4] != "2,423.04" || c.PeriodFrom != "2024-01" || c.PeriodTo != "2024-06" {
			t.Fatalf("total %v period %s", c.Content.Total, c.Period())
		}
		if c.Content.Note != "" {
			t.Fatalf("note %q on a certificate with paid months", c.Content.Note)
		}
		// Person B may neither issue for A nor read A's certificate.
		if _, err := f.svc.IssueForPerson(ctx, personActor(f.personB), f.personA, "", ""); !(errs.KindOf(err) == errs.Forbidden) {
			t.Fatalf("B issues for A: %v", err)
		}
		if _, err := f.svc.Get(ctx, personActor(f.personB), c.ID); !(errs.KindOf(err) == errs.NotFound) {
			t.Fatalf("B reads A's certificate: %v", err)
		}
		if got, err := f.svc.Get(ctx, personActor(f.personA), c.ID); err != nil || got.Code != c.Code {
			t.Fatalf("A reads own: %v", err)
		}
		if _, err := f.svc.IssueForPerson(ctx, personActor(f.personA), f.personA, "2024-05", "2024-01"); !(errs.KindOf(err) == errs.Invalid) {
			t.Fatalf("reversed period: %v", err)
		}
		if _, err := f.svc.IssueForPerson(ctx, personActor(f.personA), f.personA, "", "2030-01"); !(errs.KindOf(err) == errs.Invalid) {
			t.Fatalf("future period: %v", err)
		}
	})
}

func TestWithoutPaidBillsListsEmployments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d, certificate.Options{Issuer: "示例中心"})
		f.addEmployment(t, f.personB, "2023-07")
		c, err := f.svc.IssueForPerson(context.Background(), coordinator, f.personB, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if c.Content.Note != certificate.NoRecordsNote || len(c.Content.Rows) != 1 ||
			c.Content.Rows[0][1] != "2023-07" || c.Content.Rows[0][2] != "至今" {
			t.Fatalf("content = %+v", c.Content)
		}
	})
}

func TestEmployerCertificate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, certificate.Options{Issuer: "示例中心"})
		f.addBill(t, "2024-01", "paid", "", f.personA)
		f.addBill(t, "2024-02", "confirmed", "late_accepted", f.personA)
		c, err := f.svc.IssueForEmployer(ctx, employerActor(f.employer), f.employer, "2024-01", "2024-03")
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Content.Rows) != 2 || c.Content.Rows[1][4] != "1,190.00" || c.Content.Rows[1][5] != "疫情逾期受理" {
			t.Fatalf("rows = %v", c.Content.Rows)
		}
		if c.Content.Total[4] != "1,190.00" {
			t.Fatalf("total = %v", c.Content.Total)
		}
		// The public check repeats the printed totals, never the lines.
		if m := c.Masked(); m.Months != 2 || !strings.HasPrefix(m.Totals, "应缴金额合计 ") ||
			!strings.Contains(m.Totals, "已缴金额合计 ") || !strings.Contains(m.Totals, "欠缴金额合计 1,190.00 元") ||
			m.Name != "北********司" {
			t.Fatalf("employer check = %+v", m)
		}
		if _, err := f.svc.IssueForEmployer(ctx, employerActor(f.employer+1), f.employer, "", ""); !(errs.KindOf(err) == errs.Forbidden) {
			t.Fatalf("other employer: %v", err)
		}
		if list, err := f.svc.ListForEmployer(ctx, employerActor(f.employer), f.employer); err != nil || len(list) != 1 {
			t.Fatalf("list = %d, %v", len(list), err)
		}
	})
}

func TestCheckShowsMaskedDataRevocationAndRateLimit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, certificate.Options{Issuer: "示例中心"})
		f.addBill(t, "2024-01", "paid", "", f.personA)
		c, err := f.svc.IssueForPerson(ctx, personActor(f.personA), f.personA, "", "")
		if err != nil {
			t.Fatal(err)
		}
		ch, err := f.svc.Check(ctx, "10.0.0.1", strings.ToLower(c.Grouped()))
		if err != nil {
			t.Fatal(err)
		}
		if ch.Name != "张*丰" || ch.Number != c.SubjectNumber[:4]+"**********"+c.SubjectNumber[14:] || !ch.Valid ||
			ch.Period != "2024-01 至 2024-06" || ch.Issuer != "示例中心" || ch.Months != 1 ||
			ch.Totals != "缴费金额合计 "+c.Content.Total[4]+" 元" || ch.IssuedOn != "2024-06-10" {
			t.Fatalf("check = %+v", ch)
		}
		if _, err := f.svc.Check(ctx, "10.0.0.1", "ABCD-EFGH-IJKL-MNOP-QRST"); !(errs.KindOf(err) == errs.NotFound) {
			t.Fatalf("unknown code: %v", err)
		}
		// Revocation: only 统筹科, with a reason, current version.
		if _, err := f.svc.Revoke(ctx, auditor, c.ID, c.Version, "错误"); !(errs.KindOf(err) == errs.Forbidden) {
			t.Fatalf("auditor revokes: %v", err)
		}
		if _, err := f.svc.Revoke(ctx, coordinator, c.ID, c.Version, "  "); !(errs.KindOf(err) == errs.Invalid) {
			t.Fatalf("no reason: %v", err)
		}
		if _, err := f.svc.Revoke(ctx, coordinator, c.ID, c.Version+1, "缴费记录更正"); !(errs.KindOf(err) == errs.Conflict) {
			t.Fatalf("stale version: %v", err)
		}
		r, err := f.svc.Revoke(ctx, coordinator, c.ID, c.Version, "缴费记录更正")
		if err != nil || r.Status != certificate.StatusRevoked || r.RevokeReason != "缴费记录更正" {
			t.Fatalf("revoke: %+v %v", r, err)
		}
		var audits int
		if err := d.W.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit_log WHERE action = 'certificate.revoke'`).Scan(&audits); err != nil || audits != 1 {
			t.Fatalf("audit entries %d, %v", audits, err)
		}
		if ch, err = f.svc.Check(ctx, "10.0.0.1", c.Code); err != nil || ch.Valid || ch.RevokedOn == "" {
			t.Fatalf("after revoke: %+v %v", ch, err)
		}
		// Malformed codes are refused without counting.
		if _, err := f.svc.Check(ctx, "10.0.0.1", "not-a-code"); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("malformed code: %v", err)
		}
		// 3 checks so far from 10.0.0.1; the limit is 30 per window.
		for i := 3; i < certificate.CheckLimit; i++ {
			if _, err := f.svc.Check(ctx, "10.0.0.1", c.Code); err != nil {
				t.Fatalf("check %d: %v", i+1, err)
			}
		}
		if _, err := f.svc.Check(ctx, "10.0.0.1", c.Code); !(errs.KindOf(err) == errs.TooMany) {
			t.Fatalf("check 31: %v", err)
		}
		if _, err := f.svc.Check(ctx, "10.0.0.2", c.Code); err != nil {
			t.Fatalf("another address is limited too: %v", err)
		}
		f.clock.Advance(certificate.CheckWindow)
		if _, err := f.svc.Check(ctx, "10.0.0.1", c.Code); err != nil {
			t.Fatalf("next window: %v", err)
		}
		var rowsLeft int
		if err := d.W.QueryRowContext(ctx, `SELECT COUNT(*) FROM certificate_checks`).Scan(&rowsLeft); err != nil || rowsLeft != 2 {
			t.Fatalf("counter rows %d (want one per client), %v", rowsLeft, err)
		}
	})
}

func TestPDFAndMissingFont(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, certificate.Options{Issuer: "示例中心", Seal: true, BaseURL: "https://shebao.example"})
		f.addBill(t, "2024-01", "paid", "", f.personA)
		c, err := f.svc.IssueForPerson(ctx, personActor(f.personA), f.personA, "", "")
		if err != nil {
			t.Fatal(err)
		}
		if !c.Sealed || len(c.SealHash()) != 32 {
			t.Fatalf("sealed %v hash %q", c.Sealed, c.SealHash())
		}
		if pdfdoc.Available() == nil {
			b, err := f.svc.PDF(c, f.svc.CheckURL("", c.Code))
			if err != nil || !bytes.HasPrefix(b, []byte("%PDF")) {
				t.Fatalf("pdf: %v", err)
			}
		}
		pdfdoc.UseFont(t.TempDir() + "/missing.ttc")
		t.Cleanup(func() { pdfdoc.UseFont("") })
		if _, err := f.svc.PDF(c, f.svc.CheckURL("", c.Code)); !errors.Is(err, pdfdoc.ErrNoFont) {
			t.Fatalf("missing font: %v", err)
		}
	})
}

func TestHistoryGroupsBillsAndSkipsDrafts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, certificate.Options{Issuer: "示例中心"})
		f.addBill(t, "2024-01", "paid", "", f.personA, f.personB)
		f.addBill(t, "2024-02", "draft", "", f.personA)
		f.addBill(t, "2024-03", "confirmed", "emergency_makeup", f.personA)
		// A flexible bill in the same month as an employer bill stays a separate entry.
		var flex int64
		if err := d.W.QueryRowContext(ctx, `INSERT INTO bills (bill_no, payer_kind, person_id, fee_month, status, assessed_at)
			VALUES ('F202401-x', 'flexible', $1, '2024-01', 'paid', $2) RETURNING id`, f.personA, f.clock.Now()).Scan(&flex); err != nil {
			t.Fatal(err)
		}
		if _, err := d.W.ExecContext(ctx, `INSERT INTO bill_lines (bill_id, person_id, fee_month, scheme, base_fen,
			declared_base_fen, employer_rate_ppm, individual_rate_ppm, employer_fen, individual_fen)
			VALUES ($1, $2, '2024-01', 'pension', 480000, 480000, 120000, 80000, 57600, 38400)`, flex, f.personA); err != nil {
			t.Fatal(err)
		}
		h, err := f.svc.History(ctx, personActor(f.personA), f.personA)
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Months) != 3 {
			t.Fatalf("months = %+v", h.Months)
		}
		var flexEntry, empEntry *certificate.HistoryMonth
		for i := range h.Months[:2] {
			if h.Months[i].Payer == "灵活就业" {
				flexEntry = &h.Months[i]
			} else {
				empEntry = &h.Months[i]
			}
		}
		if flexEntry == nil || empEntry == nil || flexEntry.Schemes[0].Individual != 38400 || flexEntry.Schemes[1] != nil ||
			empEntry.Schemes[2] == nil || empEntry.Schemes[2].Employer != 1152 {
			t.Fatalf("january entries: %+v %+v", flexEntry, empEntry)
		}
		if h.Months[2].Month != "2024-03" || h.Months[2].Flags != "疫情补缴" || h.Months[2].Status != "已确认待缴" {
			t.Fatalf("march = %+v", h.Months[2])
		}
		if want := 2*121152 + 96000; int64(h.Total) != int64(want) {
			t.Fatalf("total = %d, want %d", h.Total, want)
		}
		if _, err := f.svc.History(ctx, personActor(f.personB), f.personA); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("B reads A: %v", err)
		}
		if _, err := f.svc.History(ctx, auditor, f.personA); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("auditor reads history: %v", err)
		}
		if _, err := f.svc.History(ctx, coordinator, f.personA); err != nil {
			t.Fatalf("统筹科 reads history: %v", err)
		}
	})
}

package retirement

import (
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

// TestSelfEmployedByEmail: an e-mail draft with the scans and two phone
// numbers; missing items are asked for by SMS and nothing recorded; the
// complete application becomes 个体参保科's case, approval pools from the
// month after approval and the pension starts then.
func TestSelfEmployedByEmail(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		pid, idn := e.person(t, "1966-03-10", "M", 0, "1995-01", "2026-05", 500_000)
		front, back, letter := e.doc(t, "front.pdf"), e.doc(t, "back.pdf"), e.doc(t, "letter.pdf")
		draft, err := e.cases.OpenDraft(ctxBg, casework.DraftInput{Section: "selfemployed", FromEmail: "zhang@example.com",
			Subject: "退休申报", Body: "手机 13800138001，13900139002", DocumentIDs: []int64{front, back, letter}})
		if err != nil {
			t.Fatal(err)
		}
		phones := MobilesIn("手机 13800138001，13900139002")
		if len(phones) != 2 {
			t.Fatalf("phones %v", phones)
		}
		// The same number twice and no letter: refused, SMS sent.
		_, err = e.s.SubmitSelfEmployed(ctxBg, e.geti, SelfInput{IDNumber: idn, Phone1: phones[0], Phone2: phones[0], IDFront: front,
			IDBack: back, Channel: "email", DraftNo: draft, DraftVer: 1, ReplyEmail: "zhang@example.com"})
		if !hasField(err, "phone2") || !hasField(err, "letter") {
			t.Fatalf("incomplete: %v", err)
		}
		var sms int
		_ = d.W.QueryRowContext(ctxBg, `SELECT COUNT(*) FROM outbox WHERE recipient = $1`, phones[0]).Scan(&sms)
		if sms == 0 {
			t.Fatal("no SMS asking for the missing items")
		}
		// An employee may not apply here.
		_, emp := e.person(t, "1966-03-11", "M", e.emp, "1995-01", "2026-05", 500_000)
		if _, err := e.s.SubmitSelfEmployed(ctxBg, e.geti, SelfInput{IDNumber: emp, Phone1: phones[0], Phone2: phones[1], IDFront: front,
			IDBack: back, Letter: letter, Channel: "phone"}); !hasField(err, "id_number") {
			t.Fatalf("employee: %v", err)
		}
		q, err := e.s.SubmitSelfEmployed(ctxBg, e.geti, SelfInput{IDNumber: idn, Phone1: phones[0], Phone2: phones[1], IDFront: front,
			IDBack: back, Letter: letter, Channel: "email", DraftNo: draft, DraftVer: 1, ReplyEmail: "zhang@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		if q.CaseNo != draft || q.PersonID != pid {
			t.Fatalf("case %s draft %s", q.CaseNo, draft)
		}
		// Welfare's approver does not decide self-employed applications; 个体参保科 does.
		if _, err := e.s.Decide(ctxBg, e.approver, Decision{No: q.No, Version: 1, Approve: true}); err == nil || errs.KindOf(err) == errs.Internal {
			t.Fatal("approver decided a self-employed application")
		}
		e.clk.Set(time.Date(2026, 8, 10, 9, 0, 0, 0, testNow.Location()))
		q, err = e.s.Decide(ctxBg, e.geti, Decision{No: q.No, Version: 1, Approve: true})
		if err != nil {
			t.Fatal(err)
		}
		if q.PooledFrom != "2026-09" {
			t.Fatalf("pooled from %s", q.PooledFrom)
		}
		det, err := e.s.Compute(ctxBg, e.geti, ComputeInput{CaseNo: q.CaseNo, Balance: "80,000.00"})
		if err != nil {
			t.Fatal(err)
		}
		if det.FirstMonth.String() != "2026-09" || det.Balance != 8_000_000 {
			t.Fatalf("first %s balance %d", det.FirstMonth, det.Balance)
		}
	})
}

// TestSelfEmployedOnline: a flexible worker applies on the portal with
// the scans he uploaded himself: missing scans are asked for by SMS and
// nothing recorded, scans uploaded by someone else, another person's ID
// number and two equal phones are refused; the complete application opens
// 个体参保科's case (channel web), a second one is refused, and approval
// pools from the month after approval, from which the pension starts.
func TestSelfEmployedOnline(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		pid, idn := e.person(t, "1966-03-10", "M", 0, "1995-01", "2026-05", 500_000)
		_, otherIDN := e.person(t, "1966-03-12", "M", 0, "1995-01", "2026-05", 500_000)
		me := &access.Actor{UserID: 7001, Username: idn, Role: access.RolePerson, PersonID: pid}
		own := func(name string) int64 {
			doc, err := e.docs.Put(ctxBg, me, name, strings.NewReader("%PDF-1.4\n% "+name+"\n%%EOF\n"))
			if err != nil {
				t.Fatal(err)
			}
			return doc.ID
		}
		front, back, letter := own("front.pdf"), own("back.pdf"), own("letter.pdf")
		foreign := e.doc(t, "someone-else.pdf")
		in := SelfInput{IDNumber: idn, Phone1: "13800138001", Phone2: "13900139002", IDFront: front, IDBack: back}
		if _, err := e.s.SubmitSelfEmployed(ctxBg, me, in); !hasField(err, "letter") {
			t.Fatalf("no letter: %v", err)
		}
		var sms int
		_ = d.W.QueryRowContext(ctxBg, `SELECT COUNT(*) FROM outbox WHERE recipient IN ('13800138001', '13900139002')`).Scan(&sms)
		if sms != 2 {
			t.Fatalf("%d SMS asking for the letter", sms)
		}
		in.Letter = foreign
		if _, err := e.s.SubmitSelfEmployed(ctxBg, me, in); !hasField(err, "letter") {
			t.Fatalf("someone else's scan: %v", err)
		}
		in.Letter = letter
		bad := in
		bad.IDNumber, bad.Phone2 = otherIDN, in.Phone1
		if _, err := e.s.SubmitSelfEmployed(ctxBg, me, bad); !hasField(err, "id_number") || !hasField(err, "phone2") {
			t.Fatalf("another person, equal phones: %v", err)
		}
		var n int
		_ = d.W.QueryRowContext(ctxBg, `SELECT COUNT(*) FROM retirement_qualifications`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d applications recorded from bad input", n)
		}
		q, err := e.s.SubmitSelfEmployed(ctxBg, me, in)
		if err != nil {
			t.Fatal(err)
		}
		if q.Channel != "web" || q.CaseNo == "" || q.Status != QualSubmitted || q.Kind != KindSelfEmployed {
			t.Fatalf("application %+v", q)
		}
		if _, err := e.s.SubmitSelfEmployed(ctxBg, me, in); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("second application: %v", err)
		}
		queue, err := e.s.Qualifications(ctxBg, e.geti, QualSubmitted)
		if err != nil || len(queue) != 1 || queue[0].No != q.No {
			t.Fatalf("个体参保科 queue %v %v", queue, err)
		}
		e.clk.Set(time.Date(2026, 8, 10, 9, 0, 0, 0, testNow.Location()))
		if q, err = e.s.Decide(ctxBg, e.geti, Decision{No: q.No, Version: q.Version, Approve: true}); err != nil {
			t.Fatal(err)
		}
		if q.PooledFrom != "2026-09" {
			t.Fatalf("pooled from %s", q.PooledFrom)
		}
		det, err := e.s.Compute(ctxBg, e.geti, ComputeInput{CaseNo: q.CaseNo, Balance: "80,000.00"})
		if err != nil || det.FirstMonth.String() != "2026-09" {
			t.Fatalf("determination %v %v", det, err)
		}
		own2, err := e.s.MyRetirement(ctxBg, me)
		if err != nil || len(own2.Quals) != 1 || own2.Quals[0].PooledFrom != "2026-09" {
			t.Fatalf("own page %+v %v", own2, err)
		}
	})
}

package complaint

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/document"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/policy"
)

// Monday 15 June 2026, 09:00 in Shanghai.
var testNow = time.Date(2026, 6, 15, 9, 0, 0, 0, clock.Shanghai)

var ctxBg = context.Background()

type fakeBills struct{ bills []contribution.Bill }

func (f fakeBills) ListForEmployer(context.Context, *access.Actor, int64) ([]contribution.Bill, error) {
	return f.bills, nil
}

type env struct {
	d          *db.DB
	s          *Service
	clk        *clock.Fixed
	audit      *access.Actor
	injury     *access.Actor
	employer   *access.Actor
	person     *access.Actor
	employerID int64
	seq        int
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	c := clock.NewFixed(testNow)
	au := audit.NewService(d, c)
	pol := policy.NewService(d, c, au)
	pol.SetCacheTTL(0)
	if err := pol.SeedDefaults(ctxBg); err != nil {
		t.Fatal(err)
	}
	e := &env{d: d, clk: c}
	e.employerID = e.insertEmployer(t)
	bills := fakeBills{bills: []contribution.Bill{
		{BillNo: "B-2026-05", FeeMonth: "2026-05", Status: contribution.Confirmed, StatusName: "已确认待缴费", Total: 1_234_56, PaidFen: 0},
		{BillNo: "B-2026-04", FeeMonth: "2026-04", Status: contribution.PartiallyPaid, StatusName: "部分缴费", Total: 1000_00, PaidFen: 400_00},
		{BillNo: "B-2026-03", FeeMonth: "2026-03", Status: contribution.Paid, Total: 1000_00, PaidFen: 1000_00}}}
	e.s = NewService(d, c, au, pol, document.NewStore(d, c, t.TempDir()), account.NewService(d, c, au), bills, nil, nil)
	e.audit = e.user(t, "shenji1", access.Role(access.RoleStaff), access.Audit)
	e.injury = e.user(t, "gongshang1", access.RoleStaff, access.Injury)
	e.employer = e.user(t, "E0000001", access.RoleEmployer, "")
	e.employer.EmployerID = e.employerID
	e.person = e.user(t, "110105199001011234", access.RolePerson, "")
	return e
}

func (e *env) user(t *testing.T, name string, role access.Role, sec access.Section) *access.Actor {
	t.Helper()
	var id int64
	if err := e.d.W.QueryRowContext(ctxBg, `INSERT INTO users (username, password_hash, role, display_name, created_at)
		VALUES ($1, 'x', $2, $1, $3) RETURNING id`, name, string(role), testNow).Scan(&id); err != nil {
		t.Fatal(err)
	}
	a := &access.Actor{UserID: id, Username: name, Role: role}
	if sec != "" {
		a.Sections = []access.Section{sec}
	}
	return a
}

func (e *env) insertEmployer(t *testing.T) int64 {
	t.Helper()
	var id int64
	err := e.d.W.QueryRowContext(ctxBg, `INSERT INTO employers (employer_no, uscc, name, legal_rep, address, industry,
		risk_class, injury_float_ppm, established_on, registered_on, created_at, updated_at)
		VALUES ('E0000001', 'USCC00000000000001', '北京甲测试科技有限公司', '法人', '地址', '制造', 1, 1000000, '1990-01-01', '1992-02-01', $1, $1)
		RETURNING id`, testNow).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func anonInput(cat string) Input {
	return Input{Category: cat, Subject: "某公司未给职工缴纳社保", Body: "北京甲测试科技有限公司 2026 年以来未给 30 名职工缴纳社会保险费。",
		TargetName: "北京甲测试科技有限公司"}
}

var pdf = []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")

func countRows(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.W.QueryRowContext(ctxBg, q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantKind(t *testing.T, err error, k errs.Kind, what string) {
	t.Helper()
	if errs.KindOf(err) != k {
		t.Fatalf("%s: got %v, want kind %v", what, err, k)
	}
}

// TestAnonymousReportLifecycle: an anonymous report gets a 100-bit
// tracking code (only its hash stored) and deadlines of 5 and 60 working
// days; 审计科 accepts and assigns it; the injury section investigates
// without seeing the reporter; the answer and the reporter's objection and
// satisfaction follow; the reporter never reads internal notes.
func TestAnonymousReportLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		in := anonInput(CatArrears)
		in.Attachments = []Upload{{Name: "工资条.pdf", Data: bytes.NewReader(pdf)}}
		f, err := e.s.FileAnonymous(ctxBg, "10.0.0.1", in)
		if err != nil {
			t.Fatal(err)
		}
		if len(f.TrackingCode) != 24 || NormalizeTrackingCode(f.TrackingCode) == "" {
			t.Fatalf("tracking code %q", f.TrackingCode)
		}
		// Monday 15 June + 5 working days = Monday 22 June; + 60 = 7 September (no holidays configured in that span but weekends).
		if f.AcknowledgeDue != "2026-06-22" {
			t.Errorf("acknowledge due %s, want 2026-06-22", f.AcknowledgeDue)
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM complaints WHERE tracking_hash = $1`, TrackingHash(f.TrackingCode)); n != 1 {
			t.Fatalf("hash stored %d times", n)
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM complaints WHERE tracking_hash LIKE $1 OR body LIKE $1`, "%"+NormalizeTrackingCode(f.TrackingCode)+"%"); n != 0 {
			t.Fatal("the tracking code itself is stored")
		}
		_, err = e.s.Act(ctxBg, e.injury, f.ID, Action{Kind: "accept", Version: 1, Section: access.Injury})
		wantKind(t, err, errs.Forbidden, "accept by another section")
		c, err := e.s.Act(ctxBg, e.audit, f.ID, Action{Kind: "accept", Version: 1, Section: access.Injury})
		if err != nil || c.Status != Accepted || c.Section != access.Injury {
			t.Fatalf("accept: %v %+v", err, c)
		}
		if err := e.s.Note(ctxBg, e.injury, f.ID, "到单位现场核查，工资表显示 30 人在岗", nil); err != nil {
			t.Fatal(err)
		}
		v, err := e.s.Detail(ctxBg, e.injury, f.ID)
		if err != nil || !v.Complaint.Redacted || v.CanTriage {
			t.Fatalf("injury detail: %v %+v", err, v)
		}
		_, err = e.s.Detail(ctxBg, e.employer, f.ID)
		wantKind(t, err, errs.Forbidden, "the reported employer opens the complaint")
		c, err = e.s.Act(ctxBg, e.audit, f.ID, Action{Kind: "answer", Version: c.Version, Text: "经查属实，已责令该单位限期补缴。"})
		if err != nil || c.Status != Answered {
			t.Fatalf("answer: %v", err)
		}
		tv, err := e.s.Track(ctxBg, Reporter{ClientAddr: "10.0.0.9", Code: strings.ToLower(f.TrackingCode)})
		if err != nil {
			t.Fatal(err)
		}
		if tv.Complaint.Answer != "经查属实，已责令该单位限期补缴。" {
			t.Errorf("reporter reads answer %q", tv.Complaint.Answer)
		}
		for _, ev := range tv.Events {
			if ev.Kind == "note" || strings.Contains(ev.Text, "工资表") {
				t.Errorf("reporter reads an internal note: %+v", ev)
			}
		}
		err = e.s.Feedback(ctxBg, Reporter{ClientAddr: "10.0.0.9", Code: f.TrackingCode}, false, "")
		wantKind(t, err, errs.Invalid, "objection without reason")
		if err := e.s.Feedback(ctxBg, Reporter{ClientAddr: "10.0.0.9", Code: f.TrackingCode}, false, "单位只补缴了一部分人"); err != nil {
			t.Fatal(err)
		}
		v, _ = e.s.Detail(ctxBg, e.audit, f.ID)
		if v.Complaint.Status != Objected || v.Complaint.Escalations != 1 {
			t.Fatalf("after objection %+v", v.Complaint)
		}
		if _, err := e.s.Act(ctxBg, e.audit, f.ID, Action{Kind: "answer", Version: v.Complaint.Version, Text: "复查后已责令为全部 30 人补缴。"}); err != nil {
			t.Fatal(err)
		}
		if err := e.s.Feedback(ctxBg, Reporter{ClientAddr: "10.0.0.9", Code: f.TrackingCode}, true, ""); err != nil {
			t.Fatal(err)
		}
		v, _ = e.s.Detail(ctxBg, e.audit, f.ID)
		if v.Complaint.Status != Closed || v.Complaint.Feedback != "satisfied" {
			t.Fatalf("after satisfaction %+v", v.Complaint)
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM audit_log WHERE entity = 'complaint' AND entity_id = $1`, v.Complaint.No); n < 7 {
			t.Errorf("audit entries %d, want every change", n)
		}
	})
}

// TestReporterIdentityOnlyForAudit: a person's signed-in report shows the
// reporter to 审计科 only; the queue of another section and the reported
// employer's view never carry it.
func TestReporterIdentityOnlyForAudit(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		in := anonInput(CatUnregistered)
		in.TargetEmployer = "E0000001"
		f, err := e.s.File(ctxBg, e.person, in)
		if err != nil {
			t.Fatal(err)
		}
		if f.TrackingCode != "" {
			t.Error("a signed-in reporter got a tracking code")
		}
		v, err := e.s.Detail(ctxBg, e.audit, f.ID)
		if err != nil || v.Complaint.ReporterUserID != e.person.UserID || v.Complaint.TargetEmployerID != e.employerID {
			t.Fatalf("audit view %v %+v", err, v)
		}
		if _, err := e.s.Act(ctxBg, e.audit, f.ID, Action{Kind: "accept", Version: 1, Section: access.Injury}); err != nil {
			t.Fatal(err)
		}
		q, err := e.s.Queue(ctxBg, e.injury, Filter{})
		if err != nil || len(q.Items) != 1 || q.Items[0].ReporterUserID != 0 || q.Items[0].ReporterKind != "named" {
			t.Fatalf("injury queue %v %+v", err, q)
		}
		mine, err := e.s.Mine(ctxBg, e.employer)
		if err != nil || len(mine) != 0 {
			t.Fatalf("the reported employer's own list shows %d", len(mine))
		}
		mine, err = e.s.Mine(ctxBg, e.person)
		if err != nil || len(mine) != 1 {
			t.Fatalf("the reporter's list %v %d", err, len(mine))
		}
		_, err = e.s.Track(ctxBg, Reporter{Actor: e.employer, ID: f.ID})
		wantKind(t, err, errs.NotFound, "the employer follows another's report")
		if _, err := e.s.Track(ctxBg, Reporter{Actor: e.person, ID: f.ID}); err != nil {
			t.Fatal(err)
		}
	})
}

// TestAnonymousBadInput: floods, non-image attachments and guessed codes
// get clear errors and leave nothing behind.
func TestAnonymousBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		in := anonInput(CatFraud)
		in.Attachments = []Upload{{Name: "virus.exe", Data: strings.NewReader("MZ\x90\x00 this is not an image")}}
		_, err := e.s.FileAnonymous(ctxBg, "10.0.0.2", in)
		if fe := errs.As(err); fe == nil || !strings.Contains(err.Error()+fmt.Sprint(fe.Fields), "virus.exe") {
			t.Fatalf("exe attachment: %v", err)
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM complaints`); n != 0 {
			t.Fatalf("%d complaints after a refused attachment", n)
		}
		for i := 1; i < AnonymousFilingLimit; i++ {
			if _, err := e.s.FileAnonymous(ctxBg, "10.0.0.2", anonInput(CatFraud)); err != nil {
				t.Fatalf("filing %d: %v", i, err)
			}
		}
		_, err = e.s.FileAnonymous(ctxBg, "10.0.0.2", anonInput(CatFraud))
		wantKind(t, err, errs.TooMany, "flood")
		if _, err := e.s.FileAnonymous(ctxBg, "10.0.0.3", anonInput(CatFraud)); err != nil {
			t.Fatalf("another address is held back: %v", err)
		}
		_, err = e.s.Track(ctxBg, Reporter{ClientAddr: "10.0.0.4", Code: "not a code"})
		wantKind(t, err, errs.Invalid, "malformed code")
		_, err = e.s.Track(ctxBg, Reporter{ClientAddr: "10.0.0.4", Code: NewTrackingCode()})
		wantKind(t, err, errs.NotFound, "guessed code")
		for i := 1; i < TrackingLookupLimit; i++ {
			e.s.Track(ctxBg, Reporter{ClientAddr: "10.0.0.4", Code: NewTrackingCode()})
		}
		_, err = e.s.Track(ctxBg, Reporter{ClientAddr: "10.0.0.4", Code: NewTrackingCode()})
		wantKind(t, err, errs.TooMany, "lookup flood")
		_, err = e.s.FileAnonymous(ctxBg, "10.0.0.5", Input{Category: "nonsense", Subject: "", Body: "短"})
		fe := errs.As(err)
		if fe == nil || len(fe.Fields) != 3 {
			t.Fatalf("bad input: %v", err)
		}
	})
}

// TestConfirmedReportsStartRecoveryOrEnforcement: a confirmed fraud report
// records the amount to recover; a confirmed arrears report hands the
// employer's open bills (what is still owed) to enforcement.
func TestConfirmedReportsStartRecoveryOrEnforcement(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		fr, _ := e.s.FileAnonymous(ctxBg, "10.0.0.1", anonInput(CatFraud))
		c, _ := e.s.Act(ctxBg, e.audit, fr.ID, Action{Kind: "accept", Version: 1, Section: access.Welfare})
		_, err := e.s.Conclude(ctxBg, e.audit, fr.ID, Finding{Version: c.Version, Confirmed: true})
		wantKind(t, err, errs.Invalid, "confirmed fraud without an amount")
		c, err = e.s.Conclude(ctxBg, e.audit, fr.ID, Finding{Version: c.Version, Confirmed: true, Amount: 12_345_67})
		if err != nil || c.Outcome != "confirmed" || c.Recovery != 12_345_67 {
			t.Fatalf("fraud finding %v %+v", err, c)
		}
		ar, _ := e.s.FileAnonymous(ctxBg, "10.0.0.1", anonInput(CatArrears))
		c, _ = e.s.Act(ctxBg, e.audit, ar.ID, Action{Kind: "accept", Version: 1, Section: access.Coordination})
		_, err = e.s.Conclude(ctxBg, e.audit, ar.ID, Finding{Version: c.Version, Confirmed: true})
		wantKind(t, err, errs.Invalid, "arrears without employer")
		c, err = e.s.Conclude(ctxBg, e.audit, ar.ID, Finding{Version: c.Version, Confirmed: true, Employer: "E0000001"})
		if err != nil {
			t.Fatal(err)
		}
		v, _ := e.s.Detail(ctxBg, e.audit, ar.ID)
		if len(v.Links) != 2 || v.Complaint.Recovery != money.Fen(1_234_56+600_00) || v.Complaint.TargetEmployerID != e.employerID {
			t.Fatalf("enforcement links %+v recovery %v", v.Links, v.Complaint.Recovery)
		}
		counts, err := e.s.Counts(ctxBg, nil, testNow.AddDate(0, 0, -1), testNow.AddDate(0, 0, 1))
		if err != nil || len(counts) != 2 || counts[0].N != 1 {
			t.Fatalf("counts %v %+v", err, counts)
		}
	})
}

// TestFollowUpAndMediation: a fraud follow-up opened in another service's
// transaction waits for triage; a labour dispute ends in a mediation.
func TestFollowUpAndMediation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		var f *Filed
		err := d.WithTx(ctxBg, func(tx *sql.Tx) error {
			var err error
			f, err = e.s.OpenFraudFollowUpTx(ctxBg, tx, e.audit, FollowUp{Subject: "告知承诺不实", Body: "抽查发现申请人承诺的材料不实，涉嫌骗取待遇。",
				PersonID: 0, SourceRef: "2026-06 抽查第 3 项"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		v, _ := e.s.Detail(ctxBg, e.audit, f.ID)
		if v.Complaint.Status != Received || v.Complaint.Channel != ChannelReferral || v.Complaint.Category != CatFraud {
			t.Fatalf("follow-up %+v", v.Complaint)
		}
		in := anonInput(CatLabour)
		lab, _ := e.s.File(ctxBg, e.person, in)
		err = e.s.Mediate(ctxBg, e.audit, lab.ID, MediationInput{Version: 1, HeldOn: "2026-06-12", Parties: "张三、北京甲测试科技有限公司", Agreement: "单位补缴并支付经济补偿"})
		wantKind(t, err, errs.Conflict, "mediation before acceptance")
		c, _ := e.s.Act(ctxBg, e.audit, lab.ID, Action{Kind: "accept", Version: 1, Section: access.Audit})
		err = e.s.Mediate(ctxBg, e.audit, lab.ID, MediationInput{Version: c.Version, HeldOn: "2026-07-12", Parties: "张三", Agreement: "单位补缴"})
		wantKind(t, err, errs.Invalid, "mediation in the future")
		if err := e.s.Mediate(ctxBg, e.audit, lab.ID, MediationInput{Version: c.Version, HeldOn: "2026-06-12", Parties: "张三、北京甲测试科技有限公司",
			Agreement: "单位补缴并支付经济补偿"}); err != nil {
			t.Fatal(err)
		}
		tv, err := e.s.Track(ctxBg, Reporter{Actor: e.person, ID: lab.ID})
		if err != nil || tv.Mediation == nil || tv.Complaint.Status != Closed || tv.Complaint.OutcomeName() != "调解结案" {
			t.Fatalf("mediated: %v %+v", err, tv)
		}
	})
}

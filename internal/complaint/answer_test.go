package complaint

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/notify"
	"shebao/internal/pdfdoc"
)

// answer accepts and answers a complaint as 审计科.
func (e *env) answer(t *testing.T, id int64, text string) {
	t.Helper()
	c, err := e.s.Act(ctxBg, e.audit, id, Action{Kind: "accept", Version: 1, Section: access.Injury})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.s.Act(ctxBg, e.audit, id, Action{Kind: "answer", Version: c.Version, Text: text}); err != nil {
		t.Fatal(err)
	}
}

// TestReporterIsToldOfTheAnswer: a signed-in reporter gets a portal
// message, one recorded by a clerk with an e-mail address an e-mail, an
// anonymous one nothing (he reads it with the code); a rejection is told
// with its reason.
func TestReporterIsToldOfTheAnswer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		e.s.notifier = notify.NewService(d, e.clk)
		mine, err := e.s.File(ctxBg, e.person, anonInput(CatService))
		if err != nil {
			t.Fatal(err)
		}
		e.answer(t, mine.ID, "已对窗口人员批评教育并调整排班。")
		if n := countRows(t, d, `SELECT COUNT(*) FROM user_messages WHERE user_id = $1 AND subject LIKE $2 AND body LIKE $3`,
			e.person.UserID, "%已答复%", "%"+mine.No+"%"); n != 1 {
			t.Fatalf("signed-in reporter's messages: %d", n)
		}
		office := e.user(t, "bangongshi1", access.RoleStaff, access.Office)
		in := anonInput(CatArrears)
		in.Channel, in.ReporterName, in.ReporterContact = ChannelEmail, "张三", "zhangsan@example.com"
		mailed, err := e.s.File(ctxBg, office, in)
		if err != nil {
			t.Fatal(err)
		}
		e.answer(t, mailed.ID, "经查属实，已责令该单位限期补缴。")
		if n := countRows(t, d, `SELECT COUNT(*) FROM outbox WHERE channel = 'email' AND recipient = $1 AND body LIKE $2`,
			"zhangsan@example.com", "%"+mailed.No+"%"); n != 1 {
			t.Fatalf("e-mails to the recorded reporter: %d", n)
		}
		anon, err := e.s.FileAnonymous(ctxBg, "10.0.0.1", anonInput(CatArrears))
		if err != nil {
			t.Fatal(err)
		}
		before := countRows(t, d, `SELECT COUNT(*) FROM outbox`) + countRows(t, d, `SELECT COUNT(*) FROM user_messages`)
		c, err := e.s.Act(ctxBg, e.audit, anon.ID, Action{Kind: "reject", Version: 1, Text: "所反映单位不在本区"})
		if err != nil || c.Status != Rejected {
			t.Fatalf("reject: %v", err)
		}
		if after := countRows(t, d, `SELECT COUNT(*) FROM outbox`) + countRows(t, d, `SELECT COUNT(*) FROM user_messages`); after != before {
			t.Fatal("a message went somewhere for an anonymous reporter")
		}
		second, _ := e.s.File(ctxBg, e.person, anonInput(CatOther))
		if _, err := e.s.Act(ctxBg, e.audit, second.ID, Action{Kind: "transfer", Version: 1, To: "区劳动保障监察大队", Text: "属劳动监察职责"}); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, d, `SELECT COUNT(*) FROM user_messages WHERE user_id = $1 AND body LIKE $2`, e.person.UserID, "%区劳动保障监察大队%属劳动监察职责%"); n != 1 {
			t.Fatalf("transfer messages: %d", n)
		}
	})
}

// TestAnswerPDF: the written answer prints for its signed-in reporter and
// for the holder of the tracking code, not before it is answered and not
// for anyone else.
func TestAnswerPDF(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		f, err := e.s.FileAnonymous(ctxBg, "10.0.0.1", anonInput(CatArrears))
		if err != nil {
			t.Fatal(err)
		}
		_, _, err = e.s.AnswerPDF(ctxBg, Reporter{ClientAddr: "10.0.0.2", Code: f.TrackingCode})
		wantKind(t, err, errs.Conflict, "PDF before the answer")
		e.answer(t, f.ID, "经查属实，已责令该单位限期补缴。\n补缴到账后将另行告知。")
		mine, _ := e.s.File(ctxBg, e.person, anonInput(CatService))
		_, _, err = e.s.AnswerPDF(ctxBg, Reporter{Actor: e.employer, ID: mine.ID})
		wantKind(t, err, errs.NotFound, "another's complaint")
		_, _, err = e.s.AnswerPDF(ctxBg, Reporter{ClientAddr: "10.0.0.2", Code: "ABCD-EFGH-JKLM-NPQR-STUV"})
		wantKind(t, err, errs.NotFound, "a wrong code")
		b, c, err := e.s.AnswerPDF(ctxBg, Reporter{ClientAddr: "10.0.0.2", Code: f.TrackingCode})
		if errors.Is(err, pdfdoc.ErrNoFont) && os.Getenv("SHEBAO_TEST_PDF") == "" {
			t.Skip("CJK font not installed")
		}
		if err != nil || c.No != f.No || !strings.HasPrefix(string(b), "%PDF-") {
			t.Fatalf("answer PDF: %v", err)
		}
		if _, err := exec.LookPath("pdftotext"); err != nil {
			return
		}
		p := filepath.Join(t.TempDir(), "a.pdf")
		os.WriteFile(p, b, 0o600)
		out, _ := exec.Command("pdftotext", p, "-").Output()
		text := strings.Join(strings.Fields(string(out)), "")
		for _, want := range []string{"投诉举报书面答复", f.No, "经查属实，已责令该单位限期补缴。", "补缴到账后将另行告知。", Agency} {
			if !strings.Contains(text, want) {
				t.Errorf("PDF lacks %q:\n%s", want, text)
			}
		}
	})
}

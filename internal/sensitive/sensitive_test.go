package sensitive

import (
	"context"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

// Monday 15 June 2026, 10:00 in Shanghai.
var testNow = time.Date(2026, 6, 15, 10, 0, 0, 0, clock.Shanghai)

var ctxBg = context.Background()

type env struct {
	d                                *db.DB
	s                                *Service
	acc                              *account.Service
	clk                              *clock.Fixed
	admin, clerk, head, office, boss *access.Actor
}

func newEnv(t *testing.T, d *db.DB, chain string) *env {
	t.Helper()
	c := clock.NewFixed(testNow)
	au := audit.NewService(d, c)
	pol := policy.NewService(d, c, au)
	pol.SetCacheTTL(0)
	if err := pol.SeedDefaults(ctxBg); err != nil {
		t.Fatal(err)
	}
	ch, err := ParseChain(chain)
	if err != nil {
		t.Fatal(err)
	}
	acc := account.NewService(d, c, au)
	e := &env{d: d, clk: c, acc: acc, s: NewService(d, c, au, pol, acc, ch)}
	e.admin = e.user(t, "admin1", access.RoleAdmin, "")
	e.admin.Sections = access.Sections
	e.clerk = e.user(t, "gongshang1", access.RoleStaff, access.Injury)
	e.head = e.user(t, "gongshangkezhang", access.RoleStaff, access.Injury)
	e.office = e.user(t, "bangongshi1", access.RoleStaff, access.Office)
	e.boss = e.user(t, "zhuren", access.RoleStaff, access.Office)
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

func (e *env) post(t *testing.T, a *access.Actor, p account.Post, sec access.Section) {
	t.Helper()
	if err := e.acc.SetPost(ctxBg, e.admin, a.UserID, account.Holding{Post: p, Section: sec}, true); err != nil {
		t.Fatal(err)
	}
}

func event() FlagInput {
	return FlagInput{SubjectKind: SubjectEvent, SubjectRef: "服务大厅", Title: "群体上访", Reason: "三十余名职工在大厅聚集反映欠薪"}
}

// TestChainWithoutHolderIsRefused: flagging with a post nobody holds names
// the post and saves nothing; the administrator sees the same gap.
func TestChainWithoutHolderIsRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, DefaultChain)
		e.post(t, e.head, account.PostSectionHead, access.Injury)
		e.post(t, e.office, account.PostOfficeHead, "")
		_, err := e.s.Flag(ctxBg, e.clerk, event())
		if errs.KindOf(err) != errs.Invalid || !strings.Contains(err.Error(), "中心主任") {
			t.Fatalf("flag with no agency head: %v", err)
		}
		var n int
		d.W.QueryRowContext(ctxBg, `SELECT COUNT(*) FROM sensitive_matters`).Scan(&n)
		if n != 0 {
			t.Fatalf("%d matters saved", n)
		}
		miss, err := e.s.MissingHolders(ctxBg)
		if err != nil || !strings.Contains(strings.Join(miss, "、"), "中心主任") || !strings.Contains(strings.Join(miss, "、"), "审计科负责人") ||
			strings.Contains(strings.Join(miss, "、"), "工伤保险待遇科负责人") {
			t.Fatalf("missing holders %v %v", err, miss)
		}
	})
}

// TestMatterClimbsTheChain: the section head acknowledges with an
// instruction, the office head lets the deadline pass and the job passes
// it up (twice run: once), the agency head acknowledges and closes it.
func TestMatterClimbsTheChain(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, DefaultChain)
		e.post(t, e.head, account.PostSectionHead, access.Injury)
		e.post(t, e.office, account.PostOfficeHead, "")
		e.post(t, e.boss, account.PostAgencyHead, "")
		m, err := e.s.Flag(ctxBg, e.clerk, event())
		if err != nil {
			t.Fatal(err)
		}
		// 2 working days after Monday 10:00: Wednesday 10:00.
		if got := m.DueText(); got != "2026-06-17 10:00" {
			t.Errorf("first deadline %s", got)
		}
		_, err = e.s.Acknowledge(ctxBg, e.office, m.ID, m.Version, "知道了")
		if errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("the office head acknowledges the section head's level: %v", err)
		}
		m, err = e.s.Acknowledge(ctxBg, e.head, m.ID, m.Version, "立即安排人员接待，做好解释")
		if err != nil || m.Level != 1 || m.Status != "open" {
			t.Fatalf("section head: %v %+v", err, m)
		}
		ls, _ := e.s.List(ctxBg, e.office, Filter{})
		if len(ls) != 1 {
			t.Fatalf("the office sees %d open", len(ls))
		}
		e.clk.Set(testNow.AddDate(0, 0, 1).Add(time.Hour)) // Tuesday 11:00: the office head's 1 working day has passed
		n, err := e.s.Escalate(ctxBg)
		if err != nil || n != 1 {
			t.Fatalf("escalate: %d %v", n, err)
		}
		if n, _ := e.s.Escalate(ctxBg); n != 0 {
			t.Fatalf("second run moved %d", n)
		}
		v, err := e.s.Detail(ctxBg, e.boss, m.ID)
		if err != nil || v.Matter.Level != 2 || !v.CanAck || len(v.Steps) != 3 || !v.Steps[1].Overdue || v.Steps[0].Instruction == "" {
			t.Fatalf("after escalation %v %+v", err, v)
		}
		m, err = e.s.Acknowledge(ctxBg, e.boss, m.ID, v.Matter.Version, "同意，报区人社局备案")
		if err != nil || m.Status != "closed" {
			t.Fatalf("agency head: %v %+v", err, m)
		}
		ls, _ = e.s.List(ctxBg, e.office, Filter{})
		if len(ls) != 0 {
			t.Fatalf("closed matter still open in the office list")
		}
		_, err = e.s.Detail(ctxBg, e.user(t, "jijin1", access.RoleStaff, access.Fund), m.ID)
		if errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("another section reads the matter: %v", err)
		}
	})
}

// TestFlagChecksTheSubject: a case or complaint number that does not exist
// is refused; the chain configuration is checked.
func TestFlagChecksTheSubject(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "section_head:1")
		e.post(t, e.head, account.PostSectionHead, access.Injury)
		_, err := e.s.Flag(ctxBg, e.clerk, FlagInput{SubjectKind: SubjectCase, SubjectRef: "GS2026999999", Title: "x", Reason: "影响较大的事故"})
		if fe := errs.As(err); fe == nil || len(fe.Fields) != 1 || fe.Fields[0].Field != "subject_ref" {
			t.Fatalf("unknown case: %v", err)
		}
		if _, err := ParseChain("section_head:2,boss:1"); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("bad chain accepted: %v", err)
		}
	})
}

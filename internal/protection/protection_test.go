package protection

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
	"shebao/internal/notify"
)

// Monday 15 June 2026, 08:30 in Shanghai.
var testNow = time.Date(2026, 6, 15, 8, 30, 0, 0, clock.Shanghai)

var ctxBg = context.Background()

type env struct {
	d                                  *db.DB
	s                                  *Service
	clk                                *clock.Fixed
	admin, clerk, head, office, fundie *access.Actor
}

func newEnv(t *testing.T, d *db.DB) *env {
	t.Helper()
	c := clock.NewFixed(testNow)
	au := audit.NewService(d, c)
	acc := account.NewService(d, c, au)
	e := &env{d: d, clk: c, s: NewService(d, c, au, acc, notify.NewService(d, c), 0)}
	e.admin = e.user(t, "admin1", "管理员", access.RoleAdmin, "")
	e.admin.Sections = access.Sections
	e.clerk = e.user(t, "gongshang1", "李工伤", access.RoleStaff, access.Injury)
	e.head = e.user(t, "gongshangkezhang", "王科长", access.RoleStaff, access.Injury)
	e.office = e.user(t, "bangongshi1", "周办公", access.RoleStaff, access.Office)
	e.fundie = e.user(t, "jijin1", "钱基金", access.RoleStaff, access.Fund)
	if err := acc.SetPost(ctxBg, e.admin, e.head.UserID, account.Holding{Post: account.PostSectionHead, Section: access.Injury}, true); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) user(t *testing.T, name, display string, role access.Role, sec access.Section) *access.Actor {
	t.Helper()
	var id int64
	if err := e.d.W.QueryRowContext(ctxBg, `INSERT INTO users (username, password_hash, role, display_name, created_at)
		VALUES ($1, 'x', $2, $3, $4) RETURNING id`, name, string(role), display, testNow).Scan(&id); err != nil {
		t.Fatal(err)
	}
	a := &access.Actor{UserID: id, Username: name, Role: role}
	if sec != "" {
		a.Sections = []access.Section{sec}
		if _, err := e.d.W.ExecContext(ctxBg, `INSERT INTO user_sections (user_id, section) VALUES ($1, $2)`, id, string(sec)); err != nil {
			t.Fatal(err)
		}
	}
	return a
}

func (e *env) messages(t *testing.T, a *access.Actor) []string {
	t.Helper()
	rows, err := e.d.W.QueryContext(ctxBg, `SELECT subject || ' ' || body FROM user_messages WHERE user_id = $1 ORDER BY id`, a.UserID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// TestFeverKeepsTheClerkHome: a fit check-in notifies nobody; a fever (or
// a symptom) tells the clerk to stay home and the section head hears of it
// once, without the health data; a section without a head is told through
// 办公室.
func TestFeverKeepsTheClerkHome(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		c, err := e.s.Record(ctxBg, e.clerk, CheckInInput{Temperature: "36.5"})
		if err != nil || !c.Fit || len(c.Notified) != 0 {
			t.Fatalf("fit check-in: %+v %v", c, err)
		}
		if m := e.messages(t, e.head); len(m) != 0 {
			t.Fatalf("head told of a fit clerk: %v", m)
		}
		c, err = e.s.Record(ctxBg, e.clerk, CheckInInput{Temperature: "37.3", Symptoms: []string{SymptomCough}})
		if err != nil || c.Fit || len(c.Notified) != 1 || c.Notified[0] != "工伤保险待遇科负责人" || c.Version != 2 {
			t.Fatalf("fever: %+v %v", c, err)
		}
		m := e.messages(t, e.head)
		if len(m) != 1 || !strings.Contains(m[0], "李工伤") || !strings.Contains(m[0], "居家休息") || strings.Contains(m[0], "37.3") ||
			strings.Contains(m[0], "干咳") {
			t.Fatalf("head's message %v", m)
		}
		// Correcting the day again while still unfit notifies no one twice.
		if _, err := e.s.Record(ctxBg, e.clerk, CheckInInput{Temperature: "38.0"}); err != nil {
			t.Fatal(err)
		}
		if m := e.messages(t, e.head); len(m) != 1 {
			t.Fatalf("head told twice: %v", m)
		}
		// 基金管理科 has no head: 办公室 hears of it.
		c, err = e.s.Record(ctxBg, e.fundie, CheckInInput{Temperature: "36.6", Symptoms: []string{SymptomTaste}})
		if err != nil || c.Fit || len(c.Notified) != 1 || !strings.HasPrefix(c.Notified[0], "办公室") {
			t.Fatalf("no head: %+v %v", c, err)
		}
		if m := e.messages(t, e.office); len(m) != 1 || !strings.Contains(m[0], "钱基金") {
			t.Fatalf("office's messages %v", m)
		}
		mine, err := e.s.Mine(ctxBg, e.clerk)
		if err != nil || mine == nil || mine.Tenths != 380 || mine.Fit {
			t.Fatalf("mine %+v %v", mine, err)
		}
	})
}

// TestHealthDataIsTheOfficesAndOwnOnly: only 办公室 reads the day's
// check-ins; nobody records for another clerk; bad input names the field;
// the purge deletes what is older than the retention.
func TestHealthDataIsTheOfficesAndOwnOnly(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		if _, err := e.s.Record(ctxBg, e.clerk, CheckInInput{ForUser: e.head.UserID, Temperature: "36.5"}); errs.KindOf(err) != errs.Forbidden ||
			errs.As(err).Code != "own_entry_only" {
			t.Fatalf("recorded for another clerk: %v", err)
		}
		if _, err := e.s.RecordRound(ctxBg, e.clerk, RoundInput{ForUser: e.office.UserID, Kind: RoundDisinfection, Area: "大厅"}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("round for another clerk: %v", err)
		}
		for _, bad := range []string{"", "abc", "36.55", "45", "33.9"} {
			_, err := e.s.Record(ctxBg, e.clerk, CheckInInput{Temperature: bad})
			if ev := errs.As(err); ev == nil || !errs.Fields(ev.Fields).Has("temperature") {
				t.Fatalf("temperature %q: %v", bad, err)
			}
		}
		if _, err := e.s.Record(ctxBg, e.clerk, CheckInInput{Temperature: "36.5", Symptoms: []string{"headache"}}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("unknown symptom: %v", err)
		}
		person := &access.Actor{UserID: 77, Role: access.RolePerson, PersonID: 1}
		if _, err := e.s.Record(ctxBg, person, CheckInInput{Temperature: "36.5"}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("a person checked in: %v", err)
		}
		if _, err := e.s.Record(ctxBg, e.clerk, CheckInInput{Temperature: "37.5"}); err != nil {
			t.Fatal(err)
		}
		for _, a := range []*access.Actor{e.clerk, e.head, e.fundie} {
			if _, err := e.s.Day(ctxBg, a, ""); errs.KindOf(err) != errs.Forbidden {
				t.Fatalf("%s read the health data: %v", a.Username, err)
			}
		}
		v, err := e.s.Day(ctxBg, e.office, "")
		if err != nil || len(v.CheckIns) != 1 || v.StayHome != 1 || v.CheckIns[0].Temperature() != "37.5" ||
			len(v.CheckIns[0].Sections) != 1 || v.CheckIns[0].Sections[0] != access.Injury {
			t.Fatalf("day %+v %v", v, err)
		}
		var names []string
		for _, m := range v.Missing {
			names = append(names, m.Username)
		}
		if strings.Join(names, ",") != "bangongshi1,gongshangkezhang,jijin1" {
			t.Fatalf("missing %v", names)
		}
		r, err := e.s.RecordRound(ctxBg, e.office, RoundInput{Kind: RoundDisinfection, Area: "一楼服务大厅", Note: "含自助机"})
		if err != nil || r.By != "周办公" {
			t.Fatalf("round %+v %v", r, err)
		}
		if _, err := e.s.RecordRound(ctxBg, e.office, RoundInput{Kind: "sweep", Area: ""}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("bad round: %v", err)
		}
		rounds, err := e.s.Rounds(ctxBg, e.clerk, "")
		if err != nil || len(rounds) != 1 || rounds[0].KindName() != "消毒" {
			t.Fatalf("rounds %+v %v", rounds, err)
		}
		// 30 days later the check-in is still kept; 31 days later it is gone.
		e.clk.Set(testNow.AddDate(0, 0, 30))
		if n, err := e.s.Purge(ctxBg); err != nil || n != 0 {
			t.Fatalf("purged within retention: %d %v", n, err)
		}
		e.clk.Set(testNow.AddDate(0, 0, 31))
		if n, err := e.s.Purge(ctxBg); err != nil || n != 1 {
			t.Fatalf("purge: %d %v", n, err)
		}
		if v, _ := e.s.Day(ctxBg, e.office, "2026-06-15"); len(v.CheckIns) != 0 {
			t.Fatalf("kept after retention: %+v", v.CheckIns)
		}
		if rounds, _ := e.s.Rounds(ctxBg, e.office, "2026-06-15"); len(rounds) != 1 {
			t.Fatal("the duty log was purged with the health data")
		}
	})
}

package faq

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/notice"
)

var (
	start  = time.Date(2024, 2, 10, 9, 0, 0, 0, clock.Shanghai)
	office = &access.Actor{UserID: 900, Username: "office1", Role: access.RoleStaff, Sections: []access.Section{access.Office}}
	injury = &access.Actor{UserID: 901, Username: "inj1", Role: access.RoleStaff, Sections: []access.Section{access.Injury}}
	person = &access.Actor{UserID: 10, Username: "p", Role: access.RolePerson, PersonID: 1}
)

func newSvc(t testing.TB, d *db.DB) (*Service, *clock.Fixed) {
	c := clock.NewFixed(start)
	a := audit.NewService(d, c)
	if err := notice.NewService(d, c, a).SeedDefaults(context.Background()); err != nil {
		t.Fatal(err)
	}
	s := NewService(d, c, a)
	if err := s.SeedDefaults(context.Background()); err != nil {
		t.Fatal(err)
	}
	return s, c
}

func TestTerms(t *testing.T) {
	if got := queryTerms("办理退休 手续 PDF"); !slices.Equal(got, []string{"办理", "理退", "退休", "手续", "pdf"}) {
		t.Fatalf("query terms %q", got)
	}
	if got := queryTerms("退"); !slices.Equal(got, []string{"退"}) {
		t.Fatalf("single %q", got)
	}
	m := gramWeights("退休金", "退休", "办理退休")
	if m["退休"] != weightQuestion || m["休金"] != weightQuestion || m["办理"] != weightAnswer || m["金"] != weightQuestion {
		t.Fatalf("weights %v", m)
	}
}

func questions(list []FAQ) []string {
	var out []string
	for _, f := range list {
		out = append(out, f.Question)
	}
	return out
}

func TestSearchFindsWordsInsideWords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newSvc(t, d)
		ctx := context.Background()
		list, total, err := s.Search(ctx, Query{Q: "退休"})
		if err != nil {
			t.Fatal(err)
		}
		qs := questions(list)
		// 退休金 (in a question) and 办理退休 (in a question) are both found.
		for _, want := range []string{"新退休人员的退休金发到哪里？没有社保卡怎么办？", "职工到了退休年龄，单位怎样办理退休待遇核定？"} {
			if !slices.Contains(qs, want) {
				t.Fatalf("退休 did not find %q in %q", want, qs)
			}
		}
		if total != len(list) || total < 5 {
			t.Fatalf("total %d, %d listed", total, len(list))
		}
		// Answers with the word in the question rank before those with it only in the answer.
		for i, f := range list {
			inQ := containsGram(f.Question, "退休")
			if !inQ {
				for _, g := range list[i+1:] {
					if containsGram(g.Question, "退休") {
						t.Fatalf("%q ranked before %q", f.Question, g.Question)
					}
				}
			}
		}
		if list[0].CheckedOn != "2024-02-10" || len(list[0].NoticeIDs) != 1 {
			t.Fatalf("first %+v", list[0])
		}
		// Category filter and no match.
		if l, _, _ := s.Search(ctx, Query{Q: "退休", Category: Death}); len(l) != 2 || l[0].Category != Death || l[1].Category != Death {
			t.Fatalf("category %q", questions(l))
		}
		if _, n, _ := s.Search(ctx, Query{Q: "宠物疫苗"}); n != 0 {
			t.Fatalf("宠物疫苗 found %d", n)
		}
		// Browsing without words lists every published answer.
		if _, n, _ := s.Search(ctx, Query{}); n != len(seedFAQs()) {
			t.Fatalf("browse %d", n)
		}
	})
}

func containsGram(s, g string) bool {
	for _, x := range indexTerms(s) {
		if x == g {
			return true
		}
	}
	return false
}

// TestEnginesRankAlike: the same searches give the same ordered answers
// on SQLite and PostgreSQL.
func TestEnginesRankAlike(t *testing.T) {
	if len(dbtest.Engines()) < 2 {
		t.Skip("PostgreSQL not configured (SHEBAO_TEST_POSTGRES)")
	}
	queries := []string{"退休", "工伤事故", "办理退休手续", "缴费证明 打印", "灵活就业补缴", "社保卡", "预约", "转移", "发票邮寄", "excel 模板"}
	var got [2][][]int64
	for i, e := range dbtest.Engines() {
		s, _ := newSvc(t, dbtest.Open(t, e))
		for _, q := range queries {
			list, _, err := s.Search(context.Background(), Query{Q: q})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, f := range list {
				ids = append(ids, f.ID)
			}
			got[i] = append(got[i], ids)
		}
	}
	for k, q := range queries {
		if len(got[0][k]) == 0 || !slices.Equal(got[0][k], got[1][k]) {
			t.Fatalf("%s: sqlite %v, postgres %v", q, got[0][k], got[1][k])
		}
	}
}

func TestEditLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := newSvc(t, d)
		ctx := context.Background()
		in := Input{Question: "工伤职工出院后怎样报销康复费用？", Category: Accident, Section: access.Welfare}
		if _, err := s.Create(ctx, person, in); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("person created: %v", err)
		}
		if _, err := s.Create(ctx, injury, in); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("injury staff wrote for welfare: %v", err)
		}
		in.Section = access.Injury
		in.Notices = "99999"
		if _, err := s.Create(ctx, injury, in); !fieldErr(err, "notices") {
			t.Fatalf("missing notice accepted: %v", err)
		}
		in.Notices = ""
		f, err := s.Create(ctx, injury, in)
		if err != nil || f.Status != Draft || f.Answer != "" {
			t.Fatalf("create %+v %v", f, err)
		}
		// A question with no answer cannot be published, and stays a draft.
		if _, err := s.Publish(ctx, injury, f.ID, f.Version); !fieldErr(err, "answer") {
			t.Fatalf("published without answer: %v", err)
		}
		if g, err := s.Get(ctx, office, f.ID); err != nil || g.Status != Draft || g.Question != in.Question {
			t.Fatalf("draft lost: %+v %v", g, err)
		}
		if _, n, _ := s.Search(ctx, Query{Q: "康复费用"}); n != 0 {
			t.Fatal("draft found by the public")
		}
		c.Advance(48 * time.Hour)
		in.Answer = "凭康复机构的费用清单和发票，随工伤待遇申报一并递交。"
		in.Keywords = "康复 报销"
		if _, err := s.Update(ctx, injury, f.ID, f.Version+1, in); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("stale update: %v", err)
		}
		u, err := s.Update(ctx, injury, f.ID, f.Version, in)
		if err != nil || u.CheckedOn != "2024-02-12" {
			t.Fatalf("update %+v %v", u, err)
		}
		if _, err := s.Publish(ctx, person, u.ID, u.Version); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("person published: %v", err)
		}
		p, err := s.Publish(ctx, office, u.ID, u.Version)
		if err != nil || p.Status != Published {
			t.Fatalf("publish %v", err)
		}
		if l, _, _ := s.Search(ctx, Query{Q: "康复"}); len(l) == 0 || l[0].ID != f.ID {
			t.Fatalf("published not found first: %q", questions(l))
		}
		in.Answer = ""
		if _, err := s.Update(ctx, injury, p.ID, p.Version, in); !fieldErr(err, "answer") {
			t.Fatalf("answer emptied while published: %v", err)
		}
		r, err := s.Retire(ctx, injury, p.ID, p.Version)
		if err != nil || r.Status != Retired {
			t.Fatalf("retire %v", err)
		}
		if _, err := s.Get(ctx, nil, f.ID); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("retired visible: %v", err)
		}
		if _, n, _ := s.Search(ctx, Query{Q: "康复费用"}); n != 0 {
			t.Fatal("retired found")
		}
		c.Advance(24 * time.Hour)
		k, err := s.Check(ctx, office, r.ID, r.Version)
		if err != nil || k.CheckedOn != "2024-02-13" {
			t.Fatalf("check %+v %v", k, err)
		}
		var n int
		if err := d.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'faqs' AND entity_id = $1`, strconv.FormatInt(f.ID, 10)).Scan(&n); err != nil || n != 5 {
			t.Fatalf("audit entries %d %v", n, err)
		}
	})
}

func TestValidityDates(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c := newSvc(t, d)
		ctx := context.Background()
		in := Input{Question: "二月份大厅春节值班安排", Answer: "正月初八起恢复办公。", Category: Other, Section: access.Office,
			ValidFrom: "2024-02-11", ValidUntil: "2024-02-12"}
		bad := in
		bad.ValidUntil = "2024-02-01"
		if _, err := s.Create(ctx, office, bad); !fieldErr(err, "valid_until") {
			t.Fatalf("until before from: %v", err)
		}
		f, err := s.Create(ctx, office, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Publish(ctx, office, f.ID, f.Version); err != nil {
			t.Fatal(err)
		}
		for day, want := range map[int]int{0: 0, 1: 1, 2: 1, 3: 0} {
			c.Set(start.AddDate(0, 0, day))
			if _, n, _ := s.Search(ctx, Query{Q: "春节值班"}); n != want {
				t.Fatalf("day +%d: %d found", day, n)
			}
		}
	})
}

func TestMissesRecur(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newSvc(t, d)
		ctx := context.Background()
		for _, q := range []string{"宠物 疫苗", "宠物  疫苗", "生育津贴", "110101199003077777 宠物"} {
			if _, _, err := s.SearchCounting(ctx, Query{Q: q}); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := s.SearchCounting(ctx, Query{Q: "退休"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Misses(ctx, injury, 50); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("section staff saw misses: %v", err)
		}
		m, err := s.Misses(ctx, office, 50)
		if err != nil || len(m) != 1 || m[0].Term != "宠物 疫苗" || m[0].Hits != 2 {
			t.Fatalf("misses %+v %v", m, err)
		}
		var n int
		d.R.QueryRow(`SELECT COUNT(*) FROM faq_misses WHERE term LIKE '%1101%'`).Scan(&n)
		if n != 0 {
			t.Fatal("an ID number was kept")
		}
		// Once answered, it leaves the list.
		f, err := s.Create(ctx, office, Input{Question: "宠物疫苗在哪里打？", Answer: "不属于社保业务，请咨询农业农村部门。", Category: Other, Section: access.Office})
		if err == nil {
			_, err = s.Publish(ctx, office, f.ID, f.Version)
		}
		if err != nil {
			t.Fatal(err)
		}
		if m, _ := s.Misses(ctx, office, 50); len(m) != 0 {
			t.Fatalf("answered miss still listed: %+v", m)
		}
	})
}

func fieldErr(err error, field string) bool {
	e := errs.As(err)
	if e == nil || e.Kind != errs.Invalid {
		return false
	}
	for _, f := range e.Fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

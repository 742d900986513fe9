package notice

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

var (
	start  = time.Date(2024, 3, 4, 9, 0, 0, 0, clock.Shanghai)
	office = &access.Actor{UserID: 900, Username: "office1", Role: access.RoleStaff, Sections: []access.Section{access.Office}}
	clerk  = &access.Actor{UserID: 901, Username: "coord1", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
	person = &access.Actor{UserID: 10, Username: "p", Role: access.RolePerson, PersonID: 1}
)

func newSvc(t *testing.T, d *db.DB) (*Service, *clock.Fixed, *audit.Service) {
	c := clock.NewFixed(start)
	a := audit.NewService(d, c)
	return NewService(d, c, a), c, a
}

func TestLifecycle(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c, _ := newSvc(t, d)
		ctx := context.Background()
		in := Input{Title: "关于<b>大厅</b>开放时间", Body: "第一段<script>alert(1)</script>\n\n第二段", Category: Other, ExpiresOn: "2024-03-10"}
		if _, err := s.Create(ctx, clerk, in); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("clerk created: %v", err)
		}
		if _, err := s.Create(ctx, person, in); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("person created: %v", err)
		}
		n, err := s.Create(ctx, office, in)
		if err != nil {
			t.Fatal(err)
		}
		if n.Status != Draft || n.ExpiresOn() != "2024-03-10" {
			t.Fatalf("created %+v", n)
		}
		if p := n.Paragraphs(); len(p) != 2 || p[1] != "第二段" {
			t.Fatalf("paragraphs %q", p)
		}
		// A draft is invisible to the public.
		if _, err := s.Get(ctx, nil, n.ID); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("draft visible: %v", err)
		}
		if _, err := s.Publish(ctx, clerk, n.ID, n.Version); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("clerk published: %v", err)
		}
		if _, err := s.Publish(ctx, office, n.ID, n.Version+1); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("stale publish: %v", err)
		}
		p, err := s.Publish(ctx, office, n.ID, n.Version)
		if err != nil || p.Status != Published || p.PublishedAt == nil {
			t.Fatalf("publish: %+v %v", p, err)
		}
		if _, err := s.Publish(ctx, office, p.ID, p.Version); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("published twice: %v", err)
		}
		if g, err := s.Get(ctx, nil, n.ID); err != nil || g.Title != in.Title {
			t.Fatalf("public get: %v", err)
		}
		in.Title = "大厅开放时间（修订）"
		u, err := s.Update(ctx, office, p.ID, p.Version, in)
		if err != nil || u.Status != Published || u.Version != p.Version+1 {
			t.Fatalf("update: %+v %v", u, err)
		}
		w, err := s.Withdraw(ctx, office, u.ID, u.Version)
		if err != nil || w.Status != Withdrawn {
			t.Fatalf("withdraw: %v", err)
		}
		if _, err := s.Get(ctx, person, n.ID); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("withdrawn visible: %v", err)
		}
		if _, err := s.Get(ctx, office, n.ID); err != nil {
			t.Fatalf("office cannot see withdrawn: %v", err)
		}
		// Republish, then let it expire after 2024-03-10.
		if _, err := s.Publish(ctx, office, w.ID, w.Version); err != nil {
			t.Fatal(err)
		}
		c.Set(time.Date(2024, 3, 10, 23, 59, 0, 0, clock.Shanghai))
		if _, err := s.Get(ctx, nil, n.ID); err != nil {
			t.Fatalf("visible on its last day: %v", err)
		}
		c.Set(time.Date(2024, 3, 11, 0, 0, 0, 0, clock.Shanghai))
		if _, err := s.Get(ctx, nil, n.ID); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("expired visible: %v", err)
		}
		var count int
		d.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE entity = 'notices'`).Scan(&count)
		if count != 5 { // create, publish, update, withdraw, publish
			t.Fatalf("%d audit records, want 5", count)
		}
	})
}

func TestValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _, _ := newSvc(t, d)
		for _, tc := range []struct {
			in    Input
			field string
		}{
			{Input{Title: " ", Body: "x", Category: Other}, "title"},
			{Input{Title: "t", Body: "", Category: Other}, "body"},
			{Input{Title: "t", Body: "x", Category: "spam"}, "category"},
			{Input{Title: "t", Body: "x", Category: Other, ExpiresOn: "2024-03-03"}, "expires_on"},
			{Input{Title: "t", Body: "x", Category: Other, ExpiresOn: "3/4"}, "expires_on"},
		} {
			_, err := s.Create(context.Background(), office, tc.in)
			if e := errs.As(err); e == nil || !errs.Fields(e.Fields).Has(tc.field) {
				t.Errorf("%+v: %v, want field %s", tc.in, err, tc.field)
			}
		}
	})
}

func TestListPaginationSearch(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, c, _ := newSvc(t, d)
		ctx := context.Background()
		for i := 1; i <= 45; i++ {
			cat := Guide
			if i%3 == 0 {
				cat = Emergency
			}
			n, err := s.Create(ctx, office, Input{Title: fmt.Sprintf("公告%02d", i), Body: "正文 100%_done", Category: cat, Pinned: i == 7})
			if err != nil {
				t.Fatal(err)
			}
			if i != 45 { // 45 stays a draft
				if _, err := s.Publish(ctx, office, n.ID, n.Version); err != nil {
					t.Fatal(err)
				}
			}
			c.Advance(time.Minute)
		}
		page1, total, err := s.List(ctx, Query{Page: 1})
		if err != nil || total != 44 || len(page1) != PageSize {
			t.Fatalf("page 1: %d of %d, %v", len(page1), total, err)
		}
		if page1[0].Title != "公告07" || page1[1].Title != "公告44" {
			t.Fatalf("order: %s, %s", page1[0].Title, page1[1].Title)
		}
		page3, _, _ := s.List(ctx, Query{Page: 3})
		if len(page3) != 4 || page3[3].Title != "公告01" {
			t.Fatalf("page 3: %d", len(page3))
		}
		_, total, _ = s.List(ctx, Query{Category: Emergency})
		if total != 14 { // 3..42 step 3 (45 is a draft)
			t.Fatalf("emergency total %d", total)
		}
		list, total, _ := s.List(ctx, Query{Q: "公告1"})
		if total != 10 || len(list) != 10 {
			t.Fatalf("search: %d", total)
		}
		if _, total, _ := s.List(ctx, Query{Q: "100%_"}); total != 44 {
			t.Fatalf("literal %% search: %d", total)
		}
		if _, total, _ := s.List(ctx, Query{Q: "1%0"}); total != 0 {
			t.Fatalf("%% is a wildcard: %d", total)
		}
		latest, _ := s.Latest(ctx, 5)
		if len(latest) != 5 || latest[0].Title != "公告07" {
			t.Fatalf("latest %v", latest)
		}
		if _, _, err := s.StaffList(ctx, clerk, Query{}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("clerk staff list: %v", err)
		}
		_, total, _ = s.StaffList(ctx, office, Query{Status: Draft})
		if total != 1 {
			t.Fatalf("drafts: %d", total)
		}
	})
}

func TestSeedDefaults(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _, _ := newSvc(t, d)
		ctx := context.Background()
		for i := 0; i < 2; i++ {
			if err := s.SeedDefaults(ctx); err != nil {
				t.Fatal(err)
			}
		}
		_, total, _ := s.List(ctx, Query{})
		if total != 10 {
			t.Fatalf("%d seeded notices, want 10", total)
		}
		gl, guides, _ := s.List(ctx, Query{Category: Guide})
		if guides != 8 || !strings.HasPrefix(gl[0].Title, "一、") || !strings.HasPrefix(gl[7].Title, "八、") {
			t.Fatalf("%d guides, want one per section in seed order", guides)
		}
		latest, _ := s.Latest(ctx, 5)
		if latest[0].Category != Emergency || latest[1].Category != Contact || !strings.HasPrefix(latest[2].Title, "一、") {
			t.Fatalf("home order: %s, %s, %s", latest[0].Title, latest[1].Title, latest[2].Title)
		}
		list, _, _ := s.List(ctx, Query{Category: Contact})
		if len(list) != 1 {
			t.Fatal("no contacts notice")
		}
		for _, x := range access.Sections {
			if !contains(list[0].Body, DemoMailbox(x)) || !contains(list[0].Body, x.Name()) {
				t.Errorf("contacts lack %s", x)
			}
		}
		// A withdrawn seeded notice is not brought back.
		n := list[0]
		if _, err := s.Withdraw(ctx, office, n.ID, n.Version); err != nil {
			t.Fatal(err)
		}
		s.SeedDefaults(ctx)
		if _, total, _ := s.List(ctx, Query{}); total != 9 {
			t.Fatalf("after withdraw and reseed: %d", total)
		}
	})
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

package person_test

import (
	"context"
	"strings"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/person"
)

func TestSearchMasksPagesAndAudits(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newService(d)
		emp := addEmployer(t, d, "110105000001", "北京示例科技有限公司")
		var first string
		for i := 0; i < person.SearchPageSize+3; i++ {
			idNo := ident.MakeID("340102", birth("1990-01-01").AddDate(0, 0, i), 100+i, i%2 == 0)
			p, err := s.Register(ctx, coordinator, person.NewPerson{IDNumber: idNo, Name: "张三明"})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				first = idNo
				if _, err := d.W.ExecContext(ctx, `INSERT INTO employments (person_id, employer_id, start_month, base_fen,
					created_at, updated_at) VALUES ($1, $2, '2023-01', 800000, $3, $3)`, p.ID, emp, p.CreatedAt); err != nil {
					t.Fatal(err)
				}
			}
		}
		if _, err := s.Register(ctx, coordinator, person.NewPerson{IDNumber: ident.MakeID("110105", birth("1980-05-05"), 7, true), Name: "李四"}); err != nil {
			t.Fatal(err)
		}
		m, err := s.Search(ctx, selfEmpl, " 张三明 ", 1)
		if err != nil {
			t.Fatal(err)
		}
		if m.Total != person.SearchPageSize+3 || len(m.Items) != person.SearchPageSize {
			t.Fatalf("total %d, page %d", m.Total, len(m.Items))
		}
		top := m.Items[0]
		if top.Name != "张**" || top.IDNumber != ident.MaskID(first) || strings.Contains(top.IDNumber, first[4:14]) ||
			top.Employer != "北京示例科技有限公司" || top.Status != "正常" || (top.Gender != "男" && top.Gender != "女") {
			t.Fatalf("first match %+v", top)
		}
		if m2, err := s.Search(ctx, selfEmpl, "张三明", 2); err != nil || len(m2.Items) != 3 || m2.Page != 2 {
			t.Fatalf("page 2: %+v %v", m2, err)
		}
		if byID, err := s.Search(ctx, coordinator, strings.ToLower(first), 1); err != nil || byID.Total != 1 || byID.Items[0].IDNumber != ident.MaskID(first) {
			t.Fatalf("by ID number: %+v %v", byID, err)
		}
		for _, q := range []string{"", "张", "3401", "张三明张三明张三明张三明张三明张三明张三明张三明张三明张三明张三明张三明张三明张三明张三明张三明张三明张三明"} {
			if _, err := s.Search(ctx, coordinator, q, 1); errs.KindOf(err) != errs.Invalid {
				t.Errorf("query %q: %v", q, err)
			}
		}
		if _, err := s.Search(ctx, employerA, "张三明", 1); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("employer searches: %v", err)
		}
		if _, err := s.Search(ctx, nil, "张三明", 1); errs.KindOf(err) != errs.Unauthenticated {
			t.Fatalf("anonymous searches: %v", err)
		}
		var n int
		var after string
		if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*), MAX(CAST(after_json AS TEXT)) FROM audit_log WHERE action = 'person.search'`).Scan(&n, &after); err != nil || n != 3 {
			t.Fatalf("audit entries %d, %v", n, err)
		}
		if strings.Contains(after, "张三明") || strings.Contains(after, first) {
			t.Fatalf("audit holds the query in clear: %s", after)
		}
	})
}

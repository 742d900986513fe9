package person_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/person"
)

var (
	coordinator = &access.Actor{UserID: 1, Username: "tongchou", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
	selfEmpl    = &access.Actor{UserID: 2, Username: "geti", Role: access.RoleStaff, Sections: []access.Section{access.SelfEmployed}}
	employerA   = &access.Actor{UserID: 3, Username: "E1", Role: access.RoleEmployer, EmployerID: 1}
)

func birth(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }

func newService(d *db.DB) (*person.Service, *clock.Fixed) {
	c := clock.NewFixed(time.Date(2024, 2, 10, 1, 0, 0, 0, time.UTC))
	return person.NewService(d, c, audit.NewService(d, c)), c
}

// addEmployer inserts a bare employer row for employment tests.
func addEmployer(t *testing.T, d *db.DB, no, name string) int64 {
	t.Helper()
	var id int64
	now := time.Now().UTC()
	err := d.W.QueryRowContext(context.Background(), `INSERT INTO employers (employer_no, uscc, name, legal_rep,
		address, industry, risk_class, established_on, registered_on, created_at, updated_at)
		VALUES ($1, $2, $3, '张三', '北京市', '软件', 1, '2020-01-01', '2020-02-01', $4, $4) RETURNING id`,
		no, ident.MakeUSCC("91", "110105", "MA0"+no[len(no)-5:]), name, now).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestRegisterAndRead(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newService(d)
		idNo := ident.MakeID("110105", birth("1985-03-07"), 123, false)
		p, err := s.Register(ctx, coordinator, person.NewPerson{IDNumber: " " + idNo + " ", Name: "王小丽", Phone: "13812345678"})
		if err != nil {
			t.Fatal(err)
		}
		if p.Gender != "F" || p.BirthDate != "1985-03-07" || p.HukouArea != "110105" || p.Kind != person.Employee || p.Status != person.Active {
			t.Fatalf("derived fields wrong: %+v", p)
		}
		got, err := s.Get(ctx, coordinator, p.ID)
		if err != nil || got.IDNumber != idNo || got.Name != "王小丽" || got.Version != 1 || got.FlexBase != 0 {
			t.Fatalf("Get = %+v, %v", got, err)
		}
		self := &access.Actor{UserID: 9, Username: idNo, Role: access.RolePerson, PersonID: p.ID}
		if _, err := s.Get(ctx, self, p.ID); err != nil {
			t.Fatalf("person reading own record: %v", err)
		}
		byNo, err := s.ByIDNumber(ctx, self, idNo)
		if err != nil || byNo.ID != p.ID {
			t.Fatalf("ByIDNumber = %+v, %v", byNo, err)
		}
		_, err = s.Register(ctx, coordinator, person.NewPerson{IDNumber: idNo, Name: "重复"})
		if errs.KindOf(err) != errs.Conflict {
			t.Fatalf("duplicate: want Conflict, got %v", err)
		}
	})
}

func TestAccess(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newService(d)
		a, err := s.Register(ctx, coordinator, person.NewPerson{IDNumber: ident.MakeID("110105", birth("1970-01-01"), 11, true), Name: "甲"})
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Register(ctx, coordinator, person.NewPerson{IDNumber: ident.MakeID("110105", birth("1971-01-01"), 12, false), Name: "乙"})
		if err != nil {
			t.Fatal(err)
		}
		personA := &access.Actor{UserID: 5, Role: access.RolePerson, PersonID: a.ID}
		cases := []struct {
			name  string
			actor *access.Actor
			id    int64
			want  errs.Kind
		}{
			{"anonymous", nil, a.ID, errs.Unauthenticated},
			{"employer", employerA, a.ID, errs.Forbidden},
			{"other person", personA, b.ID, errs.Forbidden},
			{"self", personA, a.ID, ""},
			{"staff of another section", selfEmpl, b.ID, ""},
			{"missing", coordinator, 999999, errs.NotFound},
		}
		for _, c := range cases {
			_, err := s.Get(ctx, c.actor, c.id)
			if (c.want == "" && err != nil) || (c.want != "" && errs.KindOf(err) != c.want) {
				t.Errorf("%s: got %v, want %q", c.name, err, c.want)
			}
		}
		if _, err := s.ByIDNumber(ctx, personA, b.IDNumber); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("person looking up another by ID number: %v", err)
		}
		if _, err := s.Register(ctx, personA, person.NewPerson{IDNumber: ident.MakeID("110105", birth("1972-01-01"), 1, true), Name: "丙"}); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("person registering: %v", err)
		}
		flex := person.NewPerson{IDNumber: ident.MakeID("110105", birth("1972-01-01"), 1, true), Name: "丙", Kind: person.Flexible, FlexBase: money.Yuan(4800), FlexSince: "2024-01"}
		if _, err := s.Register(ctx, coordinator, flex); errs.KindOf(err) != errs.Forbidden {
			t.Errorf("coordination registering a flexible worker: %v", err)
		}
		if _, err := s.Register(ctx, selfEmpl, flex); err != nil {
			t.Errorf("self-employed section registering a flexible worker: %v", err)
		}
	})
}

func TestRegisterInvalid(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(d)
		good := ident.MakeID("110105", birth("1990-05-05"), 7, true)
		cases := []struct {
			name  string
			in    person.NewPerson
			field string
		}{
			{"bad checksum", person.NewPerson{IDNumber: good[:17] + "0", Name: "甲"}, "id_number"},
			{"born in the future", person.NewPerson{IDNumber: ident.MakeID("110105", birth("2030-01-01"), 7, true), Name: "甲"}, "id_number"},
			{"no name", person.NewPerson{IDNumber: good, Name: "  "}, "name"},
			{"markup in name", person.NewPerson{IDNumber: good, Name: "<b>甲</b>"}, "name"},
			{"bad phone", person.NewPerson{IDNumber: good, Name: "甲", Phone: "12345"}, "phone"},
			{"bad area", person.NewPerson{IDNumber: good, Name: "甲", HukouArea: "0101"}, "hukou_area"},
			{"bad kind", person.NewPerson{IDNumber: good, Name: "甲", Kind: "student"}, "kind"},
			{"base for employee", person.NewPerson{IDNumber: good, Name: "甲", FlexBase: money.Yuan(5000)}, "flex_base"},
		}
		for _, c := range cases {
			_, err := s.Register(context.Background(), &access.Actor{Role: access.RoleAdmin}, c.in)
			e := errs.As(err)
			if e == nil || e.Kind != errs.Invalid || !errs.Fields(e.Fields).Has(c.field) {
				t.Errorf("%s: want Invalid on %s, got %v", c.name, c.field, err)
			}
		}
		flexAdmin := &access.Actor{Role: access.RoleAdmin}
		_, err := s.Register(context.Background(), flexAdmin, person.NewPerson{IDNumber: good, Name: "甲", Kind: person.Flexible, FlexBase: 480050, FlexSince: "2024-13"})
		e := errs.As(err)
		if e == nil || !errs.Fields(e.Fields).Has("flex_base") || !errs.Fields(e.Fields).Has("flex_since") {
			t.Errorf("flexible with fen base and bad month: %v", err)
		}
		var n int
		d.R.QueryRow(`SELECT COUNT(*) FROM persons`).Scan(&n)
		if n != 0 {
			t.Errorf("%d persons written by invalid input", n)
		}
	})
}

func TestEmployments(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, c := newService(d)
		e1 := addEmployer(t, d, "110100000001", "甲公司")
		e2 := addEmployer(t, d, "110100000002", "乙公司")
		p, err := s.Register(ctx, coordinator, person.NewPerson{IDNumber: ident.MakeID("110105", birth("1980-08-08"), 31, true), Name: "李雷"})
		if err != nil {
			t.Fatal(err)
		}
		first := &person.Employment{PersonID: p.ID, EmployerID: e1, StartMonth: "2020-01", Base: money.Yuan(6000)}
		if err := person.InsertEmployment(ctx, d.W, first, c.Now()); err != nil {
			t.Fatal(err)
		}
		second := &person.Employment{PersonID: p.ID, EmployerID: e2, StartMonth: "2023-06", Base: money.Yuan(8000)}
		err = person.InsertEmployment(ctx, d.W, second, c.Now())
		if e := errs.As(err); e == nil || e.Code != "employment_open" {
			t.Fatalf("second open employment: want employment_open, got %v", err)
		}
		if err := person.EndEmployment(ctx, d.W, first.ID, 1, "2019-12", "早于起始月", c.Now()); !errors.Is(err, errs.E(errs.Conflict)) {
			t.Fatalf("end before start: want Conflict, got %v", err)
		}
		if err := person.EndEmployment(ctx, d.W, first.ID, 1, "2023-05", "解除劳动合同", c.Now()); err != nil {
			t.Fatal(err)
		}
		if err := person.EndEmployment(ctx, d.W, first.ID, 1, "2023-05", "again", c.Now()); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("ending twice: want Conflict, got %v", err)
		}
		if err := person.InsertEmployment(ctx, d.W, second, c.Now()); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			employer int64
			month    string
			want     int
		}{{e1, "2019-12", 0}, {e1, "2020-01", 1}, {e1, "2023-05", 1}, {e1, "2023-06", 0}, {e2, "2023-05", 0}, {e2, "2024-02", 1}} {
			ms, err := person.EmploymentsInMonth(ctx, d.R, tc.employer, tc.month)
			if err != nil || len(ms) != tc.want {
				t.Errorf("employer %d in %s: %d employments (%v), want %d", tc.employer, tc.month, len(ms), err, tc.want)
			}
		}
		pr, err := s.Profile(ctx, &access.Actor{Role: access.RolePerson, PersonID: p.ID}, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(pr.Employments) != 2 || pr.Current == nil || pr.Current.EmployerName != "乙公司" || pr.Current.Base != money.Yuan(8000) {
			t.Fatalf("profile = %+v current %+v", pr.Employments, pr.Current)
		}
		if old := pr.Employments[1]; old.EndMonth != "2023-05" || old.EndReason != "解除劳动合同" || old.EmployerNo != "110100000001" {
			t.Fatalf("closed employment = %+v", old)
		}
	})
}

func TestSetFlexible(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, c := newService(d)
		e1 := addEmployer(t, d, "110100000003", "丙公司")
		p, err := s.Register(ctx, coordinator, person.NewPerson{IDNumber: ident.MakeID("320102", birth("1992-02-29"), 8, false), Name: "韩梅梅"})
		if err != nil {
			t.Fatal(err)
		}
		job := &person.Employment{PersonID: p.ID, EmployerID: e1, StartMonth: "2021-03", Base: money.Yuan(5000)}
		if err := person.InsertEmployment(ctx, d.W, job, c.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetFlexible(ctx, selfEmpl, p.ID, p.Version, money.Yuan(4800), "2024-01"); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("flexible while employed: want Conflict, got %v", err)
		}
		if err := person.EndEmployment(ctx, d.W, job.ID, job.Version, "2023-12", "离职", c.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SetFlexible(ctx, coordinator, p.ID, p.Version, money.Yuan(4800), "2024-01"); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("coordination setting flexible: want Forbidden, got %v", err)
		}
		got, err := s.SetFlexible(ctx, selfEmpl, p.ID, p.Version, money.Yuan(4800), "2024-01")
		if err != nil {
			t.Fatal(err)
		}
		reread, _ := s.Get(ctx, selfEmpl, p.ID)
		if got.Version != 2 || reread.Kind != person.Flexible || reread.FlexBase != money.Yuan(4800) || reread.FlexSince != "2024-01" || reread.Version != 2 {
			t.Fatalf("after SetFlexible: %+v", reread)
		}
		if _, err := s.SetFlexible(ctx, selfEmpl, p.ID, 1, 0, ""); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("stale version: want Conflict, got %v", err)
		}
		back, err := s.SetFlexible(ctx, selfEmpl, p.ID, 2, 0, "")
		if err != nil || back.Kind != person.Employee || back.FlexBase != 0 {
			t.Fatalf("back to employee: %+v, %v", back, err)
		}
	})
}

func TestMasked(t *testing.T) {
	p := person.Person{IDNumber: "11010519491231002X", Phone: "13812345678", Name: "张三"}
	m := p.Masked()
	if m.IDNumber != "1101**********002X" || m.Phone != "138****5678" || p.IDNumber != "11010519491231002X" {
		t.Fatalf("Masked = %+v (original %+v)", m, p)
	}
}

package flexible_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/flexible"
	"shebao/internal/ident"
	"shebao/internal/person"
)

func TestSelfRegisterThenBill(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, time.Date(2024, 3, 5, 2, 0, 0, 0, time.UTC))
		in := flexible.SelfRegistration{Category: flexible.CategoryUnemployed, Base: 480000, Since: "2024-03"}
		p, err := f.svc.SelfRegister(ctx, f.me(), in)
		if err != nil || p.ID != f.person.ID || p.Kind != person.Flexible || p.FlexBase != 480000 || p.FlexSince != "2024-03" {
			t.Fatalf("self-register: %+v %v", p, err)
		}
		if _, err := f.svc.SelfRegister(ctx, f.me(), in); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("second registration: %v", err)
		}
		bills, err := f.svc.CreateBills(ctx, f.me(), f.person.ID, "2024-03", flexible.Monthly)
		if err != nil || len(bills) != 1 || bills[0].Total != 96000 || bills[0].Account != 38400 {
			t.Fatalf("bill after self-registration: %+v %v", bills, err)
		}
		if _, err := f.svc.SelfRegistrations(ctx, f.me(), 10); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("person lists registrations: %v", err)
		}
		list, err := f.svc.SelfRegistrations(ctx, selfEmpl, 10)
		if err != nil || len(list) != 1 || list[0].PersonID != f.person.ID || list[0].CategoryName() != "失业人员" ||
			list[0].Base != 480000 || !list[0].Self {
			t.Fatalf("registrations: %+v %v", list, err)
		}
		var before, after, note string
		if err := d.W.QueryRowContext(ctx, `SELECT before_json, after_json, note FROM audit_log
			WHERE action = 'flexible.self_register'`).Scan(&before, &after, &note); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(before+after+note, f.person.IDNumber) || !strings.Contains(after, ident.MaskID(f.person.IDNumber)) {
			t.Fatalf("audit must hold the masked ID only: %s", after)
		}
	})
}

func TestSelfRegisterRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, time.Date(2024, 3, 5, 2, 0, 0, 0, time.UTC))
		ok := flexible.SelfRegistration{Category: flexible.CategoryFlexible, Base: 480000, Since: "2024-04"}
		employerUser := &access.Actor{UserID: 11, Role: access.RoleEmployer, EmployerID: 1}
		cases := []struct {
			name  string
			actor *access.Actor
			in    flexible.SelfRegistration
			kind  errs.Kind
			field string
		}{
			{"anonymous", nil, ok, errs.Unauthenticated, ""},
			{"self-employed section staff", selfEmpl, ok, errs.Forbidden, ""},
			{"admin", admin, ok, errs.Forbidden, ""},
			{"employer", employerUser, ok, errs.Forbidden, ""},
			{"person without record", &access.Actor{UserID: 12, Role: access.RolePerson}, ok, errs.Forbidden, ""},
			{"base under the floor", f.me(), flexible.SelfRegistration{Category: "flexible", Base: 100000, Since: "2024-03"}, errs.Invalid, "flex_base"},
			{"base over the ceiling", f.me(), flexible.SelfRegistration{Category: "flexible", Base: 9900000, Since: "2024-03"}, errs.Invalid, "flex_base"},
			{"past month", f.me(), flexible.SelfRegistration{Category: "flexible", Base: 480000, Since: "2024-02"}, errs.Invalid, "flex_since"},
			{"month after next", f.me(), flexible.SelfRegistration{Category: "flexible", Base: 480000, Since: "2024-05"}, errs.Invalid, "flex_since"},
			{"unknown category", f.me(), flexible.SelfRegistration{Category: "x", Base: 480000, Since: "2024-03"}, errs.Invalid, "category"},
		}
		for _, c := range cases {
			_, err := f.svc.SelfRegister(ctx, c.actor, c.in)
			if errs.KindOf(err) != c.kind {
				t.Fatalf("%s: %v", c.name, err)
			}
			if c.field != "" {
				if !hasField(err, c.field) {
					t.Fatalf("%s: no error on %s: %v", c.name, c.field, err)
				}
			}
		}
		p, err := person.Load(ctx, d.W, f.person.ID)
		if err != nil || p.Kind != person.Employee {
			t.Fatalf("refusals changed the person: %+v %v", p, err)
		}
		// Employed: an open employment refuses, with its start month.
		var emp int64
		if err := d.W.QueryRowContext(ctx, `INSERT INTO employers (employer_no, uscc, name, legal_rep, address, industry,
			risk_class, established_on, registered_on, created_at, updated_at)
			VALUES ('E0000001', $1, '北京示例科技有限公司', '张三', '北京市', '软件', 1, '2020-01-01', '2020-02-01', $2, $2) RETURNING id`,
			ident.MakeUSCC("91", "110105", "MA000001"), f.clock.Now()).Scan(&emp); err != nil {
			t.Fatal(err)
		}
		m := &person.Employment{PersonID: f.person.ID, EmployerID: emp, StartMonth: "2023-07", Base: 600000}
		if err := person.InsertEmployment(ctx, d.W, m, f.clock.Now()); err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.SelfRegister(ctx, f.me(), ok)
		if errs.KindOf(err) != errs.Conflict || !strings.Contains(err.Error(), "您目前由单位参保（2023-07起）") {
			t.Fatalf("employed person: %v", err)
		}
	})
}

func hasField(err error, field string) bool {
	if e := errs.As(err); e != nil {
		for _, fe := range e.Fields {
			if fe.Field == field && fe.Message != "" {
				return true
			}
		}
	}
	return false
}

package flexible_test

import (
	"context"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/flexible"
	"shebao/internal/ident"
	"shebao/internal/person"
	"shebao/internal/policy"
)

var (
	selfEmpl  = &access.Actor{UserID: 2, Username: "geti", Role: access.RoleStaff, Sections: []access.Section{access.SelfEmployed}}
	auditor   = &access.Actor{UserID: 3, Username: "shenji", Role: access.RoleStaff, Sections: []access.Section{access.Audit}}
	fundClerk = &access.Actor{UserID: 4, Username: "jijin", Role: access.RoleStaff, Sections: []access.Section{access.Fund}}
	admin     = &access.Actor{UserID: 5, Username: "admin", Role: access.RoleAdmin}
)

func TestComputeWorkedExample(t *testing.T) {
	// docs/rules.md §6.2: 4,800 × 20% = 960.00, of which 384.00 to the personal account.
	am := flexible.Compute(480000, 200000, 80000)
	if am.Total != 96000 || am.Account != 38400 {
		t.Fatalf("total %s account %s", am.Total, am.Account)
	}
	if half := flexible.Compute(123457, 200000, 80000); half.Total != 24691 || half.Account != 9877 {
		t.Fatalf("half-up: %s %s", half.Total, half.Account)
	}
}

type fixture struct {
	d      *db.DB
	clock  *clock.Fixed
	pol    *policy.Service
	svc    *flexible.Service
	person *person.Person
}

func newFixture(t *testing.T, d *db.DB, now time.Time) *fixture {
	t.Helper()
	ctx := context.Background()
	c := clock.NewFixed(now)
	au := audit.NewService(d, c)
	pol := policy.NewService(d, c, au)
	if err := pol.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	persons := person.NewService(d, c, au)
	f := &fixture{d: d, clock: c, pol: pol, svc: flexible.NewService(d, c, au, pol, persons)}
	p := &person.Person{IDNumber: ident.MakeID("110101", time.Date(1988, 5, 1, 0, 0, 0, 0, time.UTC), 20, false),
		Name: "王小丽", Gender: "F", BirthDate: "1988-05-01", Kind: person.Employee}
	if err := person.Insert(ctx, d.W, p, c.Now()); err != nil {
		t.Fatal(err)
	}
	f.person = p
	return f
}

func (f *fixture) me() *access.Actor {
	return &access.Actor{UserID: 9, Username: "p", Role: access.RolePerson, PersonID: f.person.ID}
}

func TestRegisterAndMonthlyBill(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, time.Date(2024, 3, 5, 2, 0, 0, 0, time.UTC))
		if _, err := f.svc.CreateBills(ctx, f.me(), f.person.ID, "2024-03", flexible.Monthly); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("bill before registration: %v", err)
		}
		if _, err := f.svc.Register(ctx, f.me(), f.person.ID, 1, 480000, "2024-03"); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("person registers self: %v", err)
		}
		if _, err := f.svc.Register(ctx, selfEmpl, f.person.ID, 1, 100000, "2024-03"); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("base under the floor: %v", err)
		}
		p, err := f.svc.Register(ctx, selfEmpl, f.person.ID, 1, 480000, "2024-03")
		if err != nil || p.Kind != person.Flexible {
			t.Fatalf("register: %+v %v", p, err)
		}
		bills, err := f.svc.CreateBills(ctx, f.me(), f.person.ID, "2024-03", flexible.Monthly)
		if err != nil {
			t.Fatal(err)
		}
		b := bills[0]
		if b.Total != 96000 || b.Account != 38400 || b.Flags != "" || b.Waived || b.PaymentRef == "" || b.DueOn != "2024-04-15" {
			t.Fatalf("bill = %+v", b)
		}
		var emp, ind, rate int64
		if err := d.W.QueryRowContext(ctx, `SELECT employer_fen, individual_fen, individual_rate_ppm FROM bill_lines WHERE bill_id = $1`,
			b.ID).Scan(&emp, &ind, &rate); err != nil || emp != 57600 || ind != 38400 || rate != 80000 {
			t.Fatalf("line %d/%d/%d %v", emp, ind, rate, err)
		}
		if _, err := f.svc.CreateBills(ctx, f.me(), f.person.ID, "2024-03", flexible.Monthly); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("second bill of the month: %v", err)
		}
		// Quarterly: three months at once, all or nothing (2024-03 exists).
		if _, err := f.svc.CreateBills(ctx, f.me(), f.person.ID, "2024-03", flexible.Quarterly); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("overlapping quarter: %v", err)
		}
		q, err := f.svc.CreateBills(ctx, selfEmpl, f.person.ID, "2024-04", flexible.Quarterly)
		if err != nil || len(q) != 3 || q[2].FeeMonth != "2024-06" {
			t.Fatalf("quarter: %v %v", q, err)
		}
		if _, err := f.svc.CreateBills(ctx, f.me(), f.person.ID, "2024-07", flexible.Quarterly); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("too far ahead: %v", err)
		}
		other := &access.Actor{UserID: 10, Role: access.RolePerson, PersonID: f.person.ID + 1}
		if _, err := f.svc.Bills(ctx, other, f.person.ID); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("another person lists bills: %v", err)
		}
		list, err := f.svc.Bills(ctx, f.me(), f.person.ID)
		if err != nil || len(list) != 4 || list[3].Account != 38400 || list[3].Explain == "" {
			t.Fatalf("list: %v %v", list, err)
		}
	})
}

func TestMakeUpWindow(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, time.Date(2024, 1, 5, 2, 0, 0, 0, time.UTC))
		if _, err := f.svc.Register(ctx, selfEmpl, f.person.ID, 1, 480000, "2023-12"); err != nil {
			t.Fatal(err)
		}
		e, err := f.pol.Declare(ctx, admin, policy.Epidemic2024()) // from 2024-01-23, open
		if err != nil {
			t.Fatal(err)
		}
		bill := func(month string) flexible.Bill {
			t.Helper()
			bs, err := f.svc.CreateBills(ctx, f.me(), f.person.ID, month, flexible.Monthly)
			if err != nil {
				t.Fatal(err)
			}
			return bs[0]
		}
		// During the emergency: 2024-02 (due extended to 2024-03-31) paid late is accepted, flagged, no fee.
		f.clock.Set(time.Date(2024, 4, 20, 2, 0, 0, 0, time.UTC))
		if b := bill("2024-02"); !b.MakeUp() || !b.Waived || b.DueOn != "2024-03-31" {
			t.Fatalf("during: %+v", b)
		}
		// The emergency ends 2024-04-30: make-up until 2024-07-30.
		if _, err := f.pol.SetEnd(ctx, admin, e.ID, e.Version, "2024-04-30"); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(time.Date(2024, 7, 20, 2, 0, 0, 0, time.UTC))
		if b := bill("2024-03"); !b.MakeUp() || !b.Waived || b.WaiverBasis == "" {
			t.Fatalf("within the window: %+v", b)
		}
		// A month before the emergency was simply late: normal rules.
		if b := bill("2023-12"); b.MakeUp() || b.Waived {
			t.Fatalf("month before the emergency: %+v", b)
		}
		// After the window: normal rules, late fees from the original due date.
		f.clock.Set(time.Date(2024, 8, 10, 2, 0, 0, 0, time.UTC))
		if b := bill("2024-04"); b.MakeUp() || b.Waived || !b.Late() || b.DueOn != "2024-05-15" {
			t.Fatalf("after the window: %+v", b)
		}
		// On time: no flag at all.
		if b := bill("2024-08"); b.Flags != "" || b.Waived {
			t.Fatalf("on time: %+v", b)
		}
	})
}

// TestMonthDueAfterTheEmergencyIsOrdinary: April 2024 falls due on
// 2024-05-15, after the emergency ended on 2024-04-30; billed late inside
// the make-up window it is simply late (the late fee would not be waived
// either), while March, due 2024-04-15 inside the emergency, is a make-up.
func TestMonthDueAfterTheEmergencyIsOrdinary(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, time.Date(2024, 1, 5, 2, 0, 0, 0, time.UTC))
		if _, err := f.svc.Register(ctx, selfEmpl, f.person.ID, 1, 480000, "2024-03"); err != nil {
			t.Fatal(err)
		}
		e, err := f.pol.Declare(ctx, admin, policy.Epidemic2024())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.pol.SetEnd(ctx, admin, e.ID, e.Version, "2024-04-30"); err != nil {
			t.Fatal(err)
		}
		f.clock.Set(time.Date(2024, 5, 20, 2, 0, 0, 0, time.UTC))
		bs, err := f.svc.CreateBills(ctx, f.me(), f.person.ID, "2024-03", flexible.Quarterly)
		if err != nil {
			t.Fatal(err)
		}
		if !bs[0].MakeUp() || !bs[0].Waived {
			t.Fatalf("March: %+v", bs[0])
		}
		if bs[1].MakeUp() || bs[1].Waived || !bs[1].Late() || bs[1].DueOn != "2024-05-15" {
			t.Fatalf("April: %+v", bs[1])
		}
	})
}

package certificate_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/certificate"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/ident"
	"shebao/internal/person"
)

var (
	coordinator = &access.Actor{UserID: 1, Username: "tongchou", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
	auditor     = &access.Actor{UserID: 2, Username: "shenji", Role: access.RoleStaff, Sections: []access.Section{access.Audit}}
)

func personActor(id int64) *access.Actor {
	return &access.Actor{UserID: 100 + id, Username: "p", Role: access.RolePerson, PersonID: id}
}

func employerActor(id int64) *access.Actor {
	return &access.Actor{UserID: 200 + id, Username: "e", Role: access.RoleEmployer, EmployerID: id}
}

type fixture struct {
	d        *db.DB
	clock    *clock.Fixed
	svc      *certificate.Service
	employer int64
	personA  int64
	personB  int64
}

func newFixture(t testing.TB, d *db.DB, o certificate.Options) *fixture {
	t.Helper()
	ctx := context.Background()
	c := clock.NewFixed(time.Date(2024, 6, 10, 2, 0, 0, 0, time.UTC))
	f := &fixture{d: d, clock: c, svc: certificate.NewService(d, c, audit.NewService(d, c), o)}
	now := c.Now()
	err := d.W.QueryRowContext(ctx, `INSERT INTO employers (employer_no, uscc, name, legal_rep, address, industry,
		risk_class, established_on, registered_on, created_at, updated_at)
		VALUES ('E0000001', $1, '北京示例科技有限公司', '张三', '北京市', '软件', 1, '2020-01-01', '2020-02-01', $2, $2) RETURNING id`,
		ident.MakeUSCC("91", "110105", "MA000001"), now).Scan(&f.employer)
	if err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"张三丰", "李四"} {
		p := &person.Person{IDNumber: ident.MakeID("110101", time.Date(1990, 3, 7, 0, 0, 0, 0, time.UTC), 10+10*i, false),
			Name: name, Gender: "F", BirthDate: "1990-03-07", Kind: person.Employee}
		if err := person.Insert(ctx, d.W, p, now); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			f.personA = p.ID
		} else {
			f.personB = p.ID
		}
	}
	return f
}

// addBill inserts an employer bill of month with one line per scheme for
// each person, in the given status.
func (f *fixture) addBill(t testing.TB, month, status, flags string, persons ...int64) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := f.d.W.QueryRowContext(ctx, `INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status,
		total_fen, paid_fen, flags, assessed_at) VALUES ($1, 'employer', $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		fmt.Sprintf("B%s-%d", month, f.employer), f.employer, month, status, int64(len(persons))*119_000,
		map[bool]int64{true: int64(len(persons)) * 119_000}[status == "paid"], flags, f.clock.Now()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range persons {
		for _, l := range []struct {
			scheme   string
			emp, ind int64
		}{{"pension", 76_800, 38_400}, {"unemployment", 2_400, 2_400}, {"injury", 1_152, 0}} {
			if _, err := f.d.W.ExecContext(ctx, `INSERT INTO bill_lines (bill_id, person_id, fee_month, scheme, base_fen,
				declared_base_fen, employer_rate_ppm, individual_rate_ppm, employer_fen, individual_fen)
				VALUES ($1, $2, $3, $4, 480000, 390000, 0, 0, $5, $6)`, id, p, month, l.scheme, l.emp, l.ind); err != nil {
				t.Fatal(err)
			}
		}
	}
	return id
}

func (f *fixture) addEmployment(t testing.TB, personID int64, start string) {
	t.Helper()
	if err := person.InsertEmployment(context.Background(), f.d.W, &person.Employment{PersonID: personID,
		EmployerID: f.employer, StartMonth: start, Base: 480000}, f.clock.Now()); err != nil {
		t.Fatal(err)
	}
}

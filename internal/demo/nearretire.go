package demo

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/death"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/pension"
	"shebao/internal/person"
)

// nearRetiree is one demo person close to the statutory retirement month.
type nearRetiree struct {
	name     string
	cat      pension.Category
	in       int  // months from this month to the retirement month
	years    int  // paid contribution years up to last month
	flexible bool // a flexible worker (else an employee of the first employer)
}

// nearRetirees: some a month away with full records, some with short
// records (flexible workers below the minimum years), one a flexible worker
// who applies by e-mail (SelfEmployedApplicant).
var nearRetirees = []nearRetiree{
	{"陈国栋", pension.Male, 1, 32, false},
	{"林建华", pension.Male, 1, 26, false},
	{"黄秀珍", pension.FemaleWorker, 2, 24, false},
	{"高志明", pension.Male, 2, 9, true},
	{"罗桂英", pension.FemaleWorker, 3, 6, true},
	{"邓永强", pension.Male, 1, 18, true},
}

// NearResult says who NearRetirement added.
type NearResult struct {
	Added       int
	Employments int
	// Applicant is the flexible worker whose retirement e-mail is the
	// self-employed sample (SelfEmployedMail).
	Applicant struct{ Name, IDNumber, Phone1, Phone2 string }
}

// NearRetirement adds insured persons reaching their statutory retirement
// month in the next months (ID area 110108), so the about-to-retire list,
// its reminders and the self-employed application have people to show.
// Their records end before the month before (the months the demo assessed
// are the bills').
func NearRetirement(ctx context.Context, d Deps, before clock.Month) (*NearResult, error) {
	now := d.Clock.Now()
	this := clock.MonthOf(clock.Today(d.Clock))
	var empID int64
	var empName, empSince string
	err := d.DB.Read().QueryRowContext(ctx, `SELECT id, name, substr(registered_on, 1, 7) FROM employers ORDER BY id LIMIT 1`).
		Scan(&empID, &empName, &empSince)
	if err != nil && !db.IsNoRows(err) {
		return nil, errs.Wrap(err, "demo: employer")
	}
	res := &NearResult{}
	err = d.DB.WithTx(ctx, func(tx *sql.Tx) error {
		for i, n := range nearRetirees {
			if !n.flexible && empID == 0 {
				continue
			}
			p, err := nearPerson(ctx, tx, n, i, this, now)
			if errs.KindOf(err) == errs.Conflict {
				continue // a --force run: already there
			}
			if err != nil {
				return err
			}
			if err := nearRecords(ctx, tx, p, n, this, before, employerOf{empID, empName, empSince}, now); err != nil {
				return err
			}
			res.Added++
			if !n.flexible {
				res.Employments++
			}
			if i == len(nearRetirees)-1 {
				res.Applicant.Name, res.Applicant.IDNumber = p.Name, p.IDNumber
				res.Applicant.Phone1, res.Applicant.Phone2 = p.Phone, "13911220006"
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("demo near retirement: %w", err)
	}
	return res, nil
}

// birthFor is a birth month whose statutory retirement month in category c
// is m (the first such month).
func birthFor(c pension.Category, m clock.Month) clock.Month {
	b := m.Add(-(c.OriginalAge() + 4) * 12)
	for ; !m.Before(b.Add(c.OriginalAge() * 12)); b = b.Add(1) {
		if r, err := pension.RetirementOf(c, b); err == nil && r.Retire == m {
			return b
		}
	}
	return b
}

func nearPerson(ctx context.Context, tx *sql.Tx, n nearRetiree, i int, this clock.Month, now time.Time) (*person.Person, error) {
	male := n.cat == pension.Male
	b := birthFor(n.cat, this.Add(n.in))
	birth := time.Date(b.Year, b.Mon, 8+i, 0, 0, 0, 0, time.UTC)
	idn := ident.MakeID("110108", birth, 600+2*i, male)
	var n0 int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM persons WHERE id_number = $1`, idn).Scan(&n0); err != nil {
		return nil, errs.Wrap(err, "demo: near retirement")
	}
	if n0 > 0 {
		return nil, errs.New(errs.Conflict, "person_duplicate", "already there")
	}
	p := &person.Person{IDNumber: idn, Name: n.name, Gender: "F",
		BirthDate: birth.Format("2006-01-02"), Phone: fmt.Sprintf("1381122%04d", i+1), Kind: person.Employee, HukouArea: "110108"}
	if male {
		p.Gender = "M"
	}
	if n.flexible {
		p.Kind, p.FlexBase, p.FlexSince = person.Flexible, 500_000, this.Add(-n.years*12).String()
	}
	return p, person.Insert(ctx, tx, p, now)
}

// nearRecords adds the paid pension months of the last n.years years and,
// for an employee, the open employment.
// employerOf is the demo employer of the near-retirement employees.
type employerOf struct {
	id          int64
	name, since string
}

func nearRecords(ctx context.Context, tx *sql.Tx, p *person.Person, n nearRetiree, this, before clock.Month, emp employerOf, now time.Time) error {
	first, base := this.Add(-n.years*12), money.Fen(600_000)
	kind, payer, empID := "flexible", p.Name, emp.id
	if !n.flexible {
		kind, payer = "employer", emp.name
		start := min(max(first.String(), emp.since), this.Add(-1).String())
		if err := person.InsertEmployment(ctx, tx, &person.Employment{PersonID: p.ID, EmployerID: empID, StartMonth: start, Base: base}, now); err != nil {
			return err
		}
	}
	var recs []contribution.Record
	for m := first; m.Before(before); m = m.Add(1) {
		r := contribution.Record{PersonID: p.ID, Month: m.String(), Scheme: contribution.Pension, PayerKind: kind, PayerName: payer,
			Base: base, Individual: base * 8 / 100, Paid: true}
		if !n.flexible {
			r.EmployerID, r.Employer = empID, base*16/100
		} else {
			r.Individual = base * 20 / 100
		}
		recs = append(recs, r)
	}
	return contribution.InsertRecords(ctx, tx, recs, contribution.SourceDemo, 0, now)
}

// welfareClerk is the demo login of 保险福利科 (fuli), who records the
// demo's reported death; a system actor of that section when there is none.
func welfareClerk(ctx context.Context, d *db.DB) *access.Actor {
	a := &access.Actor{UserID: -3, Username: "保险福利科经办人员（演示）", Role: access.RoleStaff, Sections: []access.Section{access.Welfare}}
	_ = d.Read().QueryRowContext(ctx, `SELECT id, username FROM users WHERE username = 'fuli' AND role = 'staff'`).Scan(&a.UserID, &a.Username)
	return a
}

// reportedDeath records, as 保险福利科 would from a relative's call, the
// death of the last pensioner in pay (without a portal login), so the
// civil-affairs sample file has a death already reported (a duplicate).
func reportedDeath(ctx context.Context, d Deps) (bool, error) {
	if d.Deaths == nil {
		return false, nil
	}
	var idn string
	err := d.DB.Read().QueryRowContext(ctx, `SELECT p.id_number FROM persons p WHERE p.kind = 'retiree' AND p.status = 'active'
		AND EXISTS (SELECT 1 FROM pensioners x WHERE x.person_id = p.id AND x.status = 'active')
		AND NOT EXISTS (SELECT 1 FROM users u WHERE u.person_id = p.id) ORDER BY p.id DESC LIMIT 1`).Scan(&idn)
	if db.IsNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, errs.Wrap(err, "demo: reported death")
	}
	day := clock.Today(d.Clock).AddDate(0, 0, -40)
	heir := ident.MakeID("110109", time.Date(1978, 6, 12, 0, 0, 0, 0, time.UTC), 688, false)
	_, err = d.Deaths.Report(ctx, welfareClerk(ctx, d.DB), death.ReportInput{IDNumber: idn, Date: day.Format("2006-01-02"),
		CertificateNo: "HZ" + day.Format("20060102") + "0099", Heirs: []death.Heir{{Name: "刘淑芬", IDNumber: heir, Relationship: "子女"}}})
	return err == nil, err
}

package demo

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"github.com/schollz/progressbar/v3"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/casework"
	"shebao/internal/employer"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
)

// employerChunk is how many employers are inserted per transaction.
const employerChunk = 1000

// generator holds one run's state. Only the employer pool grows with the
// district (ids, weights, registration months: a few MB at 50,000
// employers); persons are made and written a chunk at a time.
type generator struct {
	Deps
	opts Options
	r    *rand.Rand
	now  time.Time
	res  *Result
	pool employerPool
	// demoEmployers get logins; demoPersons (ID numbers) too.
	demoEmployers []employer.Employer
	demoPersons   []demoPerson
	usccOffset    uint64
	personIndex   uint64 // first ID-number index of this run
	firstPerson   int64  // id of this run's first person
}

func (g *generator) run(ctx context.Context) error {
	if err := g.offsets(ctx); err != nil {
		return err
	}
	if restore := bigCache(ctx, g.DB, g.opts.Persons); restore != nil {
		defer restore()
	}
	if err := g.employers(ctx); err != nil {
		return err
	}
	if err := g.persons(ctx); err != nil {
		return err
	}
	if err := g.accounts(ctx); err != nil {
		return err
	}
	// The emergency first: the pending applications it makes late are then
	// flagged with its basis, as they would be in real life.
	if err := g.emergency(ctx); err != nil {
		return err
	}
	if err := g.applications(ctx); err != nil {
		return err
	}
	if err := g.receivingAccount(ctx); err != nil {
		return err
	}
	if err := g.injuryBenefits(ctx); err != nil {
		return err
	}
	if err := g.bills(ctx); err != nil {
		return err
	}
	if err := g.personalAccounts(ctx); err != nil {
		return err
	}
	if err := g.cases(ctx); err != nil {
		return err
	}
	return g.DB.WithTx(ctx, func(tx *sql.Tx) error {
		return g.Audit.Record(ctx, tx, access.System, audit.Entry{Action: "demo.generate", Entity: "demo",
			After: map[string]any{"employers": g.res.Employers, "persons": g.res.Persons, "flexible": g.res.Flexible,
				"employments": g.res.Employments, "applications": g.res.Applications, "seed": g.opts.Seed,
				"months": g.res.Months, "bills": g.res.Bills, "confirmed": g.res.Confirmed, "paid": g.res.Paid,
				"records": g.res.Records, "cases": g.res.Cases},
			Note: "生成演示数据"})
	})
}

// offsets makes a second (--force) run continue the credit-code and
// ID-number sequences of earlier runs instead of repeating them.
func (g *generator) offsets(ctx context.Context) error {
	var employers, apps, persons int64
	err := g.DB.Read().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM employers),
		(SELECT COUNT(*) FROM employer_applications), (SELECT COUNT(*) FROM persons)`).Scan(&employers, &apps, &persons)
	if err != nil {
		return errs.Wrap(err, "demo: count")
	}
	g.usccOffset = uint64(employers + apps)
	g.personIndex = uint64(persons)
	return nil
}

func (g *generator) bar(total int, what string) *progressbar.ProgressBar {
	out := g.opts.Progress
	if out == nil {
		out = io.Discard
	}
	return progressbar.NewOptions(total, progressbar.OptionSetWriter(out), progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(), progressbar.OptionShowIts(), progressbar.OptionSetItsString("条"),
		progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionSetWidth(30),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(out) }))
}

// uscc makes the credit code of employer index i: the six characters after
// the organisation code's first two are a bijection of i (31^6 codes), so
// codes never repeat.
func (g *generator) uscc(i uint64, established string) string {
	const alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
	const space = 31 * 31 * 31 * 31 * 31 * 31
	v := (i*104_729 + 12_345) % space
	var tail [6]byte
	for k := 5; k >= 0; k-- {
		tail[k] = alphabet[v%31]
		v /= 31
	}
	head := "MA"
	if established < "2015-10-01" {
		head = fmt.Sprintf("%d%d", 1+g.r.IntN(9), g.r.IntN(10))
	}
	return ident.MakeUSCC("91", "110105", head+string(tail[:]))
}

// employerInfo makes one employer's declared data.
func (g *generator) employerInfo(i uint64) employer.Info {
	in := pickIndustry(g.r)
	est := time.Date(1992+g.r.IntN(32), time.Month(1+g.r.IntN(12)), 1+g.r.IntN(28), 0, 0, 0, 0, time.UTC)
	if today := g.now.In(time.UTC); est.After(today) {
		est = today.AddDate(0, -2, 0)
	}
	estDay := est.Format("2006-01-02")
	return employer.Info{
		USCC: g.uscc(i, estDay), Name: employerName(g.r, in), LegalRep: personName(g.r, g.r.IntN(3) > 0),
		Address:     fmt.Sprintf("北京市朝阳区%s%d号", streets[g.r.IntN(len(streets))], 1+g.r.IntN(300)),
		ContactName: personName(g.r, g.r.IntN(2) == 0), ContactPhone: fmt.Sprintf("010-%08d", 50_000_000+g.r.IntN(40_000_000)),
		ContactEmail: fmt.Sprintf("hr%05d@example.cn", i%100_000),
		Industry:     in.Name, RiskClass: in.Class, BankName: banks[g.r.IntN(len(banks))],
		BankAccount: fmt.Sprintf("%04d%015d", 200+g.r.IntN(7000), g.r.Int64N(1_000_000_000_000_000)), EstablishedOn: estDay,
	}
}

// employers inserts the registered employers a chunk per transaction and
// builds the pool persons are employed from.
func (g *generator) employers(ctx context.Context) error {
	bar := g.bar(g.opts.Employers, "参保单位 employers")
	defer bar.Finish()
	floats := []int64{1_000_000, 1_000_000, 1_000_000, 1_200_000, 800_000, 1_500_000, 500_000}
	for done := 0; done < g.opts.Employers; {
		n := min(employerChunk, g.opts.Employers-done)
		list := make([]employer.Employer, n)
		for k := range list {
			idx := g.usccOffset + uint64(done+k)
			info := g.employerInfo(idx)
			e := &list[k]
			e.Info = info
			e.InjuryFloat = money.Rate(floats[g.r.IntN(len(floats))])
			if info.RiskClass == 1 && e.InjuryFloat < 1_000_000 {
				e.InjuryFloat = 1_000_000 // class 1 floats only upwards
			}
			e.Status = employer.EmployerActive
			reg, _ := time.Parse("2006-01-02", info.EstablishedOn)
			reg = reg.AddDate(0, 0, 5+g.r.IntN(25))
			if reg.After(g.now) {
				reg = g.now
			}
			e.RegisteredOn = reg.Format("2006-01-02")
		}
		err := g.DB.WithTx(ctx, func(tx *sql.Tx) error { return g.Employers.InsertDemo(ctx, tx, list) })
		if err != nil {
			return err
		}
		for k := range list {
			g.pool.add(list[k].ID, max(list[k].RegisteredOn[:7], "2005-01"), g.sizeWeight(done+k))
		}
		if done == 0 {
			g.demoEmployers = append(g.demoEmployers, list[:min(3, len(list))]...)
		}
		done += n
		g.res.Employers += n
		bar.Add(n)
	}
	return nil
}

// sizeWeight gives employers a skewed size: most are small, a few are
// large. The first three (the ones with demo logins) are large.
func (g *generator) sizeWeight(i int) int64 {
	if i < 3 {
		return 40
	}
	switch n := g.r.IntN(100); {
	case n < 70:
		return 1
	case n < 90:
		return 5
	case n < 98:
		return 20
	default:
		return 80
	}
}

// cases writes opts.Cases cases of the two years before now, applied for
// by this run's employers (their ids are consecutive).
func (g *generator) cases(ctx context.Context) error {
	if g.opts.Cases <= 0 || len(g.demoEmployers) == 0 {
		return nil
	}
	n, err := casework.DemoCases(ctx, g.DB, g.opts.Cases, g.demoEmployers[0].ID, int64(g.res.Employers), g.now)
	g.res.Cases = n
	return err
}

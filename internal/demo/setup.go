package demo

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/employer"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/jobs"
	"shebao/internal/money"
	"shebao/internal/person"
	"shebao/internal/policy"
)

// demoPerson is a generated person who gets a login.
type demoPerson struct {
	id       int64
	idNumber string
	label    string
}

// persons makes the insured persons and hands them, a chunk at a time, to
// writers: two on PostgreSQL (each COPYs its chunks in its own
// transaction, so both cores work), one on SQLite (one writer is all it
// has; generating the next chunk overlaps with writing this one). The
// data do not depend on which writer writes a chunk: ids and ID numbers
// are fixed when a person is generated.
func (g *generator) persons(ctx context.Context) error {
	total := g.opts.Persons
	if total == 0 || g.pool.total == 0 {
		return nil
	}
	first, err := person.ReserveIDs(ctx, g.DB, total)
	if err != nil {
		return err
	}
	g.firstPerson = first
	gen := &peopleGen{r: g.r, pool: &g.pool, lastMonth: monthOf(clock.DateOf(g.now).AddDate(0, -1, 0)),
		flexBases: g.flexBases(ctx), nextID: first, index: g.personIndex}
	bar := g.bar(total, "参保人员 persons  ")
	defer bar.Finish()
	workers := 1
	if g.DB.Dialect.ParallelWrites() {
		workers = 2
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan []genPerson, workers)
	errc := make(chan error, workers)
	for w := 0; w < workers; w++ {
		go func() {
			var err error
			for c := range chunks {
				if err == nil {
					if err = person.InsertSeeded(ctx, g.DB, c, g.now); err != nil {
						cancel()
					} else {
						bar.Add(len(c))
					}
				}
			}
			errc <- err
		}()
	}
	genErr := g.generatePersons(ctx, gen, total, chunks)
	close(chunks)
	for w := 0; w < workers; w++ {
		if err := <-errc; err != nil {
			return err
		}
	}
	return genErr
}

// generatePersons makes total persons and sends them in chunks.
func (g *generator) generatePersons(ctx context.Context, gen *peopleGen, total int, out chan<- []genPerson) error {
	size := min(g.opts.Chunk, total)
	chunk := make([]genPerson, 0, size)
	for i := 0; i < total; i++ {
		flex := (i+1)*g.opts.Flexible/total > i*g.opts.Flexible/total // spread evenly
		p := gen.next(flex)
		g.pick(&p)
		g.res.Persons++
		g.res.Employments += len(p.Jobs)
		if p.Kind == "flexible" {
			g.res.Flexible++
		}
		chunk = append(chunk, p)
		if len(chunk) < size && i < total-1 {
			continue
		}
		select {
		case out <- chunk:
		case <-ctx.Done():
			return ctx.Err()
		}
		chunk = make([]genPerson, 0, size)
	}
	return nil
}

// pick chooses the persons who get demo logins: two employees of the first
// demo employer, one of the second, one with an earlier employer, and one
// flexible worker.
func (g *generator) pick(p *genPerson) {
	if len(g.demoEmployers) == 0 || len(g.demoPersons) >= 5 {
		return
	}
	open := int64(0)
	for _, j := range p.Jobs {
		if j.End == "" {
			open = j.EmployerID
		}
	}
	count := map[string]int{}
	for _, d := range g.demoPersons {
		count[d.label]++
	}
	var label string
	switch {
	case p.Kind == "flexible" && count["灵活就业人员"] == 0:
		label = "灵活就业人员"
	case open != 0 && len(p.Jobs) > 1 && count["有两段参保经历"] == 0:
		label = "有两段参保经历"
	case open == g.demoEmployers[0].ID && count["单位1职工"] < 2:
		label = "单位1职工"
	case len(g.demoEmployers) > 1 && open == g.demoEmployers[1].ID && count["单位2职工"] == 0:
		label = "单位2职工"
	default:
		return
	}
	g.demoPersons = append(g.demoPersons, demoPerson{id: p.ID, idNumber: p.IDNumber, label: label})
}

// flexBases are the bases flexible workers choose from, within the limits
// in force last month (fallback 60%–300% of 8,000 when rules are missing).
func (g *generator) flexBases(ctx context.Context) []int64 {
	floor, ceiling := money.Yuan(4800), money.Yuan(24000)
	if g.Policy != nil {
		month := monthOf(clock.DateOf(g.now).AddDate(0, -1, 0))
		if f, c, _, err := g.Policy.Limits(ctx, month); err == nil {
			floor, ceiling = f, c
		}
	}
	var out []int64
	for _, share := range []int64{0, 0, 0, 0, 10, 20, 35, 60, 100} {
		b := (floor + (ceiling-floor)*money.Fen(share)/100).RoundYuan()
		out = append(out, int64(b))
	}
	return out
}

// staffLogins are the demo staff: one per section, named after it.
var staffLogins = []struct {
	user    string
	section access.Section
}{
	{"tongchou", access.Coordination}, {"gongshang", access.Injury}, {"fuli", access.Welfare},
	{"jijin", access.Fund}, {"shenji", access.Audit}, {"geti", access.SelfEmployed},
	{"zhanghu", access.Account}, {"bangongshi", access.Office},
}

// accounts creates the demo logins with one shared password hash, not
// forced to change the password. Staff, the administrator and the API
// clients are created once; a --force run adds logins for its own demo
// employers and persons.
func (g *generator) accounts(ctx context.Context) error {
	hash, err := g.Accounts.HashPassword(ctx, Password)
	if err != nil {
		return err
	}
	var exists int
	if err := g.DB.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE username = 'admin'`).Scan(&exists); err != nil {
		return errs.Wrap(err, "demo: admin")
	}
	var adminID int64
	err = g.DB.WithTx(ctx, func(tx *sql.Tx) error {
		var err error
		if exists == 0 {
			if adminID, err = g.staffAccounts(ctx, tx, hash); err != nil {
				return err
			}
		}
		return g.portalAccounts(ctx, tx, hash)
	})
	if err != nil || exists > 0 {
		return err
	}
	admin := &access.Actor{UserID: adminID, Username: "admin", Role: access.RoleAdmin}
	for _, c := range []struct{ name, kind string }{
		{"北京市朝阳区示范医院（工伤联网结算）", account.KindHospital},
		{"中国工商银行北京朝阳支行（代发、对账）", account.KindBank},
	} {
		key, err := g.Accounts.CreateAPIClient(ctx, admin, c.name, c.kind)
		if err != nil {
			return err
		}
		g.res.APIKeys = append(g.res.APIKeys, APIKey{Name: c.name, Kind: account.KindName(c.kind), Key: key})
	}
	if err := g.posts(ctx, admin); err != nil {
		return err
	}
	return g.hospitalLogin(ctx, hash)
}

// posts fills the reporting chain of sensitive matters: each section's demo
// clerk heads the section, and 办公室's clerk is also 办公室主任 and 中心主任.
func (g *generator) posts(ctx context.Context, admin *access.Actor) error {
	for _, s := range staffLogins {
		var id int64
		if err := g.DB.Read().QueryRowContext(ctx, `SELECT id FROM users WHERE username = $1`, s.user).Scan(&id); err != nil {
			return errs.Wrap(err, "demo: posts")
		}
		holdings := []account.Holding{{Post: account.PostSectionHead, Section: s.section}}
		if s.section == access.Office {
			holdings = append(holdings, account.Holding{Post: account.PostOfficeHead}, account.Holding{Post: account.PostAgencyHead})
		}
		for _, h := range holdings {
			if err := g.Accounts.SetPost(ctx, admin, id, h, true); err != nil {
				return err
			}
		}
	}
	return nil
}

// hospitalLogin opens the web login of the demo hospital's staff (医院经办人员).
func (g *generator) hospitalLogin(ctx context.Context, hash string) error {
	var hospital int64
	var name string
	if err := g.DB.Read().QueryRowContext(ctx, `SELECT user_id, name FROM api_clients WHERE kind = 'hospital' ORDER BY id LIMIT 1`).
		Scan(&hospital, &name); err != nil {
		return errs.Wrap(err, "demo: hospital")
	}
	return g.DB.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := g.Accounts.ImportAccount(ctx, tx, account.NewAccount{Role: access.RoleHospital, Username: "yiyuan",
			HospitalID: hospital, DisplayName: "示范医院医保办（演示）", PasswordHash: hash}); err != nil {
			return err
		}
		g.res.Logins = append(g.res.Logins, Login{"医院经办人员", name, "yiyuan", Password})
		return g.Audit.Record(ctx, tx, access.System, audit.Entry{Action: "demo.accounts", Entity: "user",
			After: map[string]any{"hospital": name, "username": "yiyuan"}, Note: "创建演示医院经办人员账户"})
	})
}

func (g *generator) staffAccounts(ctx context.Context, tx *sql.Tx, hash string) (adminID int64, err error) {
	adminID, err = g.Accounts.ImportAccount(ctx, tx, account.NewAccount{Role: access.RoleAdmin, Username: "admin",
		DisplayName: "系统管理员（演示）", PasswordHash: hash})
	if err != nil {
		return 0, err
	}
	g.res.Logins = append(g.res.Logins, Login{"管理员", "全部科室、系统管理", "admin", Password})
	for _, s := range staffLogins {
		_, err := g.Accounts.ImportAccount(ctx, tx, account.NewAccount{Role: access.RoleStaff, Username: s.user,
			DisplayName: s.section.Name() + "经办员（演示）", Sections: []access.Section{s.section}, PasswordHash: hash})
		if err != nil {
			return 0, err
		}
		g.res.Logins = append(g.res.Logins, Login{"经办人员", s.section.Name(), s.user, Password})
	}
	return adminID, g.Audit.Record(ctx, tx, access.System, audit.Entry{Action: "demo.accounts", Entity: "user",
		After: map[string]any{"admin": "admin", "staff": len(staffLogins)}, Note: "创建演示管理员和各科室经办人员账户（演示密码，无需首次改密）"})
}

func (g *generator) portalAccounts(ctx context.Context, tx *sql.Tx, hash string) error {
	for i, e := range g.demoEmployers {
		_, err := g.Accounts.ImportAccount(ctx, tx, account.NewAccount{Role: access.RoleEmployer, Username: e.EmployerNo,
			EmployerID: e.ID, DisplayName: e.Name, PasswordHash: hash})
		if err != nil {
			return err
		}
		g.res.Logins = append(g.res.Logins, Login{"参保单位", fmt.Sprintf("单位%d：%s", i+1, e.Name), e.EmployerNo, Password})
	}
	masked := make([]string, 0, len(g.demoPersons))
	for _, p := range g.demoPersons {
		_, err := g.Accounts.ImportAccount(ctx, tx, account.NewAccount{Role: access.RolePerson, Username: p.idNumber,
			PersonID: p.id, PasswordHash: hash})
		if err != nil {
			return err
		}
		g.res.Logins = append(g.res.Logins, Login{"参保人", p.label, p.idNumber, Password})
		masked = append(masked, ident.MaskID(p.idNumber))
	}
	return g.Audit.Record(ctx, tx, access.System, audit.Entry{Action: "demo.accounts", Entity: "user",
		After: map[string]any{"employers": len(g.demoEmployers), "persons": masked}, Note: "创建演示单位和个人账户"})
}

// applications puts a few registration applications in the coordination
// section's queue: four made online, one taken by phone by the clerk.
func (g *generator) applications(ctx context.Context) error {
	var clerkID int64
	err := g.DB.Read().QueryRowContext(ctx, `SELECT id FROM users WHERE username = 'tongchou'`).Scan(&clerkID)
	if err != nil && !db.IsNoRows(err) {
		return errs.Wrap(err, "demo: clerk")
	}
	today := clock.DateOf(g.now)
	for j := 0; j < 5; j++ {
		info := g.employerInfo(g.usccOffset + uint64(g.opts.Employers+j))
		// Founded 10–70 days ago: some are past the 30-day registration limit
		// and are accepted and flagged under the emergency measure.
		info.EstablishedOn = today.AddDate(0, 0, -(10 + 15*j)).Format("2006-01-02")
		var actor *access.Actor
		in := employer.ApplicationInput{Info: info}
		if j == 4 && clerkID != 0 {
			actor = &access.Actor{UserID: clerkID, Username: "tongchou", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
			in.Channel = employer.ChannelPhone
		}
		if _, err := g.Employers.Submit(ctx, actor, in); err != nil {
			return fmt.Errorf("demo application %d: %w", j+1, err)
		}
		g.res.Applications++
	}
	return nil
}

// emergency declares the 2024 epidemic period (from 2024-01-23, still
// open, every measure, 人社厅明电〔2024〕7号) unless one is declared.
func (g *generator) emergency(ctx context.Context) error {
	list, err := g.Policy.Emergencies(ctx)
	if err != nil {
		return err
	}
	if len(list) > 0 {
		return nil
	}
	if _, err := g.Policy.Declare(ctx, access.System, policy.Epidemic2024()); err != nil {
		return fmt.Errorf("demo emergency: %w", err)
	}
	g.res.Emergency = true
	return nil
}

// ReceivingAccount is the demo agency's receiving account (开户名称,
// 银行账号, 开户银行): demonstration values, not a real account.
var ReceivingAccount = [3]string{"演示区社会保险事业管理处社保费收入户", "0200 0049 0920 0012 345", "中国工商银行演示区支行"}

// receivingAccount sets the demo agency's receiving account (three dated
// rules an administrator can change) unless one is in force today.
func (g *generator) receivingAccount(ctx context.Context) error {
	have, err := g.Policy.ReceivingAccount(ctx, clock.DateOf(g.now))
	if err != nil || have != nil {
		return err
	}
	keys := []string{policy.KeyReceivingAccountName, policy.KeyReceivingAccountNo, policy.KeyReceivingAccountBank}
	for i, k := range keys {
		in := policy.RuleInput{Key: k, From: "2020-01-01", Value: ReceivingAccount[i],
			LegalBasis: "区社保处 社会保险费收入户开户信息（演示）", Note: "演示账户，正式使用前请由管理员改为本机构的收入户"}
		if _, err := g.Policy.AddRule(ctx, access.System, in); err != nil {
			return fmt.Errorf("demo receiving account: %w", err)
		}
	}
	return nil
}

// seedJob and seedSlot name the one seeding run in job_runs.
const seedJob, seedSlot = "demo.seed", "initial"

// SeedIfEmpty generates the default district when the database has no
// employers and no persons; server names this process. Several servers
// starting together on one PostgreSQL seed once: the first to insert the
// job_runs row ('demo.seed', 'initial') does it. It reports whether this
// call seeded.
func SeedIfEmpty(ctx context.Context, d Deps, opts Options, server string) (*Result, bool, error) {
	empty, err := IsEmpty(ctx, d.DB)
	if err != nil || !empty {
		return nil, false, err
	}
	won, err := jobs.ClaimOnce(ctx, d.DB, seedJob, seedSlot, server, d.Clock.Now())
	if err != nil {
		return nil, false, errs.Wrap(err, "demo: claim seeding")
	}
	if !won {
		return nil, false, nil
	}
	opts.Force = true // emptiness was checked; the claim keeps others out
	out, err := Generate(ctx, d, opts)
	if err != nil {
		jobs.ReleaseOnce(ctx, d.DB, seedJob, seedSlot)
		return nil, false, err
	}
	jobs.FinishOnce(ctx, d.DB, seedJob, seedSlot, d.Clock.Now(),
		fmt.Sprintf("%d employers, %d persons in %s", out.Employers, out.Persons, out.Took.Round(time.Millisecond)))
	return out, true, nil
}

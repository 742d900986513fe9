// Package demo creates the demo district: employers of varied industries
// and risk classes, insured persons with valid ID numbers and employment
// histories, flexible workers, logins for every role and section, pending
// registration applications and the 2024 epidemic emergency period. The
// same generator scales to 50,000 employers and 1,000,000 persons for
// benchmarks, streaming in chunks (COPY on PostgreSQL, multi-row INSERTs in
// large transactions on SQLite), deterministically for a given seed.
package demo

import (
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"time"

	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/death"
	"shebao/internal/employer"
	"shebao/internal/errs"
	"shebao/internal/injury"
	"shebao/internal/payment"
	"shebao/internal/payout"
	"shebao/internal/payroll"
	"shebao/internal/personalaccount"
	"shebao/internal/policy"
	"shebao/internal/recovery"
	"shebao/internal/retirement"
	"shebao/internal/transfer"
	"shebao/internal/upkeep"
)

// Password is the password of every demo login. Demo logins are not made
// to change it at first login, so the demo and the browser tests can use
// them at once.
const Password = "Demo@2024"

// Defaults of Options.
const (
	DefaultEmployers = 200
	DefaultPersons   = 5000
	DefaultSeed      = 2024
)

// Options size the district.
type Options struct {
	Employers int    // number of registered employers (default 200 when 0)
	Persons   int    // number of insured persons (default 5,000 when 0)
	Flexible  int    // of whom flexible workers (default 6% of Persons)
	Seed      uint64 // random seed; the same seed on an empty database gives the same data
	// Force adds to a database that already has employers or persons.
	Force bool
	// Progress, when set, receives progress bars (os.Stderr for the CLI).
	Progress io.Writer
	// Chunk is how many persons are written per transaction (default 10,000).
	Chunk int
	// Months is how many past fee months are assessed, partly confirmed
	// and paid (default DefaultMonths; negative: none). It needs
	// Deps.Contribution and Deps.Payments.
	Months int
	// Cases is how many cases of the sections' everyday types the two
	// years before now have seen (default none; 2% of them still open).
	Cases int
	// Retirees is how many pensioners are in pay, last month paid (default
	// DefaultRetirees; negative: none). It needs Deps.Payouts and Deps.Payroll.
	Retirees int
}

func (o *Options) defaults() {
	if o.Employers <= 0 {
		o.Employers = DefaultEmployers
	}
	if o.Persons <= 0 {
		o.Persons = DefaultPersons
	}
	if o.Flexible <= 0 || o.Flexible > o.Persons {
		o.Flexible = o.Persons * 6 / 100
	}
	if o.Seed == 0 {
		o.Seed = DefaultSeed
	}
	if o.Chunk <= 0 {
		o.Chunk = 10_000
	}
	if o.Months == 0 {
		o.Months = DefaultMonths
	}
	if o.Retirees == 0 {
		o.Retirees = DefaultRetirees
	}
}

// Deps are the services the generator goes through.
type Deps struct {
	DB        *db.DB
	Clock     clock.Clock
	Log       *slog.Logger
	Audit     *audit.Service
	Accounts  *account.Service
	Policy    *policy.Service
	Employers *employer.Service
	// Contribution and Payments assess, confirm and pay the past months
	// (Options.Months); without them the district has no bills.
	Contribution *contribution.Service
	Payments     *payment.Service
	// Payouts and Payroll pay the retirees (Retirees); without them the
	// district has none.
	Payouts *payout.Service
	Payroll *payroll.Service
	// Injury records the demo's work-injury recognitions and claims.
	Injury *injury.Service
	// PersonalAccounts gives the persons with logins an opening balance and
	// last year's interest; without it their accounts hold only credits.
	PersonalAccounts *personalaccount.Service
	// Deaths records the death reported before the civil-affairs sample.
	Deaths *death.Service
	// Transfers handles the demo's transfer in under way and transfer out
	// paid and closed (with Payouts); without it there are none.
	Transfers *transfer.Service
	// Upkeep holds the demo's retiree record upkeep: one correction
	// applied in a checked batch, one pending (needs Payroll's retiree login).
	Upkeep *upkeep.Service
	// Retirement records the pensioners' past eligibility certifications;
	// without it none has certified, and the first daily check suspends
	// them all.
	Retirement *retirement.Service
	// Recovery registers the business the demo's emergency deferred
	// (延期业务登记) when the demo is made, so 审计科 finds the register
	// filled before the daily job first runs; without it the register waits
	// for that job.
	Recovery *recovery.Service
}

// Login is one demo login for the printed table.
type Login struct {
	Role     string // 角色
	Section  string // 科室 or a description
	Username string
	Password string
}

// APIKey is a demo API client's key, shown once.
type APIKey struct {
	Name, Kind, Key string
}

// Result says what was created and how long it took.
type Result struct {
	Employers    int
	Persons      int
	Flexible     int
	Employments  int
	Applications int
	Emergency    bool     // the 2024 epidemic period was declared
	Months       []string // fee months assessed
	Bills        int      // bills assessed
	Confirmed    int      // of which confirmed by their employer
	Paid         int      // bank transfers matched to bills
	Records      int64    // historical contribution records of the months before
	Cases        int      // cases of the two years before
	Accounts     int      // persons with logins given an opening balance and last year's interest
	Pensions     *RetireeResult
	Near         *NearResult // people near retirement
	Reported     bool        // a pensioner's death reported by phone
	Transfers    *TransferResult
	Upkeep       *UpkeepResult
	Deferred     int // items put on the emergency recovery register (延期业务登记)
	Logins       []Login
	APIKeys      []APIKey
	Took         time.Duration
}

// IsEmpty reports whether the database has no employers and no persons.
// It reads at most one row of each table.
func IsEmpty(ctx context.Context, d *db.DB) (bool, error) {
	var n int
	err := d.Read().QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM (SELECT 1 FROM employers LIMIT 1) e) +
		(SELECT COUNT(*) FROM (SELECT 1 FROM persons LIMIT 1) p)`).Scan(&n)
	if err != nil {
		return false, errs.Wrap(err, "demo: check empty")
	}
	return n == 0, nil
}

// Generate creates the district. Without opts.Force it refuses (Conflict)
// a database that already has employers or persons.
func Generate(ctx context.Context, d Deps, opts Options) (*Result, error) {
	opts.defaults()
	start := time.Now()
	if !opts.Force {
		empty, err := IsEmpty(ctx, d.DB)
		if err != nil {
			return nil, err
		}
		if !empty {
			return nil, errs.New(errs.Conflict, "demo_not_empty", "数据库中已有参保单位或参保人员；如确需追加演示数据，请加 --force")
		}
	}
	g := &generator{Deps: d, opts: opts, r: rand.New(rand.NewPCG(opts.Seed, 0x5eba0)), now: d.Clock.Now(), res: &Result{}}
	if err := g.run(ctx); err != nil {
		return nil, err
	}
	pr, err := Retirees(ctx, d, opts.Retirees, opts.Seed)
	if err != nil {
		return nil, err
	}
	g.res.Pensions = pr
	before := clock.MonthOf(clock.Today(d.Clock))
	if opts.Months > 0 {
		before = before.Add(-opts.Months)
	}
	if g.res.Near, err = NearRetirement(ctx, d, before); err != nil {
		return nil, err
	}
	g.res.Employments += g.res.Near.Employments
	if g.res.Reported, err = reportedDeath(ctx, d); err != nil {
		return nil, err
	}
	if g.res.Transfers, err = g.transfers(ctx); err != nil {
		return nil, err
	}
	if g.res.Upkeep, err = upkeepDemo(ctx, d, pr.Login); err != nil {
		return nil, err
	}
	if d.Recovery != nil {
		r, err := d.Recovery.Sync(ctx)
		if err != nil {
			return nil, err
		}
		g.res.Deferred = r.Added
	}
	if pr.Login != nil {
		g.res.Logins = append(g.res.Logins, *pr.Login)
	}
	g.res.Took = time.Since(start)
	return g.res, nil
}

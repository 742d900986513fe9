package demo

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"time"

	"shebao/internal/access"
	"shebao/internal/account"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/payout"
	"shebao/internal/payroll"
	"shebao/internal/person"
	"shebao/internal/retirement"
)

// DefaultRetirees is the demo district's pensioners.
const DefaultRetirees = 500

// RetireeResult says what Retirees made.
type RetireeResult struct {
	Retirees, WithoutCard int
	LastMonth             string
	Paid                  int64
	PaidFen               money.Fen
	// Login is the demo retiree's login (the first retiree with a card):
	// pension paid last month, card in use.
	Login *Login
}

// demoFund2 approves what the system prepared (the two-person rule) when
// the district has no demo fund clerk (fundClerk).
var demoFund2 = &access.Actor{UserID: -2, Username: "基金管理科复核人员（演示）", Role: access.RoleStaff, Sections: []access.Section{access.Fund}}

// fundClerk is the demo login of 基金管理科 (jijin), who approves, sends
// and books last month's payroll, so the pages name a clerk a user can log
// in as; demoFund2 when there is none.
func fundClerk(ctx context.Context, d *db.DB) (*access.Actor, error) {
	var id int64
	err := d.Read().QueryRowContext(ctx, `SELECT id FROM users WHERE username = 'jijin' AND role = 'staff'`).Scan(&id)
	if db.IsNoRows(err) {
		return demoFund2, nil
	}
	if err != nil {
		return nil, errs.Wrap(err, "demo: fund clerk")
	}
	return &access.Actor{UserID: id, Username: "jijin", Role: access.RoleStaff, Sections: []access.Section{access.Fund}}, nil
}

// Retirees adds n retirees in pay (about one in twenty without a social
// security card yet), the two agent banks (ICBC with a CSV/GBK profile,
// CCB with XLSX), and pays last month's payroll: run, approved by a second
// clerk, sent per bank and answered by the bank as paid.
func Retirees(ctx context.Context, d Deps, n int, seed uint64) (*RetireeResult, error) {
	if d.Payouts == nil || d.Payroll == nil || n <= 0 {
		return &RetireeResult{}, nil
	}
	banks := demoBanks()
	if err := saveDemoBanks(ctx, d.Payouts); err != nil {
		return nil, err
	}
	now := d.Clock.Now()
	last := clock.MonthOf(now).Add(-1)
	rs, err := writeRetirees(ctx, d.DB, n, seed, last, now)
	if err != nil {
		return nil, err
	}
	res := &RetireeResult{Retirees: n, LastMonth: last.String()}
	for i := range rs {
		if rs[i].BankCode == "" {
			res.WithoutCard++
		}
	}
	if err := d.Payroll.SeedDemo(ctx, rs); err != nil {
		return nil, err
	}
	if _, err := d.Payroll.RunMonth(ctx, access.System, last); err != nil {
		return nil, err
	}
	fund, err := fundClerk(ctx, d.DB)
	if err != nil {
		return nil, err
	}
	if _, err := d.Payouts.ApproveWhere(ctx, fund, payout.Filter{Period: last.String()}, 0, "演示数据：上月养老金复核"); err != nil {
		return nil, err
	}
	for _, b := range banks {
		batch, _, err := d.Payouts.CreateBatch(ctx, fund, b.Code)
		if errs.KindOf(err) == errs.Invalid {
			continue
		}
		if err != nil {
			return nil, err
		}
		ret, err := d.Payouts.SimulatedReturn(ctx, fund, batch.ID, nil)
		if err != nil {
			return nil, err
		}
		r, err := d.Payouts.ImportReturn(ctx, fund, batch.ID, ret.Name, ret.Data)
		if err != nil {
			return nil, err
		}
		res.Paid += r.Paid
		res.PaidFen += r.PaidFen
	}
	if res.Login, err = retireeLogin(ctx, d, rs); err != nil {
		return nil, err
	}
	if d.Retirement != nil {
		if err := d.Retirement.SeedDemoCertifications(ctx, demoCertifications(rs, now)); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// demoCertifications gives the retirees their last eligibility
// certification (待遇资格认证), as a district's pensioners have one: most
// within the last year by the civil-affairs data match, some on the portal
// (the demo login's retiree among them), so their next ones fall due over
// the coming months; one in fifty certified a year and a few days ago, so
// the section's list of missed certifications shows a few, due days ago,
// inside the demo's emergency that keeps them in pay.
func demoCertifications(rs []payroll.DemoRetiree, now time.Time) []retirement.DemoCertification {
	today := clock.DateOf(now)
	out := make([]retirement.DemoCertification, 0, len(rs))
	for i, r := range rs {
		c := retirement.DemoCertification{PersonID: r.PersonID, Method: retirement.CertifyCivil,
			On: today.AddDate(0, 0, -(10 + i*37%320))}
		if i%4 == 0 {
			c.Method = retirement.CertifySelf
		}
		if i%50 == 13 {
			c.On = today.AddDate(0, -retirement.CertificationMonths, -(1 + i%5))
		}
		out = append(out, c)
	}
	return out
}

// retireeLogin gives the first retiree with a social security card a demo
// login (username = ID number, the demo password), so the retiree's pages
// can be shown and documented.
func retireeLogin(ctx context.Context, d Deps, rs []payroll.DemoRetiree) (*Login, error) {
	if d.Accounts == nil {
		return nil, nil
	}
	for _, r := range rs {
		if r.BankCode == "" {
			continue
		}
		hash, err := d.Accounts.HashPassword(ctx, Password)
		if err != nil {
			return nil, err
		}
		err = d.DB.WithTx(ctx, func(tx *sql.Tx) error {
			if _, err := d.Accounts.ImportAccount(ctx, tx, account.NewAccount{Role: access.RolePerson, Username: r.IDNumber,
				PersonID: r.PersonID, PasswordHash: hash}); err != nil {
				return err
			}
			return d.Audit.Record(ctx, tx, access.System, audit.Entry{Action: "demo.accounts", Entity: "user",
				After: map[string]any{"retiree": ident.MaskID(r.IDNumber)}, Note: "创建演示退休人员账户"})
		})
		if err != nil {
			return nil, fmt.Errorf("demo retiree login: %w", err)
		}
		return &Login{Role: "参保人", Section: "退休人员（领取养老金）", Username: r.IDNumber, Password: Password}, nil
	}
	return nil, nil
}

// writeRetirees stores n retiree persons (born 1945–1963) and returns them
// with a pension and, for most, a card.
func writeRetirees(ctx context.Context, d *db.DB, n int, seed uint64, last clock.Month, now time.Time) ([]payroll.DemoRetiree, error) {
	r := rand.New(rand.NewPCG(seed, 0x5e71ee5))
	// A --force run adds another district to the same database: its retirees
	// continue the numbering of the ones already there, so ID numbers stay unique.
	var before int
	if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM persons WHERE id_number LIKE '110109%'`).Scan(&before); err != nil {
		return nil, err
	}
	rs := make([]payroll.DemoRetiree, n)
	persons := make([]*person.Person, n)
	for i := range rs {
		male := i%2 == 0
		k := before + i
		birth := time.Date(1945, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, k%6900)
		idn := ident.MakeID("110109", birth, 2*(k/6900), male)
		name := personName(r, male)
		g := "F"
		if male {
			g = "M"
		}
		retire := clock.Month{Year: birth.Year() + 60, Mon: birth.Month()}
		if last.Before(retire) {
			retire = last.Add(-12)
		}
		rs[i] = payroll.DemoRetiree{Name: name, IDNumber: idn, Monthly: money.Fen(180000 + r.Int64N(420000)), First: retire}
		if i%20 != 7 {
			code, bank := "ICBC", "中国工商银行"
			if i%3 == 0 {
				code, bank = "CCB", "中国建设银行"
			}
			rs[i].BankCode, rs[i].BankName, rs[i].CardAccount = code, bank, cardNumber(uint64(i))
		}
		persons[i] = &person.Person{IDNumber: idn, Name: name, Gender: g, BirthDate: birth.Format("2006-01-02"),
			Kind: person.Retiree, Status: person.Active}
	}
	var byID map[string]int64
	err := d.WithTx(ctx, func(tx *sql.Tx) (err error) {
		byID, err = person.InsertMany(ctx, tx, d.Dialect, persons, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("demo retirees: %w", err)
	}
	for i := range rs {
		rs[i].PersonID = byID[rs[i].IDNumber]
	}
	return rs, nil
}

// cardNumber is a 19-digit social security card account passing the Luhn check.
func cardNumber(i uint64) string {
	body := fmt.Sprintf("621700%012d", 100000000000+i)
	for c := 0; c <= 9; c++ {
		if s := body + fmt.Sprint(c); payout.Luhn(s) {
			return s
		}
	}
	return body + "0"
}

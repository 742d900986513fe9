package demo

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/payment"
)

// DefaultMonths is how many past fee months the demo assesses.
const DefaultMonths = 3

// monthPlan says, per cent of the employers, how many confirm a month's
// bill and how many of all pay it in full: the oldest month is nearly all
// paid, the latest mostly still to check.
type monthPlan struct{ confirm, pay int }

func planFor(age, months int) monthPlan {
	switch {
	case age == months: // the oldest
		return monthPlan{confirm: 95, pay: 88}
	case age == 1: // last month
		return monthPlan{confirm: 40, pay: 15}
	default:
		return monthPlan{confirm: 85, pay: 70}
	}
}

// bills writes the historical records of the months before the first
// assessed one (as if imported from the old system), then assesses the
// last opts.Months fee months before this one through
// the contribution service (as the scheduled job would have), has
// employers confirm some of them and pays some of those through a bank
// statement import, so the ledger and paid amounts are the real ones. The
// first demo employer keeps last month's bill to check; the second has
// one confirmed and unpaid.
func (g *generator) bills(ctx context.Context) error {
	if g.opts.Months <= 0 || g.Contribution == nil || g.Payments == nil {
		return nil
	}
	r := rand.New(rand.NewPCG(g.opts.Seed, 0xb111))
	this := clock.DateOf(g.now)
	first := time.Date(this.Year(), this.Month(), 1, 0, 0, 0, 0, clock.Shanghai)
	// The months before the first assessed one come from the old system.
	also := make([]int64, len(g.demoPersons)) // the persons with logins have their history
	for i, p := range g.demoPersons {
		also[i] = p.id
	}
	n, err := contribution.DemoRecords(ctx, g.DB, monthOf(first.AddDate(0, -g.opts.Months, 0)), g.now, g.firstPerson, also)
	if err != nil {
		return err
	}
	g.res.Records = n
	for age := g.opts.Months; age >= 1; age-- {
		month := monthOf(first.AddDate(0, -age, 0))
		run, err := g.Contribution.RunMonth(ctx, access.System, month, contribution.OriginScheduled)
		if err != nil {
			return fmt.Errorf("demo assessment %s: %w", month, err)
		}
		g.res.Bills += int(run.Created)
		plan := planFor(age, g.opts.Months)
		if err := g.confirmBills(ctx, r, month, age, plan); err != nil {
			return err
		}
		payDay := first.AddDate(0, -age+1, 9) // the 10th of the next month
		if payDay.After(this) {
			payDay = this
		}
		if err := g.payBills(ctx, r, month, age, plan, payDay); err != nil {
			return err
		}
		g.res.Months = append(g.res.Months, month)
	}
	return nil
}

// draftBill is a bill the demo may confirm.
type draftBill struct {
	id, version, employerID int64
}

func (g *generator) confirmBills(ctx context.Context, r *rand.Rand, month string, age int, plan monthPlan) error {
	rows, err := g.DB.Read().QueryContext(ctx, `SELECT id, version, employer_id FROM bills
		WHERE fee_month = $1 AND payer_kind = 'employer' AND status = 'draft' ORDER BY employer_id`, month)
	if err != nil {
		return errs.Wrap(err, "demo: drafts")
	}
	var list []draftBill
	for rows.Next() {
		var b draftBill
		if err := rows.Scan(&b.id, &b.version, &b.employerID); err != nil {
			rows.Close()
			return errs.Wrap(err, "demo: drafts")
		}
		list = append(list, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return errs.Wrap(err, "demo: drafts")
	}
	var ids []int64
	for _, b := range list {
		confirm := r.IntN(100) < plan.confirm
		switch g.demoRank(b.employerID) {
		case 0: // employer 1: last month still to check, earlier ones confirmed
			confirm = age > 1
		case 1: // employer 2: every month confirmed
			confirm = true
		}
		if confirm {
			ids = append(ids, b.id)
		}
	}
	// As their employers would have, a thousand bills a transaction.
	for len(ids) > 0 {
		k := min(1000, len(ids))
		n, err := g.Contribution.ConfirmMany(ctx, access.System, month, ids[:k])
		if err != nil {
			return fmt.Errorf("demo confirm %s: %w", month, err)
		}
		g.res.Confirmed += n
		ids = ids[k:]
	}
	return nil
}

// demoRank is the position of an employer among those with demo logins
// (0 = 单位1), or -1.
func (g *generator) demoRank(employerID int64) int {
	for i, e := range g.demoEmployers {
		if e.ID == employerID {
			return i
		}
	}
	return -1
}

// payBills writes one bank statement with a transfer for each bill to pay
// (quoting its payment reference) and imports it as 基金管理科 would.
func (g *generator) payBills(ctx context.Context, r *rand.Rand, month string, age int, plan monthPlan, day time.Time) error {
	rows, err := g.DB.Read().QueryContext(ctx, `SELECT b.employer_id, b.payment_ref, b.total_fen - b.paid_fen, e.name,
		e.bank_account FROM bills b JOIN employers e ON e.id = b.employer_id
		WHERE b.fee_month = $1 AND b.payer_kind = 'employer' AND b.status = 'confirmed' ORDER BY b.employer_id`, month)
	if err != nil {
		return errs.Wrap(err, "demo: confirmed bills")
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write([]string{"交易日期", "交易流水号", "对方户名", "对方账号", "借方金额", "贷方金额", "附言"})
	n := 0
	for rows.Next() {
		var employerID int64
		var ref, name, acct string
		var due money.Fen
		if err := rows.Scan(&employerID, &ref, &due, &name, &acct); err != nil {
			rows.Close()
			return errs.Wrap(err, "demo: confirmed bills")
		}
		pay := r.IntN(plan.confirm) < plan.pay // of the confirmed ones
		switch g.demoRank(employerID) {
		case 0:
			pay = true
		case 1:
			pay = age > 1
		}
		if !pay || due <= 0 {
			continue
		}
		n++
		_ = w.Write([]string{day.Format("2006-01-02"), fmt.Sprintf("DEMO%s%05d", month[:4]+month[5:], n), name, acct, "",
			due.Plain(), "社保费 " + ref})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return errs.Wrap(err, "demo: confirmed bills")
	}
	w.Flush()
	if n == 0 {
		return nil
	}
	res, err := g.Payments.ImportStatement(ctx, access.System, payment.ImportInput{
		FileName: "演示银行对账单-" + month + ".csv", Data: buf.Bytes()})
	if err != nil {
		return fmt.Errorf("demo payments %s: %w", month, err)
	}
	g.res.Paid += res.Matched
	return nil
}

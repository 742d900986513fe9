// Package statement makes the personal rights statements (个人权益记录单)
// of 个人账户科: one PDF per person with the years of contribution, per
// year the bases, the amounts paid, the account credits, the interest and
// the balance, and the flags; batches of them for all retirees, the
// employees of one employer or every insured person, generated in the
// background, resumable after a crash, delivered as one ZIP (with an
// optional print edition ordered by employer) and e-mailed to the persons
// with an e-mail address (docs/rules.md "Personal rights statements").
package statement

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/person"
	"shebao/internal/personalaccount"
)

// YearRow is one year of a statement.
type YearRow struct {
	Year             int
	Months           int       // months paid (pension)
	BaseMin, BaseMax money.Fen // the pension bases of the paid months
	Paid             money.Fen // employer and individual pension contributions paid
	Credits          money.Fen // account credits of the year (less refunds)
	Other            money.Fen // balances brought over, corrections, transfers
	Interest         money.Fen
	Balance          money.Fen // account balance at the end of the year
	Flags            []string  // e.g. 疫情补缴, 转入（原参保地）
}

// Base is the year's base as printed: one amount, or the lowest and
// highest when it changed.
func (r YearRow) Base() string {
	switch {
	case r.Months == 0:
		return "—"
	case r.BaseMin == r.BaseMax:
		return r.BaseMin.String()
	}
	return r.BaseMin.String() + "–" + r.BaseMax.String()
}

// Content is what one statement states.
type Content struct {
	Person   *person.Person
	Year     int // up to the end of this year
	Employer string
	Months   int // contribution months in all
	Rows     []YearRow
	Balance  money.Fen
	Interest money.Fen // interest in all
}

// Service years: "N 年 M 个月".
func (c *Content) Service() string {
	return strconv.Itoa(c.Months/12) + " 年 " + strconv.Itoa(c.Months%12) + " 个月"
}

// build reads a person's contributions and account up to the end of year
// with q and puts them together by year.
func build(ctx context.Context, q db.Querier, p *person.Person, year int, employer string) (*Content, error) {
	c := &Content{Person: p, Year: year, Employer: employer}
	rows := map[int]*YearRow{}
	row := func(y int) *YearRow {
		if rows[y] == nil {
			rows[y] = &YearRow{Year: y}
		}
		return rows[y]
	}
	if err := paidMonths(ctx, q, p.ID, year, row); err != nil {
		return nil, err
	}
	if err := transferredYears(ctx, q, p.ID, year, row); err != nil {
		return nil, err
	}
	years, err := personalaccount.YearsOf(ctx, q, p.ID, year)
	if err != nil {
		return nil, err
	}
	for _, y := range years {
		r := row(y.Year)
		r.Credits, r.Other, r.Interest, r.Balance = y.Credits, y.Other, y.Interest, y.Closing
		c.Interest += y.Interest
		c.Balance = y.Closing
	}
	keys := make([]int, 0, len(rows))
	for y := range rows {
		keys = append(keys, y)
	}
	sort.Ints(keys)
	var bal money.Fen
	for _, y := range keys {
		r := rows[y]
		if r.Balance == 0 && r.Credits == 0 && r.Other == 0 && r.Interest == 0 {
			r.Balance = bal // a year without entries keeps the balance before it
		}
		bal = r.Balance
		c.Months += r.Months
		c.Rows = append(c.Rows, *r)
	}
	return c, nil
}

// paidMonths adds the pension months paid up to the end of year: paid
// bills and the paid records imported from before Shebao, one month
// counted once.
func paidMonths(ctx context.Context, q db.Querier, personID int64, year int, row func(int) *YearRow) error {
	rs, err := q.QueryContext(ctx, `SELECT l.fee_month, l.base_fen, l.employer_fen + l.individual_fen, b.flags
		FROM bill_lines l JOIN bills b ON b.id = l.bill_id
		WHERE l.person_id = $1 AND l.scheme = 'pension' AND b.status = 'paid' AND l.fee_month <= $2
		UNION ALL
		SELECT r.fee_month, r.base_fen, r.employer_fen + r.individual_fen, ''
		FROM contribution_records r WHERE r.person_id = $1 AND r.scheme = 'pension' AND r.paid AND r.fee_month <= $2
		ORDER BY 1`, personID, strconv.Itoa(year)+"-12")
	if err != nil {
		return errs.Wrap(err, "statement months")
	}
	defer rs.Close()
	last := ""
	for rs.Next() {
		var month, flags string
		var base, paid int64
		if err := rs.Scan(&month, &base, &paid, &flags); err != nil {
			return errs.Wrap(err, "statement months")
		}
		y, _ := strconv.Atoi(month[:4])
		r := row(y)
		if month != last {
			r.Months++
			if r.Months == 1 || money.Fen(base) < r.BaseMin {
				r.BaseMin = money.Fen(base)
			}
			r.BaseMax = max(r.BaseMax, money.Fen(base))
		}
		last = month
		r.Paid += money.Fen(paid)
		for _, f := range strings.Split(contribution.FlagNames(flags), "、") {
			r.addFlag(f)
		}
	}
	return errs.Wrap(rs.Err(), "statement months")
}

// transferredYears adds the years brought over by merged transfers in,
// flagged with the agency they came from.
func transferredYears(ctx context.Context, q db.Querier, personID int64, year int, row func(int) *YearRow) error {
	rs, err := q.QueryContext(ctx, `SELECT y.year, y.months, t.other_agency FROM transfer_years y
		JOIN transfers t ON t.id = y.transfer_id
		WHERE t.person_id = $1 AND t.direction = 'in' AND t.status = 'merged' AND y.year <= $2
		ORDER BY y.year`, personID, year)
	if err != nil {
		return errs.Wrap(err, "statement transfers")
	}
	defer rs.Close()
	for rs.Next() {
		var y, months int
		var agency string
		if err := rs.Scan(&y, &months, &agency); err != nil {
			return errs.Wrap(err, "statement transfers")
		}
		r := row(y)
		r.Months = min(12, r.Months+months)
		r.addFlag("转入（" + agency + "）")
	}
	return errs.Wrap(rs.Err(), "statement transfers")
}

func (r *YearRow) addFlag(f string) {
	if f == "" {
		return
	}
	for _, x := range r.Flags {
		if x == f {
			return
		}
	}
	r.Flags = append(r.Flags, f)
}

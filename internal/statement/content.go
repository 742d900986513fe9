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
	"fmt"
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
// with q and puts them together by year (one statement: three reads).
func build(ctx context.Context, q db.Querier, p *person.Person, year int, employer string) (*Content, error) {
	ms, err := paidMonths(ctx, q, p.ID, year)
	if err != nil {
		return nil, err
	}
	ts, err := transferredYears(ctx, q, p.ID, year)
	if err != nil {
		return nil, err
	}
	years, err := personalaccount.YearsOf(ctx, q, p.ID, year)
	if err != nil {
		return nil, err
	}
	return assemble(p, year, employer, ms, ts, years), nil
}

// monthRow is one paid pension month (a bill line or an imported record).
type monthRow struct {
	month      string
	base, paid int64
	flags      string
}

// transferRow is one year brought over by a merged transfer in.
type transferRow struct {
	year, months int
	agency       string
}

// assemble puts a person's paid months, transferred years and account
// years together by year.
func assemble(p *person.Person, year int, employer string, ms []monthRow, ts []transferRow, years []personalaccount.Year) *Content {
	c := &Content{Person: p, Year: year, Employer: employer}
	rows := map[int]*YearRow{}
	row := func(y int) *YearRow {
		if rows[y] == nil {
			rows[y] = &YearRow{Year: y}
		}
		return rows[y]
	}
	addMonths(ms, row)
	for _, t := range ts {
		r := row(t.year)
		r.Months = min(12, r.Months+t.months)
		r.addFlag("转入（" + t.agency + "）")
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
	return c
}

// addMonths counts the paid months in month order, one month counted once.
func addMonths(ms []monthRow, row func(int) *YearRow) {
	last := ""
	for _, m := range ms {
		y, _ := strconv.Atoi(m.month[:4])
		r := row(y)
		if m.month != last {
			r.Months++
			if r.Months == 1 || money.Fen(m.base) < r.BaseMin {
				r.BaseMin = money.Fen(m.base)
			}
			r.BaseMax = max(r.BaseMax, money.Fen(m.base))
		}
		last = m.month
		r.Paid += money.Fen(m.paid)
		for _, f := range strings.Split(contribution.FlagNames(m.flags), "、") {
			r.addFlag(f)
		}
	}
}

// monthsSQL reads the pension months paid up to a month: paid bills and
// the paid records imported from before Shebao ($1: the end month; the
// person condition is added by the caller).
const monthsSQL = `SELECT l.person_id, l.fee_month, l.base_fen, l.employer_fen + l.individual_fen, b.flags
		FROM bill_lines l JOIN bills b ON b.id = l.bill_id
		WHERE %[1]s AND l.scheme = 'pension' AND b.status = 'paid' AND l.fee_month <= $1
		UNION ALL
		SELECT r.person_id, r.fee_month, r.base_fen, r.employer_fen + r.individual_fen, ''
		FROM contribution_records r WHERE %[2]s AND r.scheme = 'pension' AND r.paid AND r.fee_month <= $1
		ORDER BY 1, 2`

// transfersSQL reads the years of merged transfers in up to a year ($1).
const transfersSQL = `SELECT t.person_id, y.year, y.months, t.other_agency FROM transfer_years y
		JOIN transfers t ON t.id = y.transfer_id
		WHERE %s AND t.direction = 'in' AND t.status = 'merged' AND y.year <= $1
		ORDER BY t.person_id, y.year`

// paidMonths reads one person's pension months paid up to the end of year.
func paidMonths(ctx context.Context, q db.Querier, personID int64, year int) ([]monthRow, error) {
	by, err := readMonths(ctx, q, fmt.Sprintf(monthsSQL, "l.person_id = $2", "r.person_id = $2"),
		[]any{strconv.Itoa(year) + "-12", personID})
	return by[personID], err
}

// transferredYears reads the years one person brought over by merged
// transfers in, up to year.
func transferredYears(ctx context.Context, q db.Querier, personID int64, year int) ([]transferRow, error) {
	by, err := readTransfers(ctx, q, fmt.Sprintf(transfersSQL, "t.person_id = $2"), []any{year, personID})
	return by[personID], err
}

func readMonths(ctx context.Context, q db.Querier, query string, args []any) (map[int64][]monthRow, error) {
	rs, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, errs.Wrap(err, "statement months")
	}
	defer rs.Close()
	out := map[int64][]monthRow{}
	for rs.Next() {
		var id int64
		var m monthRow
		if err := rs.Scan(&id, &m.month, &m.base, &m.paid, &m.flags); err != nil {
			return nil, errs.Wrap(err, "statement months")
		}
		out[id] = append(out[id], m)
	}
	return out, errs.Wrap(rs.Err(), "statement months")
}

func readTransfers(ctx context.Context, q db.Querier, query string, args []any) (map[int64][]transferRow, error) {
	rs, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, errs.Wrap(err, "statement transfers")
	}
	defer rs.Close()
	out := map[int64][]transferRow{}
	for rs.Next() {
		var id int64
		var t transferRow
		if err := rs.Scan(&id, &t.year, &t.months, &t.agency); err != nil {
			return nil, errs.Wrap(err, "statement transfers")
		}
		out[id] = append(out[id], t)
	}
	return out, errs.Wrap(rs.Err(), "statement transfers")
}

// chunkData is what a chunk's statements are built from, read set-based:
// one read each for the persons, their paid months, their transferred
// years and their account years, whatever the chunk's size.
type chunkData struct {
	persons   map[int64]*person.Person
	months    map[int64][]monthRow
	transfers map[int64][]transferRow
	years     map[int64][]personalaccount.Year
}

// readChunk reads the data of the statements of year of the persons ids.
func readChunk(ctx context.Context, q db.Querier, ids []int64, year int) (*chunkData, error) {
	d := &chunkData{}
	var err error
	if d.persons, err = person.LoadMany(ctx, q, ids); err != nil {
		return nil, err
	}
	in, args := db.InInt64s(ids)
	shifted := shiftPlaceholders(in, 1) // $1 is the end of the period
	if d.months, err = readMonths(ctx, q, fmt.Sprintf(monthsSQL, "l.person_id IN ("+shifted+")", "r.person_id IN ("+shifted+")"),
		append([]any{strconv.Itoa(year) + "-12"}, args...)); err != nil {
		return nil, err
	}
	if d.transfers, err = readTransfers(ctx, q, fmt.Sprintf(transfersSQL, "t.person_id IN ("+shifted+")"),
		append([]any{year}, args...)); err != nil {
		return nil, err
	}
	if d.years, err = personalaccount.YearsOfMany(ctx, q, ids, year); err != nil {
		return nil, err
	}
	return d, nil
}

// content is the statement of a member from the chunk's data.
func (d *chunkData) content(m member, year int) (*Content, error) {
	p := d.persons[m.PersonID]
	if p == nil {
		return nil, errs.NotFoundf("未找到该参保人员")
	}
	return assemble(p, year, m.Employer, d.months[m.PersonID], d.transfers[m.PersonID], d.years[m.PersonID]), nil
}

// shiftPlaceholders renumbers "$1,$2,…" to start after n.
func shiftPlaceholders(in string, n int) string {
	parts := strings.Split(in, ",")
	for i := range parts {
		parts[i] = "$" + strconv.Itoa(i+1+n)
	}
	return strings.Join(parts, ",")
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

package payout

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// Get returns a line to staff who may see it (Can SeeLines): the fund
// section, or a section that prepares the line's benefit. NotFound,
// Forbidden.
func (s *Service) Get(ctx context.Context, a *access.Actor, id int64) (*Line, error) {
	if err := Can(a, SeeLines, nil); err != nil {
		return nil, err
	}
	l, err := getLine(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	if err := Can(a, SeeLines, l); err != nil {
		return nil, err
	}
	return l, nil
}

// ByKey returns the live line of a business key (NotFound when none), for
// the sections that prepared it.
func (s *Service) ByKey(ctx context.Context, q db.Querier, key string) (*Line, error) {
	if q == nil {
		q = s.db.Read()
	}
	return lineByKey(ctx, q, key)
}

// OfSource returns every line (any status) of a case or determination,
// oldest first.
func (s *Service) OfSource(ctx context.Context, q db.Querier, sourceKind, sourceID string) ([]Line, error) {
	if q == nil {
		q = s.db.Read()
	}
	return queryLines(ctx, q, `WHERE source_kind = $1 AND source_id = $2 ORDER BY id`, sourceKind, sourceID)
}

// OfPerson returns a person's lines as payee (any status), newest period
// first: what the portal and the clerk show as payments made and held.
// A person actor sees only their own (Forbidden otherwise).
func (s *Service) OfPerson(ctx context.Context, a *access.Actor, personID int64, limit int) ([]Line, error) {
	if a == nil || !(a.IsStaff() || (a.Role == access.RolePerson && a.PersonID == personID && personID != 0)) {
		return nil, errs.Forbid()
	}
	if limit <= 0 || limit > 500 {
		limit = 120
	}
	return queryLines(ctx, s.db.Read(), `WHERE payee_kind = 'person' AND payee_id = $1 AND payout_lines.status NOT IN ('rejected')
		ORDER BY period DESC, id DESC LIMIT `+strconv.Itoa(limit), personID)
}

// Filter selects lines for the fund section's lists.
type Filter struct {
	Status  string
	Scheme  string
	Benefit string
	Bank    string
	Period  string
	Query   string // payee name, or the last digits of the account
	BatchID int64
	Page    int // 1-based
	PerPage int

	benefits []string // set by the service: the benefits the actor may see (nil = all)
}

func (f *Filter) where() (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if f.Status != "" {
		if c := statusCond(f.Status, "?"); strings.Contains(c, "?") {
			add(c, f.Status)
		} else {
			conds = append(conds, c)
		}
	}
	if f.Scheme != "" {
		add("scheme = ?", f.Scheme)
	}
	if f.Benefit != "" {
		add("benefit = ?", f.Benefit)
	}
	if f.Bank != "" {
		add("bank_code = ?", f.Bank)
	}
	if f.Period != "" {
		add("period = ?", f.Period)
	}
	if f.BatchID != 0 {
		add("bl.batch_id = ?", f.BatchID)
	}
	if f.benefits != nil {
		var ph []string
		for _, b := range f.benefits {
			args = append(args, b)
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
		conds = append(conds, "benefit IN ("+strings.Join(ph, ", ")+")")
	}
	if q := strings.TrimSpace(f.Query); q != "" {
		if isDigits(q) && len(q) >= 4 {
			add("account_no LIKE ? ESCAPE '\\'", "%"+q)
		} else {
			add("payee_name LIKE ? ESCAPE '\\'", db.Like(q))
		}
	}
	if len(conds) == 0 {
		return "", nil
	}
	return "WHERE " + strings.Join(conds, " AND "), args
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Page is one page of lines with the totals of the whole selection.
type Page struct {
	Lines   []Line
	Count   int64
	Total   money.Fen
	Page    int
	PerPage int
}

// Pages is the number of pages.
func (p *Page) Pages() int {
	if p.PerPage == 0 {
		return 1
	}
	return int((p.Count + int64(p.PerPage) - 1) / int64(p.PerPage))
}

// List returns a page of the lines a may see (Can SeeLines): every line
// for the fund section, the lines of the benefits it prepares for another
// section (e.g. 保险福利科 the pensions and death benefits).
func (s *Service) List(ctx context.Context, a *access.Actor, f Filter) (*Page, error) {
	if err := Can(a, SeeLines, nil); err != nil {
		return nil, err
	}
	f.benefits = nil
	if !SeesAll(a) {
		f.benefits = visibleBenefits(a)
	}
	if f.PerPage <= 0 || f.PerPage > 200 {
		f.PerPage = 50
	}
	if f.Page < 1 {
		f.Page = 1
	}
	where, args := f.where()
	p := &Page{Page: f.Page, PerPage: f.PerPage}
	var tot int64
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(amount_fen), 0) FROM `+lineFrom+` `+where, args...).Scan(&p.Count, &tot); err != nil {
		return nil, errs.Wrap(err, "count payout lines")
	}
	p.Total = money.Fen(tot)
	lines, err := queryLines(ctx, s.db.Read(), where+` ORDER BY payout_lines.id DESC LIMIT `+strconv.Itoa(f.PerPage)+` OFFSET `+strconv.Itoa((f.Page-1)*f.PerPage), args...)
	p.Lines = lines
	return p, err
}

// Release gives held lines of a person (status held with the reason) the
// account that has become usable (e.g. the social security card now
// active) and makes them prepared, inside the caller's transaction: the
// fund section approves them with the next batch. It returns how many.
func (s *Service) Release(ctx context.Context, tx *sql.Tx, a *access.Actor, personID int64, reason string, acct Request) (int, error) {
	var f errs.Fields
	acct.AccountNo = CleanAccountNo(acct.AccountNo)
	CheckAccount(&f, "account_no", acct.AccountKind, acct.AccountNo)
	if err := f.Err(); err != nil {
		return 0, err
	}
	bank, err := resolveBank(ctx, tx, acct.BankCode, acct.BankName)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `UPDATE payout_lines SET status = 'prepared', account_kind = $1, account_name = $2,
		account_no = $3, bank_name = $4, bank_code = $5, name_confirmed = $6, hold_reason = '', updated_at = $7, version = version + 1
		WHERE status = 'held' AND payee_kind = 'person' AND payee_id = $8 AND hold_reason = $9`,
		acct.AccountKind, acct.AccountName, acct.AccountNo, acct.BankName, bank, acct.NameConfirmed, s.clock.Now(), personID, reason)
	if err != nil {
		return 0, errs.Wrap(err, "release held payouts")
	}
	n, _ := res.RowsAffected()
	if n == 0 {
		return 0, nil
	}
	return int(n), s.audit.Record(ctx, tx, a, audit.Entry{Action: "payout.release", Entity: "payout_line",
		EntityID: "person:" + idStr(personID), After: map[string]any{"lines": n, "account": MaskAccount(acct.AccountNo)}, Note: reason})
}

// OfPayeeTx returns every line of a payee (any status) inside the
// caller's transaction, oldest first.
func (s *Service) OfPayeeTx(ctx context.Context, q db.Querier, payeeKind string, payeeID int64) ([]Line, error) {
	return queryLines(ctx, q, `WHERE payee_kind = $1 AND payee_id = $2 ORDER BY id`, payeeKind, payeeID)
}

// PeriodLine is what the payroll needs of a person's existing line.
type PeriodLine struct {
	PayeeID int64
	Period  string
	Benefit string
	Part    bool // the key has a part (back pay), i.e. it is not the month's base line
	Amount  money.Fen
	Status  string
}

// LinesOfPeriods returns the live lines (not rejected or cancelled) of a
// source kind for person payees with ids in [lo, hi] and periods in
// [from, to], inside the caller's transaction.
func (s *Service) LinesOfPeriods(ctx context.Context, q db.Querier, sourceKind string, lo, hi int64, from, to string) ([]PeriodLine, error) {
	var out []PeriodLine
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var l PeriodLine
		var key string
		var amt int64
		if err := r.Scan(&l.PayeeID, &l.Period, &l.Benefit, &key, &amt, &l.Status); err != nil {
			return err
		}
		l.Amount = money.Fen(amt)
		l.Part = !strings.HasSuffix(key, "/"+l.Period)
		out = append(out, l)
		return nil
	}, `SELECT payee_id, period, benefit, business_key, amount_fen, status FROM payout_lines
		WHERE payee_kind = 'person' AND payee_id BETWEEN $1 AND $2 AND period >= $3 AND period <= $4 AND source_kind = $5
		AND status NOT IN ('rejected', 'cancelled')`, lo, hi, from, to, sourceKind)
	return out, errs.Wrap(err, "lines of periods")
}

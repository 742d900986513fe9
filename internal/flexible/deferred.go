package flexible

import (
	"context"
	"strconv"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
)

// Deferred is one entry of the audit list: a flagged make-up or
// late-accepted bill, or a deferred (late) employer registration.
type Deferred struct {
	Kind    string // 疫情补缴 / 疫情逾期受理 / 逾期参保登记
	Subject string // masked person name, or employer name
	Ref     string // bill number or application number
	Month   string // fee month, or the submission day
	Basis   string
	Amount  money.Fen
	Paid    money.Fen
	Open    bool   // something is still outstanding
	Still   string // what is still open, in Chinese
}

// DeferredPageSize is how many bills one page of the deferred list shows.
const DeferredPageSize = 100

// DeferredCountCap bounds the count of open entries: the list says
// "10,000 项以上" rather than count every flagged bill of every month.
const DeferredCountCap = 10_000

// DeferredFilter chooses the open entries (default) or the settled ones,
// and the page (from 1).
type DeferredFilter struct {
	Settled bool
	Page    int
}

// DeferredResult is one page of the deferred list: on the first page the
// registrations of the view, then the bills, oldest fee month first.
type DeferredResult struct {
	Items      []Deferred
	Open       int  // open entries, at most DeferredCountCap
	OpenCapped bool // there are more than DeferredCountCap
	Page       int
	More       bool // a next page exists
}

// deferredFlagged is the condition on flagged bills; the partial indexes
// bills_deferred_open and bills_deferred_paid repeat it word for word.
const deferredFlagged = `(b.flags LIKE '%emergency_makeup%' OR b.flags LIKE '%late_accepted%')`

// DeferredList returns a page of the flagged make-ups, late-accepted
// payments and deferred employer registrations that are still open (or,
// with f.Settled, those settled), with the capped count of open ones.
// Every query reads one index range, so a page costs the same after two
// years of flagged months. 审计科 or 个体参保科.
func (s *Service) DeferredList(ctx context.Context, a *access.Actor, f DeferredFilter) (*DeferredResult, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	if !a.In(access.Audit) && !a.In(access.SelfEmployed) {
		return nil, errs.Forbid()
	}
	res := &DeferredResult{Page: max(f.Page, 1)}
	apps, err := s.lateApplications(ctx)
	if err != nil {
		return nil, err
	}
	openBills, err := s.countOpenFlagged(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range apps {
		if d.Open {
			res.Open++
		}
		if d.Open != f.Settled && res.Page == 1 {
			res.Items = append(res.Items, d)
		}
	}
	res.Open += openBills
	res.Open, res.OpenCapped = min(res.Open, DeferredCountCap), res.Open > DeferredCountCap
	bills, err := s.flaggedBills(ctx, f.Settled, res.Page)
	if err != nil {
		return nil, err
	}
	if len(bills) > DeferredPageSize {
		bills, res.More = bills[:DeferredPageSize], true
	}
	res.Items = append(res.Items, bills...)
	return res, nil
}

// countOpenFlagged counts the open flagged bills up to DeferredCountCap+1.
func (s *Service) countOpenFlagged(ctx context.Context) (int, error) {
	var n int
	err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM bills b WHERE `+deferredFlagged+`
		AND b.status <> 'paid' AND b.status <> 'cancelled' LIMIT `+strconv.Itoa(DeferredCountCap+1)+`) o`).Scan(&n)
	return n, errs.Wrap(err, "deferred bills")
}

func (s *Service) flaggedBills(ctx context.Context, settled bool, page int) ([]Deferred, error) {
	which := `b.status <> 'paid' AND b.status <> 'cancelled'`
	if settled {
		which = `b.status = 'paid'`
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT b.bill_no, b.payer_kind, COALESCE(p.name, ''), COALESCE(e.name, ''),
		b.fee_month, b.flags, CASE WHEN b.flag_basis <> '' THEN b.flag_basis ELSE b.waiver_basis END, b.total_fen, b.paid_fen, b.status
		FROM bills b LEFT JOIN persons p ON p.id = b.person_id LEFT JOIN employers e ON e.id = b.employer_id
		WHERE `+deferredFlagged+` AND `+which+`
		ORDER BY b.fee_month, b.id LIMIT $1 OFFSET $2`, DeferredPageSize+1, (page-1)*DeferredPageSize)
	if err != nil {
		return nil, errs.Wrap(err, "deferred bills")
	}
	defer rows.Close()
	var out []Deferred
	for rows.Next() {
		var d Deferred
		var kind, pname, ename, flags string
		var status contribution.Status
		if err := rows.Scan(&d.Ref, &kind, &pname, &ename, &d.Month, &flags, &d.Basis, &d.Amount, &d.Paid, &status); err != nil {
			return nil, errs.Wrap(err, "deferred bills")
		}
		d.Kind = contribution.FlagNames(contribution.FlagLateAccepted)
		if hasFlag(flags, FlagMakeUp) {
			d.Kind = contribution.FlagNames(FlagMakeUp)
		}
		d.Subject = ename
		if kind == "flexible" {
			d.Subject = ident.MaskName(pname) + "（灵活就业）"
		}
		d.Open = status != contribution.Paid
		if d.Open {
			d.Still = "未缴清：尚欠 " + (d.Amount - d.Paid).String() + " 元（" + statusName(status) + "）"
		} else {
			d.Still = "已缴清"
		}
		out = append(out, d)
	}
	return out, errs.Wrap(rows.Err(), "deferred bills")
}

func (s *Service) lateApplications(ctx context.Context) ([]Deferred, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT app_no, name, submitted_at, status, late_basis
		FROM employer_applications WHERE late_flag = TRUE ORDER BY submitted_at, id LIMIT 5000`)
	if err != nil {
		return nil, errs.Wrap(err, "deferred registrations")
	}
	defer rows.Close()
	var out []Deferred
	for rows.Next() {
		var d Deferred
		var at time.Time
		var status string
		if err := rows.Scan(&d.Ref, &d.Subject, &at, &status, &d.Basis); err != nil {
			return nil, errs.Wrap(err, "deferred registrations")
		}
		d.Kind, d.Month = "逾期参保登记", at.In(clock.Shanghai).Format("2006-01-02")
		switch status {
		case "submitted":
			d.Open, d.Still = true, "待审核"
		case "returned":
			d.Open, d.Still = true, "已退回，待单位补正"
		case "approved":
			d.Still = "已登记"
		default:
			d.Still = "已撤回"
		}
		out = append(out, d)
	}
	return out, errs.Wrap(rows.Err(), "deferred registrations")
}

package flexible

import (
	"context"
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

// DeferredList returns every flagged make-up, late-accepted payment and
// deferred employer registration, open ones first. 审计科 or 个体参保科.
func (s *Service) DeferredList(ctx context.Context, a *access.Actor) ([]Deferred, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	if !a.In(access.Audit) && !a.In(access.SelfEmployed) {
		return nil, errs.Forbid()
	}
	bills, err := s.flaggedBills(ctx)
	if err != nil {
		return nil, err
	}
	apps, err := s.lateApplications(ctx)
	if err != nil {
		return nil, err
	}
	out := append(bills, apps...)
	open := out[:0:0]
	var closed []Deferred
	for _, d := range out {
		if d.Open {
			open = append(open, d)
		} else {
			closed = append(closed, d)
		}
	}
	return append(open, closed...), nil
}

func (s *Service) flaggedBills(ctx context.Context) ([]Deferred, error) {
	rows, err := s.db.Read().QueryContext(ctx, `SELECT b.bill_no, b.payer_kind, COALESCE(p.name, ''), COALESCE(e.name, ''),
		b.fee_month, b.flags, CASE WHEN b.flag_basis <> '' THEN b.flag_basis ELSE b.waiver_basis END, b.total_fen, b.paid_fen, b.status
		FROM bills b LEFT JOIN persons p ON p.id = b.person_id LEFT JOIN employers e ON e.id = b.employer_id
		WHERE (b.flags LIKE '%emergency_makeup%' OR b.flags LIKE '%late_accepted%') AND b.status <> 'cancelled'
		ORDER BY b.fee_month, b.id LIMIT 5000`)
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

package payroll

import (
	"context"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
)

// Change kinds of the payroll report.
const (
	ReportAdded   = "added"
	ReportStopped = "stopped"
	ReportChanged = "changed"
)

var reportNames = map[string]string{ReportAdded: "新增", ReportStopped: "停发", ReportChanged: "金额变化"}

// ReportLine is one pensioner whose payroll differs from last month.
type ReportLine struct {
	Kind     string
	PersonID int64
	Name     string
	IDNumber string
	Before   money.Fen
	After    money.Fen
	Why      string
}

// KindName is the change in Chinese.
func (l ReportLine) KindName() string { return reportNames[l.Kind] }

// MaskedIDNumber masks the ID number for the list.
func (l ReportLine) MaskedIDNumber() string { return ident.MaskID(l.IDNumber) }

// Report compares a month's pension lines with last month's.
type Report struct {
	Month        string
	Last         string
	Count, Prior int64
	Total, Prev  money.Fen
	Lines        []ReportLine
}

// MonthText and LastText are the report's months in Chinese.
func (r *Report) MonthText() string { return chineseMonth(r.Month) }

// LastText is the month compared with, in Chinese.
func (r *Report) LastText() string { return chineseMonth(r.Last) }

// Report returns who was added, stopped or changed in month against the
// month before, and why (the register's events), at most 500 lines.
func (s *Service) Report(ctx context.Context, a *access.Actor, m clock.Month) (*Report, error) {
	if err := MayView(a); err != nil {
		return nil, err
	}
	rep := &Report{Month: m.String(), Last: m.Add(-1).String()}
	q := s.db.Read()
	sum := func(month string, n *int64, t *money.Fen) error {
		var v int64
		err := q.QueryRowContext(ctx, `SELECT COUNT(DISTINCT payee_id), COALESCE(SUM(amount_fen), 0) FROM payout_lines
			WHERE source_kind = 'pensioner' AND period = $1 AND status NOT IN ('cancelled', 'rejected', 'reissued')`, month).Scan(n, &v)
		*t = money.Fen(v)
		return err
	}
	if err := sum(rep.Month, &rep.Count, &rep.Total); err != nil {
		return nil, errs.Wrap(err, "payroll report")
	}
	if err := sum(rep.Last, &rep.Prior, &rep.Prev); err != nil {
		return nil, errs.Wrap(err, "payroll report")
	}
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var l ReportLine
		var b, af int64
		if err := r.Scan(&l.PersonID, &l.Name, &l.IDNumber, &b, &af, &l.Why); err != nil {
			return err
		}
		l.Before, l.After = money.Fen(b), money.Fen(af)
		switch {
		case b == 0:
			l.Kind = ReportAdded
		case af == 0:
			l.Kind = ReportStopped
		default:
			l.Kind = ReportChanged
		}
		rep.Lines = append(rep.Lines, l)
		return nil
	}, `WITH cur AS (SELECT payee_id, SUM(amount_fen) AS amt FROM payout_lines
			WHERE source_kind = 'pensioner' AND period = $1 AND benefit = 'pension' AND status NOT IN ('cancelled', 'rejected', 'reissued') GROUP BY payee_id),
		prev AS (SELECT payee_id, SUM(amount_fen) AS amt FROM payout_lines
			WHERE source_kind = 'pensioner' AND period = $2 AND benefit = 'pension' AND status NOT IN ('cancelled', 'rejected', 'reissued') GROUP BY payee_id)
		SELECT p.person_id, p.name, p.id_number, COALESCE(prev.amt, 0), COALESCE(cur.amt, 0),
			COALESCE((SELECT e.note FROM pensioner_events e WHERE e.pensioner_id = p.id AND e.month <= $1 ORDER BY e.month DESC, e.id DESC LIMIT 1), '')
		FROM pensioners p LEFT JOIN cur ON cur.payee_id = p.person_id LEFT JOIN prev ON prev.payee_id = p.person_id
		WHERE COALESCE(cur.amt, 0) <> COALESCE(prev.amt, 0) ORDER BY p.person_id LIMIT 500`, rep.Month, rep.Last)
	return rep, errs.Wrap(err, "payroll report")
}

package contribution

import (
	"context"

	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// WageMonth is one month's contribution wage (缴费工资) of a person: the
// base of the work-injury scheme, or of the pension when the month has no
// injury line.
type WageMonth struct {
	Month    string
	Base     money.Fen
	Imported bool // from the historical records, not a bill assessed in Shebao
}

// WageMonths returns the person's contribution wages of the months from
// through to (YYYY-MM, inclusive), oldest first: bills assessed in Shebao
// (not cancelled) and imported historical records, one base per month.
func WageMonths(ctx context.Context, q db.Querier, personID int64, from, to string) ([]WageMonth, error) {
	var out []WageMonth
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var w WageMonth
		var scheme string
		if err := r.Scan(&w.Month, &scheme, &w.Base, &w.Imported); err != nil {
			return err
		}
		n := len(out)
		switch {
		case n == 0 || out[n-1].Month != w.Month:
			out = append(out, w)
		case scheme == "injury": // the injury base wins over the pension base of the same month
			out[n-1] = w
		}
		return nil
	}, `SELECT fee_month, scheme, base_fen, imported FROM (
		SELECT l.fee_month, l.scheme, l.base_fen, FALSE AS imported FROM bill_lines l JOIN bills b ON b.id = l.bill_id
		WHERE l.person_id = $1 AND l.fee_month >= $2 AND l.fee_month <= $3 AND b.status <> 'cancelled'
		  AND l.scheme IN ('injury', 'pension')
		UNION ALL
		SELECT fee_month, scheme, base_fen, TRUE FROM contribution_records
		WHERE person_id = $1 AND fee_month >= $2 AND fee_month <= $3 AND scheme IN ('injury', 'pension')
	) m ORDER BY fee_month, scheme`, personID, from, to)
	return out, errs.Wrap(err, "wage months")
}

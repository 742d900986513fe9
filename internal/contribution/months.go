package contribution

import (
	"context"

	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// Sources of a contribution month.
const (
	MonthAssessed = "assessed" // a line of a bill assessed in Shebao
	MonthImported = "imported" // a historical record from before Shebao
)

// PersonMonth is one month and scheme a person contributed in, assessed
// in Shebao or imported from before, as pension work reads them: the
// base, both shares, whether the money arrived, and the payer.
type PersonMonth struct {
	Month      string    `json:"fee_month"`
	Scheme     Scheme    `json:"scheme"`
	Source     string    `json:"source"`     // assessed | imported
	PayerKind  string    `json:"payer_kind"` // employer | flexible
	EmployerID int64     `json:"employer_id,omitempty"`
	Base       money.Fen `json:"base_fen"`
	Employer   money.Fen `json:"employer_fen"`
	Individual money.Fen `json:"individual_fen"`
	Paid       bool      `json:"paid"` // a paid bill, or a record marked paid
}

// PersonMonths returns every contribution month of a person, oldest first:
// the lines of confirmed or later bills (paid when the bill is paid in
// full) and the imported historical records. It checks no permission: the
// caller's service does. Errors: Internal.
func PersonMonths(ctx context.Context, q db.Querier, personID int64) ([]PersonMonth, error) {
	var out []PersonMonth
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var m PersonMonth
		var paid int
		if err := r.Scan(&m.Month, &m.Scheme, &m.Source, &m.PayerKind, &m.EmployerID, &m.Base, &m.Employer,
			&m.Individual, &paid); err != nil {
			return err
		}
		m.Paid = paid == 1
		out = append(out, m)
		return nil
	}, `SELECT l.fee_month, l.scheme, 'assessed', b.payer_kind, COALESCE(b.employer_id, 0),
		l.base_fen, l.employer_fen, l.individual_fen, CASE WHEN b.status = 'paid' THEN 1 ELSE 0 END
		FROM bill_lines l JOIN bills b ON b.id = l.bill_id
		WHERE l.person_id = $1 AND b.status IN ('confirmed', 'partially_paid', 'paid')
		UNION ALL
		SELECT fee_month, scheme, 'imported', payer_kind, COALESCE(employer_id, 0), base_fen, employer_fen, individual_fen,
			CASE WHEN paid THEN 1 ELSE 0 END
		FROM contribution_records WHERE person_id = $1
		ORDER BY 1, 2`, personID)
	return out, errs.Wrap(err, "person months")
}

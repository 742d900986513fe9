package contribution

import (
	"context"
	"database/sql"

	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/formula"
	"shebao/internal/money"
)

// RecordMonth is one historical pension record month of a person as a
// correction sees it.
type RecordMonth struct {
	Month      string
	PayerName  string
	Base       money.Fen
	Employer   money.Fen
	Individual money.Fen
	Paid       bool
}

// RecordChange is what a correction does to each pension record of a
// period: a new base (0 = unchanged) and a paid status (nil = unchanged).
type RecordChange struct {
	PersonID int64
	From, To string // 'YYYY-MM', inclusive
	Base     money.Fen
	Paid     *bool
}

// ChangedMonth is one record month before and after a correction.
type ChangedMonth struct {
	Month            string
	OldBase, NewBase money.Fen
	OldPaid, NewPaid bool
}

// PensionRecordMonths returns a person's historical pension records of
// the months from..to (inclusive), oldest first, and the months of the
// period assessed in Shebao (bill lines), which are not historical
// records. It checks no permission.
func PensionRecordMonths(ctx context.Context, q db.Querier, personID int64, from, to string) (recs []RecordMonth, assessed []string, err error) {
	err = db.Each(ctx, q, func(row db.Scanner) error {
		var r RecordMonth
		if err := row.Scan(&r.Month, &r.PayerName, &r.Base, &r.Employer, &r.Individual, &r.Paid); err != nil {
			return err
		}
		recs = append(recs, r)
		return nil
	}, `SELECT fee_month, payer_name, base_fen, employer_fen, individual_fen, paid
		FROM contribution_records WHERE person_id = $1 AND scheme = 'pension' AND fee_month BETWEEN $2 AND $3
		ORDER BY fee_month, payer_name`, personID, from, to)
	if err != nil {
		return nil, nil, errs.Wrap(err, "record months")
	}
	err = db.Each(ctx, q, func(r db.Scanner) error {
		var m string
		if err := r.Scan(&m); err != nil {
			return err
		}
		assessed = append(assessed, m)
		return nil
	}, `SELECT DISTINCT l.fee_month FROM bill_lines l JOIN bills b ON b.id = l.bill_id
		WHERE l.person_id = $1 AND l.scheme = 'pension' AND l.fee_month BETWEEN $2 AND $3
		AND b.status IN ('confirmed', 'partially_paid', 'paid') ORDER BY 1`, personID, from, to)
	return recs, assessed, errs.Wrap(err, "assessed months")
}

// CorrectRecordsTx applies a correction to the historical pension records
// of its period inside the caller's transaction: a new base re-derives
// both shares at the rates the record was paid at (each share × new base
// ÷ old base, half-up to the fen), a paid status replaces the old one. A
// record already as corrected is left alone, so applying the same change
// twice changes nothing (docs/rules.md "Retiree record upkeep"). It
// returns the months as they were and became; a period without records
// is a Conflict. It checks no permission: the caller's service does.
func CorrectRecordsTx(ctx context.Context, tx *sql.Tx, c RecordChange) ([]ChangedMonth, error) {
	recs, _, err := PensionRecordMonths(ctx, tx, c.PersonID, c.From, c.To)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, errs.New(errs.Conflict, "records_gone", "更正期间已没有历史缴费记录，请核对后重新提请")
	}
	out := make([]ChangedMonth, 0, len(recs))
	for _, r := range recs {
		n := r
		if c.Base > 0 && c.Base != r.Base {
			n.Base = c.Base
			n.Employer = formula.MulFrac(c.Base, int64(r.Employer), int64(r.Base))
			n.Individual = formula.MulFrac(c.Base, int64(r.Individual), int64(r.Base))
		}
		if c.Paid != nil {
			n.Paid = *c.Paid
		}
		out = append(out, ChangedMonth{Month: r.Month, OldBase: r.Base, NewBase: n.Base, OldPaid: r.Paid, NewPaid: n.Paid})
		if n == r {
			continue
		}
		if _, err := tx.ExecContext(ctx, `UPDATE contribution_records SET base_fen = $1, employer_fen = $2, individual_fen = $3,
			paid = $4 WHERE person_id = $5 AND scheme = 'pension' AND fee_month = $6 AND payer_name = $7`,
			int64(n.Base), int64(n.Employer), int64(n.Individual), n.Paid, c.PersonID, r.Month, r.PayerName); err != nil {
			return nil, errs.Wrap(err, "correct record")
		}
	}
	return out, nil
}

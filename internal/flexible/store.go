package flexible

import (
	"context"
	"database/sql"
	"time"

	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// insertBill writes a confirmed flexible bill and its pension line: the
// pooled part as the "employer" share and the personal-account part as the
// individual share (both paid by the worker).
func insertBill(ctx context.Context, tx *sql.Tx, b *Bill, declared money.Fen, now time.Time, by int64) error {
	am := b.amount
	b.PaymentRef = contribution.NewPaymentRef()
	pooled := am.Total - am.Account
	var flags any = b.Flags
	err := tx.QueryRowContext(ctx, `INSERT INTO bills (bill_no, payer_kind, person_id, fee_month, status, employer_fen,
		individual_fen, total_fen, payment_ref, due_on, due_basis, late_fee_waived, waiver_basis, flags, assessed_at,
		confirmed_at, confirmed_by)
		VALUES ($1, 'flexible', $2, $3, 'confirmed', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14) RETURNING id`,
		b.BillNo, b.PersonID, b.FeeMonth, pooled, am.Account, am.Total, b.PaymentRef, b.DueOn, b.DueBasis, b.Waived,
		b.WaiverBasis, flags, now, nullID(by)).Scan(&b.ID)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "bill_exists", b.FeeMonth+" 已有缴费单，请在列表中查看，无需重复开具")
	}
	if err != nil {
		return errs.Wrap(err, "insert flexible bill")
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO bill_lines (bill_id, person_id, fee_month, scheme, base_fen, declared_base_fen,
		employer_rate_ppm, individual_rate_ppm, employer_fen, individual_fen, explain, flags)
		VALUES ($1, $2, $3, 'pension', $4, $5, $6, $7, $8, $9, $10, $11)`,
		b.ID, b.PersonID, b.FeeMonth, am.Base, declared, am.Rate-am.Share, am.Share, pooled, am.Account, b.Explain, b.Flags)
	return errs.Wrap(err, "insert flexible line")
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

const billCols = `b.id, b.bill_no, b.person_id, b.fee_month, b.status, b.total_fen, b.individual_fen, b.paid_fen,
	COALESCE(b.payment_ref, ''), COALESCE(b.due_on, ''), b.due_basis, b.late_fee_waived, b.waiver_basis, b.flags,
	COALESCE((SELECT MIN(l.explain) FROM bill_lines l WHERE l.bill_id = b.id), ''), b.version`

func listBills(ctx context.Context, q db.Querier, personID int64) ([]Bill, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+billCols+` FROM bills b
		WHERE b.payer_kind = 'flexible' AND b.person_id = $1 ORDER BY b.fee_month DESC LIMIT 400`, personID)
	if err != nil {
		return nil, errs.Wrap(err, "list flexible bills")
	}
	defer rows.Close()
	var out []Bill
	for rows.Next() {
		var b Bill
		if err := rows.Scan(&b.ID, &b.BillNo, &b.PersonID, &b.FeeMonth, &b.Status, &b.Total, &b.Account, &b.Paid,
			&b.PaymentRef, &b.DueOn, &b.DueBasis, &b.Waived, &b.WaiverBasis, &b.Flags, &b.Explain, &b.Version); err != nil {
			return nil, errs.Wrap(err, "scan flexible bill")
		}
		out = append(out, b)
	}
	return out, errs.Wrap(rows.Err(), "list flexible bills")
}

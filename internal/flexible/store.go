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

// insertBill has contribution (the owner of bills) write a confirmed
// flexible bill and its pension line.
func insertBill(ctx context.Context, tx *sql.Tx, b *Bill, declared money.Fen, now time.Time, by int64) error {
	am := b.amount
	b.PaymentRef = contribution.NewPaymentRef()
	id, err := contribution.InsertFlexibleBill(ctx, tx, contribution.FlexibleBill{BillNo: b.BillNo, PersonID: b.PersonID,
		FeeMonth: b.FeeMonth, Pooled: am.Total - am.Account, Account: am.Account, Total: am.Total, Base: am.Base,
		Declared: declared, PooledRate: am.Rate - am.Share, AccountRate: am.Share, PaymentRef: b.PaymentRef, DueOn: b.DueOn,
		DueBasis: b.DueBasis, Waived: b.Waived, WaiverBasis: b.WaiverBasis, Flags: b.Flags, Explain: b.Explain, At: now, By: by})
	b.ID = id
	return err
}

const billCols = `b.id, b.bill_no, b.person_id, b.fee_month, b.status, b.total_fen, b.individual_fen, b.paid_fen,
	COALESCE(b.payment_ref, ''), COALESCE(b.due_on, ''), b.due_basis, b.late_fee_waived, b.waiver_basis, b.flags,
	COALESCE((SELECT MIN(l.explain) FROM bill_lines l WHERE l.bill_id = b.id), ''), b.version`

func listBills(ctx context.Context, q db.Querier, personID int64) ([]Bill, error) {
	var out []Bill
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var b Bill
		if err := r.Scan(&b.ID, &b.BillNo, &b.PersonID, &b.FeeMonth, &b.Status, &b.Total, &b.Account, &b.Paid,
			&b.PaymentRef, &b.DueOn, &b.DueBasis, &b.Waived, &b.WaiverBasis, &b.Flags, &b.Explain, &b.Version); err != nil {
			return errs.Wrap(err, "scan flexible bill")
		}
		out = append(out, b)
		return nil
	}, `SELECT `+billCols+` FROM bills b
		WHERE b.payer_kind = 'flexible' AND b.person_id = $1 ORDER BY b.fee_month DESC LIMIT 400`, personID)
	return out, errs.Wrap(err, "list flexible bills")
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

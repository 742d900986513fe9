package contribution

import (
	"context"
	"database/sql"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// This file holds the writes other packages ask of bills: contribution is
// the only package that writes bills and bill_lines. They run in the
// caller's transaction.

// FlexibleBill is a flexible worker's (灵活就业人员) confirmed bill for one
// month with its one pension line: the pooled part as the "employer" share
// and the personal-account part as the individual share, both paid by the
// worker.
type FlexibleBill struct {
	BillNo   string
	PersonID int64
	FeeMonth string
	Pooled   money.Fen // Total − Account
	Account  money.Fen // credited to the personal account
	Total    money.Fen
	Base     money.Fen // the base after clamping
	Declared money.Fen // the base the worker chose
	// PooledRate and AccountRate are the two parts of the flexible rate.
	PooledRate, AccountRate money.Rate
	PaymentRef              string
	DueOn, DueBasis         string
	Waived                  bool // late fee waived (emergency make-up)
	WaiverBasis             string
	Flags                   string
	Explain                 string // how the line was computed
	At                      time.Time
	By                      int64 // the user who issued it (0: the worker)
}

// InsertFlexibleBill writes b in tx and returns its id. Errors: Conflict
// (the month already has a bill), Internal.
func InsertFlexibleBill(ctx context.Context, tx *sql.Tx, b FlexibleBill) (int64, error) {
	var id int64
	var flags any = b.Flags
	err := tx.QueryRowContext(ctx, `INSERT INTO bills (bill_no, payer_kind, person_id, fee_month, status, employer_fen,
		individual_fen, total_fen, payment_ref, due_on, due_basis, late_fee_waived, waiver_basis, flags, assessed_at,
		confirmed_at, confirmed_by)
		VALUES ($1, 'flexible', $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $15) RETURNING id`,
		b.BillNo, b.PersonID, b.FeeMonth, string(Confirmed), b.Pooled, b.Account, b.Total, b.PaymentRef, b.DueOn, b.DueBasis,
		b.Waived, b.WaiverBasis, flags, b.At, nullID(b.By)).Scan(&id)
	if db.IsUniqueViolation(err) {
		return 0, errs.New(errs.Conflict, "bill_exists", b.FeeMonth+" 已有缴费单，请在列表中查看，无需重复开具")
	}
	if err != nil {
		return 0, errs.Wrap(err, "insert flexible bill")
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO bill_lines (bill_id, person_id, fee_month, scheme, base_fen, declared_base_fen,
		employer_rate_ppm, individual_rate_ppm, employer_fen, individual_fen, explain, flags)
		VALUES ($1, $2, $3, 'pension', $4, $5, $6, $7, $8, $9, $10, $11)`,
		id, b.PersonID, b.FeeMonth, b.Base, b.Declared, b.PooledRate, b.AccountRate, b.Pooled, b.Account, b.Explain, b.Flags)
	return id, errs.Wrap(err, "insert flexible line")
}

// Settlement is a bill after payments were posted to it: what has been
// paid, the status that follows and its flags, at the version it was read.
type Settlement struct {
	ID        int64
	Paid      money.Fen
	Status    Status
	Flags     string
	FlagBasis string
	Version   int64
}

// StatusAfterPayment is the status of a payable bill once paid of total
// has been received.
func StatusAfterPayment(current Status, paid, total money.Fen) Status {
	switch {
	case paid >= total:
		return Paid
	case paid > 0:
		return PartiallyPaid
	}
	return current
}

// ApplyPayments writes the settlements in tx, each under its version
// check: on PostgreSQL one statement with the values as arrays, on SQLite
// (whose UPDATE … FROM scans a VALUES list per row) one prepared statement
// per bill. Errors: Conflict (a bill changed meanwhile), Internal.
func ApplyPayments(ctx context.Context, tx *sql.Tx, dialect db.Dialect, list []Settlement) error {
	if len(list) == 0 {
		return nil
	}
	if dialect == db.SQLite { // UPDATE … FROM a VALUES list scans the list per row on SQLite
		return applyPaymentsEach(ctx, tx, list)
	}
	id, paid, ver := make([]int64, len(list)), make([]int64, len(list)), make([]int64, len(list))
	st, fl, fb := make([]string, len(list)), make([]string, len(list)), make([]string, len(list))
	for i, x := range list {
		id[i], paid[i], ver[i], st[i], fl[i], fb[i] = x.ID, int64(x.Paid), x.Version, string(x.Status), x.Flags, x.FlagBasis
	}
	res, err := tx.ExecContext(ctx, `UPDATE bills SET paid_fen = u.paid, status = u.st, flags = u.fl, flag_basis = u.fb,
		version = bills.version + 1
		FROM (SELECT unnest($1::bigint[]) AS id, unnest($2::bigint[]) AS paid, unnest($3::text[]) AS st, unnest($4::bigint[]) AS ver,
		unnest($5::text[]) AS fl, unnest($6::text[]) AS fb) AS u
		WHERE bills.id = u.id AND bills.version = u.ver`, id, paid, st, ver, fl, fb)
	if err != nil {
		return errs.Wrap(err, "update bills")
	}
	if n, _ := res.RowsAffected(); n != int64(len(id)) {
		return errs.StaleVersion()
	}
	return nil
}

func applyPaymentsEach(ctx context.Context, tx *sql.Tx, list []Settlement) error {
	st, err := tx.PrepareContext(ctx, `UPDATE bills SET paid_fen = $1, status = $2, flags = $5, flag_basis = $6, version = version + 1
		WHERE id = $3 AND version = $4`)
	if err != nil {
		return errs.Wrap(err, "update bills")
	}
	defer st.Close()
	for _, x := range list {
		res, err := st.ExecContext(ctx, int64(x.Paid), string(x.Status), x.ID, x.Version, x.Flags, x.FlagBasis)
		if err != nil {
			return errs.Wrap(err, "update bills")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.StaleVersion()
		}
	}
	return nil
}

// nullID is NULL for a zero id.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

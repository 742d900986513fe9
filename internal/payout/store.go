package payout

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

func idStr(id int64) string { return strconv.FormatInt(id, 10) }

// lineFrom is a line with its batch row (bl). The stored status stays
// "approved" while a line is in a file (docs/decisions/0022): the status
// shown is derived (lineStatus). Conditions on lineFrom name the stored
// column payout_lines.status; statusCond gives the shown one.
const lineFrom = `payout_lines LEFT JOIN payout_batch_lines bl ON bl.line_id = payout_lines.id`

// lineStatus is the status shown of a line read FROM lineFrom.
const lineStatus = `CASE WHEN payout_lines.status = 'approved' AND bl.line_id IS NOT NULL THEN 'in_file' ELSE payout_lines.status END`

// statusCond is the condition (on lineFrom) that a line's status shown is
// st, with ph the placeholder of st for the statuses stored as they are.
func statusCond(st, ph string) string {
	switch st {
	case Approved:
		return "payout_lines.status = 'approved' AND bl.line_id IS NULL"
	case InFile:
		return "payout_lines.status = 'approved' AND bl.line_id IS NOT NULL"
	}
	return "payout_lines.status = " + ph
}

const lineCols = `payout_lines.id, business_key, payee_kind, payee_id, payee_name, payee_id_number, account_kind, account_name, account_no,
	bank_name, bank_code, name_confirmed, amount_fen, scheme, benefit, source_kind, source_id, period, memo, ` + lineStatus + `,
	hold_reason, reject_reason, fail_reason, COALESCE(bl.batch_id, 0), bank_serial, COALESCE(reissue_of, 0),
	prepared_by, prepared_by_id, prepared_at, approved_by, approved_at, paid_on, pay_date, payout_lines.version`

func scanLine(sc interface{ Scan(...any) error }) (*Line, error) {
	l := &Line{}
	var amount int64
	var approved sql.NullTime
	err := sc.Scan(&l.ID, &l.BusinessKey, &l.PayeeKind, &l.PayeeID, &l.PayeeName, &l.PayeeIDNumber, &l.AccountKind,
		&l.AccountName, &l.AccountNo, &l.BankName, &l.BankCode, &l.NameConfirmed, &amount, &l.Scheme, &l.Benefit,
		&l.SourceKind, &l.SourceID, &l.Period, &l.Memo, &l.Status, &l.HoldReason, &l.RejectReason, &l.FailReason,
		&l.BatchID, &l.BankSerial, &l.ReissueOf, &l.PreparedBy, &l.PreparedByID, &l.PreparedAt, &l.ApprovedBy,
		&approved, &l.PaidOn, &l.PayDate, &l.Version)
	if err != nil {
		return nil, err
	}
	l.Amount = money.Fen(amount)
	l.PreparedAt = l.PreparedAt.UTC()
	if approved.Valid {
		t := approved.Time.UTC()
		l.ApprovedAt = &t
	}
	return l, nil
}

func getLine(ctx context.Context, q db.Querier, id int64) (*Line, error) {
	l, err := scanLine(q.QueryRowContext(ctx, `SELECT `+lineCols+` FROM `+lineFrom+` WHERE payout_lines.id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("没有找到该笔拨付")
	}
	return l, errs.Wrap(err, "get payout line")
}

func lineByKey(ctx context.Context, q db.Querier, key string) (*Line, error) {
	l, err := scanLine(q.QueryRowContext(ctx, `SELECT `+lineCols+` FROM `+lineFrom+`
		WHERE business_key = $1 AND payout_lines.status NOT IN ('cancelled', 'rejected')`, key))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("没有找到该笔拨付")
	}
	return l, errs.Wrap(err, "payout line by key")
}

func queryLines(ctx context.Context, q db.Querier, where string, args ...any) ([]Line, error) {
	out, err := db.Collect(ctx, q, db.Deref(scanLine), `SELECT `+lineCols+` FROM `+lineFrom+` `+where, args...)
	return out, errs.Wrap(err, "list payout lines")
}

// insertLine inserts r unless a live line has its key; it returns the new
// id, or 0 when the key was taken.
func insertLine(ctx context.Context, tx *sql.Tx, d db.Dialect, a *access.Actor, r *Request, now time.Time) (int64, error) {
	status := Prepared
	if r.HoldReason != "" && r.AccountNo == "" {
		status = Held
	}
	var id int64
	err := tx.QueryRowContext(ctx, `INSERT INTO payout_lines (business_key, payee_kind, payee_id, payee_name, payee_id_number,
		account_kind, account_name, account_no, bank_name, bank_code, name_confirmed, amount_fen, scheme, benefit,
		source_kind, source_id, period, memo, status, hold_reason, prepared_by, prepared_by_id, prepared_at, updated_at, pay_date)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $23, $24)
		ON CONFLICT (business_key) WHERE status NOT IN ('cancelled', 'rejected') DO NOTHING RETURNING id`,
		r.Key(), r.PayeeKind, r.PayeeID, r.PayeeName, r.PayeeIDNumber, r.AccountKind, r.AccountName, r.AccountNo,
		r.BankName, r.BankCode, r.NameConfirmed, int64(r.Amount), r.scheme(), r.Benefit, r.SourceKind, r.SourceID,
		r.Period, r.Memo, status, r.HoldReason, a.Name(), a.UserID, now, r.PayDate).Scan(&id)
	if db.IsNoRows(err) {
		return 0, nil
	}
	return id, errs.Wrap(err, "insert payout line")
}

// resolveBank picks the agent bank of a line: the code given (which must
// be an active agent bank), else the agent bank whose name the payee's
// bank name contains, else the first active agent bank ("" when none is
// set up yet: the line cannot go into a file until one is).
func resolveBank(ctx context.Context, q db.Querier, code, bankName string) (string, error) {
	banks, err := activeBanks(ctx, q)
	if err != nil {
		return "", err
	}
	if code != "" {
		for _, b := range banks {
			if b.Code == code {
				return code, nil
			}
		}
		return "", (&errs.Fields{{Field: "bank_code", Message: "代发银行不存在或已停用"}}).Err()
	}
	for _, b := range banks {
		if strings.Contains(bankName, b.Name) || strings.Contains(bankName, b.Short()) {
			return b.Code, nil
		}
	}
	if len(banks) > 0 {
		return banks[0].Code, nil
	}
	return "", nil
}

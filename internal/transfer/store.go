package transfer

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

const transferCols = `t.id, t.transfer_no, t.direction, t.person_id, p.name, p.id_number, t.case_no, t.channel, t.other_agency,
	t.other_region, t.other_letter, t.pay_name, t.pay_account, t.pay_bank, t.status, t.step_started_on, t.step_due_on,
	t.refusal, t.letter_code, t.first_month, t.last_month, t.account_fen, t.pooled_fen, t.received_fen,
	COALESCE(t.bank_serial, ''), t.temp_account, t.pension_place, t.payout_key, t.version, t.created_at`

func scanTransfer(row interface{ Scan(...any) error }) (*Transfer, error) {
	var t Transfer
	err := row.Scan(&t.ID, &t.No, &t.Direction, &t.PersonID, &t.PersonName, &t.IDNumber, &t.CaseNo, &t.Channel, &t.OtherAgency,
		&t.OtherRegion, &t.OtherLetter, &t.PayName, &t.PayAccount, &t.PayBank, &t.Status, &t.StepStarted, &t.StepDue,
		&t.Refusal, &t.LetterCode, &t.FirstMonth, &t.LastMonth, (*int64)(&t.Account), (*int64)(&t.Pooled), (*int64)(&t.Received),
		&t.BankSerial, &t.TempAccount, &t.PensionPlace, &t.PayoutKey, &t.Version, &t.CreatedAt)
	return &t, err
}

func insertTransfer(ctx context.Context, tx *sql.Tx, t *Transfer, by int64, now time.Time) error {
	err := tx.QueryRowContext(ctx, `INSERT INTO transfers (transfer_no, direction, person_id, case_no, channel, other_agency,
		other_region, other_letter, pay_name, pay_account, pay_bank, status, step_started_on, step_due_on, created_by, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) RETURNING id`,
		t.No, t.Direction, t.PersonID, t.CaseNo, t.Channel, t.OtherAgency, t.OtherRegion, t.OtherLetter, t.PayName, t.PayAccount,
		t.PayBank, t.Status, t.StepStarted, t.StepDue, by, now).Scan(&t.ID)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "transfer_open", "该参保人已有正在办理的转移接续，不能重复申请，请在转移队列中查看")
	}
	t.Version, t.CreatedAt = 1, now
	return errs.Wrap(err, "insert transfer")
}

func saveTransfer(ctx context.Context, tx *sql.Tx, t *Transfer, now time.Time) error {
	var serial any
	if t.BankSerial != "" {
		serial = t.BankSerial
	}
	res, err := tx.ExecContext(ctx, `UPDATE transfers SET status = $1, step_started_on = $2, step_due_on = $3, refusal = $4,
		letter_code = $5, first_month = $6, last_month = $7, account_fen = $8, pooled_fen = $9, received_fen = $10,
		bank_serial = $11, temp_account = $12, pension_place = $13, payout_key = $14, updated_at = $15, version = version + 1
		WHERE id = $16 AND version = $17`,
		t.Status, t.StepStarted, t.StepDue, t.Refusal, t.LetterCode, t.FirstMonth, t.LastMonth, int64(t.Account), int64(t.Pooled),
		int64(t.Received), serial, t.TempAccount, t.PensionPlace, t.PayoutKey, now, t.ID, t.Version)
	if db.IsUniqueViolation(err) {
		return fieldErr("bank_serial", "该笔到账已匹配给另一转移，不能重复匹配")
	}
	if err != nil {
		return errs.Wrap(err, "save transfer")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.StaleVersion()
	}
	t.Version++
	return nil
}

func loadTransfer(ctx context.Context, q db.Querier, id int64) (*Transfer, error) {
	t, err := scanTransfer(q.QueryRowContext(ctx, `SELECT `+transferCols+` FROM transfers t JOIN persons p ON p.id = t.person_id
		WHERE t.id = $1`, id))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("没有找到该转移接续业务")
	}
	if err != nil {
		return nil, errs.Wrap(err, "load transfer")
	}
	t.Years, err = loadYears(ctx, q, t.ID)
	return t, err
}

func loadYears(ctx context.Context, q db.Querier, id int64) ([]YearLine, error) {
	out, err := db.Collect(ctx, q, db.Fields(func(y *YearLine) []any { return []any{&y.Year, &y.Months, (*int64)(&y.Wages), (*int64)(&y.Account)} }), `SELECT year, months, wages_fen, account_fen FROM transfer_years WHERE transfer_id = $1 ORDER BY year`, id)
	return out, errs.Wrap(err, "transfer years")
}

func replaceYears(ctx context.Context, tx *sql.Tx, t *Transfer) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM transfer_years WHERE transfer_id = $1`, t.ID); err != nil {
		return errs.Wrap(err, "transfer years")
	}
	for _, y := range t.Years {
		if _, err := tx.ExecContext(ctx, `INSERT INTO transfer_years (transfer_id, year, months, wages_fen, account_fen)
			VALUES ($1, $2, $3, $4, $5)`, t.ID, y.Year, y.Months, int64(y.Wages), int64(y.Account)); err != nil {
			return errs.Wrap(err, "transfer years")
		}
	}
	return nil
}

// noMergedOverlap refuses years already brought in by an earlier
// transfer of the person (the same period twice).
func noMergedOverlap(ctx context.Context, q db.Querier, personID int64, years []YearLine) error {
	rows, err := q.QueryContext(ctx, `SELECT y.year, t.transfer_no FROM transfer_years y JOIN transfers t ON t.id = y.transfer_id
		WHERE t.person_id = $1 AND t.direction = 'in' AND t.status = 'merged'`, personID)
	if err != nil {
		return errs.Wrap(err, "merged years")
	}
	defer rows.Close()
	done := map[int]string{}
	for rows.Next() {
		var y int
		var no string
		if err := rows.Scan(&y, &no); err != nil {
			return errs.Wrap(err, "merged years")
		}
		done[y] = no
	}
	for _, y := range years {
		if no, ok := done[y.Year]; ok {
			return fieldErr("years", fmt.Sprintf("%d 年的记录已由转移 %s 转入，同一期间不能重复转入", y.Year, no))
		}
	}
	return errs.Wrap(rows.Err(), "merged years")
}

// Filter selects transfers for the queue.
type Filter struct {
	Direction string
	Open      bool
	Page      int
}

func listTransfers(ctx context.Context, q db.Querier, f Filter) ([]Transfer, error) {
	var where []string
	var args []any
	if f.Direction == In || f.Direction == Out {
		args = append(args, f.Direction)
		where = append(where, fmt.Sprintf("t.direction = $%d", len(args)))
	}
	if f.Open {
		where = append(where, "t.status NOT IN ('merged', 'refused', 'closed')")
	}
	w := ""
	if len(where) > 0 {
		w = "WHERE " + strings.Join(where, " AND ")
	}
	page := max(f.Page, 1)
	out, err := db.Collect(ctx, q, db.Deref(scanTransfer), `SELECT `+transferCols+` FROM transfers t JOIN persons p ON p.id = t.person_id `+w+`
		ORDER BY t.step_due_on, t.id LIMIT 50 OFFSET `+fmt.Sprint((page-1)*50), args...)
	return out, errs.Wrap(err, "list transfers")
}

// Total of the years' wages, for the 信息表.
func yearsWages(ys []YearLine) money.Fen {
	var s money.Fen
	for _, y := range ys {
		s += y.Wages
	}
	return s
}

func transfersOf(ctx context.Context, q db.Querier, personID int64) ([]Transfer, error) {
	out, err := db.Collect(ctx, q, db.Deref(scanTransfer), `SELECT `+transferCols+` FROM transfers t JOIN persons p ON p.id = t.person_id
		WHERE t.person_id = $1 ORDER BY t.id DESC LIMIT 20`, personID)
	return out, errs.Wrap(err, "person transfers")
}

// transferOfCase is the latest transfer opened on a case (nil when none).
func transferOfCase(ctx context.Context, q db.Querier, caseNo string) (*Transfer, error) {
	t, err := scanTransfer(q.QueryRowContext(ctx, `SELECT `+transferCols+` FROM transfers t JOIN persons p ON p.id = t.person_id
		WHERE t.case_no = $1 ORDER BY t.id DESC LIMIT 1`, caseNo))
	if db.IsNoRows(err) {
		return nil, nil
	}
	return t, errs.Wrap(err, "transfer of case")
}

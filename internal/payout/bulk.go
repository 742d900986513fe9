package payout

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
)

// PrepareBulk prepares many lines inside the caller's transaction (the
// payroll: thousands per chunk). Lines whose key is live already are
// skipped silently (a rerun adds nothing); it returns how many were new.
// Every request is validated first: one bad request refuses all (Invalid,
// the field prefixed with its position). One audit entry records the count.
func (s *Service) PrepareBulk(ctx context.Context, tx *sql.Tx, a *access.Actor, reqs []Request) (int, error) {
	if len(reqs) == 0 {
		return 0, nil
	}
	banks := map[[2]string]string{}
	for i := range reqs {
		r := &reqs[i]
		r.normalize()
		if err := MayPrepare(a, r.Benefit); err != nil {
			return 0, err
		}
		if err := r.Validate(); err != nil {
			return 0, prefixed(err, i)
		}
		k := [2]string{r.BankCode, r.BankName}
		code, ok := banks[k]
		if !ok {
			var err error
			if code, err = resolveBank(ctx, tx, r.BankCode, r.BankName); err != nil {
				return 0, prefixed(err, i)
			}
			banks[k] = code
		}
		r.BankCode = code
	}
	n, err := insertLines(ctx, tx, s.db.Dialect, a, reqs, s.clock.Now())
	if err != nil || n == 0 {
		return n, err
	}
	// The record is found by the period paid (what a clerk looks for), not by the source's kind.
	return n, s.audit.Record(ctx, tx, a, audit.Entry{Action: "payout.prepare.bulk", Entity: "payout_line",
		EntityID: reqs[0].Period, After: map[string]any{"requested": len(reqs), "created": n, "source_kind": reqs[0].SourceKind}})
}

func prefixed(err error, i int) error {
	e := errs.As(err)
	if e == nil || len(e.Fields) == 0 {
		return err
	}
	c := *e
	c.Fields = nil
	for _, f := range e.Fields {
		c.Fields = append(c.Fields, errs.FieldError{Field: fmt.Sprintf("lines[%d].%s", i, f.Field), Message: fmt.Sprintf("第%d笔：%s", i+1, f.Message)})
	}
	return &c
}

var lineInsertCols = []db.Column{
	{Name: "business_key", Type: db.Text}, {Name: "payee_kind", Type: db.Text}, {Name: "payee_id", Type: db.BigInt},
	{Name: "payee_name", Type: db.Text}, {Name: "payee_id_number", Type: db.Text}, {Name: "account_kind", Type: db.Text},
	{Name: "account_name", Type: db.Text}, {Name: "account_no", Type: db.Text}, {Name: "bank_name", Type: db.Text},
	{Name: "bank_code", Type: db.Text}, {Name: "name_confirmed", Type: db.Boolean}, {Name: "amount_fen", Type: db.BigInt},
	{Name: "scheme", Type: db.Text}, {Name: "benefit", Type: db.Text}, {Name: "source_kind", Type: db.Text},
	{Name: "source_id", Type: db.Text}, {Name: "period", Type: db.Text}, {Name: "memo", Type: db.Text},
	{Name: "status", Type: db.Text}, {Name: "hold_reason", Type: db.Text}, {Name: "prepared_by", Type: db.Text},
	{Name: "prepared_by_id", Type: db.BigInt}, {Name: "prepared_at", Type: db.Timestamp}, {Name: "updated_at", Type: db.Timestamp},
	{Name: "pay_date", Type: db.Text},
}

const onConflict = `ON CONFLICT (business_key) WHERE status NOT IN ('cancelled', 'rejected') DO NOTHING`

// insertLines writes the requests through db.BulkInsert, skipping live
// keys, and returns the count inserted. The caller (the payroll) has
// usually left out the keys that exist, so a plain insert is tried first
// under a savepoint: an insert that must check each row for a conflict
// costs PostgreSQL about twice as much per row. Should a key exist after
// all (a line prepared meanwhile), the savepoint is rolled back and the
// rows are inserted again skipping the live keys; the unique index
// decides either way, so nothing is ever made twice.
func insertLines(ctx context.Context, tx *sql.Tx, d db.Dialect, a *access.Actor, reqs []Request, now time.Time) (int, error) {
	in := db.Insert{Table: "payout_lines", Columns: lineInsertCols, Rows: len(reqs),
		Row: func(i int) []any { return rowArgs(&reqs[i], a, now) }}
	if _, err := tx.ExecContext(ctx, `SAVEPOINT payout_bulk`); err != nil {
		return 0, errs.Wrap(err, "insert payout lines")
	}
	err := db.BulkInsert(ctx, tx, d, in)
	if err == nil {
		_, err = tx.ExecContext(ctx, `RELEASE SAVEPOINT payout_bulk`)
		return len(reqs), errs.Wrap(err, "insert payout lines")
	}
	if !db.IsUniqueViolation(err) {
		return 0, errs.Wrap(err, "insert payout lines")
	}
	if _, err := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT payout_bulk`); err != nil {
		return 0, errs.Wrap(err, "insert payout lines")
	}
	n := 0
	in.OnConflict, in.Returning, in.Scan = onConflict, "id", func(*sql.Rows) error { n++; return nil }
	err = db.BulkInsert(ctx, tx, d, in)
	return n, errs.Wrap(err, "insert payout lines")
}

func statusOf(r *Request) string {
	if r.HoldReason != "" && r.AccountNo == "" {
		return Held
	}
	return Prepared
}

func rowArgs(r *Request, a *access.Actor, now time.Time) []any { return rowArgsKey(r, r.Key(), a, now) }

func rowArgsKey(r *Request, key string, a *access.Actor, now time.Time) []any {
	return []any{key, r.PayeeKind, r.PayeeID, r.PayeeName, r.PayeeIDNumber, r.AccountKind, r.AccountName, r.AccountNo,
		r.BankName, r.BankCode, r.NameConfirmed, int64(r.Amount), r.scheme(), r.Benefit, r.SourceKind, r.SourceID,
		r.Period, r.Memo, statusOf(r), r.HoldReason, a.Name(), a.UserID, now, now, r.PayDate}
}

package payout

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ledger"
	"shebao/internal/money"
)

// Batch statuses.
const (
	BatchSent     = "sent"     // file made, waiting for the bank's return
	BatchReturned = "returned" // every line answered
)

var batchNames = map[string]string{BatchSent: "已送银行，待回盘", BatchReturned: "已回盘"}

// Batch is the approved lines of one agent bank put into one file.
type Batch struct {
	ID         int64      `json:"id"`
	No         string     `json:"batch_no"`
	BankCode   string     `json:"bank_code"`
	BankName   string     `json:"bank_name"`
	Status     string     `json:"status"`
	Lines      int64      `json:"lines"`
	Total      money.Fen  `json:"total_fen"`
	CreatedBy  string     `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ReturnedAt *time.Time `json:"returned_at,omitempty"`
	Version    int64      `json:"version"`
}

// StatusName is the batch status in Chinese.
func (b *Batch) StatusName() string { return batchNames[b.Status] }

// LineRef is the reference of a line in bank files (业务流水号).
func LineRef(id int64) string { return fmt.Sprintf("ZF%010d", id) }

// parseRef is the line id of a reference, 0 when it is none of ours.
func parseRef(s string) int64 {
	if len(s) != 12 || s[:2] != "ZF" {
		return 0
	}
	id, err := strconv.ParseInt(s[2:], 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// CreateBatch puts every approved line of an agent bank into a new batch
// in one transaction and posts them as sent (Dr benefits payable, Cr in
// transit). Lines whose names the bank's encoding cannot write (GBK) stay
// approved and are counted in skipped. A second call finds nothing left:
// Invalid "nothing to send". Fund section only.
func (s *Service) CreateBatch(ctx context.Context, a *access.Actor, bankCode string) (*Batch, int, error) {
	if err := MayApprove(a); err != nil {
		return nil, 0, err
	}
	var b *Batch
	skipped := 0
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		bank, err := s.BankByCode(ctx, tx, bankCode)
		if errs.KindOf(err) == errs.NotFound {
			return errs.Fields{{Field: "bank_code", Message: "请选择代发银行"}}.Err()
		}
		if err != nil {
			return err
		}
		if skipped, err = s.skipUnencodable(ctx, tx, bank); err != nil {
			return err
		}
		now := s.clock.Now()
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO payout_batches (batch_no, bank_code, status, lines, total_fen, created_by, created_at)
			VALUES ($1, $2, 'sent', 0, 0, $3, $4) RETURNING id`, "new-"+strconv.FormatInt(now.UnixNano(), 10), bank.Code, a.Name(), now).Scan(&id); err != nil {
			return errs.Wrap(err, "insert batch")
		}
		no := fmt.Sprintf("PF%s-%s-%06d", now.In(clock.Shanghai).Format("20060102"), bank.Code, id)
		per, n, err := takeApproved(ctx, tx, id, bank.Code, now)
		if err != nil {
			return err
		}
		if n == 0 {
			return errs.Fields{{Field: "bank_code", Message: bank.Name + "没有已审核待送银行的拨付"}}.Err()
		}
		var tot money.Fen
		for _, v := range per {
			tot += v
		}
		if _, err := tx.ExecContext(ctx, `UPDATE payout_batches SET batch_no = $4, lines = $1, total_fen = $2 WHERE id = $3`, n, int64(tot), id, no); err != nil {
			return errs.Wrap(err, "batch totals")
		}
		if err := s.postAmounts(ctx, tx, a, postFile, id, n, per); err != nil {
			return err
		}
		b = &Batch{ID: id, No: no, BankCode: bank.Code, BankName: bank.Name, Status: BatchSent, Lines: n, Total: tot, CreatedBy: a.Name(), CreatedAt: now, Version: 1}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payout.batch.create", Entity: "payout_batch", EntityID: idStr(id),
			After: map[string]any{"batch_no": no, "bank": bank.Code, "lines": n, "total_fen": int64(tot)}})
	})
	return b, skipped, err
}

// takeApproved moves the bank's approved lines into the batch and sums
// them per scheme.
func takeApproved(ctx context.Context, tx *sql.Tx, batchID int64, bank string, now time.Time) (map[string]money.Fen, int64, error) {
	rows, err := tx.QueryContext(ctx, `UPDATE payout_lines SET status = 'in_file', batch_id = $1, updated_at = $2, version = version + 1
		WHERE status = 'approved' AND bank_code = $3 AND hold_reason = '' RETURNING scheme, amount_fen`, batchID, now, bank)
	if err != nil {
		return nil, 0, errs.Wrap(err, "take approved lines")
	}
	defer rows.Close()
	per := map[string]money.Fen{}
	var n int64
	for rows.Next() {
		var sc string
		var amt int64
		if err := rows.Scan(&sc, &amt); err != nil {
			return nil, 0, errs.Wrap(err, "take approved lines")
		}
		per[sc] += money.Fen(amt)
		n++
	}
	return per, n, errs.Wrap(rows.Err(), "take approved lines")
}

// skipUnencodable marks approved lines whose names a GBK file cannot
// carry as held ("encoding"), so they stay out of the batch; the fund
// section sees them in the queue. It returns how many.
func (s *Service) skipUnencodable(ctx context.Context, tx *sql.Tx, bank *Bank) (int, error) {
	if bank.Profile.Format != "csv" || bank.Profile.Encoding != "gbk" {
		return 0, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, account_name, memo FROM payout_lines WHERE status = 'approved' AND bank_code = $1`, bank.Code)
	if err != nil {
		return 0, errs.Wrap(err, "check encoding")
	}
	var bad []int64
	enc := simplifiedchinese.GBK.NewEncoder()
	for rows.Next() {
		var id int64
		var name, memo string
		if err := rows.Scan(&id, &name, &memo); err != nil {
			rows.Close()
			return 0, errs.Wrap(err, "check encoding")
		}
		if _, err := enc.String(name + memo); err != nil {
			bad = append(bad, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, errs.Wrap(err, "check encoding")
	}
	for _, id := range bad {
		if _, err := tx.ExecContext(ctx, `UPDATE payout_lines SET hold_reason = 'encoding', version = version + 1 WHERE id = $1`, id); err != nil {
			return 0, errs.Wrap(err, "hold line")
		}
	}
	return len(bad), nil
}

const batchCols = `b.id, b.batch_no, b.bank_code, COALESCE(k.name, b.bank_code), b.status, b.lines, b.total_fen, b.created_by,
	b.created_at, b.returned_at, b.version`

func queryBatches(ctx context.Context, q db.Querier, where string, args ...any) ([]Batch, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+batchCols+` FROM payout_batches b LEFT JOIN payout_banks k ON k.code = b.bank_code `+where, args...)
	if err != nil {
		return nil, errs.Wrap(err, "list batches")
	}
	defer rows.Close()
	var out []Batch
	for rows.Next() {
		var b Batch
		var tot int64
		var ret sql.NullTime
		if err := rows.Scan(&b.ID, &b.No, &b.BankCode, &b.BankName, &b.Status, &b.Lines, &tot, &b.CreatedBy, &b.CreatedAt, &ret, &b.Version); err != nil {
			return nil, errs.Wrap(err, "list batches")
		}
		b.Total, b.CreatedAt = money.Fen(tot), b.CreatedAt.UTC()
		if ret.Valid {
			t := ret.Time.UTC()
			b.ReturnedAt = &t
		}
		out = append(out, b)
	}
	return out, errs.Wrap(rows.Err(), "list batches")
}

// GetBatch returns a batch to the fund section (NotFound).
func (s *Service) GetBatch(ctx context.Context, a *access.Actor, id int64) (*Batch, error) {
	if err := MayApprove(a); err != nil {
		return nil, err
	}
	bs, err := queryBatches(ctx, s.db.Read(), `WHERE b.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(bs) == 0 {
		return nil, errs.NotFoundf("没有找到该批次")
	}
	return &bs[0], nil
}

// Batches lists batches, newest first, a page at a time.
func (s *Service) Batches(ctx context.Context, a *access.Actor, page, perPage int) ([]Batch, int64, error) {
	if err := MayApprove(a); err != nil {
		return nil, 0, err
	}
	perPage = max(1, min(perPage, 100))
	page = max(page, 1)
	var n int64
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM payout_batches`).Scan(&n); err != nil {
		return nil, 0, errs.Wrap(err, "count batches")
	}
	bs, err := queryBatches(ctx, s.db.Read(), `ORDER BY b.id DESC LIMIT `+strconv.Itoa(perPage)+` OFFSET `+strconv.Itoa((page-1)*perPage))
	return bs, n, err
}

// SchemeTotal is the count and amount of a batch's lines of one scheme
// and status.
type SchemeTotal struct {
	Scheme string
	Status string
	Lines  int64
	Amount money.Fen
}

// StatusName is the status in Chinese.
func (t SchemeTotal) StatusName() string { return StatusName(t.Status) }

// SchemeName is the scheme in Chinese.
func (t SchemeTotal) SchemeName() string { return ledger.SchemeName(t.Scheme) }

// BatchTotals returns a batch's totals per scheme and status.
func (s *Service) BatchTotals(ctx context.Context, a *access.Actor, id int64) ([]SchemeTotal, error) {
	if err := MayApprove(a); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT scheme, status, COUNT(*), SUM(amount_fen) FROM payout_lines
		WHERE batch_id = $1 GROUP BY scheme, status ORDER BY scheme, status`, id)
	if err != nil {
		return nil, errs.Wrap(err, "batch totals")
	}
	defer rows.Close()
	var out []SchemeTotal
	for rows.Next() {
		var t SchemeTotal
		var amt int64
		if err := rows.Scan(&t.Scheme, &t.Status, &t.Lines, &amt); err != nil {
			return nil, errs.Wrap(err, "batch totals")
		}
		t.Amount = money.Fen(amt)
		out = append(out, t)
	}
	return out, errs.Wrap(rows.Err(), "batch totals")
}

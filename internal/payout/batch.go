package payout

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"golang.org/x/text/encoding"
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
		if lock := s.db.Dialect.LockWriters("payout_lines"); lock != "" {
			if _, err := tx.ExecContext(ctx, lock); err != nil {
				return errs.Wrap(err, "lock payout lines")
			}
		}
		per, n, bad, err := waitingLines(ctx, tx, bank)
		if err != nil {
			return err
		}
		if skipped, err = holdUnencodable(ctx, tx, bad); err != nil {
			return err
		}
		if n == 0 {
			return errs.Fields{{Field: "bank_code", Message: bank.Name + "没有已审核待送银行的拨付"}}.Err()
		}
		now := s.clock.Now()
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO payout_batches (batch_no, bank_code, status, lines, total_fen, created_by, created_at)
			VALUES ($1, $2, 'sent', 0, 0, $3, $4) RETURNING id`, "new-"+strconv.FormatInt(now.UnixNano(), 10), bank.Code, a.Name(), now).Scan(&id); err != nil {
			return errs.Wrap(err, "insert batch")
		}
		no := batchNo(now, id)
		if err := takeWaiting(ctx, tx, id, bank.Code, n); err != nil {
			return err
		}
		tot := per.total()
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

// batchNo numbers a batch: PF, the day it was made and its id
// (PF20240210-000123). The bank's code (ICBC) is not part of it: pages
// show the number and name the bank in Chinese beside it; the bank file's
// layout is unchanged (decision 0039).
func batchNo(made time.Time, id int64) string {
	return fmt.Sprintf("PF%s-%06d", made.In(clock.Shanghai).Format("20060102"), id)
}

// waitingLines reads the bank's approved lines not yet in a batch (and
// not held): their count and sum per scheme, and for a GBK file the ids of
// those whose names or memo it cannot carry (left out of the sums).
func waitingLines(ctx context.Context, tx *sql.Tx, bank *Bank) (sums, int64, []int64, error) {
	gbk := bank.Profile.Format == "csv" && bank.Profile.Encoding == "gbk"
	cols := "l.scheme, l.amount_fen, l.id, '', ''"
	if gbk {
		cols = "l.scheme, l.amount_fen, l.id, l.account_name, l.memo"
	}
	per := sums{}
	var n int64
	var bad []int64
	enc := simplifiedchinese.GBK.NewEncoder()
	err := db.Each(ctx, tx, func(r db.Scanner) error {
		var sc, name, memo string
		var amt, id int64
		if err := r.Scan(&sc, &amt, &id, &name, &memo); err != nil {
			return err
		}
		if gbk && !encodable(enc, name, memo) {
			bad = append(bad, id)
			return nil
		}
		per[bucket{scheme: sc}] += money.Fen(amt) // a file moves payable to in transit whatever was charged
		n++
		return nil
	}, `SELECT `+cols+` FROM payout_lines l
		WHERE l.status = 'approved' AND l.bank_code = $1 AND l.hold_reason = ''
		AND NOT EXISTS (SELECT 1 FROM payout_batch_lines m WHERE m.line_id = l.id)`, bank.Code)
	return per, n, bad, errs.Wrap(err, "approved lines")
}

// encodable reports whether GBK can write the texts.
func encodable(enc *encoding.Encoder, texts ...string) bool {
	for _, t := range texts {
		if _, err := enc.String(t); err != nil {
			return false
		}
	}
	return true
}

// holdUnencodable marks approved lines whose names a GBK file cannot
// carry as held ("encoding"), so they stay out of the batch; the fund
// section sees them in the queue. It returns how many.
func holdUnencodable(ctx context.Context, tx *sql.Tx, bad []int64) (int, error) {
	for _, id := range bad {
		if _, err := tx.ExecContext(ctx, `UPDATE payout_lines SET hold_reason = 'encoding', version = version + 1 WHERE id = $1`, id); err != nil {
			return 0, errs.Wrap(err, "hold line")
		}
	}
	return len(bad), nil
}

// takeWaiting puts the bank's approved lines not yet in a batch into the
// batch: one narrow row each, one INSERT … SELECT (the wide lines are not
// rewritten, docs/decisions/0022). The batch is the only writer of
// payout_lines until it commits (LockWriters on PostgreSQL, SQLite's
// exclusive write transactions): the lines taken are the n read by
// waitingLines, and a line cancelled meanwhile is either cancelled before
// (not taken) or refused after (it is in the batch).
func takeWaiting(ctx context.Context, tx *sql.Tx, batchID int64, bank string, n int64) error {
	res, err := tx.ExecContext(ctx, `INSERT INTO payout_batch_lines (line_id, batch_id)
		SELECT l.id, $1 FROM payout_lines l WHERE l.status = 'approved' AND l.bank_code = $2 AND l.hold_reason = ''
		AND NOT EXISTS (SELECT 1 FROM payout_batch_lines m WHERE m.line_id = l.id)`, batchID, bank)
	if err != nil {
		return errs.Wrap(err, "take approved lines")
	}
	if k, _ := res.RowsAffected(); k != n {
		return errs.New(errs.Conflict, "payout_changed", "送银行的拨付在生成批次时发生了变化，请重试")
	}
	return nil
}

const batchCols = `b.id, b.batch_no, b.bank_code, COALESCE(k.name, b.bank_code), b.status, b.lines, b.total_fen, b.created_by,
	b.created_at, b.returned_at, b.version`

func queryBatches(ctx context.Context, q db.Querier, where string, args ...any) ([]Batch, error) {
	var out []Batch
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var b Batch
		var tot int64
		var ret sql.NullTime
		if err := r.Scan(&b.ID, &b.No, &b.BankCode, &b.BankName, &b.Status, &b.Lines, &tot, &b.CreatedBy, &b.CreatedAt, &ret, &b.Version); err != nil {
			return err
		}
		b.Total, b.CreatedAt = money.Fen(tot), b.CreatedAt.UTC()
		if ret.Valid {
			t := ret.Time.UTC()
			b.ReturnedAt = &t
		}
		out = append(out, b)
		return nil
	}, `SELECT `+batchCols+` FROM payout_batches b LEFT JOIN payout_banks k ON k.code = b.bank_code `+where, args...)
	return out, errs.Wrap(err, "list batches")
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
	var out []SchemeTotal
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var t SchemeTotal
		var amt int64
		if err := r.Scan(&t.Scheme, &t.Status, &t.Lines, &amt); err != nil {
			return err
		}
		t.Amount = money.Fen(amt)
		out = append(out, t)
		return nil
	}, `SELECT l.scheme, CASE WHEN l.status = 'approved' THEN 'in_file' ELSE l.status END AS st,
		COUNT(*), SUM(l.amount_fen) FROM payout_batch_lines m JOIN payout_lines l ON l.id = m.line_id
		WHERE m.batch_id = $1 GROUP BY l.scheme, st ORDER BY l.scheme, st`, id)
	return out, errs.Wrap(err, "batch totals")
}

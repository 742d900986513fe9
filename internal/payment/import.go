package payment

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ledger"
	"shebao/internal/money"
)

// ImportInput is one uploaded statement.
type ImportInput struct {
	FileName  string
	Data      []byte
	AccountNo string // the agency's receiving account; empty: DefaultAccount
}

// ImportResult summarises an import. A statement with any bad line is
// refused whole: Errors lists them and nothing is written.
type ImportResult struct {
	StatementID int64       `json:"statement_id,omitempty"`
	Duplicate   bool        `json:"duplicate"` // the same file was imported before: nothing added
	Format      string      `json:"format"`
	Lines       int         `json:"lines"`
	Matched     int         `json:"matched"`
	Unmatched   int         `json:"unmatched"`
	Partial     int         `json:"partial"`
	Over        int         `json:"over"`
	Medical     int         `json:"medical"`
	Known       int         `json:"known"`   // serial numbers already imported: skipped
	Skipped     int         `json:"skipped"` // debit lines and totals
	MatchedFen  money.Fen   `json:"matched_fen"`
	Errors      []LineError `json:"errors,omitempty"`
	// Phases is how long each step of the import took (benchmarks print
	// it; not stored with the statement).
	Phases []Phase `json:"-"`
}

// Phase is one timed step of an import.
type Phase struct {
	Name string
	Took time.Duration
}

// timer records the phases of one import.
type timer struct {
	res  *ImportResult
	last time.Time
}

func (t *timer) done(name string) {
	now := time.Now()
	t.res.Phases = append(t.res.Phases, Phase{Name: name, Took: now.Sub(t.last)})
	t.last = now
}

// medicalWords mark remittances for schemes this account does not take.
var medicalWords = []string{"医疗", "医保", "生育"}

// ImportStatement imports a bank statement (CSV in UTF-8 or GBK, or XLSX)
// and matches each credit: by the payment reference in the remark, then by
// payer and exact amount due. Unmatched, partial and over-payments, and
// remittances naming medical or maternity insurance, go to the queue.
// Fund section staff or a bank API client may import. Errors: Invalid
// (bad file or lines: the result lists them), Forbidden.
func (s *Service) ImportStatement(ctx context.Context, a *access.Actor, in ImportInput) (*ImportResult, error) {
	if err := CanImport(a); err != nil {
		return nil, err
	}
	if len(in.Data) == 0 {
		return nil, errs.New(errs.Invalid, "statement_empty", "请选择要导入的银行对账单文件（CSV 或 XLSX，32MB 以内）")
	}
	if len(in.Data) > MaxStatementBytes {
		return nil, errs.New(errs.Invalid, "statement_too_large", "文件超过 32MB，请分段导出后再导入")
	}
	account := strings.TrimSpace(in.AccountNo)
	if account == "" {
		account = s.DefaultAccount
	}
	start := time.Now()
	p, err := parseStatement(in.Data, s.today())
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Format: p.Format, Lines: len(p.Lines) + p.ErrorCount, Skipped: p.Skipped, Errors: p.Errors}
	tm := &timer{res: res, last: start}
	tm.done("parse")
	if p.ErrorCount > 0 {
		return res, errs.New(errs.Invalid, "statement_lines", linesMessage(p))
	}
	sum := sha256.Sum256(in.Data)
	hash := hex.EncodeToString(sum[:])
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var prev int64
		var summary string
		err := tx.QueryRowContext(ctx, `SELECT id, summary FROM bank_statements WHERE file_hash = $1`, hash).Scan(&prev, &summary)
		if err == nil {
			_ = json.Unmarshal([]byte(summary), res)
			res.StatementID, res.Duplicate, res.Errors = prev, true, nil
			return nil
		}
		if !db.IsNoRows(err) {
			return errs.Wrap(err, "statement hash")
		}
		return s.importLines(ctx, tx, a, in.FileName, account, hash, p, tm)
	})
	if db.IsUniqueViolation(err) {
		return nil, errs.New(errs.Conflict, "statement_concurrent", "同一对账单或流水正在由他人导入，请稍后重新导入（不会重复入账）")
	}
	if err != nil {
		return nil, err
	}
	tm.done("commit")
	return res, nil
}

// linesMessage says how many errors a refused statement has.
func linesMessage(p *parsed) string {
	msg := fmt.Sprintf("对账单有 %d 处错误，整份未导入（不会部分入账）：请修正后重新导入", p.ErrorCount)
	if p.ErrorCount > len(p.Errors) {
		msg += fmt.Sprintf("（下面列出前 %d 处）", len(p.Errors))
	}
	return msg
}

// plan is what one line becomes.
type plan struct {
	line     Line
	status   string
	reason   string
	bill     *bill
	employer int64
	person   int64
	applied  money.Fen
	fee      money.Fen
	terms    terms
	posting  ledger.Posting
	code     string
}

func (s *Service) importLines(ctx context.Context, tx *sql.Tx, a *access.Actor, fileName, account, hash string, p *parsed, tm *timer) error {
	res := tm.res
	now := s.clock.Now()
	if q := s.db.Dialect.NoJIT(); q != "" { // its statements read and write 100,000 rows: compiling them cost more than running them
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return errs.Wrap(err, "statement jit")
		}
	}
	var stmtID int64
	err := tx.QueryRowContext(ctx, `INSERT INTO bank_statements (account_no, file_name, file_hash, format, lines, imported_by, imported_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, account, fileName, hash, p.Format, len(p.Lines), a.Name(), now).Scan(&stmtID)
	if err != nil {
		return errs.Wrap(err, "insert statement")
	}
	res.StatementID = stmtID
	known, err := knownSerials(ctx, tx, s.db.Dialect, account, p.Lines)
	if err != nil {
		return err
	}
	tm.done("known serials")
	m, err := newMatcher(ctx, tx, s.db.Dialect, s.policy, p.Lines)
	if err != nil {
		return err
	}
	tm.done("load bills")
	var todo []Line
	for _, l := range p.Lines {
		if known[l.Serial] {
			res.Known++
			continue
		}
		todo = append(todo, l)
	}
	ids, err := db.NextIDs(ctx, tx, s.db.Dialect, "payments", len(todo))
	if err != nil {
		return err
	}
	lw := ledger.NewWriter(tx, s.db.Dialect, now)
	err = matchAndWrite(ctx, m, todo, ids, res, func(plans []*plan) error {
		if err := insertPlans(ctx, tx, s.db.Dialect, stmtID, account, a.Name(), now, plans); err != nil {
			return err
		}
		postings := make([]ledger.Posting, len(plans))
		for i, pl := range plans {
			postings[i] = pl.posting
		}
		return lw.Add(ctx, postings)
	})
	if err != nil {
		return err
	}
	if err := lw.Close(ctx); err != nil {
		return err
	}
	tm.done("match, payments and ledger")
	if err := saveBills(ctx, tx, s.db.Dialect, m.all, now); err != nil {
		return err
	}
	tm.done("bills and accounts")
	res.Errors = nil
	js, _ := json.Marshal(res)
	if _, err := tx.ExecContext(ctx, `UPDATE bank_statements SET summary = $1 WHERE id = $2`, string(js), stmtID); err != nil {
		return errs.Wrap(err, "statement summary")
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payment.statement.import", Entity: "bank_statement",
		EntityID: fmt.Sprint(stmtID), After: map[string]any{"file": fileName, "account": maskAccount(account), "format": p.Format,
			"matched": res.Matched, "unmatched": res.Unmatched, "partial": res.Partial, "over": res.Over,
			"medical": res.Medical, "known": res.Known, "matched_fen": res.MatchedFen}})
}

// knownSerials returns which of the statement's serial numbers were
// imported before into account: one indexed look-up per serial (payments
// serial index), so its cost follows the statement, not the history.
func knownSerials(ctx context.Context, q db.Querier, dialect db.Dialect, account string, lines []Line) (map[string]bool, error) {
	out := map[string]bool{}
	for start := 0; start < len(lines); start += serialChunk {
		chunk := lines[start:min(start+serialChunk, len(lines))]
		args := make([]any, 0, len(chunk)+1)
		args = append(args, account)
		for _, l := range chunk {
			args = append(args, l.Serial)
		}
		rows, err := q.QueryContext(ctx, `SELECT serial FROM payments WHERE channel = 'transfer' AND account_no = `+
			dialect.ParamsFrom(1, 1)+` AND serial IN (`+dialect.ParamsFrom(2, len(chunk))+`)`, args...)
		if err != nil {
			return nil, errs.Wrap(err, "known serials")
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return nil, errs.Wrap(err, "known serials")
			}
			out[s] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, errs.Wrap(err, "known serials")
		}
	}
	return out, nil
}

// serialChunk is how many serial numbers one look-up binds (far under
// either engine's limit of bind parameters).
const serialChunk = 2000

// paymentColumns are the columns of a payment from a statement line.
var paymentColumns = []db.Column{{Name: "id", Type: db.BigInt}, {Name: "channel", Type: db.Text}, {Name: "statement_id", Type: db.BigInt},
	{Name: "account_no", Type: db.Text}, {Name: "serial", Type: db.Text}, {Name: "paid_on", Type: db.Text},
	{Name: "payer_name", Type: db.Text}, {Name: "payer_account", Type: db.Text}, {Name: "amount_fen", Type: db.BigInt},
	{Name: "remark", Type: db.Text}, {Name: "status", Type: db.Text}, {Name: "reason", Type: db.Text},
	{Name: "bill_id", Type: db.BigInt}, {Name: "employer_id", Type: db.BigInt}, {Name: "person_id", Type: db.BigInt},
	{Name: "applied_fen", Type: db.BigInt}, {Name: "late_fee_fen", Type: db.BigInt}, {Name: "late_fee_days", Type: db.BigInt},
	{Name: "late_fee_days_waived", Type: db.BigInt}, {Name: "late_fee_note", Type: db.Text}, {Name: "open_fen", Type: db.BigInt},
	{Name: "receipt_code", Type: db.Text}, {Name: "created_by", Type: db.Text}, {Name: "created_at", Type: db.Timestamp}}

// insertPlans inserts the payments in one bulk insert with the ids
// reserved for them (no RETURNING, so PostgreSQL copies them).
func insertPlans(ctx context.Context, tx *sql.Tx, dialect db.Dialect, stmtID int64, account, by string, now time.Time, plans []*plan) error {
	err := db.BulkInsert(ctx, tx, dialect, db.Insert{Table: "payments", Columns: paymentColumns, Rows: len(plans),
		Row: func(i int) []any {
			pl := plans[i]
			var billID int64
			if pl.bill != nil {
				billID = pl.bill.ID
			}
			open := pl.line.Amount - pl.applied - pl.fee
			return []any{pl.posting.PaymentID, Transfer, stmtID, account, pl.line.Serial, pl.line.Date, pl.line.PayerName,
				pl.line.PayerAccount, int64(pl.line.Amount), pl.line.Remark, pl.status, pl.reason, nullID(billID),
				nullID(pl.employer), nullID(pl.person), int64(pl.applied), int64(pl.fee), pl.terms.days(), pl.terms.waived(),
				pl.terms.note(pl.applied), int64(open), nullStr(pl.code), by, now}
		}})
	return errs.Wrap(err, "insert payments")
}

// matchChunk is how many lines are matched before their payments and
// postings are written: the next chunk is matched while one is written.
var matchChunk = 8192

// matchAndWrite matches the lines in order in a goroutine of its own,
// counting the outcomes in res and giving the i-th line's payment ids[i],
// and hands each chunk of plans to write (on the caller's goroutine, which
// owns the transaction) while it matches the next: matching, in memory,
// overlaps the writing of the rows. Matching touches no transaction; a
// failure of either side stops both.
func matchAndWrite(ctx context.Context, m *matcher, lines []Line, ids []int64, res *ImportResult, write func([]*plan) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan []*plan, 1)
	var matchErr error
	go func() {
		defer close(chunks)
		for start := 0; start < len(lines); start += matchChunk {
			part := lines[start:min(start+matchChunk, len(lines))]
			plans := make([]*plan, 0, len(part))
			for i, l := range part {
				pl, err := m.match(ctx, l)
				if err != nil {
					matchErr = err
					return
				}
				pl.posting.PaymentID = ids[start+i]
				res.count(pl)
				plans = append(plans, pl)
			}
			select {
			case chunks <- plans:
			case <-ctx.Done():
				return
			}
		}
	}()
	var writeErr error
	for plans := range chunks {
		if writeErr == nil {
			if writeErr = write(plans); writeErr != nil {
				cancel()
			}
		}
	}
	if writeErr != nil {
		return writeErr
	}
	return matchErr
}

// count adds a plan's outcome to the result.
func (res *ImportResult) count(pl *plan) {
	switch pl.status {
	case Matched:
		res.Matched++
		res.MatchedFen += pl.line.Amount
	case Unmatched:
		res.Unmatched++
	case Partial:
		res.Partial++
	case Over:
		res.Over++
	case Medical:
		res.Medical++
	}
}

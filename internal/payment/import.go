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
		return nil, errs.New(errs.Invalid, "statement_empty", "请选择要导入的银行对账单文件（CSV 或 XLSX）")
	}
	if len(in.Data) > MaxStatementBytes {
		return nil, errs.New(errs.Invalid, "statement_too_large", "文件超过 32MB，请分段导出后再导入")
	}
	account := strings.TrimSpace(in.AccountNo)
	if account == "" {
		account = s.DefaultAccount
	}
	p, err := parseStatement(in.Data, s.today())
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Format: p.Format, Lines: len(p.Lines) + p.ErrorCount, Skipped: p.Skipped, Errors: p.Errors}
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
		return s.importLines(ctx, tx, a, in.FileName, account, hash, p, res)
	})
	if db.IsUniqueViolation(err) {
		return nil, errs.New(errs.Conflict, "statement_concurrent", "同一对账单或流水正在由他人导入，请稍后重新导入（不会重复入账）")
	}
	if err != nil {
		return nil, err
	}
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

func (s *Service) importLines(ctx context.Context, tx *sql.Tx, a *access.Actor, fileName, account, hash string, p *parsed, res *ImportResult) error {
	now := s.clock.Now()
	var stmtID int64
	err := tx.QueryRowContext(ctx, `INSERT INTO bank_statements (account_no, file_name, file_hash, format, lines, imported_by, imported_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, account, fileName, hash, p.Format, len(p.Lines), a.Name(), now).Scan(&stmtID)
	if err != nil {
		return errs.Wrap(err, "insert statement")
	}
	res.StatementID = stmtID
	known, err := knownSerials(ctx, tx, account)
	if err != nil {
		return err
	}
	m, err := newMatcher(ctx, tx, s.db.Dialect, s.policy, p.Lines)
	if err != nil {
		return err
	}
	plans := make([]*plan, 0, len(p.Lines))
	for _, l := range p.Lines {
		if known[l.Serial] {
			res.Known++
			continue
		}
		pl, err := m.match(ctx, l)
		if err != nil {
			return err
		}
		switch pl.status {
		case Matched:
			res.Matched++
			res.MatchedFen += l.Amount
		case Unmatched:
			res.Unmatched++
		case Partial:
			res.Partial++
		case Over:
			res.Over++
		case Medical:
			res.Medical++
		}
		plans = append(plans, pl)
	}
	if err := insertPlans(ctx, tx, s.db.Dialect, stmtID, account, a.Name(), now, plans); err != nil {
		return err
	}
	postings := make([]ledger.Posting, 0, len(plans))
	for _, pl := range plans {
		postings = append(postings, pl.posting)
	}
	if err := ledger.Write(ctx, tx, s.db.Dialect, now, postings); err != nil {
		return err
	}
	if err := saveBills(ctx, tx, s.db.Dialect, m.all); err != nil {
		return err
	}
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

func knownSerials(ctx context.Context, q db.Querier, account string) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT serial FROM payments WHERE channel = 'transfer' AND account_no = $1`, account)
	if err != nil {
		return nil, errs.Wrap(err, "known serials")
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, errs.Wrap(err, "known serials")
		}
		out[s] = true
	}
	return out, errs.Wrap(rows.Err(), "known serials")
}

const insertPayments = `INSERT INTO payments (channel, statement_id, account_no, serial, paid_on, payer_name, payer_account,
	amount_fen, remark, status, reason, bill_id, employer_id, person_id, applied_fen, late_fee_fen, late_fee_days, late_fee_days_waived,
	late_fee_note, open_fen, receipt_code, created_by, created_at) VALUES `

// paymentBatch is the rows of one multi-row payment INSERT.
const paymentBatch = 500

// insertPlans inserts the payments in batches (the full-batch statement
// prepared once) and fills in their IDs.
func insertPlans(ctx context.Context, tx *sql.Tx, dialect db.Dialect, stmtID int64, account, by string, now time.Time, plans []*plan) error {
	if dialect == db.Postgres {
		return insertPlansArrays(ctx, tx, stmtID, account, by, now, plans)
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for start := 0; start < len(plans); start += paymentBatch {
		batch := plans[start:min(start+paymentBatch, len(plans))]
		args := make([]any, 0, len(batch)*23)
		bySerial := make(map[string]*plan, len(batch))
		for _, pl := range batch {
			var billID int64
			if pl.bill != nil {
				billID = pl.bill.ID
			}
			open := pl.line.Amount - pl.applied - pl.fee
			args = append(args, Transfer, stmtID, account, pl.line.Serial, pl.line.Date, pl.line.PayerName, pl.line.PayerAccount,
				int64(pl.line.Amount), pl.line.Remark, pl.status, pl.reason, nullID(billID), nullID(pl.employer), nullID(pl.person),
				int64(pl.applied), int64(pl.fee), pl.terms.days(), pl.terms.waived(), pl.terms.note(pl.applied), int64(open), nullStr(pl.code), by, now)
			bySerial[pl.line.Serial] = pl
		}
		var rows *sql.Rows
		var err error
		switch {
		case len(batch) < paymentBatch:
			rows, err = tx.QueryContext(ctx, insertPayments+ledger.Values(dialect, len(batch), 23)+" RETURNING id, serial", args...)
		case full == nil:
			if full, err = tx.PrepareContext(ctx, insertPayments+ledger.Values(dialect, paymentBatch, 23)+" RETURNING id, serial"); err == nil {
				rows, err = full.QueryContext(ctx, args...)
			}
		default:
			rows, err = full.QueryContext(ctx, args...)
		}
		if err != nil {
			return errs.Wrap(err, "insert payments")
		}
		for rows.Next() {
			var id int64
			var serial string
			if err := rows.Scan(&id, &serial); err != nil {
				rows.Close()
				return errs.Wrap(err, "insert payments")
			}
			if pl := bySerial[serial]; pl != nil {
				pl.posting.PaymentID = id
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return errs.Wrap(err, "insert payments")
		}
	}
	return nil
}

// insertPlansArrays inserts the payments on PostgreSQL in one statement,
// each column passed as an array, unnested in step in a select list (not
// in FROM, which would first copy each array into a tuplestore).
func insertPlansArrays(ctx context.Context, tx *sql.Tx, stmtID int64, account, by string, now time.Time, plans []*plan) error {
	if len(plans) == 0 {
		return nil
	}
	n := len(plans)
	serial, day, name, acct, remark, status, reason, note, code := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	amount, bill, emp, person, applied, fee, days, waived, open := make([]int64, n), make([]int64, n), make([]int64, n),
		make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	bySerial := make(map[string]*plan, n)
	for i, pl := range plans {
		if pl.bill != nil {
			bill[i] = pl.bill.ID
		}
		serial[i], day[i], name[i], acct[i], remark[i] = pl.line.Serial, pl.line.Date, pl.line.PayerName, pl.line.PayerAccount, pl.line.Remark
		status[i], reason[i], note[i], code[i] = pl.status, pl.reason, pl.terms.note(pl.applied), pl.code
		amount[i], emp[i], person[i], applied[i], fee[i], days[i] = int64(pl.line.Amount), pl.employer, pl.person, int64(pl.applied), int64(pl.fee), pl.terms.days()
		waived[i] = pl.terms.waived()
		open[i] = int64(pl.line.Amount - pl.applied - pl.fee)
		bySerial[pl.line.Serial] = pl
	}
	rows, err := tx.QueryContext(ctx, insertPayments[:strings.Index(insertPayments, "VALUES")]+`
		SELECT 'transfer', $1, $2, sr, dy, nm, ac, am, rm, st, rs, NULLIF(bi, 0), NULLIF(em, 0), NULLIF(pe, 0), ap, fe, da, wv, nt, op,
		NULLIF(cd, ''), $3, $4 FROM (SELECT unnest($5::text[]) AS sr, unnest($6::text[]) AS dy, unnest($7::text[]) AS nm,
		unnest($8::text[]) AS ac, unnest($9::bigint[]) AS am, unnest($10::text[]) AS rm, unnest($11::text[]) AS st,
		unnest($12::text[]) AS rs, unnest($13::bigint[]) AS bi, unnest($14::bigint[]) AS em, unnest($15::bigint[]) AS pe,
		unnest($16::bigint[]) AS ap, unnest($17::bigint[]) AS fe, unnest($18::bigint[]) AS da, unnest($19::text[]) AS nt,
		unnest($20::bigint[]) AS op, unnest($21::text[]) AS cd, unnest($22::bigint[]) AS wv) AS u RETURNING id, serial`,
		stmtID, account, by, now, serial, day, name, acct, amount, remark, status, reason, bill, emp, person, applied, fee, days, note, open, code,
		waived)
	if err != nil {
		return errs.Wrap(err, "insert payments")
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var s string
		if err := rows.Scan(&id, &s); err != nil {
			return errs.Wrap(err, "insert payments")
		}
		if pl := bySerial[s]; pl != nil {
			pl.posting.PaymentID = id
		}
	}
	return errs.Wrap(rows.Err(), "insert payments")
}

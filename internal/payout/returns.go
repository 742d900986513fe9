package payout

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/sheet"
)

// ReturnResult is what an imported return file did.
type ReturnResult struct {
	ID         int64     `json:"id"`
	BatchID    int64     `json:"batch_id"`
	Paid       int64     `json:"paid"`
	Failed     int64     `json:"failed"`
	PaidFen    money.Fen `json:"paid_fen"`
	FailedFen  money.Fen `json:"failed_fen"`
	AlreadyRun bool      `json:"already_imported"` // the same file was imported before: nothing applied again
}

// returnLine is one data row of a return file.
type returnLine struct {
	row                                  int
	ref, account, amount, result, reason string
	serial                               string
}

// batchLine is what matching needs of a line in the batch.
type batchLine struct {
	account string
	amount  money.Fen
	scheme  string
	benefit string
	status  string
}

// MaxReturnBytes bounds an uploaded return file.
const MaxReturnBytes = 120 << 20

// returnLimits bound a return file: 400,000 rows, 120 MB.
var returnLimits = sheet.Limits{MaxFileBytes: MaxReturnBytes, MaxSheetBytes: 400 << 20, MaxTotalBytes: 420 << 20,
	MaxStringElements: 3_000_000, MaxRows: 400_010, MaxCols: 32, MaxCellBytes: 512}

// ImportReturn applies a bank's return file to a batch, all or nothing:
// the control record (count and total) must agree with the lines; every
// line must be one of the batch's lines still in the file, with its
// account and amount unchanged, answered once. Problems are listed (row
// and what is wrong, unknown lines included) and nothing is applied. The
// same file imported again returns the first result. Paid lines post Dr
// in transit / Cr payout bank; failed ones reverse their expense and wait
// in the queue to be reissued or cancelled. Fund section only.
func (s *Service) ImportReturn(ctx context.Context, a *access.Actor, batchID int64, fileName string, data []byte) (*ReturnResult, error) {
	b, err := s.GetBatch(ctx, a, batchID)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	hash := hex.EncodeToString(sum[:])
	if prev, err := returnByHash(ctx, s.db.Read(), hash); err != nil || prev != nil {
		return prev, err
	}
	bank, err := s.BankByCode(ctx, s.db.Read(), b.BankCode)
	if err != nil {
		return nil, err
	}
	// The batch's lines are read while the file is parsed: what matching
	// needs of them (account, amount) cannot change once they are in a
	// file, and a line answered meanwhile is caught when it is written.
	type lineMap struct {
		known map[int64]*batchLine
		err   error
	}
	read := make(chan lineMap, 1)
	go func() {
		known, err := batchLineMap(ctx, s.db.Read(), batchID)
		read <- lineMap{known, err}
	}()
	ctl, lines, err := parseReturn(&bank.Profile, data)
	m := <-read
	if err != nil {
		return nil, err
	}
	if m.err != nil {
		return nil, m.err
	}
	known := m.known
	var res *ReturnResult
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := checkReturn(b, ctl, lines, known, bank.Profile.PaidValue); err != nil {
			return err
		}
		res, err = s.applyReturn(ctx, tx, a, b, fileName, hash, lines, known, bank.Profile.PaidValue)
		return err
	})
	if errs.KindOf(err) == errs.Conflict {
		if prev, perr := returnByHash(ctx, s.db.Read(), hash); perr == nil && prev != nil {
			return prev, nil
		}
	}
	return res, err
}

func returnByHash(ctx context.Context, q db.Querier, hash string) (*ReturnResult, error) {
	r := &ReturnResult{AlreadyRun: true}
	var pf, ff int64
	err := q.QueryRowContext(ctx, `SELECT r.id, r.batch_id, r.paid_lines, r.failed_lines,
		COALESCE((SELECT SUM(l.amount_fen) FROM payout_return_lines x JOIN payout_lines l ON l.id = x.line_id WHERE x.return_id = r.id AND x.result = 'paid'), 0),
		COALESCE((SELECT SUM(l.amount_fen) FROM payout_return_lines x JOIN payout_lines l ON l.id = x.line_id WHERE x.return_id = r.id AND x.result = 'failed'), 0)
		FROM payout_returns r WHERE r.file_hash = $1`, hash).Scan(&r.ID, &r.BatchID, &r.Paid, &r.Failed, &pf, &ff)
	if db.IsNoRows(err) {
		return nil, nil
	}
	r.PaidFen, r.FailedFen = money.Fen(pf), money.Fen(ff)
	return r, errs.Wrap(err, "return by hash")
}

// control is the return file's control record.
type control struct {
	row     int
	batchNo string
	count   int
	total   money.Fen
	found   bool
}

// parseReturn reads the rows of a return file (XLSX, or CSV in UTF-8 or
// GBK) into the control record and the data lines, refusing a file
// without the profile's headers.
func parseReturn(p *Profile, data []byte) (*control, []returnLine, error) {
	rows, err := readRows(data)
	if err != nil {
		return nil, nil, err
	}
	ctl := &control{}
	var index map[string]int
	var lines []returnLine
	var probs []string
	for _, r := range rows {
		cells := r.cells
		if len(cells) == 0 || strings.Join(cells, "") == "" {
			continue
		}
		if first := strings.TrimSpace(cells[0]); first == "汇总" || first == "合计" {
			ctl.found, ctl.row = true, r.n
			ctl.batchNo = cellAt(cells, 1)
			n, err1 := strconv.Atoi(cellAt(cells, 2))
			t, err2 := money.ParseYuan(cellAt(cells, 3))
			if err1 != nil || err2 != nil {
				probs = append(probs, fmt.Sprintf("第%d行（汇总行）：笔数或金额无法识别", r.n))
			}
			ctl.count, ctl.total = n, t
			continue
		}
		if index == nil {
			if index, err = returnHeader(cells, p.ReturnColumns); err != nil {
				return nil, nil, err
			}
			continue
		}
		lines = append(lines, returnLine{row: r.n, ref: get(cells, index, "line_ref"), account: CleanAccountNo(get(cells, index, "account_no")),
			amount: get(cells, index, "amount"), result: get(cells, index, "result"), reason: get(cells, index, "reason"),
			serial: get(cells, index, "serial")})
	}
	if index == nil {
		return nil, nil, fileErr("回盘文件没有表头，请上传银行返回的原始文件")
	}
	if len(probs) > 0 {
		return nil, nil, problems(probs)
	}
	return ctl, lines, nil
}

type rawRow struct {
	n     int
	cells []string
}

func readRows(data []byte) ([]rawRow, error) {
	if len(data) == 0 {
		return nil, fileErr("上传的文件是空的")
	}
	var out []rawRow
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		book, err := sheet.Open(data, returnLimits)
		if err != nil {
			return nil, sheetErr(err)
		}
		defer book.Close()
		rows, err := book.Rows(book.Sheets()[0])
		if err != nil {
			return nil, sheetErr(err)
		}
		defer rows.Close()
		for rows.Next() {
			out = append(out, rawRow{n: rows.Row(), cells: append([]string(nil), rows.Cells()...)})
		}
		return out, sheetErr(rows.Err())
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		dec, err := simplifiedchinese.GBK.NewDecoder().Bytes(data)
		if err != nil {
			return nil, fileErr("文件既不是 Excel 表格（.xlsx），也不是编码为 UTF-8 或 GBK 的逗号分隔文本（.csv）")
		}
		data = dec
	}
	c := sheet.NewCSV(data, returnLimits)
	for c.Next() {
		out = append(out, rawRow{n: c.Line(), cells: append([]string(nil), c.Record()...)})
	}
	return out, sheetErr(c.Err())
}

func sheetErr(err error) error {
	if err == nil {
		return nil
	}
	if e := errs.As(err); e != nil && e.Kind == errs.Invalid {
		return fileErr(e.Message)
	}
	return errs.Wrap(err, "read return file")
}

func fileErr(msg string) error { return errs.Fields{{Field: "file", Message: msg}}.Err() }

// problems is an Invalid error listing (the first 50) problems of a file.
func problems(ps []string) error {
	e := &errs.Error{Kind: errs.Invalid, Code: "return_refused",
		Message: fmt.Sprintf("回盘文件有%d处问题，未做任何处理；请核对后重新导入", len(ps))}
	for i, p := range ps {
		if i == 50 {
			e.Fields = append(e.Fields, errs.FieldError{Field: "file", Message: fmt.Sprintf("……另有%d处问题", len(ps)-50)})
			break
		}
		e.Fields = append(e.Fields, errs.FieldError{Field: "file", Message: p})
	}
	return e
}

func cellAt(cells []string, i int) string {
	if i < len(cells) {
		return strings.TrimSpace(cells[i])
	}
	return ""
}

func get(cells []string, index map[string]int, key string) string {
	i, ok := index[key]
	if !ok {
		return ""
	}
	return cellAt(cells, i)
}

func returnHeader(cells []string, cols []string) (map[string]int, error) {
	seen := map[string]int{}
	for i, c := range cells {
		seen[strings.NewReplacer(" ", "", "(", "（", ")", "）").Replace(strings.TrimSpace(c))] = i
	}
	index := map[string]int{}
	var missing []string
	for _, c := range cols {
		h := ReturnFileColumns[c]
		i, ok := seen[h]
		if !ok {
			missing = append(missing, "“"+h+"”")
			continue
		}
		index[c] = i
	}
	if len(missing) > 0 {
		return nil, fileErr("回盘文件缺少列 " + strings.Join(missing, "、") + "，请上传银行返回的原始文件")
	}
	return index, nil
}

func batchLineMap(ctx context.Context, q db.Querier, batchID int64) (map[int64]*batchLine, error) {
	out := map[int64]*batchLine{}
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var id, amt int64
		l := &batchLine{}
		if err := r.Scan(&id, &l.account, &amt, &l.scheme, &l.benefit, &l.status); err != nil {
			return err
		}
		l.amount = money.Fen(amt)
		out[id] = l
		return nil
	}, `SELECT l.id, l.account_no, l.amount_fen, l.scheme, l.benefit,
		CASE WHEN l.status = 'approved' THEN 'in_file' ELSE l.status END
		FROM payout_batch_lines m JOIN payout_lines l ON l.id = m.line_id WHERE m.batch_id = $1`, batchID)
	return out, errs.Wrap(err, "batch lines")
}

// checkReturn lists every problem of the lines against the batch.
func checkReturn(b *Batch, ctl *control, lines []returnLine, known map[int64]*batchLine, paidValue string) error {
	var probs []string
	add := func(row int, format string, args ...any) {
		probs = append(probs, fmt.Sprintf("第%d行：", row)+fmt.Sprintf(format, args...))
	}
	seen := map[int64]int{}
	var total money.Fen
	for _, l := range lines {
		amt, err := money.ParseYuan(l.amount)
		if err != nil {
			add(l.row, "金额“%s”无法识别", l.amount)
		}
		total += amt
		id := parseRef(l.ref)
		bl := known[id]
		switch {
		case bl == nil:
			add(l.row, "业务流水号“%s”不属于批次%s（账号%s，金额%s元），未匹配，请与银行核实", l.ref, b.No, MaskAccount(l.account), l.amount)
			continue
		case seen[id] != 0:
			add(l.row, "业务流水号%s重复（与第%d行相同）", l.ref, seen[id])
			continue
		case bl.status != InFile:
			add(l.row, "业务流水号%s已回盘（%s），不能重复处理", l.ref, StatusName(bl.status))
		}
		seen[id] = l.row
		if err == nil && amt != bl.amount {
			add(l.row, "金额%s元与代发文件的%s元不一致", amt.Plain(), bl.amount.Plain())
		}
		if l.account != bl.account {
			add(l.row, "收款账号%s与代发文件的%s不一致", MaskAccount(l.account), MaskAccount(bl.account))
		}
		if l.result == "" {
			add(l.row, "缺少处理结果（成功应填“%s”）", paidValue)
		}
	}
	switch {
	case !ctl.found:
		probs = append(probs, "缺少汇总行（笔数和金额）")
	case ctl.batchNo != "" && ctl.batchNo != b.No:
		probs = append(probs, fmt.Sprintf("第%d行（汇总行）：批次号%s不是本批次%s", ctl.row, ctl.batchNo, b.No))
	case ctl.count != len(lines) || ctl.total != total:
		probs = append(probs, fmt.Sprintf("第%d行（汇总行）：%d笔、%s元与明细的%d笔、%s元不符", ctl.row, ctl.count, ctl.total.Plain(), len(lines), total.Plain()))
	}
	if len(lines) == 0 {
		probs = append(probs, "回盘文件没有明细行")
	}
	if len(probs) > 0 {
		return problems(probs)
	}
	return nil
}

var returnLineCols = []db.Column{{Name: "return_id", Type: db.BigInt}, {Name: "line_id", Type: db.BigInt},
	{Name: "file_row", Type: db.BigInt}, {Name: "result", Type: db.Text}, {Name: "serial", Type: db.Text}, {Name: "reason", Type: db.Text}}

// applyReturn records the return and its lines, moves the lines to paid
// or failed in one statement each, and posts per scheme.
func (s *Service) applyReturn(ctx context.Context, tx *sql.Tx, a *access.Actor, b *Batch, fileName, hash string,
	lines []returnLine, known map[int64]*batchLine, paidValue string) (*ReturnResult, error) {
	res := &ReturnResult{BatchID: b.ID}
	paid, failed := sums{}, sums{}
	results := make([]string, len(lines))
	for i, l := range lines {
		bl := known[parseRef(l.ref)]
		if l.result == paidValue {
			results[i] = Paid
			paid[bucketOf(bl.scheme, bl.benefit)] += bl.amount
			res.Paid++
			res.PaidFen += bl.amount
		} else {
			results[i] = Failed
			failed[bucketOf(bl.scheme, bl.benefit)] += bl.amount
			res.Failed++
			res.FailedFen += bl.amount
		}
	}
	now := s.clock.Now()
	if err := tx.QueryRowContext(ctx, `INSERT INTO payout_returns (batch_id, file_name, file_hash, paid_lines, failed_lines, imported_by, imported_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, b.ID, fileName, hash, res.Paid, res.Failed, a.Name(), now).Scan(&res.ID); err != nil {
		if db.IsUniqueViolation(err) {
			return nil, errs.New(errs.Conflict, "return_duplicate", "该回盘文件已导入")
		}
		return nil, errs.Wrap(err, "insert return")
	}
	err := db.BulkInsert(ctx, tx, s.db.Dialect, db.Insert{Table: "payout_return_lines", Columns: returnLineCols, Rows: len(lines),
		Row: func(i int) []any {
			l := &lines[i]
			reason := l.reason
			if results[i] == Failed && reason == "" {
				reason = "银行未说明原因（" + l.result + "）"
			}
			return []any{res.ID, parseRef(l.ref), l.row, results[i], l.serial, reason}
		}})
	if err != nil {
		if db.IsUniqueViolation(err) {
			return nil, errs.New(errs.Conflict, "return_line_duplicate", "部分拨付已回盘，请刷新后重试")
		}
		return nil, errs.Wrap(err, "return lines")
	}
	if err := s.answerLines(ctx, tx, res, now); err != nil {
		return nil, err
	}
	if err := s.postAmounts(ctx, tx, a, postPaid, b.ID, res.Paid, paid); err != nil {
		return nil, err
	}
	if err := s.postAmounts(ctx, tx, a, postFailed, b.ID, res.Failed, failed); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE payout_batches SET status = 'returned', returned_at = $1, version = version + 1
		WHERE id = $2 AND NOT EXISTS (SELECT 1 FROM payout_batch_lines m JOIN payout_lines l ON l.id = m.line_id
		WHERE m.batch_id = $2 AND l.status = 'approved')`, now, b.ID); err != nil {
		return nil, errs.Wrap(err, "batch returned")
	}
	after, _ := json.Marshal(res)
	return res, s.audit.Record(ctx, tx, a, audit.Entry{Action: "payout.return.import", Entity: "payout_return", EntityID: idStr(res.ID),
		After: json.RawMessage(after), Note: fileName})
}

// answerLines moves the lines of a return to paid, then to failed, with
// one UPDATE … FROM per outcome; every line must still be in the file
// (Conflict otherwise).
func (s *Service) answerLines(ctx context.Context, tx *sql.Tx, res *ReturnResult, now time.Time) error {
	r, err := tx.ExecContext(ctx, `UPDATE payout_lines SET status = 'paid', bank_serial = r.serial, paid_on = $2, updated_at = $3,
		version = payout_lines.version + 1
		FROM payout_return_lines r WHERE r.return_id = $1 AND r.result = 'paid' AND r.line_id = payout_lines.id
		AND payout_lines.status = 'approved'`, res.ID, s.today(), now)
	if err != nil {
		return errs.Wrap(err, "answer paid lines")
	}
	paid, _ := r.RowsAffected()
	r, err = tx.ExecContext(ctx, `UPDATE payout_lines SET status = 'failed', bank_serial = r.serial, fail_reason = r.reason,
		updated_at = $2, version = payout_lines.version + 1
		FROM payout_return_lines r WHERE r.return_id = $1 AND r.result = 'failed' AND r.line_id = payout_lines.id
		AND payout_lines.status = 'approved'`, res.ID, now)
	if err != nil {
		return errs.Wrap(err, "answer failed lines")
	}
	failed, _ := r.RowsAffected()
	if paid != res.Paid || failed != res.Failed {
		return errs.New(errs.Conflict, "return_changed", "部分拨付的状态已变化，请刷新后重试")
	}
	return nil
}

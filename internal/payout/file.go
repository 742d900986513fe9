package payout

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"strconv"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// File is a bank file ready to download.
type File struct {
	Name        string
	ContentType string
	Data        []byte
}

// fileLine is what a payment file says of a line.
type fileLine struct {
	id                                           int64
	accountNo, accountName, idNumber, bank, memo string
	period                                       string
	amount                                       money.Fen
}

// BatchFile writes the payment file of a batch in its bank's profile: the
// same bytes every time (lines by id), so a retried download sends the
// same lines; the hash of the first is kept and later ones are checked
// against it. Fund section only; audited.
func (s *Service) BatchFile(ctx context.Context, a *access.Actor, batchID int64) (*File, error) {
	b, err := s.GetBatch(ctx, a, batchID)
	if err != nil {
		return nil, err
	}
	bank, err := s.BankByCode(ctx, s.db.Read(), b.BankCode)
	if err != nil {
		return nil, err
	}
	lines, err := batchLines(ctx, s.db.Read(), batchID)
	if err != nil {
		return nil, err
	}
	f, err := writeFile(&bank.Profile, b, lines)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(f.Data)
	hash := hex.EncodeToString(sum[:])
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE payout_batches SET file_hash = $1 WHERE id = $2 AND (file_hash = '' OR file_hash = $1)`, hash, batchID)
		if err != nil {
			return errs.Wrap(err, "batch hash")
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errs.New(errs.Conflict, "batch_file_changed", "该批次的文件与首次下载的不一致（代发银行格式已修改？），请联系系统管理员")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "payout.batch.download", Entity: "payout_batch", EntityID: idStr(batchID),
			After: map[string]any{"file": f.Name, "sha256": hash}})
	})
	return f, err
}

func batchLines(ctx context.Context, q interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}, batchID int64) ([]fileLine, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, account_no, account_name, payee_id_number, bank_name, memo, period, amount_fen
		FROM payout_lines WHERE batch_id = $1 ORDER BY id`, batchID)
	if err != nil {
		return nil, errs.Wrap(err, "batch lines")
	}
	defer rows.Close()
	var out []fileLine
	for rows.Next() {
		var l fileLine
		var amt int64
		if err := rows.Scan(&l.id, &l.accountNo, &l.accountName, &l.idNumber, &l.bank, &l.memo, &l.period, &amt); err != nil {
			return nil, errs.Wrap(err, "batch lines")
		}
		l.amount = money.Fen(amt)
		out = append(out, l)
	}
	return out, errs.Wrap(rows.Err(), "batch lines")
}

func (l *fileLine) cell(col string, seq int) string {
	switch col {
	case "seq":
		return strconv.Itoa(seq)
	case "line_ref":
		return LineRef(l.id)
	case "account_no":
		return l.accountNo
	case "account_name":
		return l.accountName
	case "amount":
		return l.amount.Plain()
	case "id_number":
		return l.idNumber
	case "bank_name":
		return l.bank
	case "memo":
		return l.memo
	case "period":
		return l.period
	}
	return ""
}

// controlRecord is the file's count and total line.
func controlRecord(b *Batch, n int, total money.Fen) []string {
	return []string{"汇总", b.No, strconv.Itoa(n), total.Plain()}
}

func writeFile(p *Profile, b *Batch, lines []fileLine) (*File, error) {
	var total money.Fen
	for i := range lines {
		total += lines[i].amount
	}
	header := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		header[i] = FileColumns[c]
	}
	var rows [][]string
	if p.Control == "first" {
		rows = append(rows, controlRecord(b, len(lines), total))
	}
	rows = append(rows, header)
	for i := range lines {
		r := make([]string, len(p.Columns))
		for j, c := range p.Columns {
			r[j] = lines[i].cell(c, i+1)
		}
		rows = append(rows, r)
	}
	if p.Control == "last" {
		rows = append(rows, controlRecord(b, len(lines), total))
	}
	if p.Format == "xlsx" {
		return writeXLSX(b.No, "代发明细", rows)
	}
	return writeCSV(p, b.No, rows)
}

// WriteTable writes rows (control record and header included) in the
// format and encoding of a bank's profile: the card-opening lists go to
// the agent banks the way their payment files do. name has no extension.
func WriteTable(p *Profile, name, sheetName string, rows [][]string) (*File, error) {
	if p.Format == "xlsx" {
		return writeXLSX(name, sheetName, rows)
	}
	return writeCSV(p, name, rows)
}

// TableRow is one row of a file a bank sent back, numbered from 1.
type TableRow struct {
	N     int
	Cells []string
}

// ReadTable reads the rows of a file a bank sent back (XLSX, or CSV in
// UTF-8 or GBK), with the limits of a return file. Invalid (field
// "file") when it is none of these.
func ReadTable(data []byte) ([]TableRow, error) {
	rows, err := readRows(data)
	out := make([]TableRow, len(rows))
	for i, r := range rows {
		out[i] = TableRow{N: r.n, Cells: r.cells}
	}
	return out, err
}

func writeCSV(p *Profile, name string, rows [][]string) (*File, error) {
	var buf bytes.Buffer
	var w *csv.Writer
	var tw *transform.Writer
	if p.Encoding == "gbk" {
		tw = transform.NewWriter(&buf, simplifiedchinese.GBK.NewEncoder())
		w = csv.NewWriter(tw)
	} else {
		w = csv.NewWriter(&buf)
	}
	w.UseCRLF = true
	if err := w.WriteAll(rows); err != nil {
		return nil, errs.New(errs.Invalid, "batch_encoding", "文件中有GBK编码无法表示的文字，请联系系统管理员")
	}
	if tw != nil {
		if err := tw.Close(); err != nil {
			return nil, errs.Wrap(err, "gbk")
		}
	}
	return &File{Name: name + ".csv", ContentType: "text/csv; charset=" + p.Encoding, Data: buf.Bytes()}, nil
}

func writeXLSX(name, sh string, rows [][]string) (*File, error) {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", sh); err != nil {
		return nil, errs.Wrap(err, "xlsx")
	}
	sw, err := f.NewStreamWriter(sh)
	if err != nil {
		return nil, errs.Wrap(err, "xlsx")
	}
	vals := make([]any, 0, 16)
	for i, r := range rows {
		vals = vals[:0]
		for _, c := range r {
			vals = append(vals, c)
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := sw.SetRow(cell, vals); err != nil {
			return nil, errs.Wrap(err, "xlsx")
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, errs.Wrap(err, "xlsx")
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, errs.Wrap(err, "xlsx")
	}
	return &File{Name: name + ".xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Data: buf.Bytes()}, nil
}

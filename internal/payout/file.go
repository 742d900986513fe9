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
	"shebao/internal/db"
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
// against it. The lines are read and written one at a time (the control
// record comes from the batch's count and total). Fund section only;
// audited.
func (s *Service) BatchFile(ctx context.Context, a *access.Actor, batchID int64) (*File, error) {
	b, err := s.GetBatch(ctx, a, batchID)
	if err != nil {
		return nil, err
	}
	bank, err := s.BankByCode(ctx, s.db.Read(), b.BankCode)
	if err != nil {
		return nil, err
	}
	f, err := s.writeBatch(ctx, &bank.Profile, b)
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

// writeBatch writes the batch's file, its lines read in id order through
// the batch rows and written as they come.
func (s *Service) writeBatch(ctx context.Context, p *Profile, b *Batch) (*File, error) {
	w := newTableWriter(p, b.No, "代发明细")
	if p.Control == "first" {
		w.row(controlRecord(b, int(b.Lines), b.Total))
	}
	header := make([]string, len(p.Columns))
	for i, c := range p.Columns {
		header[i] = FileColumns[c]
	}
	w.row(header)
	r := make([]string, len(p.Columns))
	var n int
	var total money.Fen
	err := db.Each(ctx, s.db.Read(), func(sc db.Scanner) error {
		var l fileLine
		var amt int64
		if err := sc.Scan(&l.id, &l.accountNo, &l.accountName, &l.idNumber, &l.bank, &l.memo, &l.period, &amt); err != nil {
			return err
		}
		l.amount = money.Fen(amt)
		n++
		total += l.amount
		for j, c := range p.Columns {
			r[j] = l.cell(c, n)
		}
		w.row(r)
		return nil
	}, `SELECT l.id, l.account_no, l.account_name, l.payee_id_number, l.bank_name, l.memo,
		l.period, l.amount_fen FROM payout_batch_lines m JOIN payout_lines l ON l.id = m.line_id WHERE m.batch_id = $1 ORDER BY m.line_id`, b.ID)
	if err != nil {
		return nil, errs.Wrap(err, "batch lines")
	}
	if int64(n) != b.Lines || total != b.Total {
		return nil, errs.New(errs.Conflict, "batch_lines_changed", "批次"+b.No+"的明细与批次的笔数或金额不一致，请联系系统管理员")
	}
	if p.Control == "last" {
		w.row(controlRecord(b, n, total))
	}
	return w.close()
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

// WriteTable writes rows (control record and header included) in the
// format and encoding of a bank's profile: the card-opening lists go to
// the agent banks the way their payment files do. name has no extension.
func WriteTable(p *Profile, name, sheetName string, rows [][]string) (*File, error) {
	w := newTableWriter(p, name, sheetName)
	for _, r := range rows {
		w.row(r)
	}
	return w.close()
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

// tableWriter writes rows one at a time in a profile's format and
// encoding; the first error is kept and returned by close.
type tableWriter struct {
	name, contentType string
	buf               bytes.Buffer
	csv               *csv.Writer
	gbk               *transform.Writer
	xlsx              *excelize.File
	stream            *excelize.StreamWriter
	n                 int
	vals              []any
	err               error
}

func newTableWriter(p *Profile, name, sheetName string) *tableWriter {
	w := &tableWriter{name: name}
	if p.Format == "xlsx" {
		w.name += ".xlsx"
		w.contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		w.xlsx = excelize.NewFile()
		if err := w.xlsx.SetSheetName("Sheet1", sheetName); err != nil {
			w.err = errs.Wrap(err, "xlsx")
			return w
		}
		w.stream, w.err = w.xlsx.NewStreamWriter(sheetName)
		w.err = errs.Wrap(w.err, "xlsx")
		return w
	}
	w.name += ".csv"
	w.contentType = "text/csv; charset=" + p.Encoding
	w.buf.Grow(1 << 20)
	if p.Encoding == "gbk" {
		w.gbk = transform.NewWriter(&w.buf, simplifiedchinese.GBK.NewEncoder())
		w.csv = csv.NewWriter(w.gbk)
	} else {
		w.csv = csv.NewWriter(&w.buf)
	}
	w.csv.UseCRLF = true
	return w
}

func (w *tableWriter) row(cells []string) {
	if w.err != nil {
		return
	}
	w.n++
	if w.stream == nil {
		if err := w.csv.Write(cells); err != nil {
			w.err = errs.New(errs.Invalid, "batch_encoding", "文件中有GBK编码无法表示的文字，请联系系统管理员")
		}
		return
	}
	w.vals = w.vals[:0]
	for _, c := range cells {
		w.vals = append(w.vals, c)
	}
	cell, _ := excelize.CoordinatesToCellName(1, w.n)
	w.err = errs.Wrap(w.stream.SetRow(cell, w.vals), "xlsx")
}

func (w *tableWriter) close() (*File, error) {
	if w.xlsx != nil {
		defer w.xlsx.Close()
	}
	if w.err != nil {
		return nil, w.err
	}
	if w.stream != nil {
		if err := w.stream.Flush(); err != nil {
			return nil, errs.Wrap(err, "xlsx")
		}
		if err := w.xlsx.Write(&w.buf); err != nil {
			return nil, errs.Wrap(err, "xlsx")
		}
	} else {
		w.csv.Flush()
		if err := w.csv.Error(); err != nil {
			return nil, errs.New(errs.Invalid, "batch_encoding", "文件中有GBK编码无法表示的文字，请联系系统管理员")
		}
		if w.gbk != nil {
			if err := w.gbk.Close(); err != nil {
				return nil, errs.New(errs.Invalid, "batch_encoding", "文件中有GBK编码无法表示的文字，请联系系统管理员")
			}
		}
	}
	return &File{Name: w.name, ContentType: w.contentType, Data: w.buf.Bytes()}, nil
}

package payout

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/simplifiedchinese"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// SimulatedReturn writes the return file an agent bank would send for a
// batch, in its profile, with the lines of fail failed for the reasons
// given (and every other line paid): for the demo, the tests and the
// training page, never for real money (it is only offered in demo mode).
func (s *Service) SimulatedReturn(ctx context.Context, a *access.Actor, batchID int64, fail map[int64]string) (*File, error) {
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
	p := &bank.Profile
	header := make([]string, len(p.ReturnColumns))
	for i, c := range p.ReturnColumns {
		header[i] = ReturnFileColumns[c]
	}
	var total money.Fen
	rows := [][]string{header}
	for i := range lines {
		l := &lines[i]
		total += l.amount
		r := make([]string, len(p.ReturnColumns))
		for j, c := range p.ReturnColumns {
			r[j] = returnCell(p, l, c, fail)
		}
		rows = append(rows, r)
	}
	ctl := controlRecord(b, len(lines), total)
	if p.Control == "first" {
		rows = append([][]string{ctl}, rows...)
	} else {
		rows = append(rows, ctl)
	}
	if p.Format == "xlsx" {
		return simulatedXLSX(b, rows)
	}
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.WriteAll(rows); err != nil {
		return nil, errs.Wrap(err, "csv")
	}
	data := buf.Bytes()
	if p.Encoding == "gbk" {
		if data, err = simplifiedchinese.GBK.NewEncoder().Bytes(data); err != nil {
			return nil, errs.Wrap(err, "gbk")
		}
	}
	return &File{Name: b.No + "-回盘.csv", ContentType: "text/csv", Data: data}, nil
}

func returnCell(p *Profile, l *fileLine, col string, fail map[int64]string) string {
	reason, failed := fail[l.id]
	switch col {
	case "result":
		if failed {
			return "失败"
		}
		return p.PaidValue
	case "reason":
		return reason
	case "serial":
		return fmt.Sprintf("B%012d", l.id)
	}
	return l.cell(col, 0)
}

func simulatedXLSX(b *Batch, rows [][]string) (*File, error) {
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		vals := make([]any, len(r))
		for j := range r {
			vals[j] = r[j]
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &vals); err != nil {
			return nil, errs.Wrap(err, "xlsx")
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, errs.Wrap(err, "xlsx")
	}
	return &File{Name: b.No + "-回盘.xlsx", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Data: buf.Bytes()}, nil
}

// batchLines reads the lines of a batch, by id.
func batchLines(ctx context.Context, q db.Querier, batchID int64) ([]fileLine, error) {
	var out []fileLine
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var l fileLine
		var amt int64
		if err := r.Scan(&l.id, &l.accountNo, &l.accountName, &l.idNumber, &l.bank, &l.memo, &l.period, &amt); err != nil {
			return err
		}
		l.amount = money.Fen(amt)
		out = append(out, l)
		return nil
	}, `SELECT l.id, l.account_no, l.account_name, l.payee_id_number, l.bank_name, l.memo, l.period,
		l.amount_fen FROM payout_batch_lines m JOIN payout_lines l ON l.id = m.line_id WHERE m.batch_id = $1 ORDER BY m.line_id`, batchID)
	return out, errs.Wrap(err, "batch lines")
}

package transfer_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/sheet"
	"shebao/internal/transfer"
)

const formHeader = "年度,缴费月数,实际缴费工资（元）,个人账户记账额（元）,统筹基金转移额（元）,个人账户储存额（元）\n"

// formXLSX is the 信息表 file as an .xlsx workbook.
func formXLSX(t *testing.T, rows [][]any) []byte {
	t.Helper()
	x := sheet.NewExport()
	if err := x.Sheet(transfer.FormSheet, strings.Split(strings.TrimSpace(formHeader), ",")); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := x.Row(r...); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if _, err := x.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The old agency's 信息表 file is recorded all or nothing: amounts that do
// not add up are refused with the row and column named and the transfer
// stays as it was; the right file (XLSX) records the form.
func TestTransferFormImport(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		_, idn := e.person(t, "employee", "F", time.Date(1985, 4, 1, 0, 0, 0, 0, time.UTC), "110105")
		tr, err := e.svc.OpenIn(ctx, clerk, transfer.InInput{IDNumber: idn, OtherAgency: "河北省石家庄市社会保险事业管理局", OtherRegion: "130100"})
		if err != nil {
			t.Fatal(err)
		}
		if tr, err = e.svc.IssueLetter(ctx, clerk, tr.ID, tr.Version); err != nil {
			t.Fatal(err)
		}
		bad := formHeader + "2019,12,\"36,000.00\",\"2,880.00\",4320.01,\n" + // pooled not 12%
			"2020,13,40000,3200,4800,\n" + // 13 months
			"合计,24,76000,6080,9120.01,6500\n"
		rep, err := e.svc.ImportForm(ctx, coord, tr.ID, tr.Version, "信息表.csv", []byte(bad))
		if err == nil {
			t.Fatal("another section imported a form")
		}
		rep, err = e.svc.ImportForm(ctx, clerk, tr.ID, tr.Version, "信息表.csv", []byte(bad))
		if err != nil {
			t.Fatal(err)
		}
		if rep.Recorded() || len(rep.Problems) != 2 {
			t.Fatalf("problems = %+v", rep.Problems)
		}
		if p := rep.Problems[0]; p.Row != 2 || !strings.Contains(p.Column, "统筹基金转移额") || !strings.Contains(p.Message, "4,320.00") {
			t.Fatalf("pooled problem = %+v", p)
		}
		if p := rep.Problems[1]; p.Row != 3 || !strings.Contains(p.Column, "缴费月数") {
			t.Fatalf("months problem = %+v", p)
		}
		totals := formHeader + "2019,12,36000,2880,4320,\n2020,12,40000,3200,4800,\n合计,24,76000,6080,9120,6000\n"
		if rep, err = e.svc.ImportForm(ctx, clerk, tr.ID, tr.Version, "信息表.csv", []byte(totals)); err != nil || len(rep.Problems) != 1 ||
			rep.Problems[0].Row != 4 || !strings.Contains(rep.Problems[0].Column, "个人账户储存额") {
			t.Fatalf("balance below the credits: %+v, %v", rep, err)
		}
		noTotal := formHeader + "2019,12,36000,2880,4320,\n"
		if rep, err = e.svc.ImportForm(ctx, clerk, tr.ID, tr.Version, "信息表.csv", []byte(noTotal)); err != nil || len(rep.Problems) != 1 ||
			!strings.Contains(rep.Problems[0].Message, "合计") {
			t.Fatalf("no 合计 row: %+v, %v", rep, err)
		}
		if got, _ := e.svc.Get(ctx, clerk, tr.ID); got.Status != transfer.LetterIssued || len(got.Years) != 0 || got.Version != tr.Version {
			t.Fatalf("refused files changed the transfer: %+v", got)
		}
		good := formXLSX(t, [][]any{{"2019", "12", "36,000.00", "2,880.00", "4,320.00", ""}, {"2020", "12", "40,000.00", "3,200.00", "4,800.00", ""},
			{"合计", "24", "76,000.00", "6,080.00", "9,120.00", "6,500.00"}})
		rep, err = e.svc.ImportForm(ctx, clerk, tr.ID, tr.Version, "信息表.xlsx", good)
		if err != nil || !rep.Recorded() {
			t.Fatalf("good file: %+v, %v", rep, err)
		}
		got := rep.Transfer
		if got.Status != transfer.FormRecorded || len(got.Years) != 2 || got.Account != money.Yuan(6500) || got.Pooled != money.Yuan(9120) {
			t.Fatalf("recorded = %+v", got)
		}
	})
}

// Money that does not belong to the transfer is refused with nothing
// posted: a statement line already posted to a bill, one of another
// amount, and a line already taken by another transfer.
func TestTransferFundsPostedOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		years := []transfer.YearLine{{Year: 2019, Months: 12, Wages: money.Yuan(36000), Account: money.Yuan(2880)}}
		ready := func() *transfer.Transfer {
			_, idn := e.person(t, "employee", "F", time.Date(1985, 4, 1, 0, 0, 0, 0, time.UTC), "110105")
			tr, err := e.svc.OpenIn(ctx, clerk, transfer.InInput{IDNumber: idn, OtherAgency: "河北省石家庄市社会保险事业管理局", OtherRegion: "130100"})
			if err == nil {
				tr, err = e.svc.IssueLetter(ctx, clerk, tr.ID, tr.Version)
			}
			if err == nil {
				tr, err = e.svc.RecordForm(ctx, clerk, tr.ID, tr.Version, transfer.FormInput{Years: years, Account: money.Yuan(3000), Pooled: money.Yuan(4320)})
			}
			if err != nil {
				t.Fatal(err)
			}
			return tr
		}
		a, b := ready(), ready()
		e.payment(t, "B-BILL", money.Yuan(7320))
		if _, err := d.W.ExecContext(ctx, `UPDATE payments SET status = 'matched', open_fen = 0, applied_fen = amount_fen WHERE serial = 'B-BILL'`); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.MatchFunds(ctx, clerk, a.ID, a.Version, "B-BILL"); fieldOf(err) != "bank_serial" || !strings.Contains(errs.As(err).Fields[0].Message, "已入账") {
			t.Fatalf("a line posted to a bill: %v", err)
		}
		e.payment(t, "B-OK", money.Yuan(7320))
		if _, err := e.svc.MatchFunds(ctx, clerk, a.ID, a.Version, "B-OK"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.MatchFunds(ctx, clerk, b.ID, b.Version, "B-OK"); fieldOf(err) != "bank_serial" {
			t.Fatalf("the same line for a second transfer: %v", err)
		}
		wantIncome(t, d, "B-OK", money.Yuan(7320))
		var n int
		if err := d.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger_entries l JOIN payments p ON p.id = l.payment_id
			WHERE p.serial = 'B-BILL'`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("the refused line got %d ledger entries, %v", n, err)
		}
	})
}

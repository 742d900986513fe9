package payment_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/ledger"
	"shebao/internal/money"
	"shebao/internal/payment"
	"shebao/internal/policy"
)

func TestLateFeeWorkedExample(t *testing.T) {
	fee, days := payment.LateFee(658336, money.MustPercent("0.05"), "2024-03-15", "2024-04-29")
	if days != 45 || fee != 14813 {
		t.Fatalf("late fee = %s over %d days, want 148.13 over 45", fee.Plain(), days)
	}
	if fee, days := payment.LateFee(658336, money.MustPercent("0.05"), "2024-03-15", "2024-03-15"); fee != 0 || days != 0 {
		t.Fatalf("paid on the due date: %s %d", fee.Plain(), days)
	}
}

func TestAllocate(t *testing.T) {
	for _, c := range []struct {
		amount  money.Fen
		weights []money.Fen
		caps    []money.Fen
		want    []money.Fen
	}{
		{100, []money.Fen{1, 1, 1}, nil, []money.Fen{34, 33, 33}},
		{10, []money.Fen{16, 80, 4}, nil, []money.Fen{1, 9, 0}},
		{2, []money.Fen{1, 1, 1}, []money.Fen{1, 1, 1}, []money.Fen{1, 1, 0}},
		{658336, []money.Fen{400000, 20000, 238336}, nil, []money.Fen{400000, 20000, 238336}},
		{14813, []money.Fen{400000, 20000, 238336}, nil, []money.Fen{9001, 450, 5362}},
	} {
		got := ledger.Allocate(c.amount, c.weights, c.caps)
		var sum money.Fen
		for i := range got {
			sum += got[i]
			if got[i] != c.want[i] {
				t.Errorf("Allocate(%d, %v) = %v, want %v", c.amount, c.weights, got, c.want)
				break
			}
		}
		if sum != c.amount {
			t.Errorf("Allocate(%d) sums to %d", c.amount, sum)
		}
	}
}

// statement builds a CSV with the usual cases against two employers.
func setupStatement(t *testing.T, e *env) (string, [6]int64) {
	a := e.employer(t, "北京甲科技有限公司", "6222 0000 1111 2222")
	b := e.employer(t, "北京乙建筑有限公司", "6222000033334444")
	byRef, refA := e.bill(t, a, "2024-03", "2024-04-15", 80000, 4000, 1000)  // 850.00
	byPayer, _ := e.bill(t, b, "2024-03", "2024-04-15", 160000, 8000, 2000)  // 1700.00
	partial, refP := e.bill(t, a, "2024-02", "2024-04-15", 50000, 2500, 500) // 530.00
	over, refO := e.bill(t, b, "2024-02", "2024-04-15", 10000, 500, 100)     // 106.00
	csv := header +
		csvLine("2024-04-10", "S001", "北京甲科技有限公司", "6222000011112222", "850.00", "社保费"+refA+"三月") +
		csvLine("2024/04/11", "S002", "北京乙建筑有限公司", "6222000033334444", `"1,700.00"`, "三月社保费") +
		csvLine("20240412", "S003", "北京甲科技有限公司", "6222000011112222", "500.00", "缴费 "+refP) +
		csvLine("2024-04-12", "S004", "北京乙建筑有限公司", "6222000033334444", "200.00", refO) +
		csvLine("2024-04-12", "S005", "某某个人", "6217000000009999", "300.00", "货款") +
		csvLine("2024-04-13", "S006", "北京甲科技有限公司", "6222000011112222", "1234.56", "职工医疗保险费") +
		"2024-04-13,S007,北京甲科技有限公司,6222000011112222,99.00,,退款\n" +
		"合计,,,,99.00,5084.56,\n"
	return csv, [6]int64{byRef, byPayer, partial, over, a, b}
}

func TestImportCSVUTF8AndGBK(t *testing.T) {
	for _, enc := range []string{"utf8", "utf8-bom", "gbk"} {
		t.Run(enc, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, d *db.DB) {
				e := newEnv(t, d, nowDay)
				csv, ids := setupStatement(t, e)
				data := []byte(csv)
				switch enc {
				case "utf8-bom":
					data = append([]byte("\xef\xbb\xbf"), data...)
				case "gbk":
					data = gbk(t, csv)
				}
				res, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "s.csv", Data: data})
				if err != nil {
					t.Fatalf("import: %v %+v", err, res)
				}
				want := payment.ImportResult{Matched: 2, Partial: 1, Over: 1, Unmatched: 1, Medical: 1, Skipped: 1, MatchedFen: 255000}
				if res.Matched != want.Matched || res.Partial != 1 || res.Over != 1 || res.Unmatched != 1 || res.Medical != 1 ||
					res.Skipped != 1 || res.MatchedFen != want.MatchedFen {
					t.Fatalf("result %+v", res)
				}
				if wantFmt := map[string]string{"gbk": "csv-gbk"}[enc]; wantFmt != "" && res.Format != wantFmt {
					t.Fatalf("format %s", res.Format)
				}
				for i, st := range []string{"paid", "paid", "confirmed", "confirmed"} {
					var got string
					d.W.QueryRowContext(ctx, `SELECT status FROM bills WHERE id = $1`, ids[i]).Scan(&got)
					if got != st {
						t.Errorf("bill %d status %s, want %s", i, got, st)
					}
				}
				var reason string
				d.W.QueryRowContext(ctx, `SELECT reason FROM payments WHERE serial = 'S006'`).Scan(&reason)
				if !strings.Contains(reason, "医疗") {
					t.Errorf("medical reason %q", reason)
				}
				checkInvariants(t, d)
				nPay, nLedger := count(t, d, `SELECT COUNT(*) FROM payments`), count(t, d, `SELECT COUNT(*) FROM ledger_entries`)
				again, err := e.svc.ImportStatement(ctx, bank, payment.ImportInput{FileName: "s.csv", Data: data})
				if err != nil || !again.Duplicate || again.StatementID != res.StatementID {
					t.Fatalf("second import: %+v %v", again, err)
				}
				// the same lines in another file (other encoding): known serials
				other := []byte(csv + "\n")
				third, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "s2.csv", Data: other})
				if err != nil || third.Known != 6 || third.Matched+third.Unmatched+third.Partial+third.Over+third.Medical != 0 {
					t.Fatalf("overlapping import: %+v %v", third, err)
				}
				if count(t, d, `SELECT COUNT(*) FROM payments`) != nPay || count(t, d, `SELECT COUNT(*) FROM ledger_entries`) != nLedger {
					t.Fatal("a repeated import added rows")
				}
			})
		})
	}
}

func TestImportXLSX(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nowDay)
		a := e.employer(t, "北京甲科技有限公司", "")
		id, ref := e.bill(t, a, "2024-03", "2024-04-15", 80000, 4000, 1000)
		f := excelize.NewFile()
		rows := [][]any{{"交易日期", "流水号", "付款人名称", "付款人账号", "收入金额", "摘要"},
			{"2024-04-10", "X1", "北京甲科技有限公司", "", "850.00", "社保 " + ref}}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
				t.Fatal(err)
			}
		}
		buf, err := f.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "s.xlsx", Data: buf.Bytes()})
		if err != nil || res.Format != "xlsx" || res.Matched != 1 {
			t.Fatalf("xlsx import %+v %v", res, err)
		}
		if n := count(t, d, `SELECT paid_fen FROM bills WHERE id = $1`, id); n != 85000 {
			t.Fatalf("paid %d", n)
		}
		checkInvariants(t, d)
		again := header + csvLine("2024-04-11", "X2", "北京甲科技有限公司", "", "850.00", "重复缴费"+ref)
		res, err = e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "again.csv", Data: []byte(again)})
		if err != nil || res.Over != 1 || res.Matched != 0 {
			t.Fatalf("second payment of a paid bill: %+v %v", res, err)
		}
		checkInvariants(t, d)
	})
}

func TestImportBrokenLinesRefusedWhole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nowDay)
		a := e.employer(t, "北京甲科技有限公司", "")
		_, ref := e.bill(t, a, "2024-03", "2024-04-15", 80000, 4000, 1000)
		csv := header +
			csvLine("2024-04-10", "S1", "北京甲科技有限公司", "", "850.00", ref) +
			"2024-04-10,S2,北京甲科技有限公司,,,850.00\n" +
			csvLine("2024-04-10", "S3", "北京甲", "", "12.345", "") +
			csvLine("2024-04-10", "S4", "北京甲", "", "-5.00", "") +
			csvLine("2024-13-40", "S5", "北京甲", "", "5.00", "") +
			csvLine("2024-06-01", "S6", "北京甲", "", "5.00", "") +
			csvLine("2024-04-10", "S1", "北京甲", "", "5.00", "")
		res, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "bad.csv", Data: gbk(t, csv)})
		if errs.KindOf(err) != errs.Invalid || res == nil {
			t.Fatalf("want Invalid with a report, got %v", err)
		}
		wantLines := map[int]string{3: "列数", 4: "格式", 5: "负数", 6: "无法识别", 7: "晚于今天", 8: "重复"}
		if len(res.Errors) != len(wantLines) {
			t.Fatalf("errors %+v", res.Errors)
		}
		for _, le := range res.Errors {
			if w, ok := wantLines[le.Line]; !ok || !strings.Contains(le.Message, w) {
				t.Errorf("line %d: %q", le.Line, le.Message)
			}
		}
		if count(t, d, `SELECT COUNT(*) FROM payments`)+count(t, d, `SELECT COUNT(*) FROM bank_statements`) != 0 {
			t.Fatal("a refused statement wrote rows")
		}
		if _, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "x.csv", Data: []byte("a,b\n1,2\n")}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("no header: %v", err)
		}
	})
}

// TestImportControlCharactersRefused: a NUL or another control character in
// a statement's text (PostgreSQL refused to store it: 500; SQLite stored
// it) is a line error naming the column; nothing is written.
func TestImportControlCharactersRefused(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nowDay)
		csv := header +
			csvLine("2024-04-10", "S1", "北京\x00甲科技有限公司", "", "850.00", "") +
			csvLine("2024-04-10", "S2", "北京甲", "", "5.00", "社保费\x1b[0m") +
			csvLine("2024-04-10", "S3", "北京甲", "", "5.00", "社保费")
		res, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "ctl.csv", Data: []byte(csv)})
		if errs.KindOf(err) != errs.Invalid || res == nil || len(res.Errors) != 2 {
			t.Fatalf("want Invalid with two line errors, got %+v, %v", res, err)
		}
		if res.Errors[0].Line != 2 || res.Errors[0].Column != "对方户名" || res.Errors[1].Line != 3 || res.Errors[1].Column != "附言" {
			t.Errorf("errors %+v", res.Errors)
		}
		if count(t, d, `SELECT COUNT(*) FROM payments`)+count(t, d, `SELECT COUNT(*) FROM bank_statements`) != 0 {
			t.Fatal("a refused statement wrote rows")
		}
	})
}

func TestAuthorization(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nowDay)
		csv, ids := setupStatement(t, e)
		for _, a := range []*access.Actor{coord, hosp, nil} {
			if _, err := e.svc.ImportStatement(ctx, a, payment.ImportInput{Data: []byte(csv)}); err == nil {
				t.Fatalf("%v imported", a)
			}
		}
		if _, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{Data: []byte(csv)}); err != nil {
			t.Fatal(err)
		}
		empA := &access.Actor{UserID: 9, Role: access.RoleEmployer, EmployerID: ids[4]}
		empB := &access.Actor{UserID: 10, Role: access.RoleEmployer, EmployerID: ids[5]}
		mine, err := e.svc.Mine(ctx, empA)
		if err != nil || len(mine) == 0 {
			t.Fatalf("mine %v %v", mine, err)
		}
		for _, p := range mine {
			if _, err := e.svc.Get(ctx, empB, p.ID); errs.KindOf(err) != errs.NotFound {
				t.Fatalf("employer B sees A's payment: %v", err)
			}
			if _, err := e.svc.Receipt(ctx, empB, p.ID); errs.KindOf(err) != errs.NotFound {
				t.Fatalf("employer B gets A's receipt: %v", err)
			}
		}
		if _, err := e.svc.Queue(ctx, coord); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("coordination reads the queue: %v", err)
		}
		if _, _, err := e.svc.RecordCard(ctx, empA, payment.CardInput{}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("employer records a card payment: %v", err)
		}
	})
}

func TestSettleQueueByHand(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nowDay)
		csv, ids := setupStatement(t, e)
		if _, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{Data: []byte(csv)}); err != nil {
			t.Fatal(err)
		}
		q, err := e.svc.Queue(ctx, fund)
		if err != nil || len(q) != 4 {
			t.Fatalf("queue %d %v", len(q), err)
		}
		by := map[string]payment.Payment{}
		for _, p := range q {
			by[p.Serial] = p
		}
		var partialNo, overNo string
		d.W.QueryRowContext(ctx, `SELECT bill_no FROM bills WHERE id = $1`, ids[2]).Scan(&partialNo)
		d.W.QueryRowContext(ctx, `SELECT bill_no FROM bills WHERE id = $1`, ids[3]).Scan(&overNo)
		// partial: 500 of 530 posted, bill partially paid
		p, err := e.svc.Settle(ctx, fund, by["S003"].ID, payment.SettleInput{Action: "assign", BillNo: partialNo, Note: "单位来电确认", Version: by["S003"].Version})
		if err != nil || p.Status != payment.Settled || p.Applied != 50000 || p.ReceiptCode == "" {
			t.Fatalf("partial settle %+v %v", p, err)
		}
		if _, err := e.svc.Settle(ctx, fund, by["S003"].ID, payment.SettleInput{Action: "refund", Note: "x", Version: by["S003"].Version}); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("stale settle: %v", err)
		}
		// over: 200 for a 106 bill; 106 posted, 94 left, then refunded
		p, err = e.svc.Settle(ctx, fund, by["S004"].ID, payment.SettleInput{Action: "assign", BillNo: overNo, Note: "入账", Version: by["S004"].Version})
		if err != nil || p.Status != payment.Over || p.Applied != 10600 || p.Open != 9400 {
			t.Fatalf("over settle %+v %v", p, err)
		}
		p, err = e.svc.Settle(ctx, fund, p.ID, payment.SettleInput{Action: "refund", Note: "多缴退回", Version: p.Version})
		if err != nil || p.Status != payment.Settled || p.Open != 0 {
			t.Fatalf("over refund %+v %v", p, err)
		}
		// medical: may only be refunded
		m := by["S006"]
		if _, err := e.svc.Settle(ctx, fund, m.ID, payment.SettleInput{Action: "assign", BillNo: partialNo, Note: "x", Version: m.Version}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("medical assigned: %v", err)
		}
		if _, err := e.svc.Settle(ctx, fund, m.ID, payment.SettleInput{Action: "refund", Note: "非本机构险种", Version: m.Version}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Settle(ctx, fund, by["S005"].ID, payment.SettleInput{Action: "assign", Note: "", Version: 1}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("empty settle: %v", err)
		}
		if q, _ := e.svc.Queue(ctx, fund); len(q) != 1 {
			t.Fatalf("queue left %d", len(q))
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'payment.settle.%'`); n != 4 {
			t.Fatalf("audit rows %d", n)
		}
		checkInvariants(t, d)
	})
}

func TestCardLateFeeWaiverAndCash(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-04-29")
		a := e.employer(t, "北京甲科技有限公司", "")
		_, ref := e.bill(t, a, "2024-02", "2024-03-15", 400000, 20000, 238336) // 6,583.36
		in := payment.CardInput{BillNo: ref, TerminalRef: "T0001", CardLast4: "1234", Amount: "7000.00"}
		if _, _, err := e.svc.RecordCard(ctx, fund, in); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("more than due: %v", err)
		}
		in.Amount = "6731.49"
		p, created, err := e.svc.RecordCard(ctx, fund, in)
		if err != nil || !created || p.Applied != 658336 || p.LateFee != 14813 || p.LateFeeDays != 45 {
			t.Fatalf("card %+v %v", p, err)
		}
		again, created, err := e.svc.RecordCard(ctx, fund, in)
		if err != nil || created || again.ID != p.ID {
			t.Fatalf("retry added: %+v %v", again, err)
		}
		in.Amount = "1.00"
		if _, _, err := e.svc.RecordCard(ctx, fund, in); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("terminal ref reused: %v", err)
		}
		r, err := e.svc.Receipt(ctx, &access.Actor{Role: access.RoleEmployer, EmployerID: a}, p.ID)
		if err != nil || r.Total != 658336+14813 || len(r.Lines) != 3 {
			t.Fatalf("receipt %+v %v", r, err)
		}
		checkInvariants(t, d)

		// A waiver recorded on the bill at confirmation waives nothing on
		// its own: with no emergency relieving the payment day, the fee
		// runs from the original due date.
		id2, ref2 := e.bill(t, a, "2024-01", "2024-03-15", 400000, 20000, 238336)
		d.W.ExecContext(ctx, `UPDATE bills SET late_fee_waived = TRUE, waiver_basis = '人社部发〔2020〕11号' WHERE id = $1`, id2)
		p2, _, err := e.svc.RecordCard(ctx, fund, payment.CardInput{BillNo: ref2, TerminalRef: "T0002", CardLast4: "1234", Amount: "6731.49"})
		if err != nil || p2.Applied != 658336 || p2.LateFee != 14813 || p2.DaysWaived != 0 {
			t.Fatalf("stored waiver without an emergency %+v %v", p2, err)
		}

		// emergency: late fees waived by the measure, cash refused
		if why, _ := e.svc.CashRefusal(ctx); why != "" {
			t.Fatalf("cash refused before the emergency: %s", why)
		}
		ep := policy.Epidemic2024()
		ep.Start, ep.FeeMonths, ep.CollectionDue = "2024-04-20", nil, ""
		ep.Measures = []policy.Measure{policy.MeasureLateFeeWaived, policy.MeasureCashRefused}
		admin := &access.Actor{UserID: 1, Username: "admin", Role: access.RoleAdmin, Sections: access.Sections}
		if _, err := e.pol.Declare(ctx, admin, ep); err != nil {
			t.Fatalf("declare: %v %+v", err, errs.As(err).Fields)
		}
		_, ref3 := e.bill(t, a, "2023-12", "2024-03-15", 400000, 20000, 238336)
		_, _, err = e.svc.RecordCard(ctx, fund, payment.CardInput{Method: "cash", BillNo: ref3, TerminalRef: "C1", Amount: "6583.36"})
		if errs.KindOf(err) != errs.Invalid || !strings.Contains(err.Error(), "疫情期间暂不收取现金") {
			t.Fatalf("cash: %v", err)
		}
		// Due 2024-03-15, paid 2024-04-29 while the emergency (from
		// 2024-04-20) is open: the 35 days overdue before its start are
		// charged (6,583.36 × 0.05% × 35 = 115.2088 → 115.21), the 10
		// days from the start are waived.
		p3, _, err := e.svc.RecordCard(ctx, fund, payment.CardInput{BillNo: ref3, TerminalRef: "T0003", CardLast4: "1234", Amount: "6698.57"})
		if err != nil || p3.Applied != 658336 || p3.LateFee != 11521 || p3.LateFeeDays != 45 || p3.DaysWaived != 10 ||
			!strings.Contains(p3.LateFeeNote, ep.LegalBasis) || !strings.Contains(p3.LateFeeNote, "计收 35 天，免收 10 天") {
			t.Fatalf("emergency waiver %+v %v", p3, err)
		}
		checkInvariants(t, d)
	})
}

func TestInvoiceMailing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nowDay)
		a := e.employer(t, "北京甲科技有限公司", "")
		_, ref := e.bill(t, a, "2024-04", "2024-05-15", 80000, 4000, 1000)
		p, _, err := e.svc.RecordCard(ctx, fund, payment.CardInput{BillNo: ref, TerminalRef: "T0009", CardLast4: "1234", Amount: "850"})
		if err != nil {
			t.Fatal(err)
		}
		emp := &access.Actor{Role: access.RoleEmployer, EmployerID: a}
		other := &access.Actor{Role: access.RoleEmployer, EmployerID: a + 100}
		in := payment.InvoiceInput{Recipient: "李丽", Phone: "13800138001", Address: "北京市朝阳区建国路1号甲科技"}
		if _, err := e.svc.RequestInvoice(ctx, other, p.ID, in); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("other employer: %v", err)
		}
		if _, err := e.svc.RequestInvoice(ctx, emp, p.ID, payment.InvoiceInput{Recipient: "李", Phone: "12", Address: "北京"}); !errors.As(err, new(*errs.Error)) || len(errs.As(err).Fields) != 3 {
			t.Fatalf("bad input: %v", err)
		}
		inv, err := e.svc.RequestInvoice(ctx, emp, p.ID, in)
		if err != nil || inv.PhoneMasked == in.Phone || inv.Status != "requested" {
			t.Fatalf("request %+v %v", inv, err)
		}
		if _, err := e.svc.RequestInvoice(ctx, emp, p.ID, in); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("twice: %v", err)
		}
		q, err := e.svc.InvoiceQueue(ctx, fund, "")
		if err != nil || len(q) != 1 {
			t.Fatalf("queue %v %v", q, err)
		}
		if err := e.svc.MarkMailed(ctx, fund, q[0].ID, payment.MailInput{Courier: "EMS", TrackingNo: "EA123456789CN", Version: q[0].Version}); err != nil {
			t.Fatal(err)
		}
		r, err := e.svc.Receipt(ctx, emp, p.ID)
		if err != nil || r.Invoice == nil || r.Invoice.Status != "mailed" || r.Invoice.TrackingNo != "EA123456789CN" {
			t.Fatalf("receipt invoice %+v %v", r, err)
		}
	})
}

func TestCheckReceiptMaskedAndLimited(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nowDay)
		a := e.employer(t, "北京甲科技有限公司", "")
		_, ref := e.bill(t, a, "2024-04", "2024-05-15", 80000, 4000, 1000)
		p, _, err := e.svc.RecordCard(ctx, fund, payment.CardInput{BillNo: ref, TerminalRef: "T0100", CardLast4: "1234", Amount: "850"})
		if err != nil {
			t.Fatal(err)
		}
		grouped := strings.ToLower(p.ReceiptCode[:8] + "-" + p.ReceiptCode[8:])
		c, err := e.svc.CheckReceipt(ctx, "10.0.0.1", grouped)
		if err != nil || c.Payer != "北京***公司" || c.Total != 85000 || c.FeeMonth != "2024-04" {
			t.Fatalf("check %+v %v", c, err)
		}
		if _, err := e.svc.CheckReceipt(ctx, "10.0.0.1", "AAAAAAAAAAAAAAAA"); errs.KindOf(err) != errs.NotFound {
			t.Fatalf("unknown code: %v", err)
		}
		if _, err := e.svc.CheckReceipt(ctx, "10.0.0.1", "0000"); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("malformed code: %v", err)
		}
		for i := 0; i < 28; i++ {
			e.svc.CheckReceipt(ctx, "10.0.0.1", "AAAAAAAAAAAAAAAA")
		}
		if _, err := e.svc.CheckReceipt(ctx, "10.0.0.1", p.ReceiptCode); errs.KindOf(err) != errs.TooMany {
			t.Fatalf("31st check: %v", err)
		}
		if _, err := e.svc.CheckReceipt(ctx, "10.0.0.2", p.ReceiptCode); err != nil {
			t.Fatalf("another address: %v", err)
		}
		e.c.Advance(11 * time.Minute)
		if _, err := e.svc.CheckReceipt(ctx, "10.0.0.1", p.ReceiptCode); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
}

// A statement's serial numbers already imported into the same account are
// skipped, whichever chunk of the look-up they fall in; the same serials
// in another receiving account are new money.
func TestKnownSerialsAreTheStatementsOwn(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, nowDay)
		lines := func(from, to int) []byte {
			var b strings.Builder
			b.WriteString(header)
			for i := from; i < to; i++ {
				b.WriteString(csvLine("2024-04-10", fmt.Sprintf("K%05d", i), "某某个人", "6217000000009999", "1.00", "货款"))
			}
			return []byte(b.String())
		}
		first, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "a.csv", Data: lines(0, 2500)})
		if err != nil || first.Unmatched != 2500 || first.Known != 0 {
			t.Fatalf("first import: %+v %v", first, err)
		}
		second, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "b.csv", Data: lines(1, 2503)})
		if err != nil || second.Known != 2499 || second.Unmatched != 3 {
			t.Fatalf("overlapping import: %+v %v", second, err)
		}
		other, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "c.csv", Data: lines(0, 10), AccountNo: "11001234567890"})
		if err != nil || other.Known != 0 || other.Unmatched != 10 {
			t.Fatalf("another account: %+v %v", other, err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM payments`); n != 2513 {
			t.Fatalf("%d payments, want 2513", n)
		}
		checkInvariants(t, d)
	})
}

package payout

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// approved prepares and approves n pension lines for persons from..from+n-1.
func (e *env) approved(t *testing.T, from, n int, bankName string) []int64 {
	t.Helper()
	ctx := context.Background()
	var ids []int64
	for i := from; i < from+n; i++ {
		r := pensionReq(int64(i), "2024-02", money.Fen(100000+i))
		r.BankName = bankName
		l, _, err := e.s.Prepare(ctx, welfare, r)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, l.ID)
	}
	if _, err := e.s.Approve(ctx, fund1, ids, ""); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestBatchFileReturnAndReissue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		ids := e.approved(t, 1, 5, "中国工商银行")
		b, skipped, err := e.s.CreateBatch(ctx, fund2, "ICBC")
		if err != nil || b.Lines != 5 || skipped != 0 {
			t.Fatalf("batch: %+v %v", b, err)
		}
		checkLedger(t, d)
		if _, _, err := e.s.CreateBatch(ctx, fund2, "ICBC"); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("second batch: %v", err)
		}
		f, err := e.s.BatchFile(ctx, fund2, b.ID)
		if err != nil {
			t.Fatal(err)
		}
		text, err := simplifiedchinese.GBK.NewDecoder().Bytes(f.Data)
		if err != nil {
			t.Fatal(err)
		}
		rows := strings.Split(strings.TrimSpace(string(text)), "\r\n")
		want := "汇总," + b.No + ",5," + b.Total.Plain()
		if len(rows) != 7 || rows[0] != want || !strings.HasPrefix(rows[1], "序号,业务流水号,收款账号,收款户名") ||
			!strings.Contains(rows[2], LineRef(ids[0])+","+card(1)+",退休人员1,1000.01") {
			t.Fatalf("file:\n%s", text)
		}
		again, _ := e.s.BatchFile(ctx, fund2, b.ID)
		if !bytes.Equal(again.Data, f.Data) {
			t.Fatal("a retried download differs")
		}
		ret, err := e.s.SimulatedReturn(ctx, fund2, b.ID, map[int64]string{ids[1]: "账户已销户", ids[3]: "户名不符"})
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.s.ImportReturn(ctx, fund2, b.ID, "return.csv", ret.Data)
		if err != nil || res.Paid != 3 || res.Failed != 2 || res.AlreadyRun {
			t.Fatalf("import: %+v %v", res, err)
		}
		checkLedger(t, d)
		res2, err := e.s.ImportReturn(ctx, fund2, b.ID, "return.csv", ret.Data)
		if err != nil || !res2.AlreadyRun || res2.ID != res.ID || res2.Paid != 3 {
			t.Fatalf("second import of the same file: %+v %v", res2, err)
		}
		// Another file answering the same lines is refused.
		other := bytes.Replace(ret.Data, []byte("B0000"), []byte("C0000"), 1)
		if _, err := e.s.ImportReturn(ctx, fund2, b.ID, "again.csv", other); errs.KindOf(err) != errs.Invalid || !strings.Contains(fieldText(err), "已回盘") {
			t.Fatalf("lines answered twice: %v", err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM payout_lines WHERE status = 'paid'`); n != 3 {
			t.Fatalf("paid %d", n)
		}
		bt, _ := e.s.GetBatch(ctx, fund2, b.ID)
		if bt.Status != BatchReturned {
			t.Fatalf("batch status %s", bt.Status)
		}
		// Fix the account of one failure and reissue; the preparer may not approve it.
		failed, _ := e.s.Get(ctx, fund2, ids[1])
		nl, err := e.s.Reissue(ctx, fund2, failed.ID, failed.Version, Request{AccountKind: AccountCard, AccountName: failed.PayeeName,
			AccountNo: card(1001), BankName: "中国工商银行"})
		if err != nil || nl.Status != Prepared || nl.ReissueOf != failed.ID || !strings.HasSuffix(nl.BusinessKey, "/R1") {
			t.Fatalf("reissue: %+v %v", nl, err)
		}
		if _, err := e.s.Reissue(ctx, fund2, failed.ID, 0, Request{AccountKind: AccountCard, AccountName: failed.PayeeName,
			AccountNo: card(1002), BankName: "中国工商银行"}); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("reissued twice: %v", err)
		}
		if _, err := e.s.Approve(ctx, fund2, []int64{nl.ID}, ""); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("reissuer approved: %v", err)
		}
		if _, err := e.s.Approve(ctx, fund1, []int64{nl.ID}, ""); err != nil {
			t.Fatal(err)
		}
		b2, _, err := e.s.CreateBatch(ctx, fund2, "ICBC")
		if err != nil || b2.Lines != 1 {
			t.Fatalf("second batch: %+v %v", b2, err)
		}
		ret2, _ := e.s.SimulatedReturn(ctx, fund2, b2.ID, nil)
		if _, err := e.s.ImportReturn(ctx, fund2, b2.ID, "r2.csv", ret2.Data); err != nil {
			t.Fatal(err)
		}
		checkLedger(t, d)
		// The other failure is cancelled; its expense was reversed already.
		f3, _ := e.s.Get(ctx, fund2, ids[3])
		if err := e.s.Cancel(ctx, fund1, f3.ID, f3.Version, "人员已死亡，停发"); err != nil {
			t.Fatal(err)
		}
		checkLedger(t, d)
		if n := count(t, d, `SELECT COALESCE(SUM(credit_fen), 0) FROM ledger_entries WHERE account = 'payout_bank'`); n != 100001+100003+100005+100002 {
			t.Fatalf("paid out %d", n)
		}
	})
}

func fieldText(err error) string {
	e := errs.As(err)
	if e == nil {
		return ""
	}
	var b strings.Builder
	for _, f := range e.Fields {
		b.WriteString(f.Message + "\n")
	}
	return b.String()
}

func TestReturnBadInputRefusedWhole(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		ids := e.approved(t, 1, 3, "中国建设银行") // XLSX profile
		b, _, err := e.s.CreateBatch(ctx, fund2, "CCB")
		if err != nil {
			t.Fatal(err)
		}
		csvProfile, _ := DemoProfiles()
		csvProfile.Encoding = "utf-8"
		// Build UTF-8 CSV return files by hand in the CCB return layout.
		head := "业务流水号,收款账号,金额（元）,处理结果,失败原因,银行流水号\n"
		row := func(id int64, acct, amt, res string) string {
			return LineRef(id) + "," + acct + "," + amt + "," + res + ",,S1\n"
		}
		ok := row(ids[0], card(1), "1000.01", "成功") + row(ids[1], card(2), "1000.02", "成功") + row(ids[2], card(3), "1000.03", "失败")
		good := head + ok + "汇总," + b.No + ",3,3000.06\n"
		cases := []struct{ name, file, want string }{
			{"unknown line", head + ok + row(999, card(9), "1.00", "成功") + "汇总," + b.No + ",4,3001.06\n", "未匹配"},
			{"wrong total", head + ok + "汇总," + b.No + ",3,3000.07\n", "与明细的3笔"},
			{"changed amount", head + row(ids[0], card(1), "1000.00", "成功") + row(ids[1], card(2), "1000.02", "成功") + row(ids[2], card(3), "1000.03", "失败") + "汇总," + b.No + ",3,3000.05\n", "不一致"},
			{"duplicate", head + ok + row(ids[0], card(1), "1000.01", "成功") + "汇总," + b.No + ",4,4000.07\n", "重复"},
			{"no control record", head + ok, "缺少汇总行"},
			{"missing column", "业务流水号,收款账号,金额（元）\n" + LineRef(ids[0]) + "," + card(1) + ",1000.01\n", "缺少列"},
		}
		for _, c := range cases {
			_, err := e.s.ImportReturn(ctx, fund2, b.ID, c.name, []byte(c.file))
			if errs.KindOf(err) != errs.Invalid || !strings.Contains(fieldText(err), c.want) {
				t.Errorf("%s: %v %s", c.name, err, fieldText(err))
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM `+shownLines+` WHERE `+shownStatus+` = 'in_file'`); n != 3 {
			t.Fatalf("a refused file changed lines: %d in file", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM payout_returns`); n != 0 {
			t.Fatalf("refused files recorded: %d", n)
		}
		if _, err := e.s.ImportReturn(ctx, fund2, b.ID, "good.csv", []byte(good)); err != nil {
			t.Fatalf("good file: %v %s", err, fieldText(err))
		}
		checkLedger(t, d)
		// XLSX file and XLSX return of the CCB profile.
		f, err := e.s.BatchFile(ctx, fund2, b.ID)
		if err != nil || !bytes.HasPrefix(f.Data, []byte("PK")) {
			t.Fatalf("xlsx file: %v", err)
		}
		// A profile with a missing column is refused naming it.
		_, x := DemoProfiles()
		x.Columns = []string{"seq", "account_no", "amount"}
		if _, err := e.s.SaveBank(ctx, fund1, Bank{Code: "BOC", Name: "中国银行", Profile: x}); errs.KindOf(err) != errs.Invalid || !strings.Contains(fieldText(err), "收款户名") {
			t.Fatalf("bad profile: %v", err)
		}
	})
}

func TestXLSXReturnRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		ids := e.approved(t, 1, 4, "中国建设银行")
		b, _, _ := e.s.CreateBatch(ctx, fund2, "CCB")
		ret, err := e.s.SimulatedReturn(ctx, fund2, b.ID, map[int64]string{ids[2]: "卡已挂失"})
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.s.ImportReturn(ctx, fund2, b.ID, ret.Name, ret.Data)
		if err != nil || res.Paid != 3 || res.Failed != 1 {
			t.Fatalf("xlsx return: %+v %v %s", res, err, fieldText(err))
		}
		l, _ := e.s.Get(ctx, fund2, ids[2])
		if l.Status != Failed || l.FailReason != "卡已挂失" {
			t.Fatalf("failed line: %+v", l)
		}
		checkLedger(t, d)
	})
}

package payroll

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/payout"
)

func answerFile(lines ...string) []byte {
	return []byte("申请编号,姓名,证件号码,社保卡号,金融账号,领取方式,运单号,领取网点,制卡日期,卡状态\n" + strings.Join(lines, "\n") + "\n")
}

func answerLineOf(n int64, delivery, tracking, branch, state string) string {
	return fmt.Sprintf("%s,退休%d,%s,C%d,%s,%s,%s,%s,2024-02-12,%s", CardRef(n), n, idNumber(n), n, cardNo(9000+n), delivery, tracking, branch, state)
}

func TestCardListFileAndAnswer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		for n := int64(1); n <= 3; n++ {
			e.enrol(t, n, 300000, "2024-02", true)
		}
		e.enrol(t, 4, 280000, "2024-02", false)
		if _, err := e.s.RunMonth(ctx, fund1, month("2024-02")); err != nil {
			t.Fatal(err)
		}
		id, n, err := e.s.ListForCards(ctx, fund1, "ICBC")
		if err != nil || n != 3 {
			t.Fatalf("list: %d %v", n, err)
		}
		f, err := e.s.CardListFile(ctx, fund1, id)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := payout.ReadTable(f.Data)
		if err != nil {
			t.Fatal(err)
		}
		l, _ := e.s.CardListByID(ctx, fund1, id)
		if len(rows) != 5 || rows[0].Cells[0] != "汇总" || rows[0].Cells[1] != l.No() || rows[0].Cells[2] != "3" ||
			rows[2].Cells[1] != CardRef(1) || rows[2].Cells[3] != idNumber(1) || !strings.HasSuffix(f.Name, ".csv") {
			t.Fatalf("list file: %v %s", rows, f.Name)
		}

		bad := answerFile(strings.Replace(answerLineOf(1, "邮寄", "", "", "已激活"), idNumber(1), idNumber(5), 1), // no tracking number, other ID
			answerLineOf(2, "网点领取", "", "东城支行", "待激活"),
			answerLineOf(2, "网点领取", "", "东城支行", "待激活"),                                                    // duplicate
			strings.Replace(answerLineOf(3, "邮寄", "SF1", "", ""), cardNo(9003), "6217000000000000001", 1), // fails the check
			answerLineOf(77, "邮寄", "SF2", "", ""))                                                         // not on the list
		_, err = e.s.ImportCardAnswer(ctx, fund1, id, "answer.csv", bad)
		ee := errs.As(err)
		if ee == nil || ee.Kind != errs.Invalid || len(ee.Fields) != 5 {
			t.Fatalf("bad answer: %v", err)
		}
		msgs := fmt.Sprint(ee.Fields)
		for _, want := range []string{"第2行：邮寄的须有运单号", "第5行：金融账号", "重复（与第3行相同）", "第6行：申请编号SK0000000077不在开卡名单", "第2行：证件号码"} {
			if !strings.Contains(msgs, want) {
				t.Errorf("missing %q in %s", want, msgs)
			}
		}
		if c := count(t, d, `SELECT COUNT(*) FROM ss_cards WHERE status = 'listed'`); c != 3 {
			t.Fatalf("a refused file changed %d cards", 3-c)
		}

		good := answerFile(answerLineOf(1, "邮寄", "SF100", "", "已激活"), answerLineOf(2, "网点领取", "", "东城支行", "待激活"),
			answerLineOf(3, "邮寄", "SF300", "", ""))
		res, err := e.s.ImportCardAnswer(ctx, fund1, id, "answer.csv", good)
		if err != nil || res.Issued != 3 || res.Activated != 1 || res.Released != 1 {
			t.Fatalf("answer: %+v %v", res, err)
		}
		if got := strings.Join(lines(t, d, 1), " "); got != "2024-02:300000:pension:prepared" {
			t.Fatalf("released: %s", got)
		}
		if got := strings.Join(lines(t, d, 2), " "); got != "2024-02:300000:pension:held" {
			t.Fatalf("still held: %s", got)
		}
		c, _ := e.s.CardOf(ctx, fund1, 3)
		if c.Status != CardIssued || c.DeliveryText() != "邮寄（运单号 SF300）" || c.MaskedAccount() == c.AccountNo {
			t.Fatalf("card: %+v", c)
		}
		again, err := e.s.ImportCardAnswer(ctx, fund1, id, "answer-again.csv", good)
		if err != nil || !again.AlreadyRun || again.Issued != 3 {
			t.Fatalf("same file again: %+v %v", again, err)
		}
		_, err = e.s.ImportCardAnswer(ctx, fund1, id, "answer2.csv", answerFile(answerLineOf(1, "邮寄", "SF101", "", "已激活")))
		if ee := errs.As(err); ee == nil || !strings.Contains(fmt.Sprint(ee.Fields), "已回复") {
			t.Fatalf("second answer for a person: %v", err)
		}
		if c := count(t, d, `SELECT COUNT(*) FROM ss_card_answers`); c != 1 {
			t.Fatalf("%d answers recorded", c)
		}
		if _, err := e.s.ImportCardAnswer(ctx, welfare, id, "a.csv", good); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("welfare imported: %v", err)
		}
		if n, err := e.s.Activate(ctx, fund1, 2); err != nil || n != 1 {
			t.Fatalf("activate: %d %v", n, err)
		}
		ids, _ := e.p.PreparedIDs(ctx, fund2, payout.Filter{})
		if len(ids) != 3 {
			t.Fatalf("%d lines to approve, want 3 (person 4 and the two released)", len(ids))
		}
		approveAll(t, e)
		if b, _, err := e.p.CreateBatch(ctx, fund2, "ICBC"); err != nil || b.Lines != 3 {
			t.Fatalf("batch: %+v %v", b, err)
		}
		balanced(t, d)
		w, total, err := e.s.AwaitingCards(ctx, fund1, 1)
		if err != nil || total != 1 || w[0].PersonID != 3 || w[0].Held != 1 || w[0].StatusName() != "银行已制卡，待领取激活" {
			t.Fatalf("awaiting: %+v %d %v", w, total, err)
		}
	})
}

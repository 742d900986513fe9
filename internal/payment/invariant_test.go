package payment_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/payment"
)

// TestRandomPaymentSequences runs random statements, card payments and
// hand settlements, checking after each step that the ledger balances and
// every bill's paid_fen equals what was posted to it.
func TestRandomPaymentSequences(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-06-30")
		r := rand.New(rand.NewPCG(7, 11))
		emps := []int64{e.employer(t, "甲公司", "1001"), e.employer(t, "乙公司", "1002")}
		type bl struct {
			id        int64
			ref, no   string
			total     money.Fen
			employer  string
			employerN int
		}
		var bills []bl
		for i := 0; i < 12; i++ {
			k := i % 2
			due := []string{"2024-03-15", "2024-06-15", "2024-07-15"}[i%3]
			p, u, j := money.Fen(r.IntN(900000)+1), money.Fen(r.IntN(50000)+1), money.Fen(r.IntN(20000))
			id, ref := e.bill(t, emps[k], fmt.Sprintf("20%02d-%02d", 10+i/12, i%12+1), due, p, u, j)
			var no string
			d.W.QueryRowContext(ctx, `SELECT bill_no FROM bills WHERE id = $1`, id).Scan(&no)
			bills = append(bills, bl{id, ref, no, p + u + j, []string{"甲公司", "乙公司"}[k], k})
		}
		serial := 0
		for step := 0; step < 25; step++ {
			switch r.IntN(3) {
			case 0: // a statement of a few lines
				var b strings.Builder
				b.WriteString(header)
				for n := r.IntN(4) + 1; n > 0; n-- {
					x := bills[r.IntN(len(bills))]
					serial++
					amt := money.Fen(r.IntN(int(x.total)) + 1)
					if r.IntN(2) == 0 {
						amt = x.total
					}
					remark := x.ref
					if r.IntN(4) == 0 {
						remark = "社保"
					}
					b.WriteString(csvLine(fmt.Sprintf("2024-06-%02d", r.IntN(28)+1), fmt.Sprintf("R%05d", serial), x.employer, "", amt.Plain(), remark))
				}
				if _, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "r.csv", Data: []byte(b.String())}); err != nil {
					t.Fatal(err)
				}
			case 1: // a card payment of part of a bill
				x := bills[r.IntN(len(bills))]
				serial++
				amt := money.Fen(r.IntN(int(x.total)/2+1)) + 1
				_, _, err := e.svc.RecordCard(ctx, fund, payment.CardInput{BillNo: x.no, TerminalRef: fmt.Sprintf("T%05d", serial), CardLast4: "4321", Amount: amt.Plain()})
				if err != nil && errs.KindOf(err) != errs.Invalid {
					t.Fatal(err)
				}
			case 2: // settle the oldest queued payment
				q, err := e.svc.Queue(ctx, fund)
				if err != nil {
					t.Fatal(err)
				}
				if len(q) == 0 {
					continue
				}
				in := payment.SettleInput{Action: "refund", Note: "退回", Version: q[0].Version}
				if q[0].Status != payment.Medical && r.IntN(3) > 0 {
					in = payment.SettleInput{Action: "assign", BillNo: bills[r.IntN(len(bills))].ref, Note: "人工入账", Version: q[0].Version}
				}
				if _, err := e.svc.Settle(ctx, fund, q[0].ID, in); err != nil && errs.KindOf(err) != errs.Invalid {
					t.Fatal(err)
				}
			}
			e.c.Advance(time.Hour)
			checkInvariants(t, d)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM payments`); n < 10 {
			t.Fatalf("only %d payments: the sequence did too little", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM bills WHERE status IN ('paid', 'partially_paid')`); n == 0 {
			t.Fatal("no bill was paid: the sequence did too little")
		}
	})
}

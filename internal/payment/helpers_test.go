package payment_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/ledger"
	"shebao/internal/money"
	"shebao/internal/payment"
	"shebao/internal/payout"
	"shebao/internal/policy"
)

var (
	fund   = &access.Actor{UserID: 1, Username: "fund-clerk", Role: access.RoleStaff, Sections: []access.Section{access.Fund}}
	coord  = &access.Actor{UserID: 2, Username: "coord-clerk", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
	bank   = &access.Actor{UserID: 3, Username: "bank", Role: access.RoleAPI, ClientKind: "bank"}
	hosp   = &access.Actor{UserID: 4, Username: "hospital", Role: access.RoleAPI, ClientKind: "hospital"}
	ctx    = context.Background()
	nowDay = "2024-05-10"
)

type env struct {
	d   *db.DB
	c   *clock.Fixed
	pol *policy.Service
	svc *payment.Service
	// payouts pays refunds back
	payouts *payout.Service
	person  int64
	seq     int
}

func newEnv(t testing.TB, d *db.DB, day string) *env {
	t.Helper()
	day0, _ := clock.ParseDate(day)
	c := clock.NewFixed(day0.Add(10 * time.Hour))
	au := audit.NewService(d, c)
	pol := policy.NewService(d, c, au)
	if err := pol.SeedDefaults(ctx); err != nil {
		t.Fatal(err)
	}
	e := &env{d: d, c: c, pol: pol, payouts: payout.NewService(d, c, au, nil)}
	e.svc = payment.NewService(d, c, au, pol, e.payouts, "")
	err := d.W.QueryRowContext(ctx, `INSERT INTO persons (id_number, name, gender, birth_date, created_at, updated_at)
		VALUES ('11010519850314002X', '张伟', 'M', '1985-03-14', $1, $1) RETURNING id`, c.Now()).Scan(&e.person)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// employer inserts an employer with a bank account on file.
func (e *env) employer(t testing.TB, name, account string) int64 {
	t.Helper()
	e.seq++
	var id int64
	err := e.d.W.QueryRowContext(ctx, `INSERT INTO employers (employer_no, uscc, name, legal_rep, address, industry, risk_class,
		bank_account, established_on, registered_on, created_at, updated_at)
		VALUES ($1, $2, $3, '王某', '北京市', '软件业', 1, $4, '2020-01-01', '2020-01-02', $5, $5) RETURNING id`,
		fmt.Sprintf("E%06d", e.seq), fmt.Sprintf("USCC%014d", e.seq), name, account, e.c.Now()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// bill inserts a confirmed bill with one line per scheme and returns its
// id and payment reference.
func (e *env) bill(t testing.TB, emp int64, month, due string, pension, unemp, injury money.Fen) (int64, string) {
	t.Helper()
	e.seq++
	ref := fmt.Sprintf("SBT%09dX", e.seq)
	total := pension + unemp + injury
	var id int64
	err := e.d.W.QueryRowContext(ctx, `INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status, employer_fen, total_fen,
		payment_ref, due_on, assessed_at) VALUES ($1, 'employer', $2, $3, 'confirmed', $4, $4, $5, $6, $7) RETURNING id`,
		fmt.Sprintf("HD%s-%d", month, e.seq), emp, month, int64(total), ref, due, e.c.Now()).Scan(&id)
	if err != nil {
		t.Fatal(err)
	}
	for s, v := range map[string]money.Fen{"pension": pension, "unemployment": unemp, "injury": injury} {
		if v == 0 {
			continue
		}
		if _, err := e.d.W.ExecContext(ctx, `INSERT INTO bill_lines (bill_id, person_id, fee_month, scheme, base_fen, declared_base_fen,
			employer_rate_ppm, individual_rate_ppm, employer_fen, individual_fen) VALUES ($1, $2, $3, $4, 0, 0, 0, 0, $5, 0)`,
			id, e.person, month, s, int64(v)); err != nil {
			t.Fatal(err)
		}
	}
	return id, ref
}

const header = "交易日期,交易流水号,对方户名,对方账号,借方金额,贷方金额,附言\n"

func csvLine(day, serial, name, acct, credit, remark string) string {
	return strings.Join([]string{day, serial, name, acct, "", credit, remark}, ",") + "\n"
}

func gbk(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(b, []byte(s)) {
		t.Fatal("GBK encoding changed nothing")
	}
	return b
}

func count(t testing.TB, d *db.DB, q string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := d.W.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// checkInvariants: the ledger balances overall and per posting and
// scheme, and every bill's paid_fen equals what the ledger posted to it.
func checkInvariants(t testing.TB, d *db.DB) {
	t.Helper()
	if n, err := ledger.Unbalanced(ctx, d.W); err != nil || n != 0 {
		t.Fatalf("unbalanced postings: %d %v", n, err)
	}
	if ok, err := ledger.TotalsAgree(ctx, d.W); err != nil || !ok {
		t.Fatalf("the ledger's running totals differ from its entries (%v)", err)
	}
	if n := count(t, d, `SELECT COALESCE(SUM(debit_fen),0) - COALESCE(SUM(credit_fen),0) FROM ledger_entries`); n != 0 {
		t.Fatalf("ledger off by %d", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM bills b WHERE b.paid_fen <> (SELECT COALESCE(SUM(credit_fen - debit_fen), 0)
		FROM ledger_entries e WHERE e.bill_id = b.id AND e.account = 'receivable')`); n != 0 {
		t.Fatalf("%d bills whose paid_fen differs from the ledger", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM bills WHERE paid_fen > total_fen
		OR (status = 'paid' AND paid_fen <> total_fen) OR (status = 'partially_paid' AND (paid_fen = 0 OR paid_fen >= total_fen))`); n != 0 {
		t.Fatalf("%d bills with a wrong status", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM ledger_entries e WHERE (e.payout_posting_id IS NULL AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.id = e.payment_id))
		OR (e.bill_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.id = e.bill_id))`); n != 0 {
		t.Fatalf("%d ledger entries pointing nowhere", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM payments p WHERE p.bill_id IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM bills b WHERE b.id = p.bill_id)`); n != 0 { // no foreign key on PostgreSQL (migration 152)
		t.Fatalf("%d payments naming a bill that does not exist", n)
	}
	if n := count(t, d, `SELECT COUNT(*) FROM payments p WHERE p.amount_fen <> p.applied_fen + p.late_fee_fen + p.open_fen
		+ (SELECT COALESCE(SUM(credit_fen), 0) FROM ledger_entries e WHERE e.payment_id = p.id AND e.account = 'refund_payable')`); n != 0 {
		t.Fatalf("%d payments whose parts do not add up", n)
	}
}

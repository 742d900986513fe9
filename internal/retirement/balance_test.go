package retirement

import (
	"strings"
	"testing"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// postEntry writes one account entry as internal/personalaccount would.
func postEntry(t *testing.T, d *db.DB, pid int64, day string, fen int64, key string) {
	t.Helper()
	if _, err := d.W.ExecContext(ctxBg, `INSERT INTO account_entries (person_id, kind, year, posted_on, amount_fen, source_key, created_at)
		VALUES ($1, 'opening', $2, $3, $4, $5, $6)`, pid, day[:4], day, fen, key, testNow); err != nil {
		t.Fatal(err)
	}
}

// TestBalanceFromPersonalAccount: a person with a personal account here
// gets the account's balance at the end of the retirement month (entries
// after it do not count, an imported balance is ignored, a typed one
// refused); a person without one falls back to the imported balance and
// the step says so.
func TestBalanceFromPersonalAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		pid, idn := e.person(t, "1966-03-10", "M", e.emp, "1991-06", "2026-05", 600_000)
		if err := ImportBalance(ctxBg, d.W, pid, 15_000_000, clock.Month{Year: 2026, Mon: 5}, testNow); err != nil {
			t.Fatal(err)
		}
		postEntry(t, d, pid, "2025-12-31", 9_000_000, "t:1")
		postEntry(t, d, pid, "2026-07-31", 123_456, "t:2")
		postEntry(t, d, pid, "2026-08-01", 5_000_000, "t:3") // after the retirement month
		q, err := e.s.SubmitQualification(ctxBg, employerActor(e.emp), QualInput{IDNumber: idn, Contact: "李四", Phone: "13900139000"})
		if err != nil {
			t.Fatal(err)
		}
		if q, err = e.s.Decide(ctxBg, e.approver, Decision{No: q.No, Version: 1, Approve: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.Compute(ctxBg, e.clerk1, ComputeInput{CaseNo: q.CaseNo, Balance: "1000"}); !hasField(err, "balance") {
			t.Fatalf("typed balance with an account: %v", err)
		}
		det, err := e.s.Compute(ctxBg, e.clerk1, ComputeInput{CaseNo: q.CaseNo})
		if err != nil {
			t.Fatal(err)
		}
		if det.Balance != 9_123_456 || !det.FromAccount() {
			t.Fatalf("balance %d source %s", det.Balance, det.BalanceSource)
		}
		agreeWithCalculator(t, e, det)
		if !stepSays(det, "个人账户截至 2026-07-31 的记账合计") || stepSays(det, "2026年7月31日") {
			t.Fatalf("the balance step does not show its day as pages do: %+v", det.Steps)
		}
		// Without an account: the imported balance, and the step says so.
		pid2, idn2 := e.person(t, "1966-03-11", "M", e.emp, "1991-06", "2026-05", 600_000)
		if err := ImportBalance(ctxBg, d.W, pid2, 15_000_000, clock.Month{Year: 2026, Mon: 5}, testNow); err != nil {
			t.Fatal(err)
		}
		q2, err := e.s.SubmitQualification(ctxBg, employerActor(e.emp), QualInput{IDNumber: idn2, Contact: "李四", Phone: "13900139000"})
		if err != nil {
			t.Fatal(err)
		}
		if q2, err = e.s.Decide(ctxBg, e.approver, Decision{No: q2.No, Version: 1, Approve: true}); err != nil {
			t.Fatal(err)
		}
		det2, err := e.s.Compute(ctxBg, e.clerk1, ComputeInput{CaseNo: q2.CaseNo})
		if err != nil {
			t.Fatal(err)
		}
		if det2.Balance != 15_000_000 || det2.BalanceSource != BalanceImported || !stepSays(det2, "未建个人账户") {
			t.Fatalf("fallback: balance %d source %s", det2.Balance, det2.BalanceSource)
		}
		_, latest, err := e.s.CaseDeterminations(ctxBg, e.clerk1, q.CaseNo)
		if err != nil || latest[0].BalanceSource != BalanceAccount {
			t.Fatalf("stored source: %v", err)
		}
	})
}

func stepSays(d *Determination, s string) bool {
	for _, st := range d.Steps {
		if strings.Contains(st.Text, s) {
			return true
		}
	}
	return false
}

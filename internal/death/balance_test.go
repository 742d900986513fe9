package death

import (
	"strings"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/ident"
)

func postEntry(t *testing.T, d *db.DB, pid int64, day string, fen int64, key string) {
	t.Helper()
	if _, err := d.W.ExecContext(ctxBg, `INSERT INTO account_entries (person_id, kind, year, posted_on, amount_fen, source_key, created_at)
		VALUES ($1, 'opening', $2, $3, $4, $5, $6)`, pid, day[:4], day, fen, key, testNow); err != nil {
		t.Fatal(err)
	}
}

// TestClaimBalanceFromAccount: the account part of the death benefits is
// the personal account's balance (at the date of death; for a retiree at
// the end of the retirement month, less the account pension received),
// not the imported one; without an account the claim says it fell back.
func TestClaimBalanceFromAccount(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		heir := Heir{Name: "钱小", IDNumber: ident.MakeID("110105", time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), 3, true), Relationship: "子女"}
		claim := func(pid int64, idn, date string) *Claim {
			t.Helper()
			dd, err := e.s.Report(ctxBg, e.c1, ReportInput{IDNumber: idn, Date: date, CertificateNo: "HZ-" + idn[14:]})
			if err != nil {
				t.Fatal(err)
			}
			if err := e.s.AddHeir(ctxBg, e.c1, dd.ID, heir); err != nil {
				t.Fatal(err)
			}
			c, err := e.s.OpenClaim(ctxBg, e.c1, ClaimInput{DeathID: dd.ID, ClaimantName: heir.Name, ClaimantID: heir.IDNumber,
				Relationship: "子女", AccountNo: "6222020000000000000", BankName: "工商银行"})
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		worker, wID := e.person(t, "钱一", "employee", "2000-01", "2026-01")
		postEntry(t, d, worker, "2025-12-31", 4_000_000, "w:1")
		postEntry(t, d, worker, "2026-03-01", 50_000, "w:2") // after the death
		wc := claim(worker, wID, "2026-02-10")
		if wc.Account != 4_000_000 || !wc.FromAccount() {
			t.Fatalf("worker: account %d source %s", wc.Account, wc.BalanceSource)
		}
		// The step's date reads as every other date of the death pages
		// (死亡日期, 报告期限, 办理期限: 2026-02-10), not 2026年2月10日.
		var dated bool
		for _, st := range wc.Steps {
			if strings.Contains(st.Text, "个人账户截至") {
				dated = strings.Contains(st.Text, "截至 2026-02-10 的储存额") && !strings.Contains(st.Text, "年")
			}
		}
		if !dated {
			t.Fatalf("balance step not dated 2026-02-10: %+v", wc.Steps)
		}
		ret, rID := e.person(t, "钱二", "retiree", "1994-12", "2024-11")
		e.pension(t, ret, 400_000, 60_000, "2025-01") // imports 100,000.00 as well
		postEntry(t, d, ret, "2024-12-31", 12_000_000, "r:1")
		// 120,000.00 − 600.00 × 14 months (2025-01 … 2026-02).
		if c := claim(ret, rID, "2026-02-10"); c.Account != 12_000_000-60_000*14 || c.BalanceSource != BalanceAccount {
			t.Fatalf("retiree: account %d source %s", c.Account, c.BalanceSource)
		}
		none, nID := e.person(t, "钱三", "employee", "2000-01", "2026-01")
		c := claim(none, nID, "2026-02-10")
		if c.Account != 0 || c.BalanceSource != BalanceNone || !strings.Contains(c.BalanceSourceName(), "未建个人账户") {
			t.Fatalf("none: account %d source %s", c.Account, c.BalanceSource)
		}
		again, _ := claimByNo(ctxBg, d.W, c.No)
		if again.BalanceSource != BalanceNone {
			t.Fatalf("stored source %q", again.BalanceSource)
		}
	})
}

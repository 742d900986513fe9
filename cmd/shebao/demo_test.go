package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/app"
	"shebao/internal/clock"
	"shebao/internal/demo"
	"shebao/internal/errs"
)

func TestDemoCommand(t *testing.T) {
	ctx := context.Background()
	data := filepath.Join(t.TempDir(), "data")
	args := []string{"--data", data, "--employers", "5", "--persons", "40", "--now", "2024-02-10"}
	if err := runDemo(ctx, args); err != nil {
		t.Fatal(err)
	}
	err := runDemo(ctx, args)
	if e := errs.As(err); e == nil || e.Code != "demo_not_empty" || !strings.Contains(e.Message, "--force") {
		t.Fatalf("second run on a non-empty database: %v", err)
	}
	if err := runDemo(ctx, append(args, "--force")); err != nil {
		t.Fatalf("--force: %v", err)
	}
	a, err := app.Open(ctx, app.Config{DataDir: data, LogOut: io.Discard})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var n int
	a.DB.R.QueryRow(`SELECT COUNT(*) FROM persons`).Scan(&n)
	// Each run adds 40 insured persons and the default number of retirees;
	// the 6 people near retirement come once.
	if want := 2*(40+demo.DefaultRetirees) + 6; n != want {
		t.Fatalf("%d persons after a run and a --force run, want %d", n, want)
	}
	if err := runDemo(ctx, []string{"--data", data, "--persons", "-3"}); err == nil {
		t.Fatal("negative --persons accepted")
	}
	if err := runDemo(ctx, []string{"--help"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
}

func TestServeDemoSeedsOnce(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: t.TempDir(), LogOut: io.Discard,
		Clock: clock.NewFixed(time.Date(2024, 2, 10, 1, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var first, second strings.Builder
	if err := seedDemoIfEmpty(ctx, a, &first); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"5000 名参保人员", "tongchou", "bangongshi", "admin", "Demo@2024", "统筹科", "无需首次登录改密", "sbk_",
		"11010919450101001X", "退休人员（领取养老金）"} {
		if !strings.Contains(first.String(), want) {
			t.Errorf("first start output lacks %q", want)
		}
	}
	start := time.Now()
	if err := seedDemoIfEmpty(ctx, a, &second); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("already-seeded check took %v", took)
	}
	if !strings.HasPrefix(second.String(), "演示数据已存在") || strings.Count(second.String(), "\n") != 1 {
		t.Errorf("second start output: %q", second.String())
	}
}

// TestServeDemoHasAssessedMonths: a fresh demo holds the three fee months
// before today's, assessed, partly confirmed and paid through the real
// payment path (ledger balanced, paid_fen equal to what was posted), the
// first demo employer with last month still to check; "today" is the
// clock's, so a different clock gives different months.
func TestServeDemoHasAssessedMonths(t *testing.T) {
	for _, tc := range []struct {
		now    time.Time
		months []string
	}{
		{time.Date(2024, 2, 10, 1, 0, 0, 0, time.UTC), []string{"2023-11", "2023-12", "2024-01"}},
		{time.Date(2025, 8, 3, 1, 0, 0, 0, time.UTC), []string{"2025-05", "2025-06", "2025-07"}},
	} {
		ctx := context.Background()
		a, err := app.Open(ctx, app.Config{DataDir: t.TempDir(), LogOut: io.Discard, Clock: clock.NewFixed(tc.now)})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		var out strings.Builder
		if err := seedDemoIfEmpty(ctx, a, &out); err != nil {
			t.Fatal(err)
		}
		for i, m := range tc.months {
			var bills, confirmed, paid, runs int
			a.DB.R.QueryRow(`SELECT COUNT(*), SUM(CASE WHEN status <> 'draft' THEN 1 ELSE 0 END),
				SUM(CASE WHEN status = 'paid' THEN 1 ELSE 0 END) FROM bills WHERE fee_month = $1`, m).Scan(&bills, &confirmed, &paid)
			a.DB.R.QueryRow(`SELECT COUNT(*) FROM assess_runs WHERE fee_month = $1 AND status = 'done'`, m).Scan(&runs)
			if bills < 150 || confirmed == 0 || paid == 0 || runs != 1 {
				t.Errorf("%s %s: %d bills, %d confirmed, %d paid, %d runs", tc.now.Format("2006-01-02"), m, bills, confirmed, paid, runs)
			}
			if i == 0 && paid < bills*3/4 {
				t.Errorf("%s: only %d of %d paid in the oldest month", m, paid, bills)
			}
		}
		var after int
		a.DB.R.QueryRow(`SELECT COUNT(*) FROM bills WHERE fee_month > $1`, tc.months[2]).Scan(&after)
		if after != 0 {
			t.Errorf("%d bills after %s before the scheduled job ran", after, tc.months[2])
		}
		var first string
		a.DB.R.QueryRow(`SELECT b.status FROM bills b JOIN employers e ON e.id = b.employer_id
			WHERE e.employer_no = '110105000001' AND b.fee_month = $1`, tc.months[2]).Scan(&first)
		if first != "draft" {
			t.Errorf("单位1's last month is %q, want a draft to check", first)
		}
		l, err := a.Payments.LedgerSummary(ctx, access.System)
		if err != nil || l.Unbalanced != 0 || l.Debit != l.Credit || l.Debit == 0 {
			t.Errorf("ledger: %+v %v", l, err)
		}
		var off int
		a.DB.R.QueryRow(`SELECT COUNT(*) FROM bills b WHERE b.paid_fen <> (SELECT COALESCE(SUM(credit_fen - debit_fen), 0)
			FROM ledger_entries e WHERE e.bill_id = b.id AND e.account = 'receivable')
			OR (b.status = 'paid' AND b.paid_fen <> b.total_fen)`).Scan(&off)
		if off != 0 {
			t.Errorf("%d bills whose paid_fen differs from the ledger", off)
		}
		// Historical records: only before the first assessed month, some
		// careers of 20 to 35 years, the persons with logins included.
		var records, overlap, long, unpaid int
		a.DB.R.QueryRow(`SELECT COUNT(*), SUM(CASE WHEN fee_month >= $1 THEN 1 ELSE 0 END),
			SUM(CASE WHEN paid THEN 0 ELSE 1 END) FROM contribution_records`, tc.months[0]).Scan(&records, &overlap, &unpaid)
		a.DB.R.QueryRow(`SELECT COUNT(*) FROM (SELECT person_id FROM contribution_records GROUP BY person_id
			HAVING COUNT(*) >= 240) x`).Scan(&long)
		if records < 50_000 || overlap != 0 || long < 50 || unpaid == 0 {
			t.Errorf("historical records: %d, %d in assessed months, %d persons with 20+ years, %d unpaid", records, overlap, long, unpaid)
		}
		var oldest string
		a.DB.R.QueryRow(`SELECT MIN(r.fee_month) FROM contribution_records r JOIN users u ON u.person_id = r.person_id`).Scan(&oldest)
		if oldest == "" || oldest > "2000-01" {
			t.Errorf("the demo persons' oldest record: %q", oldest)
		}
		if !strings.Contains(out.String(), "已核定 "+strings.Join(tc.months, "、")) {
			t.Errorf("summary does not name the months: %s", out.String())
		}
	}
}

// TestServeDemoPensionersCertified: a fresh demo's pensioners have their
// last eligibility certification, so the first daily check suspends none
// (the demo retiree's page shows the pension in pay); the few left overdue
// fell due days ago, inside the demo's emergency, and are kept in pay.
func TestServeDemoPensionersCertified(t *testing.T) {
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{DataDir: t.TempDir(), LogOut: io.Discard,
		Clock: clock.NewFixed(time.Date(2025, 8, 3, 1, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var out strings.Builder
	if err := seedDemoIfEmpty(ctx, a, &out); err != nil {
		t.Fatal(err)
	}
	var pensioners, certified int
	a.DB.R.QueryRow(`SELECT COUNT(*) FROM pensioners`).Scan(&pensioners)
	a.DB.R.QueryRow(`SELECT COUNT(DISTINCT person_id) FROM pension_certifications`).Scan(&certified)
	if pensioners < 100 || certified != pensioners {
		t.Fatalf("%d pensioners, %d with a certification", pensioners, certified)
	}
	res, err := a.Retirement.CheckCertifications(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if res.Suspended != 0 || res.Kept == 0 || res.Kept > pensioners/20 {
		t.Fatalf("first check: %+v of %d pensioners", res, pensioners)
	}
	var status string
	a.DB.R.QueryRow(`SELECT pn.status FROM pensioners pn JOIN persons p ON p.id = pn.person_id
		WHERE p.id_number = '11010919450101001X'`).Scan(&status)
	if status != "active" {
		t.Fatalf("the demo retiree's pension is %q after the first check", status)
	}
}

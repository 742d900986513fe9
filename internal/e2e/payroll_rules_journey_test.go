package e2e

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/money"
	"shebao/internal/payroll"
)

// TestAdjustmentAndDeductionPages: a welfare clerk records a yearly
// adjustment (调待) through its confirmation step, then an overpayment
// recovery for a retiree found by ID number (a wrong number is refused
// naming the field); both are listed and audited.
func TestAdjustmentAndDeductionPages(t *testing.T) {
	env := apptest.New(t, db.SQLite)
	ctx := Browser(t)
	base := env.Server.URL
	bg := context.Background()
	env.Clock.Set(time.Date(2024, 2, 10, 9, 0, 0, 0, clock.Shanghai))
	welfare := env.User(t, apptest.Staff(access.Welfare))
	var idn string
	err := env.App.DB.WithTx(bg, func(tx *sql.Tx) error {
		u := env.User(t, apptest.PersonA)
		var name string
		if err := tx.QueryRow(`SELECT name, id_number FROM persons WHERE id = $1`, u.PersonID).Scan(&name, &idn); err != nil {
			return err
		}
		_, err := env.App.Payroll.EnrolTx(bg, tx, welfare.Actor(), payroll.Enrolment{PersonID: u.PersonID, Name: name, IDNumber: idn,
			Monthly: money.Fen(310000), FirstMonth: clock.Month{Year: 2020, Mon: 3}, Basis: "养老金核定表",
			SourceKind: "pension_determination", SourceID: "A"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	login(t, ctx, base, welfare.Username, welfare.Password)
	run(t, ctx, "adjustment", chromedp.Navigate(base+"/staff/payroll/adjustments"),
		chromedp.SetValue(chromedp.CSS(`input[name="effective_month"]`), "2024-01"),
		chromedp.SetValue(chromedp.CSS(`input[name="retired_before"]`), "2024-01"),
		chromedp.SetValue(chromedp.CSS(`input[name="rate"]`), "3"),
		chromedp.SetValue(chromedp.CSS(`input[name="fixed"]`), "50"),
		chromedp.SetValue(chromedp.CSS(`input[name="basis"]`), "人社部发〔2024〕1号"),
		chromedp.Click(chromedp.CSS(`main form button`)),
		chromedp.WaitVisible(chromedp.Search(`//h2[contains(., "请确认这项调整")]`)))
	shot(t, ctx, "adjustment-confirm")
	run(t, ctx, "preview", chromedp.WaitVisible(chromedp.Search(`//dd[contains(., "1 人（目前正常发放且符合范围）")]`)),
		chromedp.WaitVisible(chromedp.Search(`//dd[contains(., "调整后为 3,140.00 元")]`)))
	run(t, ctx, "confirm", chromedp.Click(chromedp.CSS(`form input[name="confirm"] ~ button`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已登记2024年1月起的养老金调整")]`)))
	if page := bodyText(t, ctx); !strings.Contains(page, "人社部发〔2024〕1号") || !strings.Contains(page, "3%") {
		t.Fatalf("list:\n%s", page)
	}
	run(t, ctx, "deduction bad id", chromedp.Navigate(base+"/staff/payroll/deductions"),
		chromedp.SetValue(chromedp.CSS(`input[name="id_number"]`), "110101199001011234"),
		chromedp.SetValue(chromedp.CSS(`input[name="total"]`), "3000"),
		chromedp.SetValue(chromedp.CSS(`input[name="monthly"]`), "500"),
		chromedp.SetValue(chromedp.CSS(`input[name="start_month"]`), "2024-03"),
		chromedp.SetValue(chromedp.CSS(`input[name="reason"]`), "死亡后多发一个月"),
		chromedp.Click(chromedp.CSS(`main form button`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(@class, "field-error")][contains(., "身份证号码")]`)))
	run(t, ctx, "deduction", chromedp.SetValue(chromedp.CSS(`input[name="id_number"]`), idn),
		chromedp.Click(chromedp.CSS(`main form button`)),
		chromedp.WaitVisible(chromedp.Search(`//h2[contains(., "请确认这项扣回")]`)),
		chromedp.Click(chromedp.CSS(`form input[name="confirm"] ~ button`)),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "的多发扣回：自2024年3月起每月扣回500.00元")]`)))
	shot(t, ctx, "deductions")
	page := bodyText(t, ctx)
	if !strings.Contains(page, "3,000.00") || strings.Contains(page, idn) || !strings.Contains(page, "死亡后多发一个月") {
		t.Fatalf("deductions:\n%s", page)
	}
	var n int
	if err := env.App.DB.R.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action IN ('payroll.adjustment.add', 'payroll.deduction.add')`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("audit entries %d %v", n, err)
	}
}

// bodyText is the page's visible text, read by script.
func bodyText(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		t.Fatalf("read page: %v", err)
	}
	return s
}

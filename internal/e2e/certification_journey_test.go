package e2e

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/clock"
	"shebao/internal/ident"
	"shebao/internal/payroll"
)

// TestEligibilityCertificationJourney: a pensioner whose yearly
// certification is overdue is listed for 保险福利科 (masked, to be
// suspended); she certifies herself on the portal (the box must be ticked)
// and leaves the list.
func TestEligibilityCertificationJourney(t *testing.T) {
	env := retireEnv(t)
	ctx := Browser(t)
	base, bg := env.Server.URL, context.Background()
	welfare := env.User(t, apptest.Staff(access.Welfare))
	a := env.User(t, apptest.PersonA)
	var name, idn string
	err := env.App.DB.WithTx(bg, func(tx *sql.Tx) error {
		if err := tx.QueryRow(`SELECT name, id_number FROM persons WHERE id = $1`, a.PersonID).Scan(&name, &idn); err != nil {
			return err
		}
		_, err := env.App.Payroll.EnrolTx(bg, tx, welfare.Actor(), payroll.Enrolment{PersonID: a.PersonID, Name: name, IDNumber: idn,
			Monthly: 320000, FirstMonth: clock.Month{Year: 2026, Mon: 7}, Basis: "养老金核定表", SourceKind: "pension_determination", SourceID: "T1"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// A year and a half later the certification (due 2027-07-01) is overdue.
	env.Clock.Set(retireNow.AddDate(1, 1, 0))

	login(t, ctx, base, welfare.Username, welfare.Password)
	run(t, ctx, "missed list", chromedp.Navigate(base+"/staff/retirement/certification"), chromedp.WaitVisible(chromedp.CSS("#cert-missed")))
	shot(t, ctx, "eligibility-staff")
	if page := text(t, ctx); !strings.Contains(page, ident.MaskName(name)) || !strings.Contains(page, ident.MaskID(idn)) ||
		strings.Contains(page, idn) || !strings.Contains(page, "2027-07-01") || !strings.Contains(page, "待暂停发放") {
		t.Fatalf("missed list:\n%s", page)
	}
	signOut(t, ctx)

	login(t, ctx, base, a.Username, a.Password)
	run(t, ctx, "unticked",
		chromedp.Navigate(base+"/person/certification"),
		chromedp.Click(chromedp.CSS("#certify-self")),
		chromedp.WaitVisible(chromedp.Search(`//p[contains(@class, "field-error")][contains(., "请勾选")]`)),
		chromedp.Click(chromedp.CSS(`input[name="confirm"]`)),
		chromedp.Click(chromedp.CSS("#certify-self")),
		chromedp.WaitVisible(chromedp.Search(`//*[contains(., "已完成待遇资格认证")]`)),
	)
	shot(t, ctx, "eligibility-person")
	if page := text(t, ctx); !strings.Contains(page, "本人网上自助认证") || !strings.Contains(page, "2028-07-15前") {
		t.Fatalf("after certifying:\n%s", page)
	}
	signOut(t, ctx)
	login(t, ctx, base, welfare.Username, welfare.Password)
	run(t, ctx, "list again", chromedp.Navigate(base+"/staff/retirement/certification"),
		chromedp.WaitVisible(chromedp.Search(`//p[contains(., "没有逾期未认证的人员")]`)))
}

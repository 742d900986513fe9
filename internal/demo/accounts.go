package demo

import (
	"context"
	"fmt"
	"strings"

	"shebao/internal/access"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// demoAccountClerk is 个人账户科 acting for the demo.
var demoAccountClerk = &access.Actor{UserID: -3, Username: "zhanghu", Role: access.RoleStaff, Sections: []access.Section{access.Account}}

// personalAccounts gives the persons with logins a personal account with
// real figures: a balance brought over from before Shebao (at the end of
// the year before last, imported through 个人账户科's all-or-nothing
// import), the credits of the paid demo bills (posted by the payments
// themselves), and last year's interest, credited by the year-end run at
// the published rate. Without Deps.PersonalAccounts there are none.
func (g *generator) personalAccounts(ctx context.Context) error {
	if g.PersonalAccounts == nil || len(g.demoPersons) == 0 {
		return nil
	}
	last := g.now.Year() - 1
	var csv strings.Builder
	csv.WriteString("公民身份号码,姓名,截至年度,年末账户余额（元）\n")
	for i, p := range g.demoPersons {
		var name string
		if err := g.DB.Read().QueryRowContext(ctx, `SELECT name FROM persons WHERE id = $1`, p.id).Scan(&name); err != nil {
			return errs.Wrap(err, "demo accounts")
		}
		bal := money.Fen(1_200_000 + 731_517*int64(i) + int64(i*7919%100_000)) // 12,000.00 and up, no draw from the generator's random stream
		fmt.Fprintf(&csv, "%s,%s,%d,%s\n", p.idNumber, name, last-1, bal.Plain())
	}
	rep, err := g.PersonalAccounts.ImportOpenings(ctx, demoAccountClerk, "演示期初余额.csv", []byte(csv.String()))
	if err != nil {
		if rep != nil {
			return fmt.Errorf("demo accounts: opening import refused: %v (%v)", err, rep.Problems)
		}
		return err
	}
	if _, err := g.PersonalAccounts.RunInterest(ctx, demoAccountClerk, last, nil); err != nil {
		return err
	}
	g.res.Accounts = len(g.demoPersons)
	return nil
}

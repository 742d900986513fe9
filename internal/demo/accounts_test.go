package demo_test

import (
	"context"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/demo"
	"shebao/internal/money"
	"shebao/internal/personalaccount"
)

// TestDemoAccounts: every person with a login has an opening balance at
// the end of the year before last and exactly one interest entry of last
// year, equal to the calculator's at the published rate (3.97% for 2023).
func TestDemoAccounts(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		dp := deps(t, d)
		dp.PersonalAccounts = personalaccount.NewService(d, dp.Clock, dp.Audit, dp.Policy, "", nil, 0)
		opts := small
		opts.Retirees = -1
		res, err := demo.Generate(context.Background(), dp, opts)
		if err != nil {
			t.Fatal(err)
		}
		if res.Accounts == 0 {
			t.Fatal("no demo person was given an account")
		}
		rate, err := money.Percent("3.97")
		if err != nil {
			t.Fatal(err)
		}
		rows, err := d.R.Query(`SELECT u.person_id,
			(SELECT COALESCE(SUM(amount_fen), 0) FROM account_entries e WHERE e.person_id = u.person_id AND e.kind = 'opening' AND e.year = 2022),
			(SELECT COUNT(*) FROM account_entries e WHERE e.person_id = u.person_id AND e.kind = 'interest' AND e.year = 2023),
			(SELECT COALESCE(SUM(amount_fen), 0) FROM account_entries e WHERE e.person_id = u.person_id AND e.kind = 'interest' AND e.year = 2023),
			(SELECT COALESCE(SUM(amount_fen), 0) FROM account_entries e WHERE e.person_id = u.person_id AND e.year = 2023 AND e.kind <> 'interest')
			FROM users u WHERE u.role = 'person' AND u.person_id IS NOT NULL ORDER BY u.person_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			var pid, opening, interests, interest, credits int64
			if err := rows.Scan(&pid, &opening, &interests, &interest, &credits); err != nil {
				t.Fatal(err)
			}
			n++
			if opening < 1_200_000 || interests != 1 {
				t.Fatalf("person %d: opening %d, %d interest entries for 2023", pid, opening, interests)
			}
			want, err := personalaccount.YearInterest(personalaccount.InterestInput{Opening: money.Fen(opening), Credits: money.Fen(credits), Rate: rate})
			if err != nil {
				t.Fatal(err)
			}
			if interest != int64(want.Interest) || interest <= 0 {
				t.Fatalf("person %d: interest %d, calculator %d", pid, interest, want.Interest)
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if n != res.Accounts {
			t.Fatalf("%d persons with logins checked, %d given accounts", n, res.Accounts)
		}
	})
}

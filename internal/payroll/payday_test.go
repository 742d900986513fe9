package payroll

import (
	"context"
	"strings"
	"testing"
	"time"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

// datedPayDay is the rule pension_pay_day as dated values: from a day on.
type datedPayDay []struct {
	from string
	day  int64
}

func (d datedPayDay) Int(_ context.Context, key, _ string, day time.Time) (int64, policy.Rule, error) {
	if key != policy.KeyPensionPayDay {
		return 0, policy.Rule{}, errs.NotFoundf("no rule")
	}
	var v int64
	ok := false
	for _, r := range d {
		if r.from <= day.Format("2006-01-02") {
			v, ok = r.day, true
		}
	}
	if !ok {
		return 0, policy.Rule{}, errs.New(errs.NotFound, "rule_not_found", "no rule")
	}
	return v, policy.Rule{}, nil
}

func TestPayDateFromTheDatedRule(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		e.s.rules = datedPayDay{{"2019-01-01", 15}, {"2024-02-01", 31}}
		e.enrol(t, 1, 300000, "2023-12", false)
		if got, _ := e.s.PayDate(ctx, month("2024-01")); got != "2024-01-15" {
			t.Fatalf("January: %s", got)
		}
		r, err := e.s.RunMonth(ctx, fund1, month("2024-02"))
		if err != nil || r.PayDate != "2024-02-29" || r.PayDateText() != "2024年2月29日" {
			t.Fatalf("run: %+v %v", r, err)
		}
		// Arrears of December and January are paid with February's pay date.
		if n := count(t, d, `SELECT COUNT(*) FROM payout_lines WHERE pay_date = '2024-02-29'`); n != 3 {
			t.Fatalf("%d lines with February's pay date, want 3", n)
		}
		got, _ := e.s.Runs(ctx, fund1, 1)
		if got[0].PayDate != "2024-02-29" {
			t.Fatalf("stored run: %+v", got[0])
		}
		e.s.rules = datedPayDay{{"2024-03-01", 10}}
		_, err = e.s.RunMonth(ctx, fund1, month("2024-02"))
		if ee := errs.As(err); ee == nil || ee.Kind != errs.Invalid || !strings.Contains(ee.Fields[0].Message, "没有2024年2月适用的养老金发放日") {
			t.Fatalf("no rule in force: %v", err)
		}
	})
}

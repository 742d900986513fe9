package payroll

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// stopScene enrols five pensioners from 2023-10, runs and approves
// February 2024 (arrears included), then marks lines as the bank would:
// up to January paid, person 2's February failed, person 4's February in
// a bank file (approved, with a batch row). It returns the audit seq reached.
func stopScene(t *testing.T, d *db.DB) (*env, int64) {
	t.Helper()
	e, ctx := newEnv(t, d), context.Background()
	for n := int64(1); n <= 5; n++ {
		e.enrol(t, n, money.Fen(300000+n*1000), "2023-10", false)
	}
	if _, err := e.s.RunMonth(ctx, fund1, month("2024-02")); err != nil {
		t.Fatal(err)
	}
	if _, err := e.p.Approve(ctx, fund2, lineIDs(t, d), ""); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE payout_lines SET status = 'paid' WHERE period <= '2024-01'`,
		`UPDATE payout_lines SET status = 'failed' WHERE payee_id = 2 AND period = '2024-02'`,
		`INSERT INTO payout_batch_lines (line_id, batch_id) SELECT id, 1 FROM payout_lines WHERE payee_id = 4 AND period = '2024-02'`,
	} {
		if _, err := d.W.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	return e, count(t, d, `SELECT seq FROM audit_head`)
}

var stopItems = []StopItem{
	{PersonID: 1, Last: month("2023-11")},  // two months paid after, February cancelled
	{PersonID: 2, Last: month("2023-12")},  // January paid after, February failed: cancelled
	{PersonID: 3, Last: month("2024-02")},  // nothing after
	{PersonID: 4, Last: month("2023-09")},  // before the first month: everything overpaid but February's in the bank
	{PersonID: 99, Last: month("2024-01")}, // not in pay
}

// StopManyTx leaves the same rows, audit records and overpayments as
// StopTx called for each person, on both engines.
func TestStopManyEqualsStopTx(t *testing.T) {
	for _, kind := range []string{StopDeath, StopSuspension} {
		t.Run(kind, func(t *testing.T) {
			dbtest.Each(t, func(t *testing.T, one *db.DB) {
				ctx := context.Background()
				many := dbtest.Open(t, one.Dialect)
				e1, seq1 := stopScene(t, one)
				e2, seq2 := stopScene(t, many)
				want := map[int64]*StopResult{}
				err := one.WithTx(ctx, func(tx *sql.Tx) error {
					for _, it := range stopItems {
						r, err := e1.s.StopTx(ctx, tx, welfare, it.PersonID, Stop{Last: it.Last, Kind: kind, Reason: "死亡"})
						if errs.KindOf(err) == errs.NotFound {
							continue
						}
						if err != nil {
							return err
						}
						want[it.PersonID] = r
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				var got map[int64]*StopResult
				err = many.WithTx(ctx, func(tx *sql.Tx) error {
					var err error
					got, err = e2.s.StopManyTx(ctx, tx, welfare, kind, " 死亡 ", stopItems)
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("results differ:\nStopManyTx %s\nStopTx     %s", showResults(got), showResults(want))
				}
				if r := want[1]; r.Cancelled != 1 || r.Overpaid != 2*301000 || want[4].Overpaid != 5*304000 || want[3].Overpaid != 0 {
					t.Fatalf("scene not as planned: %s", showResults(want))
				}
				for _, q := range []string{
					`SELECT id, person_id, status, last_month, stop_kind, stop_reason, version, updated_at FROM pensioners ORDER BY id`,
					`SELECT pensioner_id, kind, month, note, created_by, created_at FROM pensioner_events ORDER BY pensioner_id, id`,
					`SELECT id, status, amount_fen, version, reject_reason FROM payout_lines ORDER BY id`,
					`SELECT account, debit_fen, credit_fen FROM ledger_entries ORDER BY id`,
					`SELECT COUNT(*) FROM pension_stop_items`,
				} {
					if a, b := dump(t, one, q), dump(t, many, q); !slices.Equal(a, b) {
						t.Fatalf("%s\nStopTx     %v\nStopManyTx %v", q, a, b)
					}
				}
				q := `SELECT action, entity, entity_id, actor_username, before_json, after_json, note FROM audit_log WHERE seq > $1`
				a, b := dump(t, one, q, seq1), dump(t, many, q, seq2)
				slices.Sort(a)
				slices.Sort(b)
				if len(a) != 6 || !slices.Equal(a, b) {
					t.Fatalf("audit differs:\nStopTx     %v\nStopManyTx %v", a, b)
				}
				if res, err := audit.NewService(many, e2.clk).Verify(ctx); err != nil || !res.OK() {
					t.Fatalf("chain after StopManyTx: %+v %v", res, err)
				}
			})
		})
	}
}

func TestStopManyRefusesBadInput(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		for _, tc := range []struct {
			name, kind, reason, field string
			items                     []StopItem
		}{
			{"no kind", "", "死亡", "kind", stopItems},
			{"no reason", StopDeath, " ", "reason", stopItems},
			{"no month", StopDeath, "死亡", "last_month", []StopItem{{PersonID: 1}}},
			{"twice", StopDeath, "死亡", "person_id", []StopItem{{PersonID: 1, Last: month("2024-01")}, {PersonID: 1, Last: month("2024-01")}}},
		} {
			err := d.WithTx(ctx, func(tx *sql.Tx) error {
				_, err := e.s.StopManyTx(ctx, tx, welfare, tc.kind, tc.reason, tc.items)
				return err
			})
			if e := errs.As(err); e == nil || e.Kind != errs.Invalid || !errs.Fields(e.Fields).Has(tc.field) {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
		err := d.WithTx(ctx, func(tx *sql.Tx) error {
			_, err := e.s.StopManyTx(ctx, tx, fund1, StopDeath, "死亡", stopItems)
			return err
		})
		if errs.KindOf(err) != errs.Forbidden {
			t.Errorf("fund clerk stopped pensions: %v", err)
		}
	})
}

func showResults(m map[int64]*StopResult) string {
	var out []string
	for id, r := range m {
		out = append(out, fmt.Sprintf("%d:%+v", id, *r))
	}
	slices.Sort(out)
	return strings.Join(out, " ")
}

// dump returns every row of q as text.
func dump(t *testing.T, d *db.DB, q string, args ...any) []string {
	t.Helper()
	return dbtest.Rows(t, d, q, args...)
}

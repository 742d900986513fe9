package contribution

import (
	"context"
	"testing"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/money"
)

// TestReassessWritesOnlyChanges: a second assessment of a month keeps the
// stored lines that did not change (same row), replaces those that did
// (a new declared base, a changed risk class), drops the lines of staff
// who left and adds new staff; every line then equals the Go reference
// and the totals add up. A bill where a person is employed twice by the
// employer in the month (two lines per scheme) is replaced whole, in the
// same batch.
func TestReassessWritesOnlyChanges(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, false)
		a, b := e.employer(t, 1, 1_000_000), e.employer(t, 4, 1_200_000)
		same := e.staff(t, a, "2023-01", "", 800000, 800000)
		raised := e.staff(t, a, "2023-01", "", 500000, 500000)
		leaver := e.staff(t, a, "2023-01", "", 600000, 600000)
		e.staff(t, b, "2023-01", "", 700000, 700000)
		twice := e.staff(t, b, "2023-01", "2024-06", 300000, 300000)
		if _, err := d.W.ExecContext(ctxBg, `INSERT INTO employments (person_id, employer_id, start_month, end_month,
			base_fen, declared_fen, created_at, updated_at) VALUES ($1, $2, '2023-06', '2024-03', 900000, 900000, $3, $3)`,
			twice, b, testNow); err != nil {
			t.Fatal(err)
		}
		e.assess(t, "2024-01")
		before := lineIDs(t, d, a)
		mustExec(t, d, `UPDATE employments SET declared_fen = 2000000 WHERE person_id = $1`, raised)
		mustExec(t, d, `UPDATE employments SET end_month = '2023-12' WHERE person_id = $1`, leaver)
		mustExec(t, d, `UPDATE employers SET risk_class = 6 WHERE id = $1`, b)
		joiner := e.staff(t, a, "2024-01", "", 1000000, 1000000)
		r := e.assess(t, "2024-01")
		if r.Redone != 2 || r.Created != 0 {
			t.Fatalf("second run %+v", r)
		}
		after := lineIDs(t, d, a)
		for _, s := range Schemes {
			if after[key(same, s)] != before[key(same, s)] || after[key(same, s)] == 0 {
				t.Errorf("unchanged line of %d %s rewritten: %d → %d", same, s, before[key(same, s)], after[key(same, s)])
			}
			if after[key(leaver, s)] != 0 || after[key(joiner, s)] == 0 {
				t.Errorf("leaver or joiner wrong in %s: %v", s, after)
			}
		}
		p, err := LoadParams(context.Background(), e.pol, clock.Month{Year: 2024, Mon: 1})
		if err != nil {
			t.Fatal(err)
		}
		for emp, class := range map[int64]int{a: 1, b: 6} {
			float := map[int64]int64{a: 1_000_000, b: 1_200_000}[emp]
			bill := e.billOf(t, emp, "2024-01")
			var er, ir money.Fen
			for _, g := range bill.Lines {
				ref := p.Compute(g.PersonID, g.DeclaredBase, class, float)
				x := ref[schemeIndex(g.Scheme)]
				if g.Base != x.Base || g.Employer != x.Employer || g.Individual != x.Individual ||
					g.EmployerRate != x.EmployerRate || g.Clamp != x.Clamp {
					t.Errorf("employer %d person %d %s: sql %+v, go %+v", emp, g.PersonID, g.Scheme, g, x)
				}
				if g.PersonID == raised && g.DeclaredBase != 2000000 {
					t.Errorf("raised base not recomputed: %+v", g)
				}
				er, ir = er+x.Employer, ir+x.Individual
			}
			if bill.Employer != er || bill.Individual != ir || bill.Total != er+ir {
				t.Errorf("employer %d totals %s/%s, want %s/%s", emp, bill.Employer, bill.Individual, er, ir)
			}
			if want := map[int64]int{a: 9, b: 9}[emp]; len(bill.Lines) != want {
				t.Errorf("employer %d: %d lines, want %d", emp, len(bill.Lines), want)
			}
		}
	})
}

func schemeIndex(s Scheme) int {
	for i, x := range Schemes {
		if x == s {
			return i
		}
	}
	return -1
}

func key(person int64, s Scheme) string { return string(rune(person)) + string(s) }

// lineIDs maps person and scheme to the line's row ID in the employer's
// bill of 2024-01.
func lineIDs(t *testing.T, d *db.DB, employer int64) map[string]int64 {
	t.Helper()
	rows, err := d.W.QueryContext(ctxBg, `SELECT l.id, l.person_id, l.scheme FROM bill_lines l JOIN bills b ON b.id = l.bill_id
		WHERE b.employer_id = $1 AND b.fee_month = '2024-01'`, employer)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id, p int64
		var s Scheme
		if err := rows.Scan(&id, &p, &s); err != nil {
			t.Fatal(err)
		}
		out[key(p, s)] = id
	}
	return out
}

func mustExec(t *testing.T, d *db.DB, q string, args ...any) {
	t.Helper()
	if _, err := d.W.ExecContext(ctxBg, q, args...); err != nil {
		t.Fatal(err)
	}
}

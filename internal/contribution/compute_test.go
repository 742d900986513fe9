package contribution

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"testing"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/money"
)

// The three employees X, Y, Z of docs/rules.md §3.4 (class 1, float ×1.2).
var workedExample = []struct {
	name                 string
	wage, base           money.Fen
	pensionI, pensionE   money.Fen
	unemployment, injury money.Fen
}{
	{"X", 390000, 480000, 38400, 76800, 2400, 1152},
	{"Y", 1234567, 1234600, 98768, 197536, 6173, 2963},
	{"Z", 3000000, 2400000, 192000, 384000, 12000, 5760},
}

func TestWorkedExampleGo(t *testing.T) {
	p := workedParams()
	var pensionE money.Fen
	for _, w := range workedExample {
		lines := p.Compute(1, w.wage, 1, 1_200_000)
		pen, un, in := lines[0], lines[1], lines[2]
		if pen.Base != w.base || pen.Individual != w.pensionI || pen.Employer != w.pensionE {
			t.Errorf("%s pension: base %s ind %s emp %s", w.name, pen.Base, pen.Individual, pen.Employer)
		}
		if un.Employer != w.unemployment || un.Individual != w.unemployment {
			t.Errorf("%s unemployment: %s / %s, want %s", w.name, un.Employer, un.Individual, w.unemployment)
		}
		if in.Employer != w.injury || in.Individual != 0 || in.EmployerRate != money.MustPercent("0.24") {
			t.Errorf("%s injury: %s at %s", w.name, in.Employer, in.EmployerRate)
		}
		pensionE += pen.Employer
	}
	if pensionE != 658336 {
		t.Errorf("employer pension total = %s, want 6,583.36", pensionE)
	}
}

func TestBaseClampNotes(t *testing.T) {
	p := workedParams()
	for _, c := range []struct {
		in   money.Fen
		want money.Fen
		note string
	}{
		{100, 480000, p.floorText}, {480000, 480000, ""}, {500049, 500000, "按元取整"}, {500050, 500100, "按元取整"},
		{2400000, 2400000, ""}, {2400001, 2400000, p.ceilText},
	} {
		if got, note := p.Base(c.in); got != c.want || note != c.note {
			t.Errorf("Base(%d) = %d %q, want %d %q", c.in, got, note, c.want, c.note)
		}
	}
	if r := p.InjuryRate(5, 800_000); r != money.MustPercent("0.88") {
		t.Errorf("class 5 × 0.8 = %s, want 0.88%%", r)
	}
}

// TestWorkedExampleSQL runs the set-based SQL with the §2.3 assumptions.
func TestWorkedExampleSQL(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, false)
		emp := e.employer(t, 1, 1_200_000)
		for _, w := range workedExample {
			e.staff(t, emp, "2023-06", "", w.wage, w.base)
		}
		p := workedParams()
		err := d.WithTx(ctxBg, func(tx *sql.Tx) error {
			_, err := assessRange(ctxBg, tx, d.Dialect, p, emp, emp, testNow)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		b := e.billOf(t, emp, "2024-01")
		if len(b.Lines) != 9 || b.Persons != 3 {
			t.Fatalf("%d lines, %d persons", len(b.Lines), b.Persons)
		}
		if got := b.Schemes[0].Employer; got != 658336 {
			t.Errorf("employer pension = %s, want 6,583.36", got)
		}
		if b.Schemes[0].Base != 4114600 {
			t.Errorf("pension base sum = %s, want 41,146.00", b.Schemes[0].Base)
		}
		for i, w := range workedExample {
			pen, un, in := b.Lines[3*i], b.Lines[3*i+1], b.Lines[3*i+2]
			if pen.Base != w.base || pen.Individual != w.pensionI || pen.Employer != w.pensionE ||
				un.Employer != w.unemployment || in.Employer != w.injury || in.Individual != 0 {
				t.Errorf("%s: %+v %+v %+v", w.name, pen, un, in)
			}
		}
		if b.Lines[0].Clamp == "" || b.Lines[3].Clamp != "按元取整" || b.Lines[6].Clamp == "" {
			t.Errorf("clamp notes: %q %q %q", b.Lines[0].Clamp, b.Lines[3].Clamp, b.Lines[6].Clamp)
		}
		if b.Total != b.Employer+b.Individual || b.Employer != sumE(b.Lines) || b.Individual != sumI(b.Lines) {
			t.Errorf("totals %s = %s + %s", b.Total, b.Employer, b.Individual)
		}
	})
}

func sumE(ls []Line) (s money.Fen) {
	for _, l := range ls {
		s += l.Employer
	}
	return s
}

func sumI(ls []Line) (s money.Fen) {
	for _, l := range ls {
		s += l.Individual
	}
	return s
}

// TestSetBasedEqualsGo: random declared bases (below, inside and above the
// limits, with fen), every risk class and float; every line of the SQL
// assessment equals money's computation with the policy's rules.
func TestSetBasedEqualsGo(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, false)
		r := rand.New(rand.NewPCG(7, 11))
		floats := []int64{500_000, 800_000, 1_000_000, 1_200_000, 1_500_000}
		type want struct {
			emp      int64
			class    int
			float    int64
			declared map[int64]money.Fen
		}
		var emps []want
		for i := 0; i < 12; i++ {
			w := want{class: 1 + i%8, float: floats[r.IntN(len(floats))], declared: map[int64]money.Fen{}}
			w.emp = e.employer(t, w.class, w.float)
			for j := 0; j < 1+r.IntN(6); j++ {
				dec := money.Fen(100 + r.Int64N(4_000_000))
				stored := dec
				if j%3 == 0 {
					dec = 0 // declared wage unknown: the stored base counts
				}
				pid := e.staff(t, w.emp, "2023-01", "", dec, stored)
				if dec == 0 {
					dec = stored
				}
				w.declared[pid] = dec
			}
			e.staff(t, w.emp, "2023-01", "2023-12", 500000, 500000) // left before the month
			e.staff(t, w.emp, "2024-02", "", 500000, 500000)        // starts after it
			emps = append(emps, w)
		}
		e.assess(t, "2024-01")
		p, err := LoadParams(context.Background(), e.pol, clock.Month{Year: 2024, Mon: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range emps {
			b := e.billOf(t, w.emp, "2024-01")
			if len(b.Lines) != 3*len(w.declared) {
				t.Fatalf("employer %d: %d lines for %d persons", w.emp, len(b.Lines), len(w.declared))
			}
			var er, ir money.Fen
			for i := 0; i < len(b.Lines); i += 3 {
				got := b.Lines[i : i+3]
				ref := p.Compute(got[0].PersonID, w.declared[got[0].PersonID], w.class, w.float)
				for k := range ref {
					g, x := got[k], ref[k]
					if g.Scheme != x.Scheme || g.Base != x.Base || g.DeclaredBase != x.DeclaredBase || g.Employer != x.Employer ||
						g.Individual != x.Individual || g.EmployerRate != x.EmployerRate || g.IndividualRate != x.IndividualRate ||
						g.Clamp != x.Clamp {
						t.Errorf("employer %d person %d %s: sql %+v, go %+v", w.emp, g.PersonID, g.Scheme, g, x)
					}
					er, ir = er+x.Employer, ir+x.Individual
				}
			}
			if b.Employer != er || b.Individual != ir || b.Total != er+ir {
				t.Errorf("employer %d totals %s/%s/%s, want %s/%s", w.emp, b.Employer, b.Individual, b.Total, er, ir)
			}
			if b.RiskClass != w.class || b.InjuryFloatPPM != w.float || b.Basis.Pension == "" || b.Basis.Injury == "" {
				t.Errorf("employer %d: class %d float %d basis %+v", w.emp, b.RiskClass, b.InjuryFloatPPM, b.Basis)
			}
		}
		sqlEqualsGo(t, d, p, emps[0].emp, emps[len(emps)-1].emp, func(emp, person int64) (int, int64, money.Fen) {
			for _, w := range emps {
				if w.emp == emp {
					return w.class, w.float, w.declared[person]
				}
			}
			return 0, 0, 0
		})
	})
}

// sqlEqualsGo runs the set-based SQL of the month's lines (linesSelect,
// the benchmark's statement) for employers lo..hi and checks that every
// line equals Params.Compute, which the assessment writes, and that every
// person has the three lines. of gives an employer's class and float and
// a person's declared base.
func sqlEqualsGo(t *testing.T, d *db.DB, p *Params, lo, hi int64, of func(emp, person int64) (int, int64, money.Fen)) {
	t.Helper()
	rules := p.rules(4)
	rows, err := d.W.QueryContext(ctxBg, rules.with+linesSelect(d.Dialect, "e.id", allLines),
		append([]any{p.Month.String(), lo, hi}, rules.args...)...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	seen := map[[2]int64]int{}
	for rows.Next() {
		var g Line
		var emp int64
		if err := rows.Scan(&emp, &g.PersonID, &g.Scheme, &g.Base, &g.DeclaredBase, &g.EmployerRate, &g.IndividualRate,
			&g.Employer, &g.Individual, &g.Clamp); err != nil {
			t.Fatal(err)
		}
		class, float, declared := of(emp, g.PersonID)
		x := p.Compute(g.PersonID, declared, class, float)[schemeIndex(g.Scheme)]
		if g.Base != x.Base || g.DeclaredBase != x.DeclaredBase || g.Employer != x.Employer || g.Individual != x.Individual ||
			g.EmployerRate != x.EmployerRate || g.IndividualRate != x.IndividualRate || g.Clamp != x.Clamp {
			t.Errorf("employer %d person %d %s: sql %+v, go %+v", emp, g.PersonID, g.Scheme, g, x)
		}
		seen[[2]int64{emp, g.PersonID}]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(seen) == 0 {
		t.Fatal("the set-based SQL gave no lines")
	}
	for k, n := range seen {
		if n != 3 {
			t.Errorf("employer %d person %d: %d lines from SQL", k[0], k[1], n)
		}
	}
}

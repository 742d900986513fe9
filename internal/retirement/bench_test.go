package retirement

import (
	"testing"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/policy"
)

// BenchmarkDetermination computes a determination from 35 years (420
// months) of records: reading them, the index by average-wage period, the
// formula and every step (the target is under 50 ms), on every engine.
func BenchmarkDetermination(b *testing.B) {
	for _, dialect := range dbtest.Engines() {
		b.Run(string(dialect), func(b *testing.B) { benchDetermination(b, dbtest.Open(b, dialect)) })
	}
}

func benchDetermination(b *testing.B, d *db.DB) {
	t := testing.TB(b)
	e := newEnv(t, d)
	e.pol.SetCacheTTL(policy.DefaultCacheTTL) // as in production
	pid, idn := e.person(t, "1966-03-10", "M", e.emp, "1991-06", "2026-05", 600_000)
	if err := ImportBalance(ctxBg, d.W, pid, 15_000_000, clock.Month{Year: 2026, Mon: 5}, testNow); err != nil {
		b.Fatal(err)
	}
	q, err := e.s.SubmitQualification(ctxBg, employerActor(e.emp), QualInput{IDNumber: idn, Contact: "李四", Phone: "13900139000"})
	if err != nil {
		b.Fatal(err)
	}
	if q, err = e.s.Decide(ctxBg, e.approver, Decision{No: q.No, Version: 1, Approve: true}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		det, err := e.s.compute(ctxBg, d.Read(), q, "")
		if err != nil || det.Months != 420 {
			b.Fatalf("%v %d", err, det.Months)
		}
	}
}

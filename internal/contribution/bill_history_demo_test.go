package contribution

import (
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/money"
)

// TestDemoBillHistory: the benchmark's bill history writes one bill per
// employer with staff and month, in valid statuses whose paid amounts fit
// them, with unique bill numbers and payment references, on both engines.
func TestDemoBillHistory(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, false)
		for range 40 {
			emp := e.employer(t, 1, 1_000_000)
			e.staff(t, emp, "2023-01", "", money.Fen(800_000), money.Fen(800_000))
		}
		e.employer(t, 1, 1_000_000) // no staff: no bills
		months := []string{"2023-12", "2024-01", "2024-02"}
		n, err := DemoBillHistory(ctxBg, d, months, testNow)
		if err != nil || n != 120 {
			t.Fatalf("wrote %d bills (want 120), %v", n, err)
		}
		var bad, statuses, refs int
		if err := d.W.QueryRowContext(ctxBg, `SELECT
			(SELECT COUNT(*) FROM bills WHERE total_fen <> employer_fen + individual_fen OR paid_fen > total_fen
				OR (status = 'paid') <> (paid_fen = total_fen) OR (status = 'partially_paid') <> (paid_fen > 0 AND paid_fen < total_fen)
				OR (status IN ('draft', 'correction_requested')) <> (payment_ref IS NULL)),
			(SELECT COUNT(DISTINCT status) FROM bills),
			(SELECT COUNT(DISTINCT payment_ref) FROM bills)`).Scan(&bad, &statuses, &refs); err != nil {
			t.Fatal(err)
		}
		if bad != 0 || statuses < 3 || refs == 0 {
			t.Fatalf("%d inconsistent bills, %d statuses, %d references", bad, statuses, refs)
		}
	})
}

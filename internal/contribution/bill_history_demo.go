package contribution

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
)

// DemoBillHistory writes, for a benchmark of the staff lists, one employer
// bill per fee month of months (oldest first) for every employer with an
// employment, in the statuses a district has after that many months: the
// oldest month nearly all paid, the last mostly still to confirm, a few
// partly paid or with a correction requested, and a few of the 2024 months
// flagged as accepted late. Amounts are made up and no lines are written:
// the lists read bills only, and assessing a million persons 24 times
// over takes hours (the assessment has its own benchmark). One
// transaction per month; it returns the number of bills written.
func DemoBillHistory(ctx context.Context, d *db.DB, months []string, now time.Time) (int64, error) {
	var total int64
	for i, m := range months {
		age := len(months) - i // 1 = the last month
		pay, confirm := 70, 85
		switch {
		case i == 0:
			pay, confirm = 88, 95
		case age == 1:
			pay, confirm = 15, 40
		}
		err := d.WithTx(ctx, func(tx *sql.Tx) error {
			r, err := tx.ExecContext(ctx, demoBillHistorySQL(d.Dialect, pay, confirm), m, strings.ReplaceAll(m, "-", ""),
				int64(i), now, nextMonthDay(m, 15))
			if err != nil {
				return errs.Wrap(err, "demo bill history "+m)
			}
			n, _ := r.RowsAffected()
			total += n
			return nil
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// demoBillHistorySQL inserts one month's bills ($1 month, $2 month without
// the dash, $3 the month's index, $4 now, $5 the due date). h is a
// deterministic per-employer-and-month number 0–99 that picks the status.
func demoBillHistorySQL(d db.Dialect, pay, confirm int) string {
	h := `((e.id * 7919 + CAST($3 AS BIGINT) * 104729) % 100)`
	status := fmt.Sprintf(`CASE WHEN %[1]s < %[2]d THEN 'paid' WHEN %[1]s < %[3]d THEN 'partially_paid'
		WHEN %[1]s < %[4]d THEN 'confirmed' WHEN %[1]s < %[5]d THEN 'correction_requested' ELSE 'draft' END`,
		h, pay-2, pay, confirm, confirm+2)
	total := `((e.id % 50 + 1) * 123457)`
	paid := fmt.Sprintf(`CASE WHEN %[1]s < %[2]d THEN %[3]s WHEN %[1]s < %[4]d THEN %[3]s / 2 ELSE 0 END`, h, pay-2, total, pay)
	confirmed := fmt.Sprintf(`%s < %d`, h, confirm)
	return `INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status, employer_fen, individual_fen, total_fen,
			paid_fen, payment_ref, due_on, flags, assessed_at, confirmed_at, risk_class)
		SELECT 'B' || CAST($2 AS TEXT) || '-' || e.employer_no, 'employer', e.id, CAST($1 AS TEXT), ` + status + `,
			` + total + ` * 7 / 10, ` + total + ` - ` + total + ` * 7 / 10, ` + total + `, ` + paid + `,
			CASE WHEN ` + confirmed + ` THEN 'SBH' || CAST($2 AS TEXT) || 'E' || CAST(e.id AS TEXT) END, CAST($5 AS TEXT),
			CASE WHEN CAST($1 AS TEXT) LIKE '2024-%' AND ` + confirmed + ` AND e.id % 37 = 0 THEN 'late_accepted' ELSE '' END,
			` + d.TimeParam(4) + `, CASE WHEN ` + confirmed + ` THEN ` + d.TimeParam(4) + ` END, e.risk_class
		FROM employers e WHERE EXISTS (SELECT 1 FROM employments m WHERE m.employer_id = e.id)
		ON CONFLICT (employer_id, fee_month) WHERE employer_id IS NOT NULL DO NOTHING`
}

// nextMonthDay is day d of the month after m (YYYY-MM-DD).
func nextMonthDay(m string, d int) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 1, d-1).Format("2006-01-02")
}

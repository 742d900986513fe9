package payment_test

import (
	"bytes"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"shebao/internal/db/dbtest"
	"shebao/internal/payment"
)

// BenchmarkStatementImport100k imports and matches a 100,000-line bank
// statement against 100,000 confirmed bills (1,000 employers × 100 fee
// months, three lines each), on every engine.
func BenchmarkStatementImport100k(b *testing.B) {
	const employers, months = 1000, 100
	for _, dialect := range dbtest.Engines() {
		b.Run(string(dialect), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				d := dbtest.Open(b, dialect)
				e := newEnv(b, d, "2024-12-31")
				var csv bytes.Buffer
				csv.WriteString(header)
				err := d.WithTx(ctx, func(tx *sql.Tx) error {
					for k := 0; k < employers; k++ {
						var emp int64
						if err := tx.QueryRowContext(ctx, `INSERT INTO employers (employer_no, uscc, name, legal_rep, address, industry,
							risk_class, established_on, registered_on, created_at, updated_at)
							VALUES ($1, $2, $3, '王某', '北京', '软件', 1, '2000-01-01', '2000-01-02', $4, $4) RETURNING id`,
							fmt.Sprintf("B%06d", k), fmt.Sprintf("BUSCC%013d", k), fmt.Sprintf("单位%04d", k), e.c.Now()).Scan(&emp); err != nil {
							return err
						}
						var bills, lines strings.Builder
						var bargs, largs []any
						for m := 0; m < months; m++ {
							month := fmt.Sprintf("%04d-%02d", 2016+m/12, m%12+1)
							ref := fmt.Sprintf("SBK%05dM%03d", k, m)
							total := int64(100000 + k*7 + m)
							if m > 0 {
								bills.WriteByte(',')
							}
							n := len(bargs)
							fmt.Fprintf(&bills, "($%d,'employer',$%d,$%d,'confirmed',$%d,$%d,$%d,'2025-01-15',$%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7)
							bargs = append(bargs, fmt.Sprintf("HD%d-%d", k, m), emp, month, total, total, ref, e.c.Now())
							fmt.Fprintf(&csv, "2024-12-%02d,BK%d-%d,单位%04d,,,%d.%02d,社保费%s\n", m%28+1, k, m, k, total/100, total%100, ref)
						}
						rows, err := tx.QueryContext(ctx, `INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status, employer_fen,
							total_fen, payment_ref, due_on, assessed_at) VALUES `+bills.String()+` RETURNING id, total_fen`, bargs...)
						if err != nil {
							return err
						}
						var ids, totals []int64
						for rows.Next() {
							var id, tot int64
							rows.Scan(&id, &tot)
							ids, totals = append(ids, id), append(totals, tot)
						}
						rows.Close()
						for j, id := range ids {
							p := totals[j] * 16 / 20
							u := totals[j] / 20
							parts := []int64{p, u, totals[j] - p - u}
							for s, scheme := range []string{"pension", "unemployment", "injury"} {
								if lines.Len() > 0 {
									lines.WriteByte(',')
								}
								n := len(largs)
								fmt.Fprintf(&lines, "($%d,$%d,'2024-01',$%d,0,0,0,0,$%d,0)", n+1, n+2, n+3, n+4)
								largs = append(largs, id, e.person, scheme, parts[s])
							}
						}
						if _, err := tx.ExecContext(ctx, `INSERT INTO bill_lines (bill_id, person_id, fee_month, scheme, base_fen,
							declared_base_fen, employer_rate_ppm, individual_rate_ppm, employer_fen, individual_fen) VALUES `+lines.String(), largs...); err != nil {
							return err
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				data := csv.Bytes()
				b.StartTimer()
				res, err := e.svc.ImportStatement(ctx, fund, payment.ImportInput{FileName: "big.csv", Data: data})
				b.StopTimer()
				if err != nil || res.Matched != employers*months {
					b.Fatalf("import: %v matched %+v", err, res)
				}
				var split []string
				for _, ph := range res.Phases {
					split = append(split, fmt.Sprintf("%s %.2fs", ph.Name, ph.Took.Seconds()))
				}
				b.Logf("%s: %d lines, %s", dialect, res.Lines, strings.Join(split, ", "))
				checkInvariants(b, d)
				d.Close()
			}
		})
	}
}

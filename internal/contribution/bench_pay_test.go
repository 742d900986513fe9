package contribution_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/money"
)

// BenchmarkBillPayments measures what paying bills costs (payment's
// settlement through ApplyPayments, one transaction per round) on bills
// with the indexes of the staff lists: SHEBAO_BENCH_BILLS bills (default
// 100,000; 1,000 employers) are confirmed, then paid in three rounds —
// a first part (confirmed → partially paid), a second part (the status
// stays) and the rest (→ paid). Per round it prints the cost per bill and,
// on PostgreSQL, how many of the row updates were HOT (no index written).
func BenchmarkBillPayments(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("SHEBAO_BENCH_BILLS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	for _, dialect := range dbtest.Engines() {
		b.Run(string(dialect), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				d := dbtest.Open(b, dialect)
				ids := seedConfirmedBills(b, d, n)
				type round struct {
					name string
					paid func(total money.Fen) money.Fen
				}
				rounds := []round{
					{"confirmed → partially_paid", func(t money.Fen) money.Fen { return t / 4 }},
					{"partially_paid → partially_paid", func(t money.Fen) money.Fen { return t / 2 }},
					{"partially_paid → paid", func(t money.Fen) money.Fen { return t }},
				}
				for r, rd := range rounds {
					list := make([]contribution.Settlement, len(ids))
					for i, id := range ids {
						total := billTotal(i)
						paid := rd.paid(total)
						list[i] = contribution.Settlement{ID: id, Paid: paid, Version: int64(r + 1),
							Status: contribution.StatusAfterPayment(contribution.Confirmed, paid, total)}
					}
					var upd, hot int64
					b.StartTimer()
					start := time.Now()
					err := d.WithTx(ctx, func(tx *sql.Tx) error {
						u0, h0, err := updateCounts(ctx, tx, d.Dialect)
						if err != nil {
							return err
						}
						if err := contribution.ApplyPayments(ctx, tx, d.Dialect, list); err != nil {
							return err
						}
						u1, h1, err := updateCounts(ctx, tx, d.Dialect)
						upd, hot = u1-u0, h1-h0
						return err
					})
					took := time.Since(start)
					b.StopTimer()
					if err != nil {
						b.Fatal(err)
					}
					line := fmt.Sprintf("%s, %d bills, %-32s %.2f s, %.1f µs a bill", dialect, n, rd.name+":", took.Seconds(),
						float64(took.Microseconds())/float64(n))
					if upd > 0 {
						line += fmt.Sprintf(", HOT %d of %d updates (%.0f%%)", hot, upd, 100*float64(hot)/float64(upd))
					}
					b.Log(line)
				}
				d.Close()
			}
		})
	}
}

// updateCounts are the updates and HOT updates of bills the backend has
// counted and not yet reported (PostgreSQL; zero on SQLite): their change
// within one transaction is that transaction's.
func updateCounts(ctx context.Context, tx *sql.Tx, dialect db.Dialect) (upd, hot int64, err error) {
	if dialect != db.Postgres {
		return 0, 0, nil
	}
	err = tx.QueryRowContext(ctx, `SELECT pg_stat_get_xact_tuples_updated(CAST('bills' AS regclass)),
		pg_stat_get_xact_tuples_hot_updated(CAST('bills' AS regclass))`).Scan(&upd, &hot)
	return upd, hot, err
}

func billTotal(i int) money.Fen { return money.Fen(100000 + i%997) }

// seedConfirmedBills writes n confirmed employer bills (1,000 employers)
// and returns their ids in order.
func seedConfirmedBills(b testing.TB, d *db.DB, n int) []int64 {
	ctx := context.Background()
	const employers = 1000
	now := time.Date(2025, 1, 10, 9, 0, 0, 0, time.UTC)
	err := d.Load(ctx, db.Insert{Table: "employers", Columns: []db.Column{{Name: "id", Type: db.BigInt},
		{Name: "employer_no", Type: db.Text}, {Name: "uscc", Type: db.Text}, {Name: "name", Type: db.Text},
		{Name: "legal_rep", Type: db.Text}, {Name: "address", Type: db.Text}, {Name: "industry", Type: db.Text},
		{Name: "risk_class", Type: db.BigInt}, {Name: "established_on", Type: db.Text}, {Name: "registered_on", Type: db.Text},
		{Name: "created_at", Type: db.Timestamp}, {Name: "updated_at", Type: db.Timestamp}}, Rows: employers,
		Row: func(i int) []any {
			return []any{i + 1, fmt.Sprintf("P%06d", i), fmt.Sprintf("PUSCC%013d", i), fmt.Sprintf("单位%04d", i), "王某", "北京",
				"软件", 1, "2000-01-01", "2000-01-02", now, now}
		}})
	if err != nil {
		b.Fatal(err)
	}
	err = d.Load(ctx, db.Insert{Table: "bills", Columns: []db.Column{{Name: "id", Type: db.BigInt},
		{Name: "bill_no", Type: db.Text}, {Name: "payer_kind", Type: db.Text}, {Name: "employer_id", Type: db.BigInt},
		{Name: "fee_month", Type: db.Text}, {Name: "status", Type: db.Text}, {Name: "employer_fen", Type: db.BigInt},
		{Name: "total_fen", Type: db.BigInt}, {Name: "payment_ref", Type: db.Text}, {Name: "due_on", Type: db.Text},
		{Name: "assessed_at", Type: db.Timestamp}}, Rows: n,
		Row: func(i int) []any {
			m := i / employers
			month := fmt.Sprintf("%04d-%02d", 2000+m/12, m%12+1)
			return []any{i + 1, fmt.Sprintf("PB%d", i), "employer", i%employers + 1, month, "confirmed", billTotal(i), billTotal(i),
				fmt.Sprintf("PREF%08d", i), "2025-01-15", now}
		}})
	if err != nil {
		b.Fatal(err)
	}
	if d.Dialect == db.Postgres { // statistics and visibility as a district's table has them
		for _, t := range []string{"employers", "bills"} {
			if _, err := d.W.ExecContext(ctx, `VACUUM ANALYZE `+t); err != nil {
				b.Fatal(err)
			}
		}
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	return ids
}

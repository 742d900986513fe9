package payroll

import (
	"context"
	"database/sql"

	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// DemoRetiree is one retiree the demo puts into pay.
type DemoRetiree struct {
	PersonID    int64
	Name        string
	IDNumber    string
	Monthly     money.Fen
	First       clock.Month
	BankCode    string // "" : no social security card yet
	BankName    string
	CardAccount string
}

var (
	demoPensionerCols = []db.Column{{Name: "person_id", Type: db.BigInt}, {Name: "name", Type: db.Text}, {Name: "id_number", Type: db.Text},
		{Name: "first_month", Type: db.Text}, {Name: "status", Type: db.Text}, {Name: "source_kind", Type: db.Text},
		{Name: "source_id", Type: db.Text}, {Name: "created_by", Type: db.Text}, {Name: "created_at", Type: db.Timestamp},
		{Name: "updated_at", Type: db.Timestamp}}
	demoAmountCols = []db.Column{{Name: "pensioner_id", Type: db.BigInt}, {Name: "version", Type: db.BigInt},
		{Name: "monthly_fen", Type: db.BigInt}, {Name: "from_month", Type: db.Text}, {Name: "basis", Type: db.Text},
		{Name: "created_by", Type: db.Text}, {Name: "created_at", Type: db.Timestamp}}
	demoCardCols = []db.Column{{Name: "person_id", Type: db.BigInt}, {Name: "status", Type: db.Text}, {Name: "bank_code", Type: db.Text},
		{Name: "bank_name", Type: db.Text}, {Name: "card_no", Type: db.Text}, {Name: "account_no", Type: db.Text},
		{Name: "delivery", Type: db.Text}, {Name: "branch", Type: db.Text}, {Name: "updated_by", Type: db.Text}, {Name: "updated_at", Type: db.Timestamp}}
)

// SeedDemo enrols long-time retirees of the demo district in bulk (their
// earlier months predate the system: nothing to recheck), with their
// cards, in one transaction. For the demo and benchmarks only.
func (s *Service) SeedDemo(ctx context.Context, rs []DemoRetiree) error {
	now := s.clock.Now()
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		ids := map[int64]int64{}
		err := db.BulkInsert(ctx, tx, s.db.Dialect, db.Insert{Table: "pensioners", Columns: demoPensionerCols, Rows: len(rs),
			Row: func(i int) []any {
				r := &rs[i]
				return []any{r.PersonID, r.Name, r.IDNumber, r.First.String(), Active, "demo", idStr(r.PersonID), "system", now, now}
			}, Returning: "id, person_id", Scan: func(rows *sql.Rows) error {
				var id, pid int64
				if err := rows.Scan(&id, &pid); err != nil {
					return err
				}
				ids[pid] = id
				return nil
			}})
		if err != nil {
			return errs.Wrap(err, "demo pensioners")
		}
		err = db.BulkInsert(ctx, tx, s.db.Dialect, db.Insert{Table: "pension_amounts", Columns: demoAmountCols, Rows: len(rs),
			Row: func(i int) []any {
				r := &rs[i]
				return []any{ids[r.PersonID], 1, int64(r.Monthly), r.First.String(), "演示数据：养老金核定表", "system", now}
			}})
		if err != nil {
			return errs.Wrap(err, "demo amounts")
		}
		var cards []int
		for i := range rs {
			if rs[i].BankCode != "" {
				cards = append(cards, i)
			}
		}
		err = db.BulkInsert(ctx, tx, s.db.Dialect, db.Insert{Table: "ss_cards", Columns: demoCardCols, Rows: len(cards),
			Row: func(i int) []any {
				r := &rs[cards[i]]
				return []any{r.PersonID, CardActive, r.BankCode, r.BankName, r.CardAccount, r.CardAccount, "branch", r.BankName + "营业部", "system", now}
			}})
		return errs.Wrap(err, "demo cards")
	})
}

package certificate_test

import (
	"context"
	"database/sql"
	"testing"

	"shebao/internal/certificate"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// TestHistoryIncludesImportedRecords: months from before Shebao (imported
// records) appear in the same history as assessed months, flagged as
// imported, with their paid flag; two payers in one month stay apart.
func TestHistoryIncludesImportedRecords(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, certificate.Options{Issuer: "示例中心"})
		f.addBill(t, "2024-01", "paid", "", f.personA)
		recs := []contribution.Record{
			{PersonID: f.personA, Month: "2002-03", Scheme: contribution.Pension, PayerKind: "employer", PayerName: "北京第二机床厂",
				Base: 120000, Employer: 24000, Individual: 9600, Paid: true},
			{PersonID: f.personA, Month: "2002-03", Scheme: contribution.Unemployment, PayerKind: "employer", PayerName: "北京第二机床厂",
				Base: 120000, Employer: 1800, Individual: 600, Paid: true},
			{PersonID: f.personA, Month: "2002-03", Scheme: contribution.Pension, PayerKind: "employer", PayerName: "兼职单位",
				Base: 50000, Employer: 10000, Individual: 4000, Paid: false},
			{PersonID: f.personA, Month: "2015-06", Scheme: contribution.Pension, PayerKind: "flexible",
				Base: 400000, Individual: 80000, Paid: true},
		}
		err := d.WithTx(ctx, func(tx *sql.Tx) error {
			return contribution.InsertRecords(ctx, tx, recs, contribution.SourceImport, 0, f.clock.Now())
		})
		if err != nil {
			t.Fatal(err)
		}
		h, err := f.svc.History(ctx, personActor(f.personA), f.personA)
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Months) != 4 || h.Months[0].Month != "2002-03" || h.Months[2].Month != "2015-06" || h.Months[3].Month != "2024-01" {
			t.Fatalf("months: %+v", h.Months)
		}
		byPayer := map[string]certificate.HistoryMonth{}
		for _, m := range h.Months[:2] {
			byPayer[m.Payer] = m
		}
		mill, side := byPayer["北京第二机床厂"], byPayer["兼职单位"]
		if !mill.Imported || !mill.Paid || mill.Status != "已到账" || mill.Schemes[0] == nil || mill.Schemes[0].Base != 120000 ||
			mill.Schemes[1] == nil || mill.Schemes[1].Employer != 1800 {
			t.Errorf("2002-03 mill: %+v", mill)
		}
		if !side.Imported || side.Paid || side.Status != "未到账" || side.Schemes[1] != nil {
			t.Errorf("2002-03 side job: %+v", side)
		}
		if flex := h.Months[2]; flex.Payer != "灵活就业" || !flex.Imported || flex.Schemes[0].Individual != 80000 {
			t.Errorf("2015-06: %+v", flex)
		}
		if last := h.Months[3]; last.Imported || last.Status != "已缴清" || !last.Paid {
			t.Errorf("assessed 2024-01: %+v", last)
		}
	})
}

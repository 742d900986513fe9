package certificate_test

import (
	"context"
	"strings"
	"testing"

	"shebao/internal/certificate"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
)

// Years brought over by a merged transfer in are in the person's history,
// flagged with the old agency; a transfer in still open and a transfer out
// are not.
func TestHistoryShowsTransferredYears(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, certificate.Options{Issuer: "示例中心"})
		add := func(no, direction, status, agency string, years ...int) {
			var id int64
			if err := d.W.QueryRowContext(ctx, `INSERT INTO transfers (transfer_no, direction, person_id, other_agency, status,
				step_started_on, step_due_on, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, '2024-01-02', '2024-01-23', $6, $6)
				RETURNING id`, no, direction, f.personA, agency, status, f.clock.Now()).Scan(&id); err != nil {
				t.Fatal(err)
			}
			for _, y := range years {
				if _, err := d.W.ExecContext(ctx, `INSERT INTO transfer_years (transfer_id, year, months, wages_fen, account_fen)
					VALUES ($1, $2, 12, 6000000, 480000)`, id, y); err != nil {
					t.Fatal(err)
				}
			}
		}
		add("ZR-1", "in", "merged", "河北省石家庄市社会保险事业管理局", 2015, 2016)
		add("ZR-2", "out", "closed", "天津市社会保险基金管理中心", 2017)
		h, err := f.svc.History(ctx, personActor(f.personA), f.personA)
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Transferred) != 2 || h.Transferred[0].Year != 2015 || h.Transferred[0].Agency != "河北省石家庄市社会保险事业管理局" ||
			h.Transferred[1].Months != 12 || h.Transferred[1].Account != 480000 {
			t.Fatalf("transferred years %+v", h.Transferred)
		}
		if _, err := d.W.ExecContext(ctx, `UPDATE transfers SET status = 'refused' WHERE transfer_no = 'ZR-1'`); err != nil {
			t.Fatal(err)
		}
		if h, _ = f.svc.History(ctx, personActor(f.personA), f.personA); len(h.Transferred) != 0 {
			t.Fatalf("years of a transfer not merged: %+v", h.Transferred)
		}
	})
}

// The payment certificate lists the years of a merged transfer in, marked
// with the old agency; a transfer out's years are not among them.
func TestCertificateShowsTransferredYears(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d, certificate.Options{Issuer: "示例中心"})
		for _, tr := range []struct {
			no, dir, status, agency string
			year                    int
		}{{"ZR-1", "in", "merged", "河北省石家庄市社会保险事业管理局", 2015}, {"ZR-2", "out", "closed", "天津市社会保险基金管理中心", 2017}} {
			var id int64
			if err := d.W.QueryRowContext(ctx, `INSERT INTO transfers (transfer_no, direction, person_id, other_agency, status,
				step_started_on, step_due_on, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, '2024-01-02', '2024-01-23', $6, $6)
				RETURNING id`, tr.no, tr.dir, f.personA, tr.agency, tr.status, f.clock.Now()).Scan(&id); err != nil {
				t.Fatal(err)
			}
			if _, err := d.W.ExecContext(ctx, `INSERT INTO transfer_years (transfer_id, year, months, wages_fen, account_fen)
				VALUES ($1, $2, 10, 6000000, 480000)`, id, tr.year); err != nil {
				t.Fatal(err)
			}
		}
		c, err := f.svc.IssueForPerson(ctx, personActor(f.personA), f.personA, "2010-01", "2020-12")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range c.Content.Rows {
			got = append(got, strings.Join(r, "|"))
		}
		all := strings.Join(got, "\n")
		if !strings.Contains(all, "2015年（10个月）|转入：河北省石家庄市社会保险事业管理局|养老|||外地转入") || strings.Contains(all, "天津") ||
			c.Content.Note != certificate.TransferredNote {
			t.Fatalf("certificate rows:\n%s\nnote %q", all, c.Content.Note)
		}
	})
}

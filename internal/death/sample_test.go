package death

import (
	"testing"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

// TestCivilSample: the sample register file built from the data holds a
// pensioner as recorded (applied), another with a different name (review)
// and the death reported last (a duplicate); only 保险福利科 gets it.
func TestCivilSample(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		var ids []string
		for _, name := range []string{"王大明", "李二华", "赵三"} {
			pid, idn := e.person(t, name, "retiree", "1994-12", "2024-11")
			if _, err := d.W.ExecContext(ctxBg, `INSERT INTO pensioners (person_id, name, id_number, first_month, status, created_by,
				created_at, updated_at) VALUES ($1, $2, $3, '2025-01', 'active', 'test', $4, $4)`, pid, name, idn, testNow); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, idn)
		}
		if _, err := e.s.Report(ctxBg, e.c1, ReportInput{IDNumber: ids[2], Date: "2026-05-01", CertificateNo: "HZ0099"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.CivilSample(ctxBg, &access.Actor{UserID: 9, Role: access.RoleStaff, Sections: []access.Section{access.Fund}}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("another section: %v", err)
		}
		file, err := e.s.CivilSample(ctxBg, e.c1)
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.s.ImportCivil(ctxBg, e.c1, "sample.csv", file)
		if err != nil {
			t.Fatalf("%v\n%s", err, file)
		}
		if res.Rows != 3 || res.Applied != 1 || res.Review != 1 || res.Duplicates != 1 {
			t.Fatalf("sample import %+v\n%s", res, file)
		}
	})
}

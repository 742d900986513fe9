package contribution

import (
	"bytes"
	"database/sql"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

// personNo returns the ID number and name of a person made by env.staff.
func personNo(t *testing.T, d *db.DB, id int64) (string, string) {
	t.Helper()
	var n, name string
	if err := d.W.QueryRow(`SELECT id_number, name FROM persons WHERE id = $1`, id).Scan(&n, &name); err != nil {
		t.Fatal(err)
	}
	return n, name
}

const recordHeader = "公民身份号码,姓名,费款所属期,险种,缴费类型,缴费单位名称,单位社保编号,缴费基数（元）,单位缴费（元）,个人缴费（元）,是否到账\n"

// TestImportRecordsAllOrNothing: a file with any bad row writes nothing
// and reports every problem by row and column; the corrected file is
// applied once, in one transaction, and kept apart from assessed months.
func TestImportRecordsAllOrNothing(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, false)
		emp := e.employer(t, 1, 1_000_000)
		p1 := e.staff(t, emp, "2023-06", "", 800000, 800000)
		p2 := e.staff(t, emp, "2023-06", "", 800000, 800000)
		e.assess(t, "2023-12")
		b := e.billOf(t, emp, "2023-12")
		if _, err := e.s.Confirm(ctxBg, employerActor(emp), b.ID, b.Version); err != nil {
			t.Fatal(err)
		}
		id1, name1 := personNo(t, d, p1)
		id2, name2 := personNo(t, d, p2)
		var empNo string
		d.W.QueryRow(`SELECT employer_no FROM employers WHERE id = $1`, emp).Scan(&empNo)
		good := recordHeader +
			id1 + "," + name1 + ",2003-07,养老,单位,北京第二机床厂,,1200.00,240.00,96.00,是\n" +
			id1 + "," + name1 + ",2003-07,失业,单位,北京第二机床厂,,1200,18,6,是\n" +
			id1 + "," + name1 + ",2010-02,养老,单位,," + empNo + ",3000,600,240,否\n" +
			id2 + "," + name2 + ",2015-05,养老,灵活就业,,,4000,0,800,是\n"
		bad := good +
			"110105198001010000,某人,2003-07,养老,单位,某厂,,1000,200,80,是\n" + // unknown person (bad check digit too)
			id2 + ",别人,2015-06,养老,灵活就业,,,4000,0,800,是\n" + // name differs
			id1 + "," + name1 + ",2023-12,养老,单位,某厂,,8000,1280,640,是\n" + // assessed in Shebao
			id1 + "," + name1 + ",2003-07,养老,单位,北京第二机床厂,,1200,240,96,是\n" + // duplicate
			id2 + "," + name2 + ",2016-01,工伤,单位,某厂,,4000,8,1,是\n" + // injury individual share
			id2 + "," + name2 + ",1985-12,养老,单位,某厂,,100,20,8,是\n" + // too early
			id2 + "," + name2 + ",2016-02,养老,灵活就业,,,4000,5,800,也许\n" // flexible employer share, paid flag
		rep, err := e.s.ImportRecords(ctxBg, clerk, "bad.csv", []byte(bad))
		if err != nil {
			t.Fatal(err)
		}
		text := problemText(rep)
		for _, want := range []string{"6 A 列（公民身份号码）", "7 B 列（姓名）: 姓名与本系统登记的不一致", "8 C 列（费款所属期）: 该月该险种已在本系统核定",
			"9 C 列（费款所属期）: 与第 2 行重复", "10 J 列（个人缴费（元））: 工伤保险个人不缴费", "11 C 列（费款所属期）: 费款所属期应在 1986-01",
			"12 I 列（单位缴费（元））: 灵活就业人员没有单位缴费", "12 K 列（是否到账）"} {
			if !strings.Contains(text, want) {
				t.Errorf("report lacks %q:\n%s", want, text)
			}
		}
		if rep.Applied() || rep.ID == 0 || countRecords(t, d) != 0 {
			t.Fatalf("bad file: applied %v id %d, %d records written", rep.Applied(), rep.ID, countRecords(t, d))
		}
		rep, err = e.s.ImportRecords(ctxBg, clerk, "good.csv", []byte(good))
		if err != nil || !rep.Applied() || rep.Rows != 4 || rep.Persons != 2 || len(rep.Problems) != 0 {
			t.Fatalf("good file: %+v %v", rep, err)
		}
		if n := countRecords(t, d); n != 4 {
			t.Fatalf("%d records, want 4", n)
		}
		var paid bool
		var empID sql.NullInt64
		d.W.QueryRow(`SELECT paid, employer_id FROM contribution_records WHERE fee_month = '2010-02'`).Scan(&paid, &empID)
		if paid || empID.Int64 != emp {
			t.Errorf("2010-02: paid %v employer %v", paid, empID)
		}
		_, err = e.s.ImportRecords(ctxBg, clerk, "again.csv", []byte(good))
		if ee := errs.As(err); ee == nil || ee.Code != "already_imported" {
			t.Fatalf("same file again: %v", err)
		}
		if _, err := e.s.ImportRecords(ctxBg, fund, "x.csv", []byte(good)); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("fund section imports: %v", err)
		}
		list, err := e.s.RecordImports(ctxBg, clerk)
		if err != nil || len(list) != 2 {
			t.Fatalf("imports: %+v %v", list, err)
		}
		got, err := e.s.RecordImportOf(ctxBg, clerk, list[1].ID)
		if err != nil || len(got.Problems) < 8 {
			t.Fatalf("stored report of the rejected file: %+v %v", got, err)
		}
	})
}

// TestImportRecordsFromTemplate: the downloaded template, filled in Excel,
// imports; a wrong header names the missing column.
func TestImportRecordsFromTemplate(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, false)
		p := e.staff(t, e.employer(t, 1, 1_000_000), "2023-06", "", 800000, 800000)
		idn, name := personNo(t, d, p)
		var tpl bytes.Buffer
		if err := RecordTemplate(testNow).Write(&tpl); err != nil {
			t.Fatal(err)
		}
		f, err := excelize.OpenReader(&tpl)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range []string{"1999-01", "1999-02", "1999-03"} {
			row := []any{idn, name, m, "养老", "单位", "北京第二机床厂", "", "800", "160", "64", "是"}
			if err := f.SetSheetRow(RecordsSheet, "A"+strconv.Itoa(i+2), &row); err != nil {
				t.Fatal(err)
			}
		}
		var out bytes.Buffer
		f.Write(&out)
		rep, err := e.s.ImportRecords(ctxBg, clerk, "历史.xlsx", out.Bytes())
		if err != nil || !rep.Applied() || rep.Rows != 3 {
			t.Fatalf("template import: %+v %v", rep, err)
		}
		_, err = e.s.ImportRecords(ctxBg, clerk, "x.csv", []byte("公民身份号码,姓名,月份\n1,2,3\n"))
		if ee := errs.As(err); ee == nil || len(ee.Fields) != 1 || ee.Fields[0].Field != "file" || !strings.Contains(ee.Fields[0].Message, "“费款所属期”") {
			t.Fatalf("wrong header: %v", err)
		}
	})
}

func problemText(r *RecordImport) string {
	var b strings.Builder
	for _, p := range r.Problems {
		b.WriteString(strings.TrimSpace(strings.Join([]string{strconv.Itoa(p.Row), p.Column + ":", p.Message}, " ")) + "\n")
	}
	return b.String()
}

func countRecords(t *testing.T, d *db.DB) int {
	t.Helper()
	var n int
	d.W.QueryRow(`SELECT COUNT(*) FROM contribution_records`).Scan(&n)
	return n
}

// TestPersonMonths: pension work reads assessed and imported months
// together, oldest first, each with its source, base, shares and paid flag.
func TestPersonMonths(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, false)
		emp := e.employer(t, 1, 1_000_000)
		p := e.staff(t, emp, "2023-06", "", 800000, 800000)
		e.assess(t, "2023-12")
		e.assess(t, "2024-01")
		b := e.billOf(t, emp, "2023-12")
		if _, err := e.s.Confirm(ctxBg, employerActor(emp), b.ID, b.Version); err != nil {
			t.Fatal(err)
		}
		err := d.WithTx(ctxBg, func(tx *sql.Tx) error {
			return InsertRecords(ctxBg, tx, []Record{{PersonID: p, Month: "2003-07", Scheme: Pension, PayerKind: "employer",
				PayerName: "北京第二机床厂", Base: 120000, Employer: 24000, Individual: 9600, Paid: true}}, SourceImport, 0, testNow)
		})
		if err != nil {
			t.Fatal(err)
		}
		ms, err := PersonMonths(ctxBg, d.Read(), p)
		if err != nil {
			t.Fatal(err)
		}
		// 2003-07 imported; 2023-12 confirmed (3 schemes, unpaid); the 2024-01 draft is not a contribution.
		if len(ms) != 4 || ms[0].Month != "2003-07" || ms[0].Source != MonthImported || !ms[0].Paid || ms[0].Individual != 9600 {
			t.Fatalf("months: %+v", ms)
		}
		if m := ms[2]; m.Month != "2023-12" || m.Source != MonthAssessed || m.Scheme != Pension || m.Base != 800000 ||
			m.Individual != 64000 || m.Employer != 128000 || m.Paid || m.EmployerID != emp {
			t.Fatalf("assessed pension month: %+v", m)
		}
	})
}

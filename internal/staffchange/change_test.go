package staffchange_test

import (
	"context"
	"strings"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/policy"
	"shebao/internal/staffchange"
)

// TestClampWorkedExample: the employees X, Y and Z of docs/rules.md §2.2
// with A = 8,000.
func TestClampWorkedExample(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		cases := []struct {
			name, wage string
			base       money.Fen
			note       string
		}{
			{"X", "3900", money.Yuan(4800), "申报工资 3,900.00 元低于下限，按 4,800 元缴费"},
			{"Y", "12,345.67", money.Yuan(12346), "申报工资 12,345.67 元，缴费基数取整为 12,346 元"},
			{"Z", "30000.00", money.Yuan(24000), "申报工资 30,000.00 元高于上限，按 24,000 元缴费"},
			{"W", "8000", money.Yuan(8000), ""},
		}
		for i, c := range cases {
			res, err := e.s.Add(context.Background(), e.bossA, e.empA, staffchange.AddInput{IDNumber: idNo(i + 1),
				Name: "职工" + c.name, StartMonth: "2024-02", Wage: c.wage})
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if res.Staff.Base != c.base || res.Note != c.note {
				t.Errorf("%s: base %v note %q, want %v %q", c.name, res.Staff.Base, res.Note, c.base, c.note)
			}
			var base, declared int64
			d.W.QueryRow(`SELECT base_fen, declared_fen FROM employments WHERE id = $1`, res.Staff.EmploymentID).Scan(&base, &declared)
			want, _ := money.ParseYuan(c.wage)
			if money.Fen(base) != c.base || money.Fen(declared) != want {
				t.Errorf("%s: stored base %d declared %d", c.name, base, declared)
			}
		}
	})
}

func TestAddRemoveCorrect(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		id := idNo(7)
		res, err := e.s.Add(ctx, e.bossA, e.empA, staffchange.AddInput{IDNumber: " " + strings.ToLower(id) + " ",
			Name: "王小丽", StartMonth: "2024/2", Wage: "9000", Phone: "13812345678"})
		if err != nil {
			t.Fatal(err)
		}
		st := res.Staff
		if st.StartMonth != "2024-02" || st.IDNumber != id || len(res.Flags) != 0 {
			t.Fatalf("added %+v flags %v", st, res.Flags)
		}
		list, total, err := e.s.List(ctx, e.bossA, e.empA, staffchange.Filter{}, 1, 50)
		if err != nil || total != 1 || list[0].IDNumber == id || !strings.HasSuffix(list[0].IDNumber, id[14:]) {
			t.Fatalf("list = %+v %d %v (ID must be masked)", list, total, err)
		}
		if _, n, _ := e.s.List(ctx, e.bossA, e.empA, staffchange.Filter{Q: "小丽"}, 1, 50); n != 1 {
			t.Errorf("search by name: %d", n)
		}
		if _, n, _ := e.s.List(ctx, e.bossA, e.empA, staffchange.Filter{Q: id[10:]}, 1, 50); n != 1 {
			t.Errorf("search by ID digits: %d", n)
		}
		if _, n, _ := e.s.List(ctx, e.bossA, e.empA, staffchange.Filter{Q: "张"}, 1, 50); n != 0 {
			t.Errorf("search miss: %d", n)
		}
		got, err := e.s.Get(ctx, e.bossA, e.empA, st.EmploymentID)
		if err != nil || got.IDNumber != id || got.Phone != "13812345678" {
			t.Fatalf("detail = %+v, %v", got, err)
		}
		_, err = e.s.Add(ctx, e.bossA, e.empA, staffchange.AddInput{IDNumber: id, Name: "王小丽", StartMonth: "2024-03", Wage: "9000"})
		if wantKind(t, err, errs.Conflict).Code != "already_staff" {
			t.Errorf("adding twice: %v", err)
		}

		// Base correction before assessment, then refused once confirmed.
		cr, err := e.s.CorrectBase(ctx, e.bossA, e.empA, st.EmploymentID, staffchange.BaseInput{Month: "2024-02", Wage: "3000", Reason: "工资填错"})
		if err != nil || cr.Staff.Base != money.Yuan(4800) || cr.Staff.Declared != money.Yuan(3000) {
			t.Fatalf("correct = %+v, %v", cr, err)
		}
		wantField(t, errOnly(e.s.CorrectBase(ctx, e.bossA, e.empA, st.EmploymentID, staffchange.BaseInput{Month: "2024-02", Wage: "3000"})), "reason")
		wantField(t, errOnly(e.s.CorrectBase(ctx, e.bossA, e.empA, st.EmploymentID, staffchange.BaseInput{Month: "2024-01", Wage: "3000", Reason: "x"})), "month")
		if _, err := d.W.Exec(`INSERT INTO bills (bill_no, payer_kind, employer_id, fee_month, status, assessed_at)
			VALUES ('B1', 'employer', $1, '2024-02', 'confirmed', $2)`, e.empA, e.clock.Now()); err != nil {
			t.Fatal(err)
		}
		_, err = e.s.CorrectBase(ctx, e.bossA, e.empA, st.EmploymentID, staffchange.BaseInput{Month: "2024-02", Wage: "9500", Reason: "调薪"})
		if x := wantKind(t, err, errs.Conflict); x.Message != "该月已核定确认，请向统筹科申请更正" {
			t.Errorf("confirmed month: %v", err)
		}
		if _, err := e.s.CorrectBase(ctx, e.bossA, e.empA, st.EmploymentID, staffchange.BaseInput{Month: "2024-03", Wage: "9500", Reason: "调薪"}); err != nil {
			t.Errorf("next month, not assessed: %v", err)
		}

		// Removal.
		wantField(t, errOnly(e.s.Remove(ctx, e.bossA, e.empA, st.EmploymentID, staffchange.RemoveInput{EndMonth: "2024-02", Reason: "跳槽"})), "reason")
		wantField(t, errOnly(e.s.Remove(ctx, e.bossA, e.empA, st.EmploymentID, staffchange.RemoveInput{EndMonth: "2024-01", Reason: "离职"})), "end_month")
		rm, err := e.s.Remove(ctx, e.bossA, e.empA, st.EmploymentID, staffchange.RemoveInput{EndMonth: "2024-03", Reason: "离职"})
		if err != nil || rm.EndMonth != "2024-03" {
			t.Fatalf("remove = %+v, %v", rm, err)
		}
		_, err = e.s.Remove(ctx, e.bossA, e.empA, st.EmploymentID, staffchange.RemoveInput{EndMonth: "2024-03", Reason: "离职"})
		wantKind(t, err, errs.Conflict)
		if _, n, _ := e.s.List(ctx, e.bossA, e.empA, staffchange.Filter{}, 1, 50); n != 0 {
			t.Errorf("current staff after removal: %d", n)
		}
		hist, err := e.s.History(ctx, e.bossA, e.empA, st.EmploymentID)
		if err != nil || len(hist) != 4 || hist[0].Kind != "add" || hist[3].Kind != "remove" || hist[1].OldBase != money.Yuan(9000) {
			t.Errorf("history = %+v, %v", hist, err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action LIKE 'staff.%'`); n != 4 {
			t.Errorf("%d audit entries, want 4", n)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE CAST(after_json AS TEXT) LIKE $1 OR CAST(before_json AS TEXT) LIKE $1`, "%"+id+"%"); n != 0 {
			t.Errorf("clear ID number in %d audit entries", n)
		}
	})
}

func errOnly(_ any, err error) error { return err }

func TestAddInvalid(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		good := idNo(3)
		cases := []struct {
			name  string
			in    staffchange.AddInput
			field string
		}{
			{"bad checksum", staffchange.AddInput{IDNumber: good[:17] + "0", Name: "甲", StartMonth: "2024-02", Wage: "5000"}, "id_number"},
			{"no name", staffchange.AddInput{IDNumber: good, StartMonth: "2024-02", Wage: "5000"}, "name"},
			{"month after next", staffchange.AddInput{IDNumber: good, Name: "甲", StartMonth: "2024-04", Wage: "5000"}, "start_month"},
			{"bad month", staffchange.AddInput{IDNumber: good, Name: "甲", StartMonth: "2024-13", Wage: "5000"}, "start_month"},
			{"before the employer existed", staffchange.AddInput{IDNumber: good, Name: "甲", StartMonth: "2019-12", Wage: "5000"}, "start_month"},
			{"three decimals", staffchange.AddInput{IDNumber: good, Name: "甲", StartMonth: "2024-02", Wage: "5000.123"}, "wage"},
			{"negative wage", staffchange.AddInput{IDNumber: good, Name: "甲", StartMonth: "2024-02", Wage: "-5000"}, "wage"},
			{"bad phone", staffchange.AddInput{IDNumber: good, Name: "甲", StartMonth: "2024-02", Wage: "5000", Phone: "123"}, "phone"},
		}
		for _, c := range cases {
			_, err := e.s.Add(ctx, e.bossA, e.empA, c.in)
			e := errs.As(err)
			if e == nil || e.Kind != errs.Invalid || !errs.Fields(e.Fields).Has(c.field) {
				t.Errorf("%s: want Invalid on %s, got %v", c.name, c.field, err)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM persons`); n != 0 {
			t.Errorf("%d persons written by invalid input", n)
		}
		// Next month is allowed; a month long past is accepted and flagged.
		if _, err := e.s.Add(ctx, e.bossA, e.empA, staffchange.AddInput{IDNumber: idNo(4), Name: "乙", StartMonth: "2024-03", Wage: "5000"}); err != nil {
			t.Errorf("next month: %v", err)
		}
		res, err := e.s.Add(ctx, e.bossA, e.empA, staffchange.AddInput{IDNumber: idNo(5), Name: "丙", StartMonth: "2023-10", Wage: "5000"})
		if err != nil || len(res.Flags) != 1 || res.Flags[0] != staffchange.FlagLate {
			t.Errorf("late start: %+v, %v", res, err)
		}
		// The same ID number under another name is refused.
		_, err = e.s.Add(ctx, e.bossB, e.empB, staffchange.AddInput{IDNumber: idNo(4), Name: "乙乙", StartMonth: "2024-03", Wage: "5000"})
		wantField(t, err, "name")
		// A person recorded as deceased is not added, by form or by file.
		if _, err := d.W.Exec(`UPDATE persons SET status = 'deceased' WHERE id_number = $1`, idNo(5)); err != nil {
			t.Fatal(err)
		}
		_, err = e.s.Add(ctx, e.bossB, e.empB, staffchange.AddInput{IDNumber: idNo(5), Name: "丙", StartMonth: "2024-03", Wage: "5000"})
		if wantKind(t, err, errs.Conflict).Code != "person_deceased" {
			t.Errorf("deceased: %v", err)
		}
		rep, err := e.s.Import(ctx, e.bossB, e.empB, "d.xlsx", xlsx(t, headers, [][]any{addRow(5, "丙", "2024-03", "5000")}))
		if err != nil || rep.Applied() || !strings.Contains(rep.Problems[0].Message, "已登记死亡") {
			t.Errorf("deceased by file: %+v, %v", rep, err)
		}
	})
}

// TestAuthorization: an employer cannot see or change another's staff.
func TestAuthorization(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		res, err := e.s.Add(ctx, e.bossA, e.empA, staffchange.AddInput{IDNumber: idNo(1), Name: "甲", StartMonth: "2024-02", Wage: "5000"})
		if err != nil {
			t.Fatal(err)
		}
		id := res.Staff.EmploymentID
		// B through its own employer: A's employment is not found.
		wantKind(t, errOnly(e.s.Get(ctx, e.bossB, e.empB, id)), errs.NotFound)
		wantKind(t, errOnly(e.s.Remove(ctx, e.bossB, e.empB, id, staffchange.RemoveInput{EndMonth: "2024-02", Reason: "离职"})), errs.NotFound)
		wantKind(t, errOnly(e.s.CorrectBase(ctx, e.bossB, e.empB, id, staffchange.BaseInput{Month: "2024-02", Wage: "9000", Reason: "x"})), errs.NotFound)
		// B naming A's employer: forbidden.
		wantKind(t, errOnly(e.s.Get(ctx, e.bossB, e.empA, id)), errs.Forbidden)
		wantKind(t, errOnly(e.s.Add(ctx, e.bossB, e.empA, staffchange.AddInput{})), errs.Forbidden)
		_, _, err = e.s.List(ctx, nil, e.empA, staffchange.Filter{}, 1, 10)
		wantKind(t, err, errs.Unauthenticated)
		wantKind(t, errOnly(e.s.Conflicts(ctx, e.bossA, "")), errs.Forbidden)
		wantKind(t, errOnly(e.s.Conflicts(ctx, fundClerk, "")), errs.Forbidden)
		if st, err := e.s.Get(ctx, e.bossA, e.empA, id); err != nil || st.Base != money.Yuan(5000) {
			t.Errorf("A's own staff: %+v %v", st, err)
		}
	})
}

// TestLateAcceptedInEmergency: a start month long past is accepted and
// flagged late_accepted while an emergency's late_accepted measure is in
// force, in forms and imports alike.
func TestLateAcceptedInEmergency(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		if _, err := e.policy.Declare(ctx, admin, policy.Epidemic2024()); err != nil {
			t.Fatal(err)
		}
		res, err := e.s.Add(ctx, e.bossA, e.empA, staffchange.AddInput{IDNumber: idNo(21), Name: "甲", StartMonth: "2023-11", Wage: "6000"})
		if err != nil || len(res.Flags) != 1 || res.Flags[0] != staffchange.FlagLateAccepted {
			t.Fatalf("late add in emergency: %+v, %v", res, err)
		}
		rep, err := e.s.Import(ctx, e.bossA, e.empA, "late.xlsx", xlsx(t, headers, [][]any{addRow(22, "乙", "2023-12", "6000")}))
		if err != nil || !rep.Applied() {
			t.Fatalf("late import: %+v, %v", rep, err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM staff_changes WHERE flags = 'late_accepted'`); n != 2 {
			t.Errorf("%d changes flagged late_accepted, want 2", n)
		}
	})
}

package policy_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/policy"
)

func declare2024(t *testing.T, s *policy.Service) policy.Emergency {
	t.Helper()
	e, err := s.Declare(context.Background(), admin, policy.Epidemic2024())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestDeclareAndMeasures(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newService(t, d, "2024-02-10")
		e := declare2024(t, s)
		if e.ID == 0 || e.End != nil || e.MakeUpUntil != nil || e.OriginalsDue != nil || e.Version != 1 {
			t.Fatalf("declared: %+v", e)
		}
		got, err := s.EmergencyByID(ctx, e.ID)
		if err != nil || !slices.Equal(got.Measures, policy.AllMeasures) ||
			!slices.Equal(got.Params[policy.MeasureCollectionExtended].FeeMonths, []string{"2024-01", "2024-02"}) ||
			got.Params[policy.MeasureDeferredOriginals].DaysAfterEnd != 30 || got.StartDay() != "2024-01-23" {
			t.Fatalf("stored: %+v %v", got, err)
		}
		cases := []struct {
			day  string
			m    policy.Measure
			want bool
		}{
			{"2024-01-22", policy.MeasureLateFeeWaived, false},
			{"2024-01-23", policy.MeasureLateFeeWaived, true},
			{"2030-01-01", policy.MeasureCashRefused, true}, // open until an end is declared
		}
		for _, c := range cases {
			em, err := s.MeasureInForce(ctx, date(t, c.day), c.m)
			if err != nil || (em != nil) != c.want {
				t.Fatalf("%s %s: %v %v", c.day, c.m, em, err)
			}
			if em != nil && em.LegalBasis != "人社厅明电〔2024〕7号" {
				t.Fatalf("basis %q", em.LegalBasis)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = 'policy.emergency.declare'`); n != 1 {
			t.Fatalf("%d declare audit entries", n)
		}
		_, err = s.Declare(ctx, clerk, policy.Epidemic2024())
		wantKind(t, err, errs.Forbidden)
	})
}

func TestDeclareValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newService(t, d, "2024-02-10")
		mod := func(f func(*policy.DeclareInput)) policy.DeclareInput {
			in := policy.Epidemic2024()
			f(&in)
			return in
		}
		cases := []struct {
			in    policy.DeclareInput
			field string
		}{
			{mod(func(in *policy.DeclareInput) { in.Title = "" }), "title"},
			{mod(func(in *policy.DeclareInput) { in.Start = "2024-1-23" }), "start"},
			{mod(func(in *policy.DeclareInput) { in.End = "2024-01-01" }), "end"},
			{mod(func(in *policy.DeclareInput) { in.LegalBasis = " " }), "legal_basis"},
			{mod(func(in *policy.DeclareInput) { in.Measures = nil }), "measures"},
			{mod(func(in *policy.DeclareInput) { in.Measures = []policy.Measure{"free_beer"} }), "measures"},
			{mod(func(in *policy.DeclareInput) { in.FeeMonths = nil }), "fee_months"},
			{mod(func(in *policy.DeclareInput) { in.FeeMonths = []string{"2024-13"} }), "fee_months"},
			{mod(func(in *policy.DeclareInput) { in.CollectionDue = "" }), "collection_due"},
			{mod(func(in *policy.DeclareInput) { in.CollectionDue = "2024-02-28" }), "collection_due"},
			{mod(func(in *policy.DeclareInput) { in.OriginalsDays = 999 }), "originals_days"},
		}
		for _, c := range cases {
			_, err := s.Declare(context.Background(), admin, c.in)
			e := wantKind(t, err, errs.Invalid)
			if !slices.ContainsFunc(e.Fields, func(f errs.FieldError) bool { return f.Field == c.field }) {
				t.Fatalf("want field %s, got %+v", c.field, e.Fields)
			}
		}
		if n := count(t, d, `SELECT COUNT(*) FROM emergencies`); n != 0 {
			t.Fatalf("invalid declarations stored %d rows", n)
		}
		// Without collection_extended, fee months are not required.
		in := mod(func(in *policy.DeclareInput) {
			in.Measures, in.FeeMonths, in.CollectionDue = []policy.Measure{policy.MeasureCashRefused}, nil, ""
		})
		if _, err := s.Declare(context.Background(), admin, in); err != nil {
			t.Fatal(err)
		}
	})
}

func TestCollectionDue(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newService(t, d, "2024-02-10")
		declare2024(t, s)
		cases := []struct{ month, due, basis string }{
			{"2023-12", "2024-01-15", "次月15日"},
			{"2024-01", "2024-03-31", "人社厅明电〔2024〕7号"},
			{"2024-02", "2024-03-31", "2024年1月、2月社保费征收期延长至2024年3月31日"},
			{"2024-03", "2024-04-15", "次月15日"},
			{"2024-04", "2024-05-15", "次月15日"},
		}
		for _, c := range cases {
			due, basis, err := s.CollectionDue(ctx, c.month)
			if err != nil || dayOf(due) != c.due || !strings.Contains(basis, c.basis) {
				t.Errorf("%s: %s %q %v, want %s %q", c.month, dayOf(due), basis, err, c.due, c.basis)
			}
		}
		_, _, err := s.CollectionDue(ctx, "2024/01")
		wantKind(t, err, errs.Invalid)
	})
}

func TestSetEndRecomputesDeadlinesAndRunsListeners(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newService(t, d, "2024-02-10")
		var seen []string
		s.OnEndChanged(func(ctx context.Context, tx *sql.Tx, e policy.Emergency) error {
			seen = append(seen, e.EndDay())
			// A listener writes through tx: here it touches a policy row.
			_, err := tx.ExecContext(ctx, `UPDATE policy_state SET revision = revision WHERE id = 1`)
			return err
		})
		e := declare2024(t, s)
		if !slices.Equal(seen, []string{""}) {
			t.Fatalf("declare: listener saw %q", seen)
		}
		// The confirm step previews without storing.
		before, after, err := s.PreviewEnd(ctx, admin, e.ID, "2024-03-31")
		if err != nil || before.End != nil || dayOf(*after.MakeUpUntil) != "2024-06-30" {
			t.Fatalf("preview: %+v %+v %v", before, after, err)
		}
		if got, _ := s.EmergencyByID(ctx, e.ID); got.End != nil || got.Version != 1 {
			t.Fatalf("preview stored something: %+v", got)
		}
		ended, err := s.SetEnd(ctx, admin, e.ID, e.Version, "2024-03-31")
		if err != nil {
			t.Fatal(err)
		}
		// 2024-03-31 + 3 months = 2024-06-30 (month end); originals 30 days after.
		if ended.EndDay() != "2024-03-31" || dayOf(*ended.MakeUpUntil) != "2024-06-30" || dayOf(*ended.OriginalsDue) != "2024-04-30" || ended.Version != 2 {
			t.Fatalf("ended: %+v", ended)
		}
		if !slices.Equal(seen, []string{"", "2024-03-31"}) {
			t.Fatalf("listener saw %q", seen)
		}
		stored, _ := s.EmergencyByID(ctx, e.ID)
		if dayOf(*stored.MakeUpUntil) != "2024-06-30" || dayOf(*stored.OriginalsDue) != "2024-04-30" {
			t.Fatalf("derived deadlines not stored: %+v", stored)
		}
		if em, _ := s.MeasureInForce(ctx, date(t, "2024-04-01"), policy.MeasureLateFeeWaived); em != nil {
			t.Fatal("measure still in force after the end")
		}
		if em, _ := s.MeasureInForce(ctx, date(t, "2024-03-31"), policy.MeasureLateFeeWaived); em == nil {
			t.Fatal("measure not in force on the last day")
		}

		// A stale edit is refused and changes nothing.
		_, err = s.SetEnd(ctx, admin, e.ID, 1, "2024-04-15")
		if e := wantKind(t, err, errs.Conflict); e.Code != "stale_version" {
			t.Fatalf("code %s", e.Code)
		}
		// Changing the end date moves the derived deadlines with it.
		moved, err := s.SetEnd(ctx, admin, e.ID, 2, "2024-04-15")
		if err != nil || dayOf(*moved.MakeUpUntil) != "2024-07-15" || dayOf(*moved.OriginalsDue) != "2024-05-15" {
			t.Fatalf("moved: %+v %v", moved, err)
		}
		// Reopening clears them.
		open, err := s.SetEnd(ctx, admin, e.ID, 3, "")
		if err != nil || open.End != nil || open.MakeUpUntil != nil || open.OriginalsDue != nil {
			t.Fatalf("reopen: %+v %v", open, err)
		}
		_, err = s.SetEnd(ctx, admin, e.ID, 4, "2024-01-01")
		wantKind(t, err, errs.Invalid)
		_, err = s.SetEnd(ctx, clerk, e.ID, 4, "2024-04-30")
		wantKind(t, err, errs.Forbidden)
		_, err = s.SetEnd(ctx, admin, 9999, 1, "2024-04-30")
		wantKind(t, err, errs.NotFound)
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = 'policy.emergency.end'`); n != 3 {
			t.Fatalf("%d end audit entries, want 3", n)
		}
	})
}

func TestFailingListenerRollsBackEndChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, _ := newService(t, d, "2024-02-10")
		e := declare2024(t, s)
		boom := errs.New(errs.Conflict, "case_locked", "有业务正在办理，暂不能调整")
		var saw string
		s.OnEndChanged(func(ctx context.Context, tx *sql.Tx, e policy.Emergency) error {
			saw = e.EndDay()
			// Write something first, to prove it is rolled back too.
			if _, err := tx.ExecContext(ctx, `INSERT INTO calendar_days (day, kind, name, created_by, created_at) VALUES ('2024-04-01', 'holiday', 'x', 't', $1)`, e.UpdatedAt); err != nil {
				return err
			}
			return boom
		})
		_, err := s.SetEnd(ctx, admin, e.ID, e.Version, "2024-03-31")
		if !errors.Is(err, boom) {
			t.Fatalf("got %v", err)
		}
		if saw != "2024-03-31" {
			t.Fatalf("listener saw end %q", saw)
		}
		got, _ := s.EmergencyByID(ctx, e.ID)
		if got.End != nil || got.MakeUpUntil != nil || got.Version != 1 {
			t.Fatalf("end change not rolled back: %+v", got)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM calendar_days WHERE day = '2024-04-01'`); n != 0 {
			t.Fatal("listener's write not rolled back")
		}
		if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = 'policy.emergency.end'`); n != 0 {
			t.Fatal("audit entry of a rolled-back change")
		}
		if em, _ := s.MeasureInForce(ctx, date(t, "2024-04-10"), policy.MeasureLateFeeWaived); em == nil {
			t.Fatal("cache shows the rolled-back end")
		}
	})
}

func TestBanner(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		s, c := newService(t, d, "2024-01-22")
		e := declare2024(t, s)
		if b, err := s.Banner(ctx); err != nil || b != nil {
			t.Fatalf("banner before the start: %+v %v", b, err)
		}
		c.Set(date(t, "2024-02-10").Add(9 * 3600e9))
		b, err := s.Banner(ctx)
		if err != nil || b == nil {
			t.Fatalf("no banner: %v", err)
		}
		want := []string{
			"2024年1月、2月社保费征收期延长至2024年3月31日",
			"免收滞纳金",
			"逾期办理参保登记、缴费及时受理并标识",
			"疫情结束后三个月内可补办",
			"容缺受理、告知承诺，原件疫情后补交",
			"暂不收取现金，请刷卡缴费",
			"倡导不见面办理",
			"待遇资格认证逾期不暂停发放",
		}
		if b.Title != e.Title || b.Since != "2024-01-23" || !slices.Equal(b.Measures, want) {
			t.Fatalf("banner %+v", b)
		}
		if _, err := s.SetEnd(ctx, admin, e.ID, 1, "2024-03-31"); err != nil {
			t.Fatal(err)
		}
		b, _ = s.Banner(ctx)
		if b == nil || b.Until != "2024-03-31" || b.Measures[3] != "疫情结束后三个月内可补办（至2024年6月30日）" ||
			b.Measures[4] != "容缺受理、告知承诺，原件请于2024年4月30日前补交" {
			t.Fatalf("banner after end: %+v", b)
		}
		c.Set(date(t, "2024-04-01").Add(9 * 3600e9))
		if b, _ := s.Banner(ctx); b != nil {
			t.Fatalf("banner after the end: %+v", b)
		}
	})
}

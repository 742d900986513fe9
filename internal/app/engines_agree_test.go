package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/app/apptest"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/employer"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/policy"
)

// TestEnginesAgree runs the same business operations on SQLite and on
// PostgreSQL and compares what each engine answers: application and
// employer numbers, statuses and late flags, a concurrent-edit conflict,
// a change request, rules in force, collection deadlines and working days
// under an emergency declared and then ended, and the audit chain.
func TestEnginesAgree(t *testing.T) {
	engines := dbtest.Engines()
	if len(engines) < 2 {
		t.Skip("needs SHEBAO_TEST_POSTGRES to compare the engines")
	}
	results := map[db.Dialect]string{}
	for _, d := range engines {
		env := apptest.New(t, d)
		results[d] = scenario(t, env)
	}
	t.Logf("both engines:\n%s", results[db.SQLite])
	if results[db.SQLite] != results[db.Postgres] {
		t.Fatalf("engines disagree\n--- sqlite\n%s\n--- postgres\n%s", results[db.SQLite], results[db.Postgres])
	}
	if !strings.Contains(results[db.SQLite], "approved") || !strings.Contains(results[db.SQLite], "second clerk: conflict/") {
		t.Fatalf("scenario did not run as planned:\n%s", results[db.SQLite])
	}
}

func scenario(t *testing.T, env *apptest.Env) string {
	ctx := context.Background()
	var out strings.Builder
	say := func(format string, a ...any) { fmt.Fprintf(&out, format+"\n", a...) }
	clerk := env.Actor(t, apptest.Staff(access.Coordination))
	admin := env.Actor(t, apptest.Admin)
	emp := env.App.Employers

	info := func(i int, established string) employer.ApplicationInput {
		return employer.ApplicationInput{Info: employer.Info{
			USCC: ident.MakeUSCC("91", "110105", fmt.Sprintf("MA%06d", i)), Name: fmt.Sprintf("比对测试第%d有限公司", i),
			LegalRep: "张三", Address: "北京市朝阳区测试路1号", ContactName: "李四", ContactPhone: "13800000000",
			Industry: "软件和信息技术服务业", RiskClass: 1 + i%8, BankName: "工商银行", BankAccount: "6222000011112222",
			EstablishedOn: established}}
	}
	var apps []*employer.Application
	for i, est := range []string{"2024-02-01", "2023-11-01", "2024-01-20"} {
		a, err := emp.Submit(ctx, nil, info(i, est))
		if err != nil {
			t.Fatal(err)
		}
		apps = append(apps, a)
		say("submitted %s late=%v basis=%q", a.AppNo, a.Late, a.LateBasis)
	}
	if _, err := emp.Submit(ctx, nil, info(0, "2024-02-01")); err != nil {
		say("duplicate: %s", errCode(err))
	}
	ap, err := emp.Approve(ctx, clerk, apps[0].ID, apps[0].Version)
	if err != nil {
		t.Fatal(err)
	}
	say("approved %s -> %s", ap.Application.AppNo, ap.Employer.EmployerNo)
	if _, err := emp.Return(ctx, clerk, apps[0].ID, apps[0].Version, "材料不全"); err != nil {
		say("second clerk: %s", errCode(err))
	}
	if _, err := emp.Return(ctx, clerk, apps[1].ID, apps[1].Version, "营业执照照片不清晰"); err != nil {
		t.Fatal(err)
	}
	ap2, err := emp.Approve(ctx, clerk, apps[2].ID, apps[2].Version)
	if err != nil {
		t.Fatal(err)
	}
	say("approved %s -> %s", ap2.Application.AppNo, ap2.Employer.EmployerNo)
	for _, a := range apps {
		st, err := emp.Status(ctx, a.AppNo, a.USCC)
		if err != nil {
			t.Fatal(err)
		}
		say("status %s %+v", a.AppNo, st)
	}

	// Policy: rules in force, the emergency's measures and deadlines, working days.
	for _, key := range []string{policy.KeyAvgWage, policy.KeyLateFeeDailyRate, policy.KeyCollectionDueDay} {
		r, err := env.App.Policy.InForce(ctx, key, "", time.Date(2024, 2, 10, 0, 0, 0, 0, time.UTC))
		say("rule %s: %v %v", key, r.Display(), errCode(err))
	}
	lo, hi, _, err := env.App.Policy.Limits(ctx, "2024-02")
	say("limits 2024-02: %s..%s %v", lo, hi, errCode(err))
	e, err := env.App.Policy.Declare(ctx, admin, policy.Epidemic2024())
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"2024-01", "2024-02", "2024-04"} {
		due, basis, err := env.App.Policy.CollectionDue(ctx, m)
		say("due %s: %s %q %v", m, due.Format("2006-01-02"), basis, errCode(err))
	}
	if _, err := env.App.Policy.SetEnd(ctx, admin, e.ID, e.Version, "2024-03-31"); err != nil {
		t.Fatal(err)
	}
	ended, err := env.App.Policy.EmergencyByID(ctx, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	say("emergency end %v makeup %v originals %v", fmtDay(ended.End), fmtDay(ended.MakeUpUntil), fmtDay(ended.OriginalsDue))
	day, err := env.App.Policy.AddWorkingDays(ctx, time.Date(2024, 2, 9, 0, 0, 0, 0, time.UTC), 3)
	say("2024-02-09 + 3 working days = %s %v", day.Format("2006-01-02"), errCode(err))

	v, err := env.App.Audit.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	say("audit chain ok=%v", v.OK())
	return out.String()
}

// errCode names an error by its kind and code, which must match across engines.
func errCode(err error) string {
	if err == nil {
		return ""
	}
	if e := errs.As(err); e != nil {
		return string(e.Kind) + "/" + e.Code
	}
	return "foreign: " + err.Error()
}

func fmtDay(t *time.Time) string {
	if t == nil {
		return "open"
	}
	return t.Format("2006-01-02")
}

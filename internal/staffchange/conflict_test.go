package staffchange_test

import (
	"context"
	"testing"

	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/staffchange"
)

// TestTwoEmployers: the second employer is told only that another
// employer holds the person, asks 统筹科, and the resolution moves the person.
func TestTwoEmployers(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		id := idNo(9)
		held, err := e.s.Add(ctx, e.bossA, e.empA, staffchange.AddInput{IDNumber: id, Name: "李雷", StartMonth: "2023-05", Wage: "7000"})
		if err != nil {
			t.Fatal(err)
		}
		in := staffchange.AddInput{IDNumber: id, Name: "李雷", StartMonth: "2024-03", Wage: "9000", Note: "已于2月离职"}
		_, err = e.s.Add(ctx, e.bossB, e.empB, in)
		x := wantKind(t, err, errs.Conflict)
		want := "该人员目前已由其他单位参保。如已离职，可请原单位办理减员，或向统筹科申请协调，由统筹科核实处理"
		if x.Code != "held_by_other" || x.Message != want {
			t.Fatalf("held message = %q (%s)", x.Message, x.Code)
		}
		if _, err := e.s.RequestCoordination(ctx, e.bossA, e.empA, in); errs.KindOf(err) != errs.Conflict {
			t.Errorf("holder asking for coordination: %v", err)
		}
		c, err := e.s.RequestCoordination(ctx, e.bossB, e.empB, in)
		if err != nil || c.Status != staffchange.ConflictOpen || c.HolderID != e.empA {
			t.Fatalf("request = %+v, %v", c, err)
		}
		_, err = e.s.RequestCoordination(ctx, e.bossB, e.empB, in)
		if wantKind(t, err, errs.Conflict).Code != "conflict_open" {
			t.Errorf("second request: %v", err)
		}
		mine, err := e.s.EmployerConflicts(ctx, e.bossB, e.empB)
		if err != nil || len(mine) != 1 || mine[0].HolderName != staffchange.OtherEmployer || mine[0].HolderID != 0 ||
			mine[0].HolderEmpID != 0 || mine[0].HolderStart != "" || mine[0].IDNumber == id {
			t.Errorf("employer's own requests must hide the holder and mask the ID: %+v %v", mine, err)
		}
		queue, err := e.s.Conflicts(ctx, coordinator, staffchange.ConflictOpen)
		if err != nil || len(queue) != 1 || queue[0].HolderName != "北京甲测试科技有限公司" {
			t.Fatalf("queue = %+v, %v", queue, err)
		}
		wantField(t, errOnly(e.s.ResolveConflict(ctx, coordinator, c.ID, c.Version, "2024-03", "已离职")), "end_month")
		wantField(t, errOnly(e.s.ResolveConflict(ctx, coordinator, c.ID, c.Version, "2024-02", "")), "note")
		wantKind(t, errOnly(e.s.ResolveConflict(ctx, e.bossB, c.ID, c.Version, "2024-02", "x")), errs.Forbidden)
		wantKind(t, errOnly(e.s.ResolveConflict(ctx, coordinator, c.ID, c.Version+1, "2024-02", "x")), errs.Conflict)
		r, err := e.s.ResolveConflict(ctx, coordinator, c.ID, c.Version, "2024-02", "经核实已于2月离职")
		if err != nil || r.Status != staffchange.ConflictResolved || r.EndMonth != "2024-02" {
			t.Fatalf("resolve = %+v, %v", r, err)
		}
		old, _ := e.s.Get(ctx, e.bossA, e.empA, held.Staff.EmploymentID)
		if old.EndMonth != "2024-02" {
			t.Errorf("holder's employment ends %q", old.EndMonth)
		}
		list, n, _ := e.s.List(ctx, e.bossB, e.empB, staffchange.Filter{}, 1, 10)
		if n != 1 || list[0].StartMonth != "2024-03" || list[0].Name != "李雷" {
			t.Errorf("B's staff after resolution: %+v", list)
		}
		wantKind(t, errOnly(e.s.RejectConflict(ctx, coordinator, c.ID, r.Version, "x")), errs.Conflict)
		for _, action := range []string{"staff.conflict.request", "staff.conflict.resolved"} {
			if n := count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = $1`, action); n != 1 {
				t.Errorf("%d %s audit entries", n, action)
			}
		}
	})
}

func TestRejectConflict(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		e := newEnv(t, d)
		id := idNo(11)
		if _, err := e.s.Add(ctx, e.bossA, e.empA, staffchange.AddInput{IDNumber: id, Name: "韩梅梅", StartMonth: "2024-01", Wage: "7000"}); err != nil {
			t.Fatal(err)
		}
		c, err := e.s.RequestCoordination(ctx, e.bossB, e.empB, staffchange.AddInput{IDNumber: id, Name: "韩梅梅", StartMonth: "2024-02", Wage: "7000"})
		if err != nil {
			t.Fatal(err)
		}
		r, err := e.s.RejectConflict(ctx, coordinator, c.ID, c.Version, "原单位确认仍在职")
		if err != nil || r.Status != staffchange.ConflictRejected || r.ResolutionNote != "原单位确认仍在职" {
			t.Fatalf("reject = %+v, %v", r, err)
		}
		if n := count(t, d, `SELECT COUNT(*) FROM employments WHERE employer_id = $1`, e.empB); n != 0 {
			t.Errorf("rejected request added %d employments", n)
		}
		// A new request may follow a closed one.
		if _, err := e.s.RequestCoordination(ctx, e.bossB, e.empB, staffchange.AddInput{IDNumber: id, Name: "韩梅梅", StartMonth: "2024-02", Wage: "7000"}); err != nil {
			t.Errorf("new request after rejection: %v", err)
		}
	})
}

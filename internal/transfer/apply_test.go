package transfer_test

import (
	"strings"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/transfer"
)

// An insured person's online application becomes a transfer case in
// 个人账户科's queue with the three documents on the case, the step
// deadline 15 working days away, and the person sees its steps; retirees,
// missing documents and a second open application are refused.
func TestOnlineTransferInApplication(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		id, _ := e.person(t, "employee", "F", time.Date(1985, 4, 1, 0, 0, 0, 0, time.UTC), "110105")
		rid, _ := e.person(t, "retiree", "M", time.Date(1955, 4, 1, 0, 0, 0, 0, time.UTC), "110105")
		me := &access.Actor{UserID: 500, Username: "p", Role: access.RolePerson, PersonID: id}
		retiree := &access.Actor{UserID: 501, Username: "r", Role: access.RolePerson, PersonID: rid}
		in := transfer.ApplyInput{OtherAgency: "河北省石家庄市社会保险事业管理局", OtherRegion: "130100",
			Proof: e.doc(t, me.UserID), IDFront: e.doc(t, me.UserID), IDBack: e.doc(t, me.UserID)}
		theirs := e.doc(t, retiree.UserID)

		if _, err := e.svc.ApplyIn(ctx, clerk, in); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("a clerk applying as a person: %v", err)
		}
		theirIn := in
		theirIn.Proof, theirIn.IDFront, theirIn.IDBack = theirs, e.doc(t, retiree.UserID), e.doc(t, retiree.UserID)
		if _, err := e.svc.ApplyIn(ctx, retiree, theirIn); fieldOf(err) != "id_number" || !strings.Contains(errs.As(err).Fields[0].Message, "退休") {
			t.Fatalf("retiree: %v", err)
		}
		noBack := in
		noBack.IDBack = 0
		if _, err := e.svc.ApplyIn(ctx, me, noBack); fieldOf(err) != "id_back" || !strings.Contains(errs.As(err).Fields[0].Message, "国徽面") {
			t.Fatalf("missing back of the ID card: %v", err)
		}
		// The form's document ids are not trusted: another person's scan,
		// an id that does not exist and one file given twice are refused.
		for _, c := range []struct {
			field string
			bad   transfer.ApplyInput
		}{{"proof", transfer.ApplyInput{Proof: theirs, IDFront: in.IDFront, IDBack: in.IDBack}},
			{"id_front", transfer.ApplyInput{Proof: in.Proof, IDFront: theirs + 1000, IDBack: in.IDBack}},
			{"id_back", transfer.ApplyInput{Proof: in.Proof, IDFront: in.IDFront, IDBack: in.IDFront}}} {
			c.bad.OtherAgency, c.bad.OtherRegion = in.OtherAgency, in.OtherRegion
			if _, err := e.svc.ApplyIn(ctx, me, c.bad); fieldOf(err) != c.field {
				t.Fatalf("%s: %v", c.field, err)
			}
		}
		if list, _ := e.svc.List(ctx, clerk, transfer.Filter{Open: true}); len(list) != 0 {
			t.Fatalf("refused applications left %d transfers", len(list))
		}
		tr, err := e.svc.ApplyIn(ctx, me, in)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Status != transfer.Applied || tr.Channel != "web" || tr.CaseNo == "" {
			t.Fatalf("transfer = %+v", tr)
		}
		due, _ := clock.ParseDate(tr.StepDue)
		if n, _ := e.pol.WorkingDaysBetween(ctx, clock.Today(e.c), due); n != 15 {
			t.Fatalf("step due %s is %d working days away, want 15", tr.StepDue, n)
		}
		v, err := e.cases.Detail(ctx, clerk, tr.CaseNo)
		if err != nil {
			t.Fatal(err)
		}
		if v.Case.Type != transfer.CaseType || v.Case.Section != access.Account || len(v.Documents) != 3 || v.Case.Applicant.PersonID != id {
			t.Fatalf("case %+v with %d documents", v.Case, len(v.Documents))
		}
		queue, err := e.svc.List(ctx, clerk, transfer.Filter{Open: true})
		if err != nil || len(queue) != 1 || queue[0].No != tr.No {
			t.Fatalf("queue = %+v, %v", queue, err)
		}
		if _, err := e.svc.ApplyIn(ctx, me, in); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("second application: %v", err)
		}
		mine, err := e.svc.Mine(ctx, me)
		if err != nil || len(mine) != 1 {
			t.Fatalf("mine = %+v, %v", mine, err)
		}
		steps := mine[0].Steps()
		if len(steps) != 3 || steps[0].State != "current" || steps[0].Due != tr.StepDue || steps[1].State != "pending" {
			t.Fatalf("steps = %+v", steps)
		}
		if other, err := e.svc.Mine(ctx, retiree); err != nil || len(other) != 0 {
			t.Fatalf("another person sees %d transfers, %v", len(other), err)
		}
		tr, err = e.svc.IssueLetter(ctx, clerk, tr.ID, tr.Version)
		if err != nil {
			t.Fatal(err)
		}
		if steps := tr.Steps(); steps[0].State != "done" || steps[1].State != "current" {
			t.Fatalf("steps after the letter = %+v", steps)
		}
	})
}

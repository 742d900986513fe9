package casework_test

import (
	"context"
	"testing"
	"time"

	"shebao/internal/access"
	"shebao/internal/casework"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
	"shebao/internal/ident"
)

// TestQueueViews builds a small queue and checks every view's count and
// the search by case number, applicant name and ID number.
func TestQueueViews(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-02-10 09:00")
		ctx := context.Background()
		id := ident.MakeID("110105", time.Date(1964, 2, 1, 0, 0, 0, 0, time.UTC), 11, true)
		c1 := e.open(t, "甲", id)
		c2 := e.open(t, "乙", "")
		c3 := e.open(t, "丙", "")
		c4 := e.open(t, "丁", "")
		var err error
		if _, err = e.svc.Claim(ctx, clerkA, c1.No, c1.Version); err != nil {
			t.Fatal(err)
		}
		if _, err = e.svc.Transition(ctx, clerkB, c2.No, c2.Version, casework.Returned, "缺身份证"); err != nil {
			t.Fatal(err)
		}
		if _, err = e.svc.AcceptDeferred(ctx, clerkB, c3.No, c3.Version, []string{"身份证"}, ""); err != nil {
			t.Fatal(err)
		}
		c4, err = e.svc.Transition(ctx, clerkA, c4.No, c4.Version, casework.Accepted, "")
		if err != nil {
			t.Fatal(err)
		}
		// 20 working days from 2024-02-10 (a holiday) end on 2024-03-14; go past it.
		e.clock.Set(at(t, "2024-03-16 09:00"))
		q, err := e.svc.Queue(ctx, clerkA, casework.QueueFilter{Section: access.Welfare, View: casework.ViewMine})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{casework.ViewAll: 4, casework.ViewUnassigned: 0, casework.ViewMine: 2,
			casework.ViewOverdue: 3, casework.ViewWaiting: 1, casework.ViewOwing: 1}
		for v, n := range want {
			if q.Counts[v] != n {
				t.Errorf("view %s: %d, want %d", v, q.Counts[v], n)
			}
		}
		if len(q.Items) != 2 || q.Items[0].No != c1.No || !q.Items[0].Overdue {
			t.Errorf("mine: %+v", q.Items)
		}
		for _, tc := range []struct{ q, want string }{{c2.No, c2.No}, {"丙", c3.No}, {id, c1.No}} {
			r, err := e.svc.Queue(ctx, clerkA, casework.QueueFilter{Section: access.Welfare, View: casework.ViewAll, Q: tc.q})
			if err != nil {
				t.Fatal(err)
			}
			if r.Total != 1 || r.Items[0].No != tc.want {
				t.Errorf("search %q: %d results", tc.q, r.Total)
			}
		}
		r, err := e.svc.Queue(ctx, clerkA, casework.QueueFilter{Section: access.Welfare, State: casework.Accepted})
		if err != nil || r.Total != 2 {
			t.Errorf("state filter: %v %v", r, err)
		}
		_, err = e.svc.Queue(ctx, other, casework.QueueFilter{Section: access.Welfare})
		wantKind(t, err, errs.Forbidden)
	})
}

// TestRemindersOnce: the reminder job writes each threshold once.
func TestRemindersOnce(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-02-10 09:00")
		ctx := context.Background()
		n := &recorder{}
		e.notifying(n)
		c := e.open(t, "甲", "")
		count := func(now string) int {
			t.Helper()
			got, err := e.svc.RemindDue(ctx, at(t, now))
			if err != nil {
				t.Fatal(err)
			}
			return got
		}
		base := len(n.subjects)
		if got := count("2024-02-20 09:00"); got != 0 {
			t.Errorf("far from the deadline: %d reminders", got)
		}
		if got := count("2024-03-14 08:00"); got != 1 {
			t.Errorf("before the deadline: %d reminders", got)
		}
		if got := count("2024-03-14 09:00"); got != 0 {
			t.Errorf("repeated: %d reminders", got)
		}
		if got := count("2024-03-15 09:00"); got != 1 {
			t.Errorf("after the deadline: %d reminders", got)
		}
		if len(n.subjects) != base+2 {
			t.Errorf("notifier got %v", n.subjects)
		}
		v, _ := e.svc.Detail(ctx, clerkA, c.No)
		reminders := 0
		for _, ev := range v.Events {
			if ev.Kind == "reminder" {
				reminders++
			}
		}
		if reminders != 2 {
			t.Errorf("%d reminder events", reminders)
		}
	})
}

type recorder struct{ subjects []string }

func (r *recorder) Notify(_ context.Context, _ casework.Recipient, subject, _ string) error {
	r.subjects = append(r.subjects, subject)
	return nil
}

// TestDraftConfirm: a mail draft lands in the section's queue and a clerk
// confirms its type; the deadline runs from when the mail arrived.
func TestDraftConfirm(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-02-10 09:00")
		ctx := context.Background()
		no, err := e.svc.OpenDraft(ctx, casework.DraftInput{Section: access.Welfare, Channel: "email", FromName: "王五",
			FromEmail: "wang@example.com", Subject: "退休申报", Body: "<b>附件为身份证</b>", ReceivedAt: at(t, "2024-02-08 10:00")})
		if err != nil {
			t.Fatal(err)
		}
		c, err := e.svc.Get(ctx, clerkA, no)
		if err != nil || c.State != casework.Draft || c.Type != casework.MailType {
			t.Fatalf("draft %+v %v", c, err)
		}
		_, err = e.svc.Get(ctx, other, no)
		wantKind(t, err, errs.NotFound)
		c, err = e.svc.ConfirmDraft(ctx, clerkA, no, c.Version, casework.ConfirmInput{Type: "test_pension",
			Applicant: casework.Applicant{Kind: casework.ApplicantAnonymous, Name: "王五"}})
		if err != nil {
			t.Fatal(err)
		}
		if c.State != casework.Submitted || c.DeadlineAt == nil || shanghai(*c.DeadlineAt) != "2024-03-13 23:59:59" ||
			c.Applicant.Email != "wang@example.com" {
			t.Errorf("confirmed %+v", c)
		}
	})
}

// TestCommitmentsAndOriginals: an originals list for the audit section,
// ticking one off, and a commitment flagged false.
func TestCommitmentsAndOriginals(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, "2024-02-10 09:00")
		ctx := context.Background()
		c := e.open(t, "甲", "")
		if _, err := e.svc.AcceptDeferred(ctx, clerkA, c.No, c.Version, []string{"身份证", "退休申请书"}, "疫情期间容缺"); err != nil {
			t.Fatal(err)
		}
		owed, err := e.svc.DeferredDocuments(ctx, audi)
		if err != nil || len(owed) != 2 || owed[0].DueOn != "2024-03-11" {
			t.Fatalf("owing %+v %v", owed, err)
		}
		if mine, _ := e.svc.DeferredDocuments(ctx, other); len(mine) != 0 {
			t.Errorf("other section sees %d", len(mine))
		}
		wantKind(t, e.svc.ReceiveOriginal(ctx, other, owed[0].ID, "post"), errs.NotFound)
		if err := e.svc.ReceiveOriginal(ctx, clerkA, owed[0].ID, "post"); err != nil {
			t.Fatal(err)
		}
		wantKind(t, e.svc.ReceiveOriginal(ctx, clerkA, owed[0].ID, "post"), errs.Conflict)
		got, _ := e.svc.Get(ctx, clerkA, c.No)
		if got.Owing != 1 {
			t.Errorf("owing %d", got.Owing)
		}
		// Staff cannot commit for the applicant.
		wantKind(t, e.svc.Commit(ctx, clerkA, c.No, "身份证"), errs.Forbidden)
		var cid int64
		if err := d.W.QueryRowContext(ctx, `INSERT INTO case_commitments (case_id, item, text_shown, accepted_by,
			accepted_at) VALUES ($1, '身份证', $2, 9, $3) RETURNING id`, c.ID, casework.CommitmentText("身份证"),
			e.clock.Now()).Scan(&cid); err != nil {
			t.Fatal(err)
		}
		wantKind(t, e.svc.MarkCommitmentFalse(ctx, audi, cid, ""), errs.Invalid)
		if err := e.svc.MarkCommitmentFalse(ctx, audi, cid, "核查发现身份证复印件系伪造，已移交稽核"); err != nil {
			t.Fatal(err)
		}
		list, err := e.svc.FalseCommitments(ctx, audi)
		if err != nil || len(list) != 1 || !list[0].FoundFalse || list[0].CaseNo != c.No {
			t.Errorf("false commitments %+v %v", list, err)
		}
	})
}

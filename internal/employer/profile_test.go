package employer

import (
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

// twoEmployers registers employers A and B.
func twoEmployers(t *testing.T, s *Service, base int) (*Employer, *Employer) {
	t.Helper()
	a := mustApprove(t, s, mustSubmit(t, s, nil, validInput(base))).Employer
	b := mustApprove(t, s, mustSubmit(t, s, nil, validInput(base+1))).Employer
	return a, b
}

func TestEmployerSeesOnlyItself(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newTestService(t, d)
		ea, eb := twoEmployers(t, s, 400)
		actA, actB := employerActor(ea), employerActor(eb)
		if _, err := s.Profile(ctxBg, actA, ea.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Profile(ctxBg, clerk1, ea.ID); err != nil {
			t.Fatalf("coordination staff: %v", err)
		}
		for _, a := range []*access.Actor{actB, injury, personA} {
			_, err := s.Profile(ctxBg, a, ea.ID)
			wantKind(t, err, errs.Forbidden)
			_, err = s.RequestChange(ctxBg, a, ea.ID, map[string]string{"address": "北京市朝阳区新地址99号"}, "搬迁")
			wantKind(t, err, errs.Forbidden)
			_, err = s.EmployerChanges(ctxBg, a, ea.ID)
			wantKind(t, err, errs.Forbidden)
		}
		_, err := s.Profile(ctxBg, nil, ea.ID)
		wantKind(t, err, errs.Unauthenticated)

		cr, err := s.RequestChange(ctxBg, actA, ea.ID, map[string]string{"address": "北京市朝阳区新地址99号"}, "搬迁")
		if err != nil {
			t.Fatal(err)
		}
		// B cannot read or decide A's request.
		_, _, err = s.GetChange(ctxBg, actB, cr.ID)
		wantKind(t, err, errs.NotFound)
		_, err = s.ApproveChange(ctxBg, actA, cr.ID, cr.Version)
		wantKind(t, err, errs.Forbidden)
		_, err = s.ApproveChange(ctxBg, injury, cr.ID, cr.Version)
		wantKind(t, err, errs.Forbidden)
		if _, _, err := s.GetChange(ctxBg, actA, cr.ID); err != nil {
			t.Fatalf("own change: %v", err)
		}
	})
}

func TestChangeRequestValidation(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newTestService(t, d)
		ea, _ := twoEmployers(t, s, 420)
		act := employerActor(ea)
		tests := []struct {
			name    string
			changes map[string]string
			reason  string
			field   string
		}{
			{"no reason", map[string]string{"address": "北京市朝阳区新地址99号"}, " ", "reason"},
			{"nothing changes", map[string]string{"address": ea.Address, "name": ea.Name}, "无", "changes"},
			{"uscc not online", map[string]string{"uscc": makeUSCC(999)}, "更正", "uscc"},
			{"risk class not online", map[string]string{"risk_class": "2"}, "更正", "risk_class"},
			{"bad phone", map[string]string{"contact_phone": "123"}, "换人", "contact_phone"},
			{"bad account", map[string]string{"bank_account": "abc"}, "换银行", "bank_account"},
			{"long name", map[string]string{"name": strings.Repeat("名", 101)}, "更名", "name"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := s.RequestChange(ctxBg, act, ea.ID, tc.changes, tc.reason)
				e := wantKind(t, err, errs.Invalid)
				if !errs.Fields(e.Fields).Has(tc.field) {
					t.Fatalf("fields %+v, want %s", e.Fields, tc.field)
				}
			})
		}
		// Only the fields that differ are kept.
		cr, err := s.RequestChange(ctxBg, act, ea.ID, map[string]string{
			"address": ea.Address, "contact_phone": "139 1234 5678", "bank_name": " 中国银行北京分行 ",
		}, "更换联系人电话和开户行")
		if err != nil {
			t.Fatal(err)
		}
		if len(cr.Fields) != 2 || cr.Fields["contact_phone"] != "13912345678" || cr.Fields["bank_name"] != "中国银行北京分行" {
			t.Fatalf("fields %v", cr.Fields)
		}
		// One pending request at a time.
		_, err = s.RequestChange(ctxBg, act, ea.ID, map[string]string{"address": "北京市朝阳区另一个地址1号"}, "搬迁")
		wantKind(t, err, errs.Conflict)
	})
}

func TestApproveAndRejectChange(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newTestService(t, d)
		ea, _ := twoEmployers(t, s, 440)
		act := employerActor(ea)
		cr, err := s.RequestChange(ctxBg, act, ea.ID, map[string]string{"address": "北京市朝阳区新地址99号", "legal_rep": "赵敏"}, "法人变更及搬迁")
		if err != nil {
			t.Fatal(err)
		}
		queue, total, err := s.ChangeQueue(ctxBg, clerk1, ChangePending, 1, 10)
		if err != nil || total != 1 || queue[0].ID != cr.ID || queue[0].EmployerNo != ea.EmployerNo {
			t.Fatalf("queue %v %d %v", queue, total, err)
		}
		// A stale version is refused and nothing changes.
		_, err = s.ApproveChange(ctxBg, clerk1, cr.ID, cr.Version+1)
		if e := wantKind(t, err, errs.Conflict); e.Code != "stale_version" {
			t.Fatalf("code %s", e.Code)
		}
		if p, _ := s.Profile(ctxBg, act, ea.ID); p.Address != ea.Address || p.Version != 1 {
			t.Fatalf("changed by a stale approval: %+v", p)
		}
		e, err := s.ApproveChange(ctxBg, clerk1, cr.ID, cr.Version)
		if err != nil {
			t.Fatal(err)
		}
		if e.Address != "北京市朝阳区新地址99号" || e.LegalRep != "赵敏" || e.Version != 2 || e.Name != ea.Name {
			t.Fatalf("after approve %+v", e)
		}
		p, _ := s.Profile(ctxBg, act, ea.ID)
		if p.Address != e.Address || p.LegalRep != "赵敏" || p.Version != 2 {
			t.Fatalf("stored %+v", p)
		}
		got, _, err := s.GetChange(ctxBg, clerk1, cr.ID)
		if err != nil || got.Status != ChangeApproved || got.Before["address"] != ea.Address || got.Before["legal_rep"] != ea.LegalRep {
			t.Fatalf("decided request %+v %v", got, err)
		}
		// The second clerk is told it was already approved.
		_, err = s.RejectChange(ctxBg, clerk2, cr.ID, cr.Version, "不符")
		if e := wantKind(t, err, errs.Conflict); !strings.Contains(e.Message, "已通过") {
			t.Fatalf("message %q", e.Message)
		}

		cr2, err := s.RequestChange(ctxBg, act, ea.ID, map[string]string{"name": "北京新名称科技有限公司"}, "更名")
		if err != nil {
			t.Fatal(err)
		}
		_, err = s.RejectChange(ctxBg, clerk2, cr2.ID, cr2.Version, "")
		wantKind(t, err, errs.Invalid)
		r, err := s.RejectChange(ctxBg, clerk2, cr2.ID, cr2.Version, "请提供市场监管部门的名称变更通知书")
		if err != nil || r.Status != ChangeRejected || r.RejectReason == "" {
			t.Fatalf("reject %+v %v", r, err)
		}
		mine, err := s.EmployerChanges(ctxBg, act, ea.ID)
		if err != nil || len(mine) != 2 || mine[0].ID != cr2.ID {
			t.Fatalf("own list %v %v", mine, err)
		}
		if p, _ := s.Profile(ctxBg, act, ea.ID); p.Name != ea.Name {
			t.Fatal("rejected change applied")
		}
	})
}

func TestInsertDemoSharesCounter(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s, _ := newTestService(t, d)
		list := make([]Employer, 450)
		for i := range list {
			in := validInput(1000 + i)
			list[i] = Employer{Info: in.Info, RegisteredOn: "2023-05-01"}
		}
		tx, err := d.W.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if err := s.InsertDemo(ctxBg, tx, list); err != nil {
			tx.Rollback()
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		if list[0].EmployerNo != "110105000001" || list[449].EmployerNo != "110105000450" || list[449].ID == 0 {
			t.Fatalf("demo numbers %s %s id %d", list[0].EmployerNo, list[449].EmployerNo, list[449].ID)
		}
		p, err := s.Profile(ctxBg, clerk1, list[300].ID)
		if err != nil || p.EmployerNo != list[300].EmployerNo || p.USCC != list[300].USCC {
			t.Fatalf("demo employer %+v %v", p, err)
		}
		ap := mustApprove(t, s, mustSubmit(t, s, nil, validInput(5000)))
		if ap.Employer.EmployerNo != "110105000451" {
			t.Fatalf("after demo: %s", ap.Employer.EmployerNo)
		}
	})
}

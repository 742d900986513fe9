package payroll

import (
	"context"
	"strings"
	"testing"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/db/dbtest"
	"shebao/internal/errs"
)

// TestActivateManyCards: four retirees without a card are paid held, the
// bank issues their cards; activating two ticked cards releases exactly
// their lines in one transaction (audited); a choice with a card not
// issued, or an "all" confirmed for another count, changes nothing; "all"
// then activates the rest. 保险福利科 may, 统筹科 may not.
func TestActivateManyCards(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e, ctx := newEnv(t, d), context.Background()
		for n := int64(1); n <= 4; n++ {
			e.enrol(t, n, 300000, "2024-02", true)
		}
		if _, err := e.s.RunMonth(ctx, fund1, month("2024-02")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.s.ListForCards(ctx, fund1, "ICBC"); err != nil {
			t.Fatal(err)
		}
		for n := int64(1); n <= 3; n++ {
			if err := e.s.RecordIssued(ctx, fund1, CardIssue{PersonID: n, CardNo: "C1", AccountNo: cardNo(500 + n), Delivery: "branch",
				Branch: "东城支行", IssuedOn: "2024-02-12"}); err != nil {
				t.Fatal(err)
			}
		}
		coord := &access.Actor{UserID: 41, Username: "coord1", Role: access.RoleStaff, Sections: []access.Section{access.Coordination}}
		held := func() int64 { return count(t, d, `SELECT COUNT(*) FROM payout_lines WHERE status = 'held'`) }

		if _, _, err := e.s.ActivateMany(ctx, fund1, CardChoice{PersonIDs: []int64{1, 4}}); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("a ticked card not issued: %v", err)
		}
		if _, _, err := e.s.ActivateMany(ctx, fund1, CardChoice{}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("nothing chosen: %v", err)
		}
		if _, _, err := e.s.ActivateMany(ctx, coord, CardChoice{All: true}); errs.KindOf(err) != errs.Forbidden {
			t.Fatalf("统筹科 activated: %v", err)
		}
		if held() != 4 || count(t, d, `SELECT COUNT(*) FROM ss_cards WHERE status = 'active'`) != 0 {
			t.Fatal("a refused activation changed something")
		}

		list, err := e.s.IssuedCards(ctx, fund1, CardChoice{PersonIDs: []int64{2, 1, 2}})
		if err != nil || len(list) != 2 || list[0].PersonID != 1 || list[0].Held != 1 || list[0].HeldTotal != 300000 {
			t.Fatalf("confirmation list: %+v %v", list, err)
		}
		cards, released, err := e.s.ActivateMany(ctx, welfare, CardChoice{PersonIDs: []int64{1, 2}, Count: 2})
		if err != nil || cards != 2 || released != 2 {
			t.Fatalf("activate two: %d %d %v", cards, released, err)
		}
		for n, want := range map[int64]string{1: "prepared", 2: "prepared", 3: "held", 4: "held"} {
			if got := strings.Join(lines(t, d, n), " "); got != "2024-02:300000:pension:"+want {
				t.Fatalf("person %d: %s", n, got)
			}
		}
		if got := count(t, d, `SELECT COUNT(*) FROM payout_lines WHERE payee_id = 1 AND account_no = $1`, cardNo(501)); got != 1 {
			t.Fatal("the released line does not carry the card's account")
		}
		if count(t, d, `SELECT COUNT(*) FROM audit_log WHERE action = 'card.activate_many' AND entity_id = '1,2'`) != 1 {
			t.Fatal("bulk activation not audited")
		}

		if _, _, err := e.s.ActivateMany(ctx, fund1, CardChoice{All: true, Count: 2}); errs.KindOf(err) != errs.Conflict {
			t.Fatalf("all confirmed for 2 while 1 waits: %v", err)
		}
		cards, released, err = e.s.ActivateMany(ctx, fund1, CardChoice{All: true, Count: 1})
		if err != nil || cards != 1 || released != 1 || held() != 1 {
			t.Fatalf("activate all: %d %d %v (held %d)", cards, released, err, held())
		}
		if _, _, err := e.s.ActivateMany(ctx, fund1, CardChoice{All: true}); errs.KindOf(err) != errs.Invalid {
			t.Fatalf("nothing left to activate: %v", err)
		}
		balanced(t, d)
	})
}

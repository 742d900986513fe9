package payment

import (
	"context"

	"shebao/internal/access"
	"shebao/internal/contribution"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// Quote is what a bill costs when paid in full on a day: the outstanding
// contributions and the late fee on them, split into the days charged and
// the days waived (ComputeLateFee).
type Quote struct {
	BillID      int64         `json:"bill_id"`
	Day         string        `json:"day"` // YYYY-MM-DD
	Outstanding money.Fen     `json:"outstanding_fen"`
	LateFee     LateFeeResult `json:"late_fee"`
	Total       money.Fen     `json:"total_fen"` // outstanding + late fee
}

// Late reports whether the day is after the due date.
func (q *Quote) Late() bool { return q.LateFee.Days > 0 }

// QuoteBill returns what bill id costs when paid in full today, to those
// who may see the bill: its employer, its flexible worker, 统筹科 and
// 基金管理科 (and 个体参保科 for flexible workers' bills). A bill not yet
// confirmed or already paid has nothing to quote (nil). Errors:
// Unauthenticated, NotFound (no such bill, or someone else's).
func (s *Service) QuoteBill(ctx context.Context, a *access.Actor, id int64) (*Quote, error) {
	list, err := loadBills(ctx, s.db.Read(), "b.id = $1", id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errs.NotFoundf("没有找到该核定单")
	}
	b := list[0]
	if err := canSeeBill(a, b); err != nil {
		return nil, err
	}
	if (b.Status != contribution.Confirmed && b.Status != contribution.PartiallyPaid) || b.outstanding() <= 0 {
		return nil, nil
	}
	day := s.today()
	t, err := newFeeCache(s.policy).termsFor(ctx, b, day)
	if err != nil {
		return nil, err
	}
	in := t.in
	in.Arrears = b.outstanding()
	res := LateFeeResult{}
	if t.days() > 0 {
		res = ComputeLateFee(in)
	}
	return &Quote{BillID: b.ID, Day: day, Outstanding: b.outstanding(), LateFee: res, Total: b.outstanding() + res.Fee}, nil
}

// canSeeBill asks contribution, which decides who may see a bill.
func canSeeBill(a *access.Actor, b *bill) error {
	return contribution.Can(a, contribution.SeeBill,
		&contribution.Bill{PayerKind: b.PayerKind, EmployerID: b.EmployerID, PersonID: b.PersonID})
}

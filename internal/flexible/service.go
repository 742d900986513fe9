package flexible

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/contribution"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/person"
	"shebao/internal/policy"
)

// Service runs the flexible workers' registration and bills.
type Service struct {
	db      *db.DB
	clock   clock.Clock
	audit   *audit.Service
	policy  *policy.Service
	persons *person.Service
}

// NewService returns the service.
func NewService(d *db.DB, c clock.Clock, a *audit.Service, pol *policy.Service, persons *person.Service) *Service {
	return &Service{db: d, clock: c, audit: a, policy: pol, persons: persons}
}

func canAct(a *access.Actor, personID int64) error {
	if a == nil {
		return errs.LoginRequired()
	}
	if (a.Role == access.RolePerson && a.PersonID == personID && personID != 0) || a.In(access.SelfEmployed) {
		return nil
	}
	return errs.Forbid()
}

// Limits returns the base limits of a month, for the registration form.
func (s *Service) Limits(ctx context.Context, month string) (floor, ceiling money.Fen, err error) {
	floor, ceiling, _, err = s.policy.Limits(ctx, month)
	return floor, ceiling, err
}

// Register makes the person a flexible worker with a base chosen within
// the limits of the start month. 个体参保科 only (the person record is
// changed through person.SetFlexible, which audits it).
func (s *Service) Register(ctx context.Context, a *access.Actor, personID, version int64, base money.Fen, since string) (*person.Person, error) {
	if err := a.RequireSection(access.SelfEmployed); err != nil {
		return nil, err
	}
	if person.ValidMonth(since) && base > 0 {
		floor, ceiling, err := s.Limits(ctx, since)
		if err != nil {
			return nil, err
		}
		if base < floor || base > ceiling {
			var f errs.Fields
			f.Add("flex_base", "缴费基数须在 "+floor.String()+" 元至 "+ceiling.String()+" 元之间（"+since+" 的上下限）")
			return nil, f.Err()
		}
	}
	return s.persons.SetFlexible(ctx, a, personID, version, base, since)
}

// Quote computes the contribution of a month for a base (clamped).
func (s *Service) Quote(ctx context.Context, base money.Fen, month string) (Amount, string, error) {
	floor, ceiling, info, err := s.policy.Limits(ctx, month)
	if err != nil {
		return Amount{}, "", err
	}
	day, err := policy.ParseMonth(month)
	if err != nil {
		return Amount{}, "", errs.New(errs.Invalid, "bad_month", "月份格式应为 YYYY-MM")
	}
	rate, rr, err := s.policy.Rate(ctx, policy.KeyFlexibleRate, "", day)
	if err != nil {
		return Amount{}, "", err
	}
	share, sr, err := s.policy.Rate(ctx, policy.KeyFlexibleAccountShare, "", day)
	if err != nil {
		return Amount{}, "", err
	}
	clamped := min(max(base, floor), ceiling)
	am := Compute(clamped, rate, share)
	explain := am.Explain() + "；依据：" + rr.Explain() + "；" + sr.Explain()
	if clamped != base {
		explain = "申报基数 " + base.String() + " 元按上下限调整为 " + clamped.String() + " 元（" + info.Explain() + "）；" + explain
	}
	return am, explain, nil
}

// CreateBills issues the person's pension bills: one month (Monthly) or
// the three months from start (Quarterly), all or nothing. A month billed
// after its due date is an emergency make-up (flagged, no late fee) while
// an emergency allowing it is open or its make-up window lasts, and
// otherwise late (late fees accrue from the original due date). The person
// or 个体参保科.
func (s *Service) CreateBills(ctx context.Context, a *access.Actor, personID int64, start, plan string) ([]Bill, error) {
	if err := canAct(a, personID); err != nil {
		return nil, err
	}
	n := 1
	var f errs.Fields
	switch plan {
	case Monthly:
	case Quarterly:
		n = 3
	default:
		f.Add("plan", "请选择按月或按季缴费")
	}
	if !person.ValidMonth(start) {
		f.Add("month", "请填写费款所属期，格式 YYYY-MM，如 2024-01")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	p, err := person.Load(ctx, s.db.Read(), personID)
	if err != nil {
		return nil, err
	}
	if p.Kind != person.Flexible {
		return nil, errs.New(errs.Conflict, "not_flexible", "该人员尚未登记为灵活就业人员，请先到个体参保科办理登记")
	}
	today := clock.Today(s.clock)
	latest := today.AddDate(0, 3, 0).Format("2006-01")
	ms := months(start, n)
	if start < p.FlexSince {
		f.Add("month", "费款所属期不能早于灵活就业参保开始月份 "+p.FlexSince)
	} else if ms[n-1] > latest {
		f.Add("month", "最多可预缴至 "+latest)
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	bills := make([]Bill, 0, n)
	for _, m := range ms {
		b, err := s.prepare(ctx, p, m, today)
		if err != nil {
			return nil, err
		}
		bills = append(bills, b)
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		for i := range bills {
			if err := insertBill(ctx, tx, &bills[i], p.FlexBase, s.clock.Now().UTC(), a.UserID); err != nil {
				return err
			}
			b := bills[i]
			if err := s.audit.Record(ctx, tx, a, audit.Entry{Action: "flexible.bill", Entity: "bill",
				EntityID: strconv.FormatInt(b.ID, 10), After: map[string]string{"bill_no": b.BillNo, "month": b.FeeMonth,
					"flags": b.Flags, "due_on": b.DueOn}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return bills, nil
}

// prepare computes one month's bill and decides on relief.
func (s *Service) prepare(ctx context.Context, p *person.Person, month string, today time.Time) (Bill, error) {
	am, explain, err := s.Quote(ctx, p.FlexBase, month)
	if err != nil {
		return Bill{}, err
	}
	due, basis, err := s.policy.CollectionDue(ctx, month)
	if err != nil {
		return Bill{}, err
	}
	b := Bill{BillNo: "F" + strings.ReplaceAll(month, "-", "") + "-" + strconv.FormatInt(p.ID, 10), PersonID: p.ID,
		FeeMonth: month, Status: contribution.Confirmed, Total: am.Total, DueOn: due.Format("2006-01-02"), DueBasis: basis,
		Explain: explain, Version: 1}
	b.Waived, b.Flags, b.WaiverBasis, err = s.Relief(ctx, month, due, today)
	b.Account, b.amount = am.Account, am
	return b, err
}

// Relief decides how a month billed on today is treated: on time (no
// flag), an emergency make-up (FlagMakeUp, late fee waived, with the
// basis) or late (FlagLate: late fees accrue from the due date).
// The rule: docs/rules.md §6.4.
func (s *Service) Relief(ctx context.Context, month string, due, today time.Time) (waived bool, flag, basis string, err error) {
	if !today.After(due) {
		return false, "", "", nil
	}
	es, err := s.policy.Emergencies(ctx)
	if err != nil {
		return false, "", "", err
	}
	for _, e := range es {
		if !e.Has(policy.MeasureMakeUpAllowed) && !e.Has(policy.MeasureLateAccepted) {
			continue
		}
		if !covers(e, due) {
			continue
		}
		if e.End == nil {
			return true, FlagMakeUp, "应急期内逾期缴费及时受理：" + e.Title + "（" + e.LegalBasis + "）", nil
		}
		until, err := s.policy.MakeUpUntil(ctx, e)
		if err != nil {
			return false, "", "", err
		}
		if until != nil && !today.After(*until) {
			return true, FlagMakeUp, "疫情补缴：" + e.Title + "，补缴期限至 " + until.Format("2006-01-02") +
				"，视同按时缴费，不收滞纳金（" + e.LegalBasis + "）", nil
		}
	}
	return false, FlagLate, "逾期缴费：补缴期已过或不在应急期内，滞纳金自 " + due.AddDate(0, 0, 1).Format("2006-01-02") + " 起计算", nil
}

// covers reports whether a fee month was missed because of the emergency:
// its due date lies within the period. A month falling due after the
// emergency ended is ordinary, as for the late fee (payment.ComputeLateFee,
// docs/rules.md "Late fee and its waiver").
func covers(e policy.Emergency, due time.Time) bool { return e.ActiveOn(due) }

// Bills lists the person's flexible bills, newest month first.
func (s *Service) Bills(ctx context.Context, a *access.Actor, personID int64) ([]Bill, error) {
	if err := canAct(a, personID); err != nil {
		return nil, err
	}
	return listBills(ctx, s.db.Read(), personID)
}

// Person returns the person record for the flexible pages.
func (s *Service) Person(ctx context.Context, a *access.Actor, personID int64) (*person.Person, error) {
	if err := canAct(a, personID); err != nil {
		return nil, err
	}
	return person.Load(ctx, s.db.Read(), personID)
}

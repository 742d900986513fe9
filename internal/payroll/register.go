package payroll

import (
	"context"
	"database/sql"
	"strings"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/payout"
)

// Enrolment puts a retiree into pay.
type Enrolment struct {
	PersonID   int64
	Name       string
	IDNumber   string
	Monthly    money.Fen   // the determined monthly amount
	FirstMonth clock.Month // first pension month; months before this one are paid as arrears by the next run
	Basis      string      // e.g. 养老金核定表编号
	SourceKind string      // e.g. "pension_determination"
	SourceID   string
}

func (e *Enrolment) validate() error {
	var f errs.Fields
	e.Name, e.Basis = strings.TrimSpace(e.Name), strings.TrimSpace(e.Basis)
	if e.PersonID <= 0 {
		f.Add("person_id", "请选择参保人")
	}
	if e.Name == "" || utf8.RuneCountInString(e.Name) > 50 {
		f.Add("name", "请填写姓名")
	}
	if _, err := ident.ParseID(e.IDNumber); err != nil {
		f.Add("id_number", "身份证号码不正确")
	}
	checkMonthly(&f, e.Monthly)
	if e.FirstMonth.IsZero() {
		f.Add("first_month", "请填写首次发放月份（YYYY-MM）")
	}
	if e.Basis == "" || utf8.RuneCountInString(e.Basis) > 200 {
		f.Add("basis", "请填写核定依据（不超过200字）")
	}
	return f.Err()
}

func checkMonthly(f *errs.Fields, m money.Fen) {
	if m <= 0 {
		f.Add("monthly", "月养老金必须大于0")
	} else if m > money.Yuan(100_000) {
		f.Add("monthly", "月养老金超过10万元，请核对")
	}
}

// EnrolTx puts a retiree into pay inside the caller's transaction (the
// retirement decision's). Enrolling the same person again from the same
// source returns the pensioner unchanged; from another source it is a
// Conflict (change the amount instead). The next payroll pays the months
// from FirstMonth, arrears included. Invalid names the field; Forbidden
// unless 保险福利科.
func (s *Service) EnrolTx(ctx context.Context, tx *sql.Tx, a *access.Actor, e Enrolment) (*Pensioner, error) {
	if err := MayManage(a); err != nil {
		return nil, err
	}
	if err := e.validate(); err != nil {
		return nil, err
	}
	if e.FirstMonth.Sub(s.thisMonth()) > 1 {
		return nil, errs.Fields{{Field: "first_month", Message: "首次发放月份不能晚于下月"}}.Err()
	}
	now := s.clock.Now()
	id, err := insertPensioner(ctx, tx, a, &e, now)
	if err != nil {
		return nil, err
	}
	if id == 0 {
		p, err := pensionerByPerson(ctx, tx, e.PersonID)
		if err != nil {
			return nil, err
		}
		if p.SourceKind == e.SourceKind && p.SourceID == e.SourceID {
			return p, nil
		}
		return nil, errs.New(errs.Conflict, "pensioner_exists", "该人员已在养老金发放名册中；如需调整金额，请办理待遇变更")
	}
	if err := insertVersion(ctx, tx, a, id, 1, e.Monthly, e.FirstMonth, e.Basis, e.SourceKind, e.SourceID, now); err != nil {
		return nil, err
	}
	if err := addEvent(ctx, tx, a, id, "enrol", e.FirstMonth, "新增退休人员，月养老金"+e.Monthly.String()+"元", now); err != nil {
		return nil, err
	}
	p, err := getPensioner(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return p, s.audit.Record(ctx, tx, a, audit.Entry{Action: "payroll.enrol", Entity: "pensioner", EntityID: idStr(id),
		After: map[string]any{"person_id": e.PersonID, "id_number": ident.MaskID(e.IDNumber), "monthly_fen": int64(e.Monthly),
			"first_month": e.FirstMonth.String(), "basis": e.Basis}})
}

// Stop stops or suspends a pension.
type Stop struct {
	Last   clock.Month // the last month paid (e.g. the month of death)
	Kind   string      // StopDeath, StopSuspension or StopOther
	Reason string
}

// StopResult is what a stop did to lines already prepared.
type StopResult struct {
	Cancelled int       // lines for months after Last not yet sent, cancelled
	Overpaid  money.Fen // lines for months after Last already sent or paid: to recover
	Months    []string  // the months of those lines
}

// StopTx stops (death, other) or suspends a pension after the month
// Last, inside the caller's transaction: no line is prepared for a later
// month, lines of later months not yet sent to the bank are cancelled,
// and those already sent or paid are reported as overpaid. NotFound when
// the person is not in pay; Invalid names the field.
func (s *Service) StopTx(ctx context.Context, tx *sql.Tx, a *access.Actor, personID int64, st Stop) (*StopResult, error) {
	if err := MayManage(a); err != nil {
		return nil, err
	}
	var f errs.Fields
	if _, ok := stopNames[st.Kind]; !ok {
		f.Add("kind", "请选择停发原因类别")
	}
	if st.Last.IsZero() {
		f.Add("last_month", "请填写最后发放月份（YYYY-MM）")
	}
	st.Reason = strings.TrimSpace(st.Reason)
	if st.Reason == "" || utf8.RuneCountInString(st.Reason) > 200 {
		f.Add("reason", "请填写停发原因（不超过200字）")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	p, err := pensionerByPerson(ctx, tx, personID)
	if err != nil {
		return nil, err
	}
	status := Stopped
	if st.Kind == StopSuspension {
		status = Suspended
	}
	if err := setStop(ctx, tx, p.ID, status, st, s.clock.Now()); err != nil {
		return nil, err
	}
	res, err := s.stopLines(ctx, tx, a, personID, st)
	if err != nil {
		return nil, err
	}
	if err := addEvent(ctx, tx, a, p.ID, "stop", st.Last.Add(1), StopKindName(st.Kind)+"："+st.Reason, s.clock.Now()); err != nil {
		return nil, err
	}
	return res, s.audit.Record(ctx, tx, a, audit.Entry{Action: "payroll.stop", Entity: "pensioner", EntityID: idStr(p.ID),
		After: map[string]any{"status": status, "last_month": st.Last.String(), "cancelled": res.Cancelled,
			"overpaid_fen": int64(res.Overpaid)}, Note: st.Reason})
}

// stopLines cancels the person's pension lines after st.Last that have not
// gone to the bank and sums those that have.
func (s *Service) stopLines(ctx context.Context, tx *sql.Tx, a *access.Actor, personID int64, st Stop) (*StopResult, error) {
	lines, err := s.payouts.OfPayeeTx(ctx, tx, payout.PayeePerson, personID)
	if err != nil {
		return nil, err
	}
	res := &StopResult{}
	for _, l := range lines {
		if (l.Benefit != "pension" && l.Benefit != "pension_backpay") || l.Period <= st.Last.String() {
			continue
		}
		switch l.Status {
		case payout.Held, payout.Prepared, payout.Approved, payout.Failed:
			if err := s.payouts.CancelTx(ctx, tx, access.System, l.ID, 0, "停发："+st.Reason); err != nil {
				return nil, err
			}
			res.Cancelled++
		case payout.InFile, payout.Paid:
			res.Overpaid += l.Amount
			res.Months = append(res.Months, l.Period)
		}
	}
	return res, nil
}

// ResumeTx puts a suspended pension back into pay from month from; the
// next run pays the months since the suspension as back pay.
func (s *Service) ResumeTx(ctx context.Context, tx *sql.Tx, a *access.Actor, personID int64, reason string) (*Pensioner, error) {
	if err := MayManage(a); err != nil {
		return nil, err
	}
	p, err := pensionerByPerson(ctx, tx, personID)
	if err != nil {
		return nil, err
	}
	if p.Status != Suspended {
		return nil, errs.New(errs.Conflict, "pensioner_not_suspended", "该人员不是暂停发放状态，不能恢复")
	}
	from := p.Last.Add(1)
	if err := resume(ctx, tx, p.ID, from, s.clock.Now()); err != nil {
		return nil, err
	}
	if err := addEvent(ctx, tx, a, p.ID, "resume", from, strings.TrimSpace(reason), s.clock.Now()); err != nil {
		return nil, err
	}
	if err := s.audit.Record(ctx, tx, a, audit.Entry{Action: "payroll.resume", Entity: "pensioner", EntityID: idStr(p.ID),
		Note: reason}); err != nil {
		return nil, err
	}
	return getPensioner(ctx, tx, p.ID)
}

// Change is a new determined amount from a month on.
type Change struct {
	Monthly    money.Fen
	From       clock.Month
	Basis      string
	SourceKind string
	SourceID   string
}

// ChangeAmountTx records a new amount version from a month on inside the
// caller's transaction; the next run pays the difference for months
// already paid as back pay (or reports an overpayment when lower).
func (s *Service) ChangeAmountTx(ctx context.Context, tx *sql.Tx, a *access.Actor, personID int64, c Change) (*Pensioner, error) {
	if err := MayManage(a); err != nil {
		return nil, err
	}
	var f errs.Fields
	checkMonthly(&f, c.Monthly)
	if c.From.IsZero() {
		f.Add("from_month", "请填写变更起始月份（YYYY-MM）")
	}
	if strings.TrimSpace(c.Basis) == "" {
		f.Add("basis", "请填写变更依据")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	p, err := pensionerByPerson(ctx, tx, personID)
	if err != nil {
		return nil, err
	}
	if c.From.Before(p.First) {
		return nil, errs.Fields{{Field: "from_month", Message: "变更起始月份不能早于首次发放月份" + p.First.String()}}.Err()
	}
	now := s.clock.Now()
	if err := insertVersion(ctx, tx, a, p.ID, p.Version+1, c.Monthly, c.From, strings.TrimSpace(c.Basis), c.SourceKind, c.SourceID, now); err != nil {
		return nil, err
	}
	if err := markRecalc(ctx, tx, p.ID, c.From, now); err != nil {
		return nil, err
	}
	if err := addEvent(ctx, tx, a, p.ID, "change", c.From, "月养老金由"+p.Monthly.String()+"元变更为"+c.Monthly.String()+"元："+c.Basis, now); err != nil {
		return nil, err
	}
	if err := s.audit.Record(ctx, tx, a, audit.Entry{Action: "payroll.change", Entity: "pensioner", EntityID: idStr(p.ID),
		Before: map[string]any{"monthly_fen": int64(p.Monthly)}, After: map[string]any{"monthly_fen": int64(c.Monthly),
			"from_month": c.From.String()}, Note: c.Basis}); err != nil {
		return nil, err
	}
	return getPensioner(ctx, tx, p.ID)
}

// ByPerson returns the pensioner of a person (NotFound) to staff who may
// view the register or to the person.
func (s *Service) ByPerson(ctx context.Context, a *access.Actor, personID int64) (*Pensioner, error) {
	if !(a != nil && a.Role == access.RolePerson && a.PersonID == personID) {
		if err := MayView(a); err != nil {
			return nil, err
		}
	}
	return pensionerByPerson(ctx, s.db.Read(), personID)
}

// Payments returns the person's pension and other payout lines (made,
// held, pending), newest period first: see payout.Service.OfPerson.
func (s *Service) Payments(ctx context.Context, a *access.Actor, personID int64) ([]payout.Line, error) {
	return s.payouts.OfPerson(ctx, a, personID, 240)
}

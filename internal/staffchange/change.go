package staffchange

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/errs"
	"shebao/internal/person"
	"shebao/internal/policy"
)

// Result is what a staff increase did.
type Result struct {
	Staff Staff    `json:"staff"`
	Clamp Clamp    `json:"clamp"`
	Note  string   `json:"clamp_note,omitempty"` // e.g. 申报工资 3,900.00 元低于下限，按 4,800 元缴费
	Flags []string `json:"flags,omitempty"`
}

// changeAudit is the masked audit record of one change.
type changeAudit struct {
	IDNumber   string `json:"id_number"`
	Name       string `json:"name"`
	Employment int64  `json:"employment_id"`
	Month      string `json:"month"`
	Declared   int64  `json:"declared_fen,omitempty"`
	Base       int64  `json:"base_fen,omitempty"`
	Reason     string `json:"reason,omitempty"`
	Flags      string `json:"flags,omitempty"`
}

// lateFlag returns the flag of a start month before last month: late
// registration, accepted and flagged while an emergency's late_accepted
// measure is in force.
// The rule: docs/rules.md §7.2.
func (s *Service) lateFlag(ctx context.Context, start string) (string, error) {
	if start >= monthOffset(s.thisMonth(), -1) {
		return "", nil
	}
	e, err := s.policy.MeasureInForce(ctx, s.today(), policy.MeasureLateAccepted)
	if err != nil {
		return "", err
	}
	if e != nil {
		return FlagLateAccepted, nil
	}
	return FlagLate, nil
}

// prepareAdd validates in for employer e and computes the base.
func (s *Service) prepareAdd(ctx context.Context, e employerInfo, in AddInput, cache limits) (addRow, Clamp, error) {
	r, err := in.validate(s.today(), s.thisMonth())
	if err == nil && e.Established != "" && r.month < e.Established {
		var f errs.Fields
		f.Add("start_month", "参保起始月份早于单位成立时间（"+e.Established+"），请核对")
		err = f.Err()
	}
	if err != nil {
		return r, Clamp{}, err
	}
	c, err := s.clamp(ctx, cache, r.month, r.declared)
	if err != nil {
		var f errs.Fields
		f.Add("start_month", errText(err))
		return r, c, f.Err()
	}
	return r, c, nil
}

// Add registers a staff increase for the employer: the person is found by
// ID number (or created), must not be insured elsewhere for the start
// month, and the declared wage is clamped to the month's limits.
// Errors: Unauthenticated, Forbidden, Invalid (fields), Conflict
// (held_by_other with the masked holder, already_staff).
func (s *Service) Add(ctx context.Context, a *access.Actor, employerID int64, in AddInput) (*Result, error) {
	if err := a.RequireEmployer(employerID); err != nil {
		return nil, err
	}
	e, err := loadEmployer(ctx, s.db.Read(), employerID)
	if err != nil {
		return nil, err
	}
	r, c, err := s.prepareAdd(ctx, e, in, nil)
	if err != nil {
		return nil, err
	}
	flag, err := s.lateFlag(ctx, r.month)
	if err != nil {
		return nil, err
	}
	var res *Result
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err = s.addTx(ctx, tx, a, employerID, r, c, flag)
		return err
	})
	return res, err
}

// addTx writes one validated increase inside tx.
func (s *Service) addTx(ctx context.Context, tx *sql.Tx, a *access.Actor, employerID int64, r addRow, c Clamp, flag string) (*Result, error) {
	now := s.clock.Now()
	p, err := findOrCreatePerson(ctx, tx, r, now)
	if err != nil {
		return nil, err
	}
	if err := checkFree(ctx, tx, employerID, p.ID, r.month); err != nil {
		return nil, err
	}
	m := &person.Employment{PersonID: p.ID, EmployerID: employerID, StartMonth: r.month, Base: c.Base}
	if err := person.InsertEmployment(ctx, tx, m, now); err != nil {
		return nil, err
	}
	if err := person.SetDeclared(ctx, tx, m.ID, c.Declared); err != nil {
		return nil, err
	}
	ch := changeRow{EmployerID: employerID, PersonID: p.ID, EmploymentID: m.ID, Kind: "add", Month: r.month,
		Declared: c.Declared, Base: c.Base, Flags: flag, ActorID: a.UserID}
	if err := insertChange(ctx, tx, ch, now); err != nil {
		return nil, err
	}
	err = s.audit.Record(ctx, tx, a, audit.Entry{Action: "staff.add", Entity: "employment", EntityID: strconv.FormatInt(m.ID, 10),
		After: changeAudit{IDNumber: maskedID(p.IDNumber), Name: p.Name, Employment: m.ID, Month: r.month,
			Declared: int64(c.Declared), Base: int64(c.Base), Flags: flag}, Note: c.Note()})
	if err != nil {
		return nil, err
	}
	st := Staff{EmploymentID: m.ID, PersonID: p.ID, IDNumber: p.IDNumber, Name: p.Name, Phone: p.Phone,
		StartMonth: m.StartMonth, Base: m.Base, Declared: c.Declared, Version: m.Version}
	res := &Result{Staff: st, Clamp: c, Note: c.Note()}
	if flag != "" {
		res.Flags = []string{flag}
	}
	return res, nil
}

// Remove ends one of the employer's staff at the end month with a reason.
// Errors: Unauthenticated, Forbidden, NotFound (not this employer's
// staff), Invalid (fields), Conflict (already ended, stale version, end
// before start).
func (s *Service) Remove(ctx context.Context, a *access.Actor, employerID, employmentID int64, in RemoveInput) (*Staff, error) {
	if err := a.RequireEmployer(employerID); err != nil {
		return nil, err
	}
	month, reason, err := in.validate(s.thisMonth())
	if err != nil {
		return nil, err
	}
	var st *Staff
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		st, err = loadStaff(ctx, tx, employerID, employmentID)
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != st.Version {
			return errs.StaleVersion()
		}
		return s.removeTx(ctx, tx, a, st, month, reason, 0)
	})
	return st, err
}

// removeTx ends st at month inside tx.
func (s *Service) removeTx(ctx context.Context, tx *sql.Tx, a *access.Actor, st *Staff, month, reason string, importID int64) error {
	switch {
	case st.EndMonth != "":
		return errs.New(errs.Conflict, "already_removed", "该人员已于 "+st.EndMonth+" 减员，无需重复办理")
	case month < st.StartMonth:
		var f errs.Fields
		f.Add("end_month", "终止月份不能早于参保起始月份（"+st.StartMonth+"）")
		return f.Err()
	}
	now := s.clock.Now()
	if err := person.EndEmployment(ctx, tx, st.EmploymentID, st.Version, month, reason, now); err != nil {
		return err
	}
	ch := changeRow{EmployerID: st.EmployerID, PersonID: st.PersonID, EmploymentID: st.EmploymentID, Kind: "remove",
		Month: month, Base: st.Base, Reason: reason, ImportID: importID, ActorID: a.UserID}
	if err := insertChange(ctx, tx, ch, now); err != nil {
		return err
	}
	st.EndMonth, st.EndReason = month, reason
	st.Version++
	if s.deaths != nil && strings.Contains(reason, DeathReason) {
		if err := s.deaths.RecordFromRemovalTx(ctx, tx, a, st.PersonID, month); err != nil {
			return err
		}
	}
	if importID != 0 {
		return nil // the import is audited as a whole
	}
	return s.audit.Record(ctx, tx, a, audit.Entry{Action: "staff.remove", Entity: "employment",
		EntityID: strconv.FormatInt(st.EmploymentID, 10), After: changeAudit{IDNumber: maskedID(st.IDNumber), Name: st.Name,
			Employment: st.EmploymentID, Month: month, Reason: reason}})
}

// CorrectBase changes the declared wage (and clamped base) of one of the
// employer's staff from a month on, with a reason, while that month's
// bill is not yet confirmed. Errors: Unauthenticated, Forbidden,
// NotFound, Invalid (fields), Conflict (month confirmed, stale version).
func (s *Service) CorrectBase(ctx context.Context, a *access.Actor, employerID, employmentID int64, in BaseInput) (*Result, error) {
	if err := a.RequireEmployer(employerID); err != nil {
		return nil, err
	}
	var f errs.Fields
	month := checkMonth(&f, "month", "更正起始月份", in.Month, s.thisMonth())
	declared := checkWage(&f, "wage", in.Wage)
	reason := strings.TrimSpace(in.Reason)
	if n := utf8.RuneCountInString(reason); n == 0 || n > 200 {
		f.Add("reason", "请填写更正原因（200字以内）")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	c, err := s.clamp(ctx, nil, month, declared)
	if err != nil {
		return nil, err
	}
	var res *Result
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err = s.correctTx(ctx, tx, a, employerID, employmentID, in.Version, c, reason)
		return err
	})
	return res, err
}

func (s *Service) correctTx(ctx context.Context, tx *sql.Tx, a *access.Actor, employerID, employmentID, version int64, c Clamp, reason string) (*Result, error) {
	st, err := loadStaff(ctx, tx, employerID, employmentID)
	if err != nil {
		return nil, err
	}
	var f errs.Fields
	switch {
	case c.Month < st.StartMonth:
		f.Add("month", "更正起始月份不能早于参保起始月份（"+st.StartMonth+"）")
	case st.EndMonth != "" && c.Month > st.EndMonth:
		f.Add("month", "该人员已于 "+st.EndMonth+" 减员，更正月份不能晚于终止月份")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if version != 0 && version != st.Version {
		return nil, errs.StaleVersion()
	}
	done, err := monthAssessed(ctx, tx, employerID, c.Month)
	if err != nil {
		return nil, err
	}
	if done {
		return nil, errs.New(errs.Conflict, "month_confirmed", "该月已核定确认，请向统筹科申请更正")
	}
	now := s.clock.Now()
	if err := person.CorrectBase(ctx, tx, st.EmploymentID, st.Version, c.Base, c.Declared, now); err != nil {
		return nil, err
	}
	ch := changeRow{EmployerID: employerID, PersonID: st.PersonID, EmploymentID: st.EmploymentID, Kind: "base",
		Month: c.Month, Declared: c.Declared, Base: c.Base, OldBase: st.Base, Reason: reason, ActorID: a.UserID}
	if err := insertChange(ctx, tx, ch, now); err != nil {
		return nil, err
	}
	err = s.audit.Record(ctx, tx, a, audit.Entry{Action: "staff.base", Entity: "employment",
		EntityID: strconv.FormatInt(st.EmploymentID, 10),
		Before:   changeAudit{IDNumber: maskedID(st.IDNumber), Employment: st.EmploymentID, Base: int64(st.Base), Declared: int64(st.Declared)},
		After:    changeAudit{IDNumber: maskedID(st.IDNumber), Employment: st.EmploymentID, Month: c.Month, Base: int64(c.Base), Declared: int64(c.Declared), Reason: reason},
		Note:     c.Note()})
	if err != nil {
		return nil, err
	}
	st.Base, st.Declared = c.Base, c.Declared
	st.Version++
	return &Result{Staff: *st, Clamp: c, Note: c.Note()}, nil
}

// PreviewBase returns the base a declared wage gives in month, for forms.
func (s *Service) PreviewBase(ctx context.Context, month, wage string) (Clamp, error) {
	var f errs.Fields
	m := checkMonth(&f, "month", "月份", month, s.thisMonth())
	w := checkWage(&f, "wage", wage)
	if err := f.Err(); err != nil {
		return Clamp{}, err
	}
	return s.clamp(ctx, nil, m, w)
}

// CheckRemove validates a removal's fields without writing, for the
// confirmation step of the web form.
func (s *Service) CheckRemove(in RemoveInput) error {
	_, _, err := in.validate(s.thisMonth())
	return err
}

package policy

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/errs"
)

// Measure is one special rule of an emergency period (措施).
type Measure string

// The measures of the seed's emergency plan.
const (
	MeasureCollectionExtended Measure = "collection_extended" // 征收期延长
	MeasureLateFeeWaived      Measure = "late_fee_waived"     // 免收滞纳金
	MeasureLateAccepted       Measure = "late_accepted"       // 逾期登记、缴费及时受理并标识
	MeasureMakeUpAllowed      Measure = "makeup_allowed"      // 疫情结束后三个月内补办
	MeasureDeferredOriginals  Measure = "deferred_originals"  // 容缺受理、告知承诺，原件后补
	MeasureCashRefused        Measure = "cash_refused"        // 暂不收取现金
	MeasureContactlessFirst   Measure = "contactless_first"   // 倡导不见面办理
	MeasureCertificationKept  Measure = "certification_kept"  // 未按期认证不暂停发放
)

// AllMeasures lists the measures in display order.
var AllMeasures = []Measure{MeasureCollectionExtended, MeasureLateFeeWaived, MeasureLateAccepted,
	MeasureMakeUpAllowed, MeasureDeferredOriginals, MeasureCashRefused, MeasureContactlessFirst, MeasureCertificationKept}

var measureLabels = map[Measure]string{
	MeasureCollectionExtended: "延长社保费征收期",
	MeasureLateFeeWaived:      "免收滞纳金",
	MeasureLateAccepted:       "逾期办理参保登记、缴费及时受理并标识",
	MeasureMakeUpAllowed:      "应急期结束后可补办",
	MeasureDeferredOriginals:  "容缺受理、告知承诺，原件后补",
	MeasureCashRefused:        "暂不收取现金",
	MeasureContactlessFirst:   "倡导不见面办理",
	MeasureCertificationKept:  "待遇资格认证逾期不暂停发放",
}

// Label is the short Chinese name of the measure (form checkboxes).
func (m Measure) Label() string {
	if l, ok := measureLabels[m]; ok {
		return l
	}
	return string(m)
}

// Valid reports whether m is a known measure.
func (m Measure) Valid() bool { _, ok := measureLabels[m]; return ok }

// DefaultOriginalsDays is how long after the end originals may be handed
// in when the declaration does not say.
const DefaultOriginalsDays = 30

// MeasureParams are a measure's parameters.
type MeasureParams struct {
	FeeMonths    []string `json:"fee_months,omitempty"`     // collection_extended: 'YYYY-MM'
	Due          string   `json:"due,omitempty"`            // collection_extended: new due date 'YYYY-MM-DD'
	DaysAfterEnd int      `json:"days_after_end,omitempty"` // deferred_originals
}

// Emergency is a declared emergency period (应急期).
type Emergency struct {
	ID         int64
	Title      string
	Start      time.Time  // first day, Shanghai date
	End        *time.Time // last day; nil while open
	Scope      string
	LegalBasis string
	Measures   []Measure // in AllMeasures order
	Params     map[Measure]MeasureParams
	Version    int64
	// Derived deadlines, stored and recomputed whenever End changes; nil
	// while the period is open or the measure is not declared.
	MakeUpUntil  *time.Time // last day of make-up (补办)
	OriginalsDue *time.Time // last day to hand in deferred originals
	CreatedBy    string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// StartDay returns the first day as 'YYYY-MM-DD'.
func (e Emergency) StartDay() string { return dayKey(e.Start) }

// EndDay returns the last day as 'YYYY-MM-DD', or "" while open.
func (e Emergency) EndDay() string {
	if e.End == nil {
		return ""
	}
	return dayKey(*e.End)
}

// Has reports whether the emergency declares measure m.
func (e Emergency) Has(m Measure) bool { return slices.Contains(e.Measures, m) }

// ActiveOn reports whether day lies within the period.
func (e Emergency) ActiveOn(day time.Time) bool { return e.activeOn(dayKey(day)) }

func (e Emergency) activeOn(d string) bool {
	return e.StartDay() <= d && (e.End == nil || d <= e.EndDay())
}

// ReliefUntil is the last day business due during the emergency may still
// be done under its measures: the end of the make-up window, or the end
// day when the emergency allows no make-up; nil while it is open.
func (e Emergency) ReliefUntil() *time.Time {
	if e.MakeUpUntil != nil {
		return e.MakeUpUntil
	}
	return e.End
}

// DueWithin reports whether something due on due fell due before the
// emergency ended (or while it is open): a bill due after the end is
// ordinary business.
func (e Emergency) DueWithin(due time.Time) bool { return e.End == nil || dayKey(due) <= e.EndDay() }

// Relieves reports whether business due on due and done on day falls
// under the emergency's relief: due no later than its end, done from its
// start to ReliefUntil (any day from the start while it is open).
// The rule: docs/rules.md "Late fee and its waiver".
func (e Emergency) Relieves(due, day time.Time) bool {
	d := dayKey(day)
	if !e.DueWithin(due) || d < e.StartDay() {
		return false
	}
	last := e.ReliefUntil()
	return last == nil || d <= dayKey(*last)
}

// EndListener recomputes deadlines that depend on an emergency. It runs
// inside the transaction that declares the emergency or changes its end
// date, and must use tx (never another connection); an error rolls the
// whole change back.
type EndListener func(ctx context.Context, tx *sql.Tx, e Emergency) error

// OnEndChanged registers fn; call it while wiring, before serving.
func (s *Service) OnEndChanged(fn EndListener) {
	s.lmu.Lock()
	s.listeners = append(s.listeners, fn)
	s.lmu.Unlock()
}

func (s *Service) notify(ctx context.Context, tx *sql.Tx, e Emergency) error {
	s.lmu.Lock()
	ls := slices.Clone(s.listeners)
	s.lmu.Unlock()
	for _, fn := range ls {
		if err := fn(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// MakeUpUntil returns the last day of the make-up window: the end date plus
// the makeup_window_months rule in force on that day (clamped to month
// end), or nil while open or when make-up is not a measure. Errors:
// NotFound when the rule is missing.
func (s *Service) MakeUpUntil(ctx context.Context, e Emergency) (*time.Time, error) {
	if e.End == nil || !e.Has(MeasureMakeUpAllowed) {
		return nil, nil
	}
	n, _, err := s.Int(ctx, KeyMakeUpWindowMonths, "", *e.End)
	if err != nil {
		return nil, err
	}
	t := addMonths(*e.End, int(n))
	return &t, nil
}

// OriginalsDue returns the last day to hand in deferred originals: the end
// date plus the measure's days, or nil while open or when not a measure.
func (s *Service) OriginalsDue(e Emergency) *time.Time {
	if e.End == nil || !e.Has(MeasureDeferredOriginals) {
		return nil
	}
	days := e.Params[MeasureDeferredOriginals].DaysAfterEnd
	if days <= 0 {
		days = DefaultOriginalsDays
	}
	t := e.End.AddDate(0, 0, days)
	return &t
}

// derive recomputes the stored deadlines of e.
func (s *Service) derive(ctx context.Context, e *Emergency) error {
	m, err := s.MakeUpUntil(ctx, *e)
	if err != nil {
		return err
	}
	e.MakeUpUntil, e.OriginalsDue = m, s.OriginalsDue(*e)
	return nil
}

// emergencyAudit is what the audit log keeps of an emergency.
type emergencyAudit struct {
	Title, Start, End, Scope, LegalBasis string
	Measures                             []Measure
	Params                               map[Measure]MeasureParams
	MakeUpUntil, OriginalsDue            string
}

func auditEmergency(e Emergency) emergencyAudit {
	day := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return dayKey(*t)
	}
	return emergencyAudit{e.Title, e.StartDay(), e.EndDay(), e.Scope, e.LegalBasis, e.Measures, e.Params,
		day(e.MakeUpUntil), day(e.OriginalsDue)}
}

// Declare records a new emergency period (administrators only), computes
// its deadlines and runs the listeners in the same transaction. Errors:
// Forbidden, Invalid (fields), NotFound (a missing rule).
func (s *Service) Declare(ctx context.Context, a *access.Actor, in DeclareInput) (Emergency, error) {
	if err := a.RequireAdmin(); err != nil {
		return Emergency{}, err
	}
	e, err := in.emergency()
	if err != nil {
		return Emergency{}, err
	}
	if err := s.derive(ctx, &e); err != nil {
		return Emergency{}, err
	}
	e.CreatedBy, e.CreatedAt = a.Name(), s.clock.Now()
	e.UpdatedAt = e.CreatedAt
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := bumpRevision(ctx, tx); err != nil {
			return err
		}
		if err := insertEmergency(ctx, tx, &e); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, tx, a, audit.Entry{Action: "policy.emergency.declare", Entity: "emergency",
			EntityID: strconv.FormatInt(e.ID, 10), After: auditEmergency(e)}); err != nil {
			return err
		}
		return s.notify(ctx, tx, e)
	})
	if err != nil {
		return Emergency{}, err
	}
	s.changed(ctx)
	return e, nil
}

// PreviewEnd shows what SetEnd would store (the confirm step), without
// storing anything. end is 'YYYY-MM-DD', or "" to reopen the period.
// Errors: Forbidden, NotFound, Invalid.
func (s *Service) PreviewEnd(ctx context.Context, a *access.Actor, id int64, end string) (before, after Emergency, err error) {
	if err := a.RequireAdmin(); err != nil {
		return before, after, err
	}
	if before, err = emergencyByID(ctx, s.db.Read(), id); err != nil {
		return before, after, err
	}
	after, err = s.withEnd(ctx, before, end)
	return before, after, err
}

// withEnd returns e with a new end date and recomputed deadlines.
func (s *Service) withEnd(ctx context.Context, e Emergency, end string) (Emergency, error) {
	var f errs.Fields
	d := checkDay(&f, "end", "结束日期", end, false)
	if d != "" && d < e.StartDay() {
		f.Add("end", "结束日期不能早于开始日期 "+e.StartDay())
	}
	if err := f.Err(); err != nil {
		return e, err
	}
	e.End = nil
	if d != "" {
		t := dayTime(d)
		e.End = &t
	}
	return e, s.derive(ctx, &e)
}

// SetEnd sets, changes or (with end "") clears the end date of an
// emergency (administrators only). version is the version the
// administrator saw. The emergency's own deadlines are recomputed and every
// OnEndChanged listener runs in the same transaction; if one fails, nothing
// changes. Errors: Forbidden, NotFound, Invalid, Conflict (stale version),
// and whatever a listener returns.
func (s *Service) SetEnd(ctx context.Context, a *access.Actor, id, version int64, end string) (Emergency, error) {
	if err := a.RequireAdmin(); err != nil {
		return Emergency{}, err
	}
	if version <= 0 {
		var f errs.Fields
		f.Add("version", "请提供读取到的版本号 version")
		return Emergency{}, f.Err()
	}
	var out Emergency
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := bumpRevision(ctx, tx); err != nil {
			return err
		}
		old, err := emergencyByID(ctx, tx, id)
		if err != nil {
			return err
		}
		if old.Version != version {
			return errs.StaleVersion()
		}
		e, err := s.withEnd(ctx, old, end)
		if err != nil {
			return err
		}
		e.UpdatedAt = s.clock.Now()
		if err := updateEmergencyEnd(ctx, tx, &e, version); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, tx, a, audit.Entry{Action: "policy.emergency.end", Entity: "emergency",
			EntityID: strconv.FormatInt(id, 10), Before: auditEmergency(old), After: auditEmergency(e)}); err != nil {
			return err
		}
		out = e
		return s.notify(ctx, tx, e)
	})
	if err != nil {
		return Emergency{}, err
	}
	s.changed(ctx)
	return out, nil
}

// EmergencyByID returns one emergency read fresh from the database (public).
// Errors: NotFound.
func (s *Service) EmergencyByID(ctx context.Context, id int64) (Emergency, error) {
	return emergencyByID(ctx, s.db.Read(), id)
}

// Emergencies returns every declared emergency, newest first (public).
func (s *Service) Emergencies(ctx context.Context) ([]Emergency, error) {
	sn, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	out := slices.Clone(sn.emergencies)
	slices.Reverse(out)
	return out, nil
}

// Active returns the emergencies in force on day, latest start first.
func (s *Service) Active(ctx context.Context, day time.Time) ([]Emergency, error) {
	sn, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	return sn.active(dayKey(day)), nil
}

func (sn *snapshot) active(d string) []Emergency {
	var out []Emergency
	for i := len(sn.emergencies) - 1; i >= 0; i-- {
		if sn.emergencies[i].activeOn(d) {
			out = append(out, sn.emergencies[i])
		}
	}
	return out
}

// MeasureInForce returns the emergency whose measure m applies on day, or
// nil when none does. It answers for the period itself; windows after the
// end (make-up, originals) are in MakeUpUntil and OriginalsDue.
func (s *Service) MeasureInForce(ctx context.Context, day time.Time, m Measure) (*Emergency, error) {
	act, err := s.Active(ctx, day)
	if err != nil {
		return nil, err
	}
	for _, e := range act {
		if e.Has(m) {
			return &e, nil
		}
	}
	return nil, nil
}

// LateAccepting returns the emergency whose late_accepted measure (逾期
// 登记、缴费及时受理并标识) covers business due on due and done late on
// day (Emergency.Relieves), or nil: none does, or day is not after due.
func (s *Service) LateAccepting(ctx context.Context, due, day time.Time) (*Emergency, error) {
	if dayKey(day) <= dayKey(due) {
		return nil, nil
	}
	sn, err := s.current(ctx)
	if err != nil {
		return nil, err
	}
	for i := len(sn.emergencies) - 1; i >= 0; i-- {
		if e := sn.emergencies[i]; e.Has(MeasureLateAccepted) && e.Relieves(due, day) {
			return &e, nil
		}
	}
	return nil, nil
}

// CollectionDue returns the last day to pay fee month 'YYYY-MM': normally
// day collection_due_day of the next month; later where an emergency's
// collection_extended measure lists the month. basis says why, in Chinese.
// Errors: Invalid (bad month), NotFound (rule missing).
func (s *Service) CollectionDue(ctx context.Context, feeMonth string) (due time.Time, basis string, err error) {
	m, err := ParseMonth(feeMonth)
	if err != nil {
		return due, "", err
	}
	next := m.AddDate(0, 1, 0)
	n, rule, err := s.Int(ctx, KeyCollectionDueDay, "", next)
	if err != nil {
		return due, "", err
	}
	if last := next.AddDate(0, 1, -1).Day(); int(n) > last {
		n = int64(last)
	}
	due = time.Date(next.Year(), next.Month(), int(n), 0, 0, 0, 0, next.Location())
	basis = "征收期至次月" + strconv.FormatInt(n, 10) + "日（依据：" + rule.LegalBasis + "）"
	sn, err := s.current(ctx)
	if err != nil {
		return due, "", err
	}
	for _, e := range sn.emergencies {
		p, ok := e.Params[MeasureCollectionExtended]
		if !ok || !e.Has(MeasureCollectionExtended) || !slices.Contains(p.FeeMonths, feeMonth) {
			continue
		}
		if ext := dayTime(p.Due); ext.After(due) {
			due = ext
			basis = e.Title + "：" + describeExtension(p) + "（依据：" + e.LegalBasis + "）"
		}
	}
	return due, basis, nil
}

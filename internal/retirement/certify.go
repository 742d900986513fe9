package retirement

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/policy"
)

// CertificationMonths is how long a benefit-eligibility certification
// (待遇资格认证) lasts (docs/rules.md "Retirement: eligibility certification").
const CertificationMonths = 12

// Certification methods.
const (
	CertifyCivil = "civil" // civil-affairs death data matching
	CertifySelf  = "self"  // the pensioner on the portal
)

var certifyNames = map[string]string{CertifyCivil: "民政死亡数据比对", CertifySelf: "本人网上自助认证"}

// Suspender suspends a pension whose certification was missed and puts it
// back into pay after a certification (the pension payroll).
type Suspender interface {
	SuspendTx(ctx context.Context, tx *sql.Tx, personID int64, last clock.Month, reason string) error
	ResumeTx(ctx context.Context, tx *sql.Tx, personID int64, reason string) error
}

// Certifiee is a pensioner's certification state.
type Certifiee struct {
	PersonID   int64
	Name       string
	IDNumber   string
	Status     string // the payroll's: active, suspended
	StopKind   string
	Last       string // YYYY-MM-DD of the last certification, "" when none
	Method     string
	Due        time.Time
	Kept       string // the emergency that keeps the pension in pay, "" when none
	Reminded   bool
	Suspended  bool
	ReliefTill *time.Time
}

// IDMasked is the masked ID number.
func (c Certifiee) IDMasked() string { return ident.MaskID(c.IDNumber) }

// NameMasked is the masked name.
func (c Certifiee) NameMasked() string { return ident.MaskName(c.Name) }

// DueText is the due date as pages show dates (clock.DateText).
func (c Certifiee) DueText() string { return clock.DateText(c.Due) }

// LastText is the last certification's date as pages show dates ("" when none).
func (c Certifiee) LastText() string {
	d, err := clock.ParseDate(c.Last)
	if err != nil {
		return ""
	}
	return clock.DateText(d)
}

// MethodName is the last certification's method in Chinese.
func (c Certifiee) MethodName() string { return certifyNames[c.Method] }

// certifiees loads every pensioner in pay or suspended with the last
// certification; the due date is CertificationMonths after it (or after
// the first pension month).
func certifiees(ctx context.Context, q db.Querier, where string, args ...any) ([]Certifiee, error) {
	var out []Certifiee
	err := db.Each(ctx, q, func(r db.Scanner) error {
		var c Certifiee
		var first string
		if err := r.Scan(&c.PersonID, &c.Name, &c.IDNumber, &c.Status, &c.StopKind, &first, &c.Last, &c.Method); err != nil {
			return err
		}
		from, _ := clock.ParseMonth(first)
		start := from.First()
		if c.Last != "" {
			start, _ = clock.ParseDate(c.Last)
		}
		c.Due = start.AddDate(0, CertificationMonths, 0)
		c.Suspended = c.Status == "suspended" && c.StopKind == "suspension"
		out = append(out, c)
		return nil
	}, certifieesQuery(where), args...)
	return out, errs.Wrap(err, "certifications")
}

// certifieesQuery selects the pensioners of certifiees, narrowed by where.
func certifieesQuery(where string) string {
	return `SELECT pn.person_id, pn.name, pn.id_number, pn.status, pn.stop_kind, pn.first_month,
		COALESCE((SELECT MAX(c.certified_on) FROM pension_certifications c WHERE c.person_id = pn.person_id), ''),
		COALESCE((SELECT c.method FROM pension_certifications c WHERE c.person_id = pn.person_id ORDER BY c.certified_on DESC, c.id DESC LIMIT 1), '')
		FROM pensioners pn JOIN persons p ON p.id = pn.person_id
		WHERE pn.status IN ('active', 'suspended') AND p.status <> 'deceased'` + where + ` ORDER BY pn.person_id`
}

// absentFromCivil narrows certifiees to those absent from the civil-affairs
// death register and not recorded dead: SQLite looks each up in the index
// civil_records_id_number (migration 170), PostgreSQL anti-joins the
// register once.
const absentFromCivil = ` AND NOT EXISTS (SELECT 1 FROM civil_records r WHERE r.id_number = p.id_number)
		AND NOT EXISTS (SELECT 1 FROM deaths d WHERE d.person_id = p.id)`

// CertifySelf is the pensioner's own certification on the portal: it
// lasts CertificationMonths and puts a pension suspended for a missed
// certification back into pay. Errors: LoginRequired, Forbidden, NotFound
// (not a pensioner).
func (s *Service) CertifySelf(ctx context.Context, a *access.Actor) (*Certifiee, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	if a.Role != access.RolePerson || a.PersonID == 0 {
		return nil, errs.New(errs.Forbidden, "person_only", "待遇资格认证须由本人登录办理")
	}
	cs, err := certifiees(ctx, s.db.Read(), " AND pn.person_id = $1", a.PersonID)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, errs.New(errs.NotFound, "not_pensioner", "您不是领取基本养老金的人员，无需认证")
	}
	today := clock.Today(s.clock)
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := s.certify(ctx, tx, cs[0], today, CertifySelf); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "retirement.certify", Entity: "person",
			EntityID: fmt.Sprint(a.PersonID), After: map[string]any{"method": CertifySelf, "on": today.Format(time.DateOnly)}})
	})
	if err != nil {
		return nil, err
	}
	c := cs[0]
	c.Last, c.Method, c.Due, c.Suspended = today.Format(time.DateOnly), CertifySelf, today.AddDate(0, CertificationMonths, 0), false
	return &c, nil
}

func (s *Service) certify(ctx context.Context, tx *sql.Tx, c Certifiee, on time.Time, method string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO pension_certifications (person_id, certified_on, method, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (person_id, certified_on, method) DO NOTHING`, c.PersonID, on.Format(time.DateOnly), method, s.now())
	if err != nil {
		return errs.Wrap(err, "certify")
	}
	if c.Suspended && s.suspender != nil {
		return s.suspender.ResumeTx(ctx, tx, c.PersonID, "已完成待遇资格认证（"+certifyNames[method]+"）")
	}
	return nil
}

// CertifyByCivil certifies, as of the day of the latest civil-affairs
// death register imported, every pensioner the register does not list
// (and not recorded deceased) whose certification is due within three
// months or missed: being absent from the complete register is the
// evidence of being alive. Only 保险福利科. It returns how many.
func (s *Service) CertifyByCivil(ctx context.Context, a *access.Actor) (int, error) {
	if !a.In(access.Welfare) {
		return 0, errs.New(errs.Forbidden, "welfare_only", "待遇资格认证由保险福利科办理")
	}
	var at time.Time
	err := s.db.Read().QueryRowContext(ctx, `SELECT created_at FROM civil_imports ORDER BY id DESC LIMIT 1`).Scan(&at)
	if db.IsNoRows(err) {
		return 0, errs.New(errs.Invalid, "no_civil_data", "尚未导入民政死亡数据，请先在“民政死亡数据”中导入")
	}
	if err != nil {
		return 0, errs.Wrap(err, "civil imports")
	}
	on := clock.DateOf(at)
	cs, err := certifiees(ctx, s.db.Read(), absentFromCivil)
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		for _, c := range cs {
			if c.Due.After(on.AddDate(0, 3, 0)) || c.Last >= on.Format(time.DateOnly) {
				continue
			}
			if err := s.certify(ctx, tx, c, on, CertifyCivil); err != nil {
				return err
			}
			n++
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "retirement.certify_civil", Entity: "certification", EntityID: on.Format(time.DateOnly),
			After: map[string]any{"certified": n}})
	})
	return n, err
}

// CheckResult is what the daily certification check did.
type CheckResult struct{ Suspended, Kept, Reminded int }

// CheckCertifications runs daily: a pensioner whose certification fell due
// without one is suspended from the next month; when the due date fell in
// an emergency with the measure certification_kept the pension stays in
// pay, and after the emergency ends the pensioner is reminded once and
// suspended only after the emergency's make-up window (docs/rules.md
// "Retirement: eligibility certification").
func (s *Service) CheckCertifications(ctx context.Context) (CheckResult, error) {
	var res CheckResult
	cs, err := s.Missed(ctx, access.System)
	if err != nil {
		return res, err
	}
	today := clock.Today(s.clock)
	for _, c := range cs {
		if c.Suspended {
			continue
		}
		if c.Kept != "" && (c.ReliefTill == nil || !today.After(*c.ReliefTill)) {
			res.Kept++
			if c.ReliefTill != nil && !c.Reminded {
				if ok, err := s.remindCertification(ctx, c); err != nil {
					return res, err
				} else if ok {
					res.Reminded++
				}
			}
			continue
		}
		if err := s.suspend(ctx, c, today); err != nil {
			return res, err
		}
		res.Suspended++
	}
	return res, nil
}

// Missed lists the pensioners whose certification is overdue, with the
// emergency that keeps each in pay. Only 保险福利科 (or the system).
func (s *Service) Missed(ctx context.Context, a *access.Actor) ([]Certifiee, error) {
	if a != access.System && !a.In(access.Welfare) {
		return nil, errs.New(errs.Forbidden, "welfare_only", "待遇资格认证由保险福利科办理")
	}
	cs, err := certifiees(ctx, s.db.Read(), "")
	if err != nil {
		return nil, err
	}
	today := clock.Today(s.clock)
	var out []Certifiee
	for _, c := range cs {
		if !c.Due.Before(today) {
			continue
		}
		e, err := s.policy.MeasureInForce(ctx, c.Due, policy.MeasureCertificationKept)
		if err != nil {
			return nil, err
		}
		if e != nil {
			c.Kept, c.ReliefTill = e.Title, e.ReliefUntil()
		}
		var n int
		_ = s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM certification_reminders WHERE person_id = $1 AND due_on = $2`,
			c.PersonID, c.Due.Format(time.DateOnly)).Scan(&n)
		c.Reminded = n > 0
		out = append(out, c)
	}
	return out, nil
}

func (s *Service) remindCertification(ctx context.Context, c Certifiee) (bool, error) {
	sent := false
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO certification_reminders (person_id, due_on, sent_at) VALUES ($1, $2, $3)`,
			c.PersonID, c.Due.Format(time.DateOnly), s.now())
		if isUnique(err) {
			return nil
		}
		if err != nil {
			return errs.Wrap(err, "certification reminder")
		}
		sent = true
		until := clock.DateText(*c.ReliefTill)
		s.notifyAccounts(ctx, tx, "person_id", c.PersonID, "请完成养老金待遇资格认证",
			fmt.Sprintf("您的待遇资格认证应于 %s 前完成，应急期间未认证的养老金照常发放。请于 %s 前登录网上服务大厅完成认证，逾期将暂停发放。",
				c.DueText(), until), "retirement.certification")
		return nil
	})
	return sent, err
}

func (s *Service) suspend(ctx context.Context, c Certifiee, today time.Time) error {
	if s.suspender == nil || c.Status != "active" {
		return nil
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		return s.suspender.SuspendTx(ctx, tx, c.PersonID, clock.MonthOf(today),
			"未按期完成待遇资格认证（应于 "+c.DueText()+" 前认证）")
	})
}

// MyCertification is the signed-in pensioner's certification state; nil
// when the person draws no pension. Errors: LoginRequired, Forbidden.
func (s *Service) MyCertification(ctx context.Context, a *access.Actor) (*Certifiee, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	if a.Role != access.RolePerson || a.PersonID == 0 {
		return nil, errs.New(errs.Forbidden, "person_only", "待遇资格认证须由本人登录办理")
	}
	cs, err := certifiees(ctx, s.db.Read(), " AND pn.person_id = $1", a.PersonID)
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	return &cs[0], nil
}

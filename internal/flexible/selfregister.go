package flexible

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
	"shebao/internal/person"
)

// Categories of flexible registration (参保身份), stored with the registration.
const (
	CategoryFlexible     = "flexible"      // 灵活就业人员
	CategorySelfEmployed = "self_employed" // 个体工商户
	CategoryUnemployed   = "unemployed"    // 失业人员
)

var categoryNames = map[string]string{CategoryFlexible: "灵活就业人员", CategorySelfEmployed: "个体工商户",
	CategoryUnemployed: "失业人员"}

// CategoryName returns the Chinese label of a category ("" if unknown).
func CategoryName(c string) string { return categoryNames[c] }

// SelfRegistration is what a person fills in to register as a flexible
// worker. There is no person id: it is always the logged-in person's.
type SelfRegistration struct {
	Category string    // CategoryFlexible, CategorySelfEmployed or CategoryUnemployed
	Base     money.Fen // chosen monthly base, within the limits of Since
	Since    string    // YYYY-MM: the current or the next month
}

// Registration is one flexible registration, for 个体参保科's list.
type Registration struct {
	ID             int64
	PersonID       int64
	Name, IDNumber string // IDNumber in clear: mask when showing it
	Category       string
	Base           money.Fen
	Since          string
	Self           bool
	RegisteredAt   time.Time
}

// CategoryName returns the Chinese label of the registration's category.
func (r Registration) CategoryName() string { return CategoryName(r.Category) }

// SelfRegister makes the logged-in person (role person) a flexible worker
// with a base chosen within the limits of the start month. Refused while
// the person is insured through an employer (open employment). Audited;
// the registration is listed for 个体参保科. Errors: Unauthenticated,
// Forbidden (not a person), Invalid (fields), Conflict (employed, already
// flexible, retired, or a concurrent change).
func (s *Service) SelfRegister(ctx context.Context, a *access.Actor, in SelfRegistration) (*person.Person, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	if a.Role != access.RolePerson || a.PersonID == 0 {
		return nil, errs.Forbid()
	}
	if err := s.validateSelf(ctx, in); err != nil {
		return nil, err
	}
	var p *person.Person
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var err error
		if p, err = person.Load(ctx, tx, a.PersonID); err != nil {
			return err
		}
		if err := refuseSelf(ctx, tx, p); err != nil {
			return err
		}
		before := p.Masked()
		now := s.clock.Now().UTC()
		p.Kind, p.FlexBase, p.FlexSince = person.Flexible, in.Base, in.Since
		if err := person.SetKind(ctx, tx, p, now); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO flexible_registrations (person_id, category, base_fen, since,
			self_registered, registered_by, registered_at) VALUES ($1, $2, $3, $4, TRUE, $5, $6) RETURNING id`,
			p.ID, in.Category, int64(in.Base), in.Since, nullID(a.UserID), now).Scan(&id); err != nil {
			return errs.Wrap(err, "insert flexible registration")
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "flexible.self_register", Entity: "person",
			EntityID: strconv.FormatInt(p.ID, 10), Before: before, After: p.Masked(),
			Note: "本人网上登记为" + CategoryName(in.Category) + "（登记号 " + strconv.FormatInt(id, 10) + "），待个体参保科查看"})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// validateSelf checks the fields: category, start month (current or next)
// and the base within that month's limits.
func (s *Service) validateSelf(ctx context.Context, in SelfRegistration) error {
	var f errs.Fields
	if CategoryName(in.Category) == "" {
		f.Add("category", "请选择参保身份：灵活就业人员、个体工商户或失业人员")
	}
	today := clock.Today(s.clock)
	cur, next := today.Format("2006-01"), today.AddDate(0, 0, 1-today.Day()).AddDate(0, 1, 0).Format("2006-01")
	monthOK := in.Since == cur || in.Since == next
	if !monthOK {
		f.Add("flex_since", "开始缴费月份只能选本月（"+cur+"）或下月（"+next+"）")
	}
	switch {
	case in.Base <= 0:
		f.Add("flex_base", "请填写自选缴费基数（元），须大于0")
	case in.Base%100 != 0:
		f.Add("flex_base", "缴费基数须为整数元")
	case monthOK:
		floor, ceiling, err := s.Limits(ctx, in.Since)
		if err != nil {
			return err
		}
		if in.Base < floor || in.Base > ceiling {
			f.Add("flex_base", "缴费基数须在 "+floor.String()+" 元至 "+ceiling.String()+" 元之间（"+in.Since+" 的上下限）")
		}
	}
	return f.Err()
}

// refuseSelf refuses a person who cannot register: insured through an
// employer now, already flexible, or not an active employee.
func refuseSelf(ctx context.Context, q db.Querier, p *person.Person) error {
	ems, err := person.EmploymentsOf(ctx, q, p.ID)
	if err != nil {
		return err
	}
	for _, m := range ems {
		if m.Open() {
			return errs.New(errs.Conflict, "employment_open", "您目前由单位参保（"+m.StartMonth+
				"起），不能同时以灵活就业人员身份缴纳养老保险；离职减员后可在此登记")
		}
	}
	switch {
	case p.Kind == person.Flexible:
		return errs.New(errs.Conflict, "already_flexible", "您已登记为灵活就业人员（"+p.FlexSince+"起），无需重复登记")
	case p.Kind != person.Employee || p.Status != "active":
		return errs.New(errs.Conflict, "not_eligible", "您当前的参保状态不能网上登记灵活就业，请联系个体参保科")
	}
	return nil
}

// SelfRegistrations lists the latest registrations made online by the
// persons themselves (newest first, at most limit). 个体参保科 only.
func (s *Service) SelfRegistrations(ctx context.Context, a *access.Actor, limit int) ([]Registration, error) {
	if err := a.RequireSection(access.SelfEmployed); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT r.id, r.person_id, p.name, p.id_number, r.category, r.base_fen,
		r.since, r.self_registered, r.registered_at FROM flexible_registrations r JOIN persons p ON p.id = r.person_id
		WHERE r.self_registered = TRUE ORDER BY r.registered_at DESC, r.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, errs.Wrap(err, "list flexible registrations")
	}
	defer rows.Close()
	var out []Registration
	for rows.Next() {
		var r Registration
		var base int64
		if err := rows.Scan(&r.ID, &r.PersonID, &r.Name, &r.IDNumber, &r.Category, &base, &r.Since, &r.Self,
			&r.RegisteredAt); err != nil {
			return nil, errs.Wrap(err, "read flexible registration")
		}
		r.Base = money.Fen(base)
		out = append(out, r)
	}
	return out, errs.Wrap(rows.Err(), "read flexible registrations")
}

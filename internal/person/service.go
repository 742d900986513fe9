package person

import (
	"context"
	"database/sql"
	"strconv"
	"strings"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/clock"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
)

// Service reads and registers insured persons.
type Service struct {
	db    *db.DB
	clock clock.Clock
	audit *audit.Service
}

// NewService returns the person service.
func NewService(d *db.DB, c clock.Clock, a *audit.Service) *Service {
	return &Service{db: d, clock: c, audit: a}
}

// canSee reports whether a may read the person with id: the person
// themselves or any agency staff.
func canSee(a *access.Actor, id int64) error {
	if a == nil {
		return errs.LoginRequired()
	}
	if a.IsStaff() || (a.Role == access.RolePerson && a.PersonID == id && id != 0) {
		return nil
	}
	return errs.Forbid()
}

// Get returns the person with id, to that person or to staff.
// Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) Get(ctx context.Context, a *access.Actor, id int64) (*Person, error) {
	if err := canSee(a, id); err != nil {
		return nil, err
	}
	return Load(ctx, s.db.Read(), id)
}

// ByIDNumber returns the person with an ID number (18 or legacy 15
// digits), to staff or to that person. Errors: Unauthenticated, Forbidden,
// Invalid (malformed number), NotFound.
func (s *Service) ByIDNumber(ctx context.Context, a *access.Actor, idNumber string) (*Person, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	if !a.IsStaff() && a.Role != access.RolePerson {
		return nil, errs.Forbid()
	}
	id, err := ident.ParseID(strings.ToUpper(strings.TrimSpace(idNumber)))
	if err != nil {
		var f errs.Fields
		f.Add("id_number", idMessage(err))
		return nil, f.Err()
	}
	p, err := FindByIDNumber(ctx, s.db.Read(), id.Number)
	if err != nil {
		return nil, err
	}
	if err := canSee(a, p.ID); err != nil {
		return nil, err
	}
	return p, nil
}

// Profile is what the person portal shows: the record, the current
// employment (nil when none) and every employment period, latest first.
type Profile struct {
	Person      *Person      `json:"person"`
	Current     *Employment  `json:"current_employment,omitempty"`
	Employments []Employment `json:"employments"`
}

// Profile returns the person's profile, to that person or to staff.
// Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) Profile(ctx context.Context, a *access.Actor, id int64) (*Profile, error) {
	p, err := s.Get(ctx, a, id)
	if err != nil {
		return nil, err
	}
	ms, err := EmploymentsOf(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	pr := &Profile{Person: p, Employments: ms}
	for i := range ms {
		if ms[i].Open() {
			pr.Current = &ms[i]
			break
		}
	}
	return pr, nil
}

// Employments lists a person's employment periods, to that person or to
// staff. Errors: Unauthenticated, Forbidden.
func (s *Service) Employments(ctx context.Context, a *access.Actor, personID int64) ([]Employment, error) {
	if err := canSee(a, personID); err != nil {
		return nil, err
	}
	return EmploymentsOf(ctx, s.db.Read(), personID)
}

// Register records a new person: staff of the coordination section for
// employees, retirees and survivors, of the self-employed section for
// flexible workers. Gender and birth date come from the ID number.
// Errors: Unauthenticated, Forbidden, Invalid (fields), Conflict
// (person_duplicate).
func (s *Service) Register(ctx context.Context, a *access.Actor, in NewPerson) (*Person, error) {
	sec := access.Coordination
	if in.Kind == Flexible {
		sec = access.SelfEmployed
	}
	if err := a.RequireSection(sec); err != nil {
		return nil, err
	}
	id, err := in.validate(clock.Today(s.clock))
	if err != nil {
		return nil, err
	}
	p := fromInput(in, id)
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := Insert(ctx, tx, p, s.clock.Now()); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "person.register", Entity: "person",
			EntityID: strconv.FormatInt(p.ID, 10), After: p.Masked()})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// fromInput builds the record of a validated input.
func fromInput(in NewPerson, id ident.ID) *Person {
	p := &Person{IDNumber: id.Number, Name: in.Name, Gender: "F", BirthDate: id.Birth.Format("2006-01-02"),
		Phone: in.Phone, Kind: in.Kind, HukouArea: in.HukouArea, Status: Active}
	if id.Male {
		p.Gender = "M"
	}
	if p.HukouArea == "" && len(id.Number) >= 6 {
		p.HukouArea = id.Number[:6]
	}
	if in.Kind == Flexible {
		p.FlexBase, p.FlexSince = in.FlexBase, in.FlexSince
	}
	return p
}

// SetFlexible makes a person a flexible worker paying on base from month
// since, or (base 0) returns them to being an employee. Staff of the
// self-employed section only. Errors: Unauthenticated, Forbidden,
// Invalid, NotFound, Conflict (stale version, or an open employment).
func (s *Service) SetFlexible(ctx context.Context, a *access.Actor, id, version int64, base money.Fen, since string) (*Person, error) {
	if err := a.RequireSection(access.SelfEmployed); err != nil {
		return nil, err
	}
	if base != 0 {
		var f errs.Fields
		validateFlex(&f, base, since)
		if err := f.Err(); err != nil {
			return nil, err
		}
	}
	var p *Person
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var err error
		if p, err = Load(ctx, tx, id); err != nil {
			return err
		}
		before := p.Masked()
		if err := s.applyFlexible(ctx, tx, p, version, base, since); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "person.flexible", Entity: "person",
			EntityID: strconv.FormatInt(id, 10), Before: before, After: p.Masked()})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (s *Service) applyFlexible(ctx context.Context, tx *sql.Tx, p *Person, version int64, base money.Fen, since string) error {
	if p.Version != version {
		return errs.StaleVersion()
	}
	if base == 0 {
		p.Kind, p.FlexBase, p.FlexSince = Employee, 0, ""
		return SetKind(ctx, tx, p, s.clock.Now())
	}
	var open int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM employments WHERE person_id = $1 AND end_month IS NULL`,
		p.ID).Scan(&open); err != nil {
		return errs.Wrap(err, "count open employments")
	}
	if open > 0 {
		return errs.New(errs.Conflict, "employment_open", "该人员仍在单位参保，须先由单位办理减员，才能以灵活就业人员身份参保")
	}
	p.Kind, p.FlexBase, p.FlexSince = Flexible, base, since
	return SetKind(ctx, tx, p, s.clock.Now())
}

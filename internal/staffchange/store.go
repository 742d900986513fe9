package staffchange

import (
	"context"
	"strconv"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
	"shebao/internal/person"
)

// employerInfo is what staff changes need of an employer.
type employerInfo struct {
	ID          int64
	Name        string
	Established string // YYYY-MM
}

func loadEmployer(ctx context.Context, q db.Querier, id int64) (employerInfo, error) {
	e := employerInfo{ID: id}
	var est string
	err := q.QueryRowContext(ctx, `SELECT name, established_on FROM employers WHERE id = $1`, id).Scan(&e.Name, &est)
	if db.IsNoRows(err) {
		return e, errs.NotFoundf("未找到该参保单位")
	}
	if len(est) >= 7 {
		e.Established = est[:7]
	}
	return e, errs.Wrap(err, "load employer")
}

// overlapping returns the person's employments that cover start or a later
// month (open ones, or closed at or after start), latest first.
func overlapping(ctx context.Context, q db.Querier, personID int64, start string) ([]person.Employment, error) {
	var out []person.Employment
	err := db.Each(ctx, q, func(r db.Scanner) error {
		m := person.Employment{PersonID: personID}
		if err := r.Scan(&m.ID, &m.EmployerID, &m.EmployerName, &m.StartMonth, &m.EndMonth, &m.Base, &m.Version); err != nil {
			return errs.Wrap(err, "scan employment")
		}
		out = append(out, m)
		return nil
	}, `SELECT m.id, m.employer_id, e.name, m.start_month, COALESCE(m.end_month, ''),
		m.base_fen, m.version FROM employments m JOIN employers e ON e.id = m.employer_id
		WHERE m.person_id = $1 AND (m.end_month IS NULL OR m.end_month >= $2)
		ORDER BY m.start_month DESC, m.id DESC`, personID, start)
	return out, errs.Wrap(err, "overlapping employments")
}

// heldError tells an employer only that the person is insured by another
// employer and that 统筹科 resolves it: which employer, and since when, is
// not the asking employer's to know (统筹科 sees the full conflict).
func heldError(m person.Employment) error {
	if m.EndMonth != "" {
		return errs.New(errs.Conflict, "held_by_other", "该人员在所填起始月份已由其他单位参保，请核对起始月份；"+
			"如确有重叠，请向统筹科申请协调，由统筹科核实处理")
	}
	return errs.New(errs.Conflict, "held_by_other", "该人员目前已由其他单位参保。如已离职，可请原单位办理减员，"+
		"或向统筹科申请协调，由统筹科核实处理")
}

// ownError tells an employer the person is already its staff.
func ownError(m person.Employment) error {
	if m.EndMonth == "" {
		return errs.New(errs.Conflict, "already_staff", "该人员已在本单位参保（"+m.StartMonth+" 起），无需重复增员；如需更正基数请使用基数更正")
	}
	return errs.New(errs.Conflict, "already_staff", "该人员在本单位的参保期间（"+m.StartMonth+" 至 "+m.EndMonth+"）与起始月份重叠，请核对起始月份")
}

// checkFree refuses start when the person has an employment covering it.
func checkFree(ctx context.Context, q db.Querier, employerID, personID int64, start string) error {
	ms, err := overlapping(ctx, q, personID, start)
	if err != nil || len(ms) == 0 {
		return err
	}
	if ms[0].EmployerID == employerID {
		return ownError(ms[0])
	}
	return heldError(ms[0])
}

// findOrCreatePerson returns the person with the ID number, created with
// name and phone when new. A different stored name is refused.
func findOrCreatePerson(ctx context.Context, q db.Querier, r addRow, now time.Time) (*person.Person, error) {
	p, err := person.FindByIDNumber(ctx, q, r.id.Number)
	if err == nil {
		if p.Name != r.name {
			var f errs.Fields
			f.Add("name", "姓名“"+r.name+"”与该身份号码登记的姓名不一致，请核对；如姓名已变更，请先向统筹科申请更正")
			return nil, f.Err()
		}
		if p.Status == person.Deceased {
			return nil, deceasedError()
		}
		return p, nil
	}
	if errs.KindOf(err) != errs.NotFound {
		return nil, err
	}
	p = newPerson(r)
	if err := person.Insert(ctx, q, p, now); err != nil {
		return nil, err
	}
	return p, nil
}

func newPerson(r addRow) *person.Person {
	p := &person.Person{IDNumber: r.id.Number, Name: r.name, Gender: "F", BirthDate: r.id.Birth.Format("2006-01-02"),
		Phone: r.phone, Kind: person.Employee, HukouArea: r.id.Number[:6], Status: person.Active}
	if r.id.Male {
		p.Gender = "M"
	}
	return p
}

// deceasedError refuses adding a person recorded as deceased.
func deceasedError() error {
	return errs.New(errs.Conflict, "person_deceased", "该人员已登记死亡，不能增员；如登记有误请联系统筹科")
}

// changeRow is one row of staff_changes.
type changeRow struct {
	EmployerID, PersonID, EmploymentID int64
	Kind, Month                        string
	Declared, Base, OldBase            money.Fen
	Reason, Flags                      string
	ImportID                           int64
	ActorID                            int64
}

func (c changeRow) args(now time.Time) []any {
	var imp any
	if c.ImportID != 0 {
		imp = c.ImportID
	}
	return []any{c.EmployerID, c.PersonID, c.EmploymentID, c.Kind, c.Month, int64(c.Declared), int64(c.Base),
		int64(c.OldBase), c.Reason, c.Flags, imp, c.ActorID, now}
}

// changeColumns are changeCols for a bulk insert.
var changeColumns = []db.Column{{Name: "employer_id", Type: db.BigInt}, {Name: "person_id", Type: db.BigInt},
	{Name: "employment_id", Type: db.BigInt}, {Name: "kind", Type: db.Text}, {Name: "month", Type: db.Text},
	{Name: "declared_fen", Type: db.BigInt}, {Name: "base_fen", Type: db.BigInt}, {Name: "old_base_fen", Type: db.BigInt},
	{Name: "reason", Type: db.Text}, {Name: "flags", Type: db.Text}, {Name: "import_id", Type: db.BigInt},
	{Name: "actor_id", Type: db.BigInt}, {Name: "created_at", Type: db.Timestamp}}

const changeCols = `employer_id, person_id, employment_id, kind, month, declared_fen, base_fen, old_base_fen,
	reason, flags, import_id, actor_id, created_at`

func insertChange(ctx context.Context, q db.Querier, c changeRow, now time.Time) error {
	_, err := q.ExecContext(ctx, `INSERT INTO staff_changes (`+changeCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, c.args(now)...)
	return errs.Wrap(err, "insert staff change")
}

// monthAssessed reports whether the employer's bill for month is past
// draft (confirmed, paid …): its bases can no longer change.
func monthAssessed(ctx context.Context, q db.Querier, employerID int64, month string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM bills WHERE employer_id = $1 AND fee_month = $2
		AND status NOT IN ('draft', 'correction_requested', 'cancelled')`, employerID, month).Scan(&n)
	return n > 0, errs.Wrap(err, "check bill")
}

// maskedID is the ID number as audit entries show it.
func maskedID(n string) string { return ident.MaskID(n) }

func itoa(n int) string { return strconv.Itoa(n) }

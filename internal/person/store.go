package person

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/money"
)

// The store functions take a db.Querier so that other packages (staff
// changes, make-up payments) can call them inside their own transaction.

const personCols = `id, id_number, name, gender, birth_date, phone, kind, hukou_area, status,
	flex_base_fen, flex_since, created_at, updated_at, version`

func scanPerson(row interface{ Scan(...any) error }) (*Person, error) {
	var p Person
	var base sql.NullInt64
	var since sql.NullString
	err := row.Scan(&p.ID, &p.IDNumber, &p.Name, &p.Gender, &p.BirthDate, &p.Phone, &p.Kind,
		&p.HukouArea, &p.Status, &base, &since, &p.CreatedAt, &p.UpdatedAt, &p.Version)
	if err != nil {
		return nil, err
	}
	p.FlexBase, p.FlexSince = money.Fen(base.Int64), since.String
	return &p, nil
}

func notFound() error { return errs.NotFoundf("未找到该参保人员") }

// Load reads the person with id. It returns NotFound when there is none.
func Load(ctx context.Context, q db.Querier, id int64) (*Person, error) {
	p, err := scanPerson(q.QueryRowContext(ctx, `SELECT `+personCols+` FROM persons WHERE id = $1`, id))
	if db.IsNoRows(err) {
		return nil, notFound()
	}
	return p, errs.Wrap(err, "load person")
}

// LoadMany reads the persons with ids in one read, by id (ids without a
// person are left out).
func LoadMany(ctx context.Context, q db.Querier, ids []int64) (map[int64]*Person, error) {
	out := make(map[int64]*Person, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	in, args := db.InInt64s(ids)
	err := db.Each(ctx, q, func(r db.Scanner) error {
		p, err := scanPerson(r)
		if err != nil {
			return err
		}
		out[p.ID] = p
		return nil
	}, `SELECT `+personCols+` FROM persons WHERE id IN (`+in+`)`, args...)
	return out, errs.Wrap(err, "load persons")
}

// FindByIDNumber reads the person with an 18-character ID number (upper
// case X). It returns NotFound when there is none.
func FindByIDNumber(ctx context.Context, q db.Querier, idNumber string) (*Person, error) {
	p, err := scanPerson(q.QueryRowContext(ctx, `SELECT `+personCols+` FROM persons WHERE id_number = $1`, idNumber))
	if db.IsNoRows(err) {
		return nil, notFound()
	}
	return p, errs.Wrap(err, "find person")
}

// Insert stores a new person and sets p.ID, CreatedAt, UpdatedAt and
// Version. A duplicate ID number is a Conflict.
func Insert(ctx context.Context, q db.Querier, p *Person, now time.Time) error {
	var base any
	var since any
	if p.Kind == Flexible {
		base, since = int64(p.FlexBase), p.FlexSince
	}
	if p.Status == "" {
		p.Status = Active
	}
	err := q.QueryRowContext(ctx, `INSERT INTO persons (id_number, name, gender, birth_date, phone, kind,
		hukou_area, status, flex_base_fen, flex_since, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
		p.IDNumber, p.Name, p.Gender, p.BirthDate, p.Phone, string(p.Kind), p.HukouArea, string(p.Status),
		base, since, now).Scan(&p.ID)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "person_duplicate", "该公民身份号码已登记参保，请按身份号码查询后办理")
	}
	if err != nil {
		return errs.Wrap(err, "insert person")
	}
	p.CreatedAt, p.UpdatedAt, p.Version = now, now, 1
	return nil
}

// SetKind changes how a person is insured (with the flexible base and
// start month for Flexible, cleared otherwise), under optimistic locking:
// a stale version is a Conflict.
func SetKind(ctx context.Context, q db.Querier, p *Person, now time.Time) error {
	var base, since any
	if p.Kind == Flexible {
		base, since = int64(p.FlexBase), p.FlexSince
	}
	res, err := q.ExecContext(ctx, `UPDATE persons SET kind = $1, flex_base_fen = $2, flex_since = $3,
		updated_at = $4, version = version + 1 WHERE id = $5 AND version = $6`,
		string(p.Kind), base, since, now, p.ID, p.Version)
	if err != nil {
		return errs.Wrap(err, "update person kind")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.StaleVersion()
	}
	p.UpdatedAt = now
	p.Version++
	return nil
}

const employmentCols = `m.id, m.person_id, m.employer_id, COALESCE(e.employer_no, ''), COALESCE(e.name, ''),
	m.start_month, COALESCE(m.end_month, ''), m.base_fen, m.end_reason, m.created_at, m.version`

func employmentFields(m *Employment) []any {
	return []any{&m.ID, &m.PersonID, &m.EmployerID, &m.EmployerNo, &m.EmployerName,
		&m.StartMonth, &m.EndMonth, &m.Base, &m.EndReason, &m.CreatedAt, &m.Version}
}

// EmploymentsOf lists a person's employments, the latest first, with the
// employer's number and name.
func EmploymentsOf(ctx context.Context, q db.Querier, personID int64) ([]Employment, error) {
	out, err := db.Collect(ctx, q, db.Fields(employmentFields), `SELECT `+employmentCols+` FROM employments m
		LEFT JOIN employers e ON e.id = m.employer_id
		WHERE m.person_id = $1 ORDER BY m.start_month DESC, m.id DESC`, personID)
	return out, errs.Wrap(err, "list employments")
}

// EmploymentsInMonth lists the employments of an employer that cover month
// (YYYY-MM), ordered by person.
func EmploymentsInMonth(ctx context.Context, q db.Querier, employerID int64, month string) ([]Employment, error) {
	out, err := db.Collect(ctx, q, db.Fields(employmentFields), `SELECT `+employmentCols+` FROM employments m
		LEFT JOIN employers e ON e.id = m.employer_id
		WHERE m.employer_id = $1 AND m.start_month <= $2 AND (m.end_month IS NULL OR m.end_month >= $2)
		ORDER BY m.person_id, m.id`, employerID, month)
	return out, errs.Wrap(err, "list employments")
}

// InsertEmployment stores a new employment and sets m.ID. A second open
// employment of the same person is a Conflict (code employment_open).
func InsertEmployment(ctx context.Context, q db.Querier, m *Employment, now time.Time) error {
	var end any
	if m.EndMonth != "" {
		end = m.EndMonth
	}
	err := q.QueryRowContext(ctx, `INSERT INTO employments (person_id, employer_id, start_month, end_month,
		base_fen, end_reason, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id`,
		m.PersonID, m.EmployerID, m.StartMonth, end, int64(m.Base), m.EndReason, now).Scan(&m.ID)
	if db.IsUniqueViolation(err) {
		return errs.New(errs.Conflict, "employment_open", "该人员已在其他单位参保且未办理减员，不能重复参保")
	}
	if err != nil {
		return errs.Wrap(err, "insert employment")
	}
	m.CreatedAt, m.Version = now, 1
	return nil
}

// EndEmployment closes an open employment at endMonth (inclusive) with a
// reason, under optimistic locking: a stale version or an employment that
// is already closed is a Conflict.
func EndEmployment(ctx context.Context, q db.Querier, id, version int64, endMonth, reason string, now time.Time) error {
	res, err := q.ExecContext(ctx, `UPDATE employments SET end_month = $1, end_reason = $2, updated_at = $3,
		version = version + 1 WHERE id = $4 AND version = $5 AND end_month IS NULL AND start_month <= $1`,
		endMonth, reason, now, id, version)
	if err != nil {
		return errs.Wrap(err, "end employment")
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errs.StaleVersion()
	}
	return nil
}

// MarkDeceased sets a person's status to deceased, in the caller's
// transaction (the death line records the death itself).
func MarkDeceased(ctx context.Context, q db.Querier, p *Person, now time.Time) error {
	_, err := q.ExecContext(ctx, `UPDATE persons SET status = 'deceased', updated_at = $2, version = version + 1 WHERE id = $1`, p.ID, now)
	if err != nil {
		return errs.Wrap(err, "mark deceased")
	}
	p.Status, p.UpdatedAt = Deceased, now
	p.Version++
	return nil
}

// MarkDeceasedWhere sets to deceased the living persons whose ids the
// subquery idQuery selects (set-based, for a civil-affairs file), in the
// caller's transaction, and returns how many changed.
func MarkDeceasedWhere(ctx context.Context, q db.Querier, now time.Time, idQuery string, args ...any) (int64, error) {
	n := len(args) + 1
	res, err := q.ExecContext(ctx, `UPDATE persons SET status = 'deceased', updated_at = $`+strconv.Itoa(n)+`, version = version + 1
		WHERE status <> 'deceased' AND id IN (`+idQuery+`)`, append(args, now)...)
	if err != nil {
		return 0, errs.Wrap(err, "mark deceased")
	}
	return res.RowsAffected()
}

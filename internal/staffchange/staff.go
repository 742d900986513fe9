package staffchange

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
	"shebao/internal/money"
)

// Staff is one employment of an employer with the person's details.
type Staff struct {
	EmploymentID int64     `json:"id"`
	EmployerID   int64     `json:"employer_id"`
	PersonID     int64     `json:"person_id"`
	IDNumber     string    `json:"id_number"` // masked in lists
	Name         string    `json:"name"`
	Phone        string    `json:"phone,omitempty"`
	StartMonth   string    `json:"start_month"`
	EndMonth     string    `json:"end_month,omitempty"`
	EndReason    string    `json:"end_reason,omitempty"`
	Base         money.Fen `json:"base_fen"`
	Declared     money.Fen `json:"declared_fen"`
	Version      int64     `json:"version"`
}

// Current reports whether the employment lasts.
func (st Staff) Current() bool { return st.EndMonth == "" }

// Masked returns a copy with ID and phone numbers masked.
func (st Staff) Masked() Staff {
	st.IDNumber, st.Phone = ident.MaskID(st.IDNumber), ident.MaskPhone(st.Phone)
	return st
}

const staffCols = `m.id, m.employer_id, m.person_id, p.id_number, p.name, p.phone, m.start_month,
	COALESCE(m.end_month, ''), m.end_reason, m.base_fen, m.declared_fen, m.version`

func scanStaff(row interface{ Scan(...any) error }) (*Staff, error) {
	var st Staff
	err := row.Scan(&st.EmploymentID, &st.EmployerID, &st.PersonID, &st.IDNumber, &st.Name, &st.Phone,
		&st.StartMonth, &st.EndMonth, &st.EndReason, &st.Base, &st.Declared, &st.Version)
	return &st, err
}

// loadStaff reads one employment of employerID; another employer's is
// NotFound.
func loadStaff(ctx context.Context, q db.Querier, employerID, employmentID int64) (*Staff, error) {
	st, err := scanStaff(q.QueryRowContext(ctx, `SELECT `+staffCols+` FROM employments m
		JOIN persons p ON p.id = m.person_id WHERE m.id = $1 AND m.employer_id = $2`, employmentID, employerID))
	if db.IsNoRows(err) {
		return nil, errs.NotFoundf("未找到该参保人员")
	}
	return st, errs.Wrap(err, "load staff")
}

// Get returns one of the employer's staff with the full ID number (the
// detail page). Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) Get(ctx context.Context, a *access.Actor, employerID, employmentID int64) (*Staff, error) {
	if err := a.RequireEmployer(employerID); err != nil {
		return nil, err
	}
	return loadStaff(ctx, s.db.Read(), employerID, employmentID)
}

// Filter narrows the staff list.
type Filter struct {
	Q   string // name, or ID number (full or its last digits)
	All bool   // include removed staff
}

// PageSize is the number of staff per page.
const PageSize = 50

// List returns a page (from 1) of the employer's staff, ID and phone
// numbers masked, current staff first, and the total.
// Errors: Unauthenticated, Forbidden.
func (s *Service) List(ctx context.Context, a *access.Actor, employerID int64, f Filter, page, size int) ([]Staff, int, error) {
	if err := a.RequireEmployer(employerID); err != nil {
		return nil, 0, err
	}
	where := ` WHERE m.employer_id = $1`
	args := []any{employerID}
	if !f.All {
		where += ` AND m.end_month IS NULL`
	}
	if q := strings.ToUpper(strings.TrimSpace(f.Q)); q != "" {
		args = append(args, db.Like(q))
		where += ` AND (p.name LIKE $2 ESCAPE '\' OR p.id_number LIKE $2 ESCAPE '\')`
	}
	from := ` FROM employments m JOIN persons p ON p.id = m.person_id`
	var total int
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*)`+from+where, args...).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "count staff")
	}
	if page < 1 {
		page = 1
	}
	args = append(args, size, (page-1)*size)
	n := len(args)
	var out []Staff
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		st, err := scanStaff(r)
		if err != nil {
			return errs.Wrap(err, "scan staff")
		}
		out = append(out, st.Masked())
		return nil
	}, `SELECT `+staffCols+from+where+
		` ORDER BY (CASE WHEN m.end_month IS NULL THEN 0 ELSE 1 END), m.start_month DESC, m.id DESC LIMIT $`+
		strconv.Itoa(n-1)+` OFFSET $`+strconv.Itoa(n), args...)
	return out, total, errs.Wrap(err, "list staff")
}

// Change is one row of an employer's change history.
type Change struct {
	Kind     string    `json:"kind"`
	Month    string    `json:"month"`
	Declared money.Fen `json:"declared_fen"`
	Base     money.Fen `json:"base_fen"`
	OldBase  money.Fen `json:"old_base_fen"`
	Reason   string    `json:"reason"`
	Flags    string    `json:"flags"`
	ImportID int64     `json:"import_id,omitempty"`
	// The file and time of the batch import that made the change (pages
	// name the import by them, never by its number).
	ImportFile string     `json:"import_file,omitempty"`
	ImportedAt *time.Time `json:"imported_at,omitempty"`
}

// KindName returns 增员, 减员 or 基数更正.
func (c Change) KindName() string {
	switch c.Kind {
	case "add":
		return "增员"
	case "remove":
		return "减员"
	}
	return "基数更正"
}

// FlagNames returns the Chinese labels of the change's flags.
func (c Change) FlagNames() []string {
	var out []string
	for _, f := range strings.Split(c.Flags, ",") {
		if f != "" {
			out = append(out, FlagName(f))
		}
	}
	return out
}

// History lists the changes of one of the employer's staff, oldest first.
// Errors: Unauthenticated, Forbidden, NotFound.
func (s *Service) History(ctx context.Context, a *access.Actor, employerID, employmentID int64) ([]Change, error) {
	if _, err := s.Get(ctx, a, employerID, employmentID); err != nil {
		return nil, err
	}
	var out []Change
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var c Change
		var at sql.NullTime
		if err := r.Scan(&c.Kind, &c.Month, &c.Declared, &c.Base, &c.OldBase, &c.Reason, &c.Flags, &c.ImportID, &c.ImportFile, &at); err != nil {
			return errs.Wrap(err, "scan change")
		}
		if at.Valid {
			c.ImportedAt = &at.Time
		}
		out = append(out, c)
		return nil
	}, `SELECT c.kind, c.month, c.declared_fen, c.base_fen, c.old_base_fen, c.reason, c.flags,
		COALESCE(c.import_id, 0), COALESCE(i.file_name, ''), i.created_at
		FROM staff_changes c LEFT JOIN staff_imports i ON i.id = c.import_id
		WHERE c.employment_id = $1 ORDER BY c.id`, employmentID)
	return out, errs.Wrap(err, "staff history")
}

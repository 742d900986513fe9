package employer

import (
	"context"
	"database/sql"
	"strings"
	"unicode/utf8"

	"shebao/internal/access"
	"shebao/internal/audit"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/ident"
)

// SearchPageSize is how many matches a search page holds.
const SearchPageSize = 20

// Match is an employer found by Search: its name and number, the credit
// code masked as lists mask it.
type Match struct {
	ID         int64
	Name       string
	EmployerNo string
	USCC       string // masked
	Status     string // Chinese
}

// Matches is one page of a search.
type Matches struct {
	Items []Match
	Total int
	Page  int
}

// Search finds employers for staff by employer number, unified social
// credit code, or part of the name, a page of SearchPageSize at a time;
// audited like the person search. Errors: Unauthenticated, Forbidden (not
// staff), Invalid (query).
func (s *Service) Search(ctx context.Context, a *access.Actor, query string, page int) (*Matches, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	if !a.IsStaff() {
		return nil, errs.Forbid()
	}
	where, arg, err := employerQuery(query)
	if err != nil {
		return nil, err
	}
	page = max(page, 1)
	out := &Matches{Page: page}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if out.Items, out.Total, err = searchEmployers(ctx, tx, where, arg, page); err != nil {
			return err
		}
		if len(out.Items) == 0 && page > 1 { // past the last page: count apart
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM employers WHERE `+where, arg).Scan(&out.Total); err != nil {
				return errs.Wrap(err, "count employers")
			}
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "employer.search", Entity: "employer",
			After: map[string]any{"query": ident.MaskID(strings.TrimSpace(query)), "found": out.Total, "page": page}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// employerQuery turns the query into a condition: a credit code, an
// employer number (digits), else part of the name.
func employerQuery(q string) (string, any, error) {
	q = strings.TrimSpace(q)
	if code, err := ident.ParseUSCC(strings.ToUpper(q)); err == nil {
		return "uscc = $1", code, nil
	}
	if q != "" && strings.Trim(q, "0123456789") == "" {
		return "employer_no = $1", q, nil
	}
	if n := utf8.RuneCountInString(q); n < 2 || n > 100 {
		var f errs.Fields
		f.Add("q", "请输入单位名称中的至少2个字、单位社保编号或18位统一社会信用代码")
		return "", nil, f.Err()
	}
	esc := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q)
	return `name LIKE $1 ESCAPE '\'`, "%" + esc + "%", nil
}

// searchEmployers reads one page of matches and, in the same pass, how
// many there are (a part of a name is matched by reading every employer's
// name once, not once to count and again for the page).
func searchEmployers(ctx context.Context, tx *sql.Tx, where string, arg any, page int) ([]Match, int, error) {
	var out []Match
	var total int
	err := db.Each(ctx, tx, func(r db.Scanner) error {
		var m Match
		var st EmployerStatus
		if err := r.Scan(&m.ID, &m.Name, &m.EmployerNo, &m.USCC, &st, &total); err != nil {
			return err
		}
		m.USCC, m.Status = ident.MaskID(m.USCC), st.Name()
		out = append(out, m)
		return nil
	}, `SELECT id, name, employer_no, uscc, status, COUNT(*) OVER () FROM employers
		WHERE `+where+` ORDER BY employer_no LIMIT $2 OFFSET $3`, arg, SearchPageSize, (page-1)*SearchPageSize)
	return out, total, errs.Wrap(err, "search employers")
}

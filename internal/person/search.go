package person

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

// Match is a person found by Search, masked as lists are: 张*,
// 3401**********5849.
type Match struct {
	ID       int64
	Name     string // masked
	IDNumber string // masked
	Gender   string // 男 / 女
	Status   string // Chinese
	Employer string // current employer's name, "" when none
}

// Matches is one page of a search.
type Matches struct {
	Items []Match
	Total int
	Page  int
}

// Search finds persons by full ID number or full name for staff (a clerk
// linking a case to its applicant), a page of SearchPageSize at a time,
// masked. Each search is audited with the masked query, because it reads
// personal data of people the clerk has no case with yet. Errors:
// Unauthenticated, Forbidden (not staff), Invalid (query).
func (s *Service) Search(ctx context.Context, a *access.Actor, query string, page int) (*Matches, error) {
	if a == nil {
		return nil, errs.LoginRequired()
	}
	if !a.IsStaff() {
		return nil, errs.Forbid()
	}
	where, arg, shown, err := personQuery(query)
	if err != nil {
		return nil, err
	}
	page = max(page, 1)
	out := &Matches{Page: page}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM persons p WHERE `+where, arg).Scan(&out.Total); err != nil {
			return errs.Wrap(err, "count persons")
		}
		if out.Items, err = searchPersons(ctx, tx, where, arg, page); err != nil {
			return err
		}
		return s.audit.Record(ctx, tx, a, audit.Entry{Action: "person.search", Entity: "person",
			After: map[string]any{"query": shown, "found": out.Total, "page": page}})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// personQuery turns the query into a condition: a full ID number, else a
// full name. shown is the query masked for the audit log.
func personQuery(q string) (where string, arg any, shown string, err error) {
	q = strings.TrimSpace(q)
	if id, perr := ident.ParseID(strings.ToUpper(q)); perr == nil {
		return "p.id_number = $1", id.Number, ident.MaskID(id.Number), nil
	}
	if n := utf8.RuneCountInString(q); n < 2 || n > 50 || strings.ContainsAny(q, "0123456789") {
		var f errs.Fields
		f.Add("q", "请输入完整的姓名（至少2个字）或18位公民身份号码")
		return "", nil, "", f.Err()
	}
	return "p.name = $1", q, ident.MaskName(q), nil
}

func searchPersons(ctx context.Context, tx *sql.Tx, where string, arg any, page int) ([]Match, error) {
	var out []Match
	err := db.Each(ctx, tx, func(r db.Scanner) error {
		var m Match
		var gender string
		var status Status
		if err := r.Scan(&m.ID, &m.Name, &m.IDNumber, &gender, &status, &m.Employer); err != nil {
			return err
		}
		m.Name, m.IDNumber, m.Status = ident.MaskName(m.Name), ident.MaskID(m.IDNumber), status.Name()
		m.Gender = map[string]string{"M": "男", "F": "女"}[gender]
		out = append(out, m)
		return nil
	}, `SELECT p.id, p.name, p.id_number, p.gender, p.status, COALESCE(e.name, '')
		FROM persons p LEFT JOIN employments m ON m.person_id = p.id AND m.end_month IS NULL
		LEFT JOIN employers e ON e.id = m.employer_id
		WHERE `+where+` ORDER BY p.id LIMIT $2 OFFSET $3`, arg, SearchPageSize, (page-1)*SearchPageSize)
	return out, errs.Wrap(err, "search persons")
}

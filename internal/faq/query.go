package faq

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"shebao/internal/access"
	"shebao/internal/db"
	"shebao/internal/errs"
	"shebao/internal/logredact"
)

// visible is the condition of an answer the public sees on day $1.
const visible = `f.status = 'published' AND (f.valid_from = '' OR f.valid_from <= $1) AND (f.valid_until = '' OR f.valid_until >= $1)`

// Visible reports whether the public sees the answer on day (YYYY-MM-DD).
func (f *FAQ) Visible(day string) bool {
	return f.Status == Published && (f.ValidFrom == "" || f.ValidFrom <= day) && (f.ValidUntil == "" || f.ValidUntil >= day)
}

// Get returns an answer: to staff whatever its status, to everyone else
// only while it is published and valid. Errors: NotFound.
func (s *Service) Get(ctx context.Context, a *access.Actor, id int64) (*FAQ, error) {
	f, err := byID(ctx, s.db.Read(), id)
	if err != nil {
		return nil, err
	}
	if !f.Visible(s.today()) && !a.IsStaff() {
		return nil, errs.NotFoundf("没有这条常见问题，或已停用")
	}
	return f, nil
}

// Query filters a list. Page counts from 1.
type Query struct {
	Q        string
	Category Category
	Section  access.Section // staff list only
	Status   Status         // staff list only; "" = all
	Page     int
}

// Search returns a page of the published answers matching q and the total.
// With words, answers are ranked by how many of the words' character pairs
// they contain, then by where (question before keywords before answer),
// then by number; without, by number.
func (s *Service) Search(ctx context.Context, q Query) ([]FAQ, int, error) {
	q.Page = max(q.Page, 1)
	terms := queryTerms(q.Q)
	if len(terms) == 0 {
		return s.browse(ctx, q)
	}
	ph, args := placeholders(terms, 0)
	args = append(args, minMatches(len(terms)), s.today())
	cond := visible
	if q.Category.Valid() {
		args = append(args, string(q.Category))
		cond += ` AND f.category = $` + strconv.Itoa(len(args))
	}
	cond = strings.ReplaceAll(cond, "$1", "$"+strconv.Itoa(len(terms)+2))
	// Group the index rows first (the covering index alone), then keep the
	// visible answers; every match's id is returned, the page cut here.
	ids, err := s.ids(ctx, `SELECT m.faq_id FROM (SELECT faq_id, COUNT(*) AS n, SUM(weight) AS w FROM faq_grams
		WHERE gram IN (`+ph+`) GROUP BY faq_id HAVING COUNT(*) >= $`+strconv.Itoa(len(terms)+1)+`) m
		JOIN faqs f ON f.id = m.faq_id WHERE `+cond+` ORDER BY m.n DESC, m.w DESC, m.faq_id`, args)
	if err != nil {
		return nil, 0, err
	}
	total := len(ids)
	from := min((q.Page-1)*PageSize, total)
	list, err := byIDs(ctx, s.db.Read(), ids[from:min(from+PageSize, total)])
	return list, total, err
}

// SearchCounting is Search for the public page: a search with words that
// finds nothing is counted for 办公室's list (unless it holds an ID or
// phone number, which is not kept).
func (s *Service) SearchCounting(ctx context.Context, q Query) ([]FAQ, int, error) {
	list, total, err := s.Search(ctx, q)
	if err != nil || total > 0 || q.Page > 1 || len(queryTerms(q.Q)) == 0 {
		return list, total, err
	}
	term := normalizeTerm(q.Q)
	if logredact.Contains(term) {
		return list, total, nil
	}
	now := s.clock.Now()
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO faq_misses (term, hits, first_at, last_at) VALUES ($1, 1, $2, $2)
			ON CONFLICT (term) DO UPDATE SET hits = faq_misses.hits + 1, last_at = $2`, term, now)
		return errs.Wrap(err, "count faq miss")
	})
	return list, total, err
}

// browse lists the published answers without words.
func (s *Service) browse(ctx context.Context, q Query) ([]FAQ, int, error) {
	args := []any{s.today()}
	cond := visible
	if q.Category.Valid() {
		args = append(args, string(q.Category))
		cond += ` AND f.category = $` + strconv.Itoa(len(args))
	}
	return s.page(ctx, cond, `f.id`, args, q.Page)
}

// StaffList returns a page of every answer for staff, newest change first.
// Errors: Unauthenticated, Forbidden (not staff).
func (s *Service) StaffList(ctx context.Context, a *access.Actor, q Query) ([]FAQ, int, error) {
	if err := requireEditor(a, ""); err != nil {
		return nil, 0, err
	}
	var conds []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		conds = append(conds, strings.ReplaceAll(cond, "?", "$"+strconv.Itoa(len(args))))
	}
	if q.Category.Valid() {
		add("f.category = ?", string(q.Category))
	}
	if q.Section.Valid() {
		add("f.section = ?", string(q.Section))
	}
	if q.Status.Valid() {
		add("f.status = ?", string(q.Status))
	}
	if t := strings.TrimSpace(q.Q); t != "" {
		add(`(f.question LIKE ? ESCAPE '\' OR f.keywords LIKE ? ESCAPE '\')`, db.Like(t))
	}
	where := "1 = 1"
	if len(conds) > 0 {
		where = strings.Join(conds, " AND ")
	}
	return s.page(ctx, where, `f.updated_at DESC, f.id DESC`, args, q.Page)
}

func (s *Service) page(ctx context.Context, where, order string, args []any, page int) ([]FAQ, int, error) {
	page = max(page, 1)
	var total int
	if err := s.db.Read().QueryRowContext(ctx, `SELECT COUNT(*) FROM faqs f WHERE `+where, args...).Scan(&total); err != nil {
		return nil, 0, errs.Wrap(err, "count faqs")
	}
	n := len(args)
	args = append(args, PageSize, (page-1)*PageSize)
	ids, err := s.ids(ctx, `SELECT f.id FROM faqs f WHERE `+where+` ORDER BY `+order+` LIMIT $`+strconv.Itoa(n+1)+
		` OFFSET $`+strconv.Itoa(n+2), args)
	if err != nil {
		return nil, 0, err
	}
	list, err := byIDs(ctx, s.db.Read(), ids)
	return list, total, err
}

func (s *Service) ids(ctx context.Context, query string, args []any) ([]int64, error) {
	var out []int64
	err := db.Each(ctx, s.db.Read(), func(r db.Scanner) error {
		var id int64
		if err := r.Scan(&id); err != nil {
			return err
		}
		out = append(out, id)
		return nil
	}, query, args...)
	return out, errs.Wrap(err, "faq ids")
}

// Miss is a search term that found no answer.
type Miss struct {
	Term    string    `json:"term"`
	Hits    int64     `json:"hits"`
	FirstAt time.Time `json:"first_at"`
	LastAt  time.Time `json:"last_at"`
}

// RecurringMin is how often a search must have found nothing to be listed.
const RecurringMin = 2

// Misses returns the searches that found nothing at least RecurringMin
// times and still find nothing, most frequent first (办公室 only).
// Errors: Unauthenticated, Forbidden.
func (s *Service) Misses(ctx context.Context, a *access.Actor, limit int) ([]Miss, error) {
	if err := a.RequireSection(access.Office); err != nil {
		return nil, err
	}
	rows, err := s.db.Read().QueryContext(ctx, `SELECT term, hits, first_at, last_at FROM faq_misses WHERE hits >= $1
		ORDER BY hits DESC, last_at DESC, term LIMIT $2`, RecurringMin, limit)
	if err != nil {
		return nil, errs.Wrap(err, "faq misses")
	}
	var all []Miss
	for rows.Next() {
		var m Miss
		if err := rows.Scan(&m.Term, &m.Hits, &m.FirstAt, &m.LastAt); err != nil {
			rows.Close()
			return nil, errs.Wrap(err, "faq misses")
		}
		all = append(all, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, errs.Wrap(err, "faq misses")
	}
	var out []Miss
	for _, m := range all {
		// An answer published since then answers it: leave it off.
		if _, total, err := s.Search(ctx, Query{Q: m.Term}); err != nil {
			return nil, err
		} else if total == 0 {
			out = append(out, m)
		}
	}
	return out, nil
}
